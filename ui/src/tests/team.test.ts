import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import type { TeamStatusDto } from '$lib/ipc';
import { i18n } from '$lib/i18n.svelte';
import { WORD_KEYS, ago, indicator, tt } from '$lib/team';

const ipc = vi.hoisted(() => ({
  teamStatus: vi.fn(), teamInit: vi.fn(), teamJoin: vi.fn(), teamSync: vi.fn(), teamInvite: vi.fn(),
  teamMembers: vi.fn(), teamSetRole: vi.fn(), teamLeave: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({ ipc }));

import TeamSection from '../components/settings/TeamSection.svelte';
import TeamIndicator from '../components/TeamIndicator.svelte';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

function status(over: Partial<TeamStatusDto> = {}): TeamStatusDto {
  return {
    joined: true, url: 'postgres://shop_m_anna@db:5432/shop?sslmode=prefer', member: 'Анна', role: 'admin',
    may_edit: true, may_manage: true, device: 'd', last_sync: NOW - 5 * 60_000, last_attempt: NOW - 5 * 60_000,
    pending: 0, error: null, sku_clashes: 0, ...over,
  };
}

beforeEach(() => {
  i18n.lang = 'ru';
  for (const f of Object.values(ipc)) f.mockReset();
});

afterEach(() => {
  i18n.lang = 'ru';
});

describe('the team’s words', () => {
  it('exist in Russian and English for every key', () => {
    for (const lang of ['ru', 'en'] as const) {
      i18n.lang = lang;
      for (const key of WORD_KEYS) expect(tt(key).length, key).toBeGreaterThan(0);
    }
  });

  it('say how long ago a sync was', () => {
    expect(ago(NOW - 10_000, NOW)).toBe('только что');
    expect(ago(NOW - 5 * 60_000, NOW)).toBe('5 мин назад');
    i18n.lang = 'en';
    expect(ago(NOW - 3 * 3_600_000, NOW)).toBe('3 h ago');
  });
});

describe('the sync indicator', () => {
  it('says synced, waiting, failing, or nothing outside a team', () => {
    expect(indicator(status(), NOW)).toEqual({ state: 'ok', text: 'Синхронизировано 5 мин назад' });
    expect(indicator(status({ pending: 3 }), NOW)).toEqual({ state: 'pending', text: 'Ждут отправки: 3' });
    expect(indicator(status({ error: { kind: 'unreachable', message: 'no route' } }), NOW).state).toBe('failed');
    expect(indicator(status({ joined: false }), NOW).state).toBe('off');
    // A viewer changes nothing: nothing waits to be sent, and the indicator says read only.
    const viewer = indicator(status({ pending: 3, may_edit: false }), NOW);
    expect(viewer.state).toBe('ok');
    expect(viewer.text).toBe('Синхронизировано 5 мин назад · только просмотр');
  });

  it('shows the failure’s reason as its tooltip', async () => {
    ipc.teamStatus.mockResolvedValue(status({ error: { kind: 'unreachable', message: 'the server did not answer' } }));
    render(TeamIndicator);
    const el = await screen.findByTestId('sync-indicator');
    expect(el.textContent).toContain('Нет связи с командой');
    expect(el.getAttribute('title')).toBe('the server did not answer');
  });
});

describe('Settings → Team', () => {
  it('offers to join or create a team when the catalog is in none', async () => {
    ipc.teamStatus.mockResolvedValue(status({ joined: false, url: null, member: null, role: null }));
    ipc.teamJoin.mockResolvedValue(undefined);
    render(TeamSection);
    const code = await screen.findByTestId('team-code');
    await fireEvent.input(code, { target: { value: ' vtj1-abc ' } });
    await fireEvent.click(screen.getByTestId('team-join'));
    expect(ipc.teamJoin).toHaveBeenCalledWith('vtj1-abc');
    expect(screen.getByTestId('team-create')).toBeTruthy();
  });

  it('lets an admin invite with a copyable code and change roles', async () => {
    ipc.teamStatus.mockResolvedValue(status());
    ipc.teamInvite.mockResolvedValue({ code: 'vtj1-XYZ', role: 'editor', login: 'shop_m_boris', password: 'p', url: 'postgres://…' });
    ipc.teamMembers.mockResolvedValue([{ login: 'shop_m_boris', name: 'Борис', role: 'editor', last_seen: null, devices: 1 }]);
    ipc.teamSetRole.mockResolvedValue([{ login: 'shop_m_boris', name: 'Борис', role: 'viewer', last_seen: null, devices: 1 }]);
    render(TeamSection);
    await fireEvent.input(await screen.findByTestId('invite-name'), { target: { value: 'Борис' } });
    await fireEvent.click(screen.getByTestId('invite'));
    expect(ipc.teamInvite).toHaveBeenCalledWith('Борис', 'editor');
    expect((await screen.findByTestId('invite-code')).textContent).toBe('vtj1-XYZ');
    await fireEvent.click(screen.getByText('Показать участников'));
    const select = (await screen.findByLabelText('Борис')) as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: 'viewer' } });
    expect(ipc.teamSetRole).toHaveBeenCalledWith('shop_m_boris', 'viewer');
  });

  it('shows a viewer what it may not do and no invitations', async () => {
    ipc.teamStatus.mockResolvedValue(status({ role: 'viewer', may_edit: false, may_manage: false, pending: 2 }));
    render(TeamSection);
    expect(await screen.findByTestId('team-viewer')).toBeTruthy();
    expect(screen.queryByTestId('invite')).toBeNull();
  });

  it('words a failed sync by its code', async () => {
    ipc.teamStatus.mockResolvedValue(status());
    ipc.teamSync.mockRejectedValue({ code: 'team_version', message: 'the team database is at version 2' });
    render(TeamSection);
    await fireEvent.click(await screen.findByTestId('team-sync'));
    expect((await screen.findByRole('alert')).textContent).toContain('Версия базы команды');
  });
});
