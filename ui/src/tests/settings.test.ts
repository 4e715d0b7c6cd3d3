import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent } from '@testing-library/svelte';
import type { SecretStatus, SecretStoreDto } from '$lib/ipc';
import { errorDetails, errorText } from '$lib/errors';
import { i18n } from '$lib/i18n.svelte';

const ipc = vi.hoisted(() => ({
  settings: vi.fn(), secrets: vi.fn(), setSecret: vi.fn(), setLanguage: vi.fn(), checkUpdate: vi.fn(), chooseCatalog: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({ ipc }));

import SettingsView from '../components/settings/SettingsView.svelte';

// What the back end says when no Secret Service answers (secrets.rs, `unavailable_message`).
const unavailable = {
  code: 'keyring_unavailable' as const,
  message: 'the OS keyring is unavailable: no Secret Service (GNOME Keyring, KWallet) answers in this session. Start or unlock it, or keep secrets elsewhere: VITRINA_KEYRING=keyutils …',
};

function statuses(store: SecretStoreDto, set: string[] = []): SecretStatus[] {
  return ['wildberries.token', 'ozon.api_key'].map((name) => ({ name, set: set.includes(name), store }));
}

beforeEach(() => {
  i18n.lang = 'ru';
  ipc.settings.mockReset().mockResolvedValue({
    language: 'ru', catalog_path: '/home/me/.local/share/vitrina/catalog.db', data_dir: '/home/me/.local/share/vitrina',
    log_dir: '/home/me/.local/share/vitrina/logs', version: '0.1.0',
  });
  ipc.secrets.mockReset().mockResolvedValue(statuses({ kind: 'os_keyring' }));
  ipc.setSecret.mockReset();
});

afterEach(() => {
  i18n.lang = 'ru';
});

describe('the words for a store of secrets that cannot be reached', () => {
  it('say in Russian what is missing and both ways around it, and keep the back end’s sentence as details', () => {
    const text = errorText(unavailable);
    expect(text).toMatch(/^Системное хранилище паролей недоступно: в Linux это служба Secret Service \(GNOME Keyring или KWallet\)/);
    expect(text).toContain('VITRINA_KEYRING=keyutils — в связке ключей ядра Linux');
    expect(text).toContain('VITRINA_CREDENTIALS_FILE=/полный/путь — в файле, который может читать только его владелец');
    expect(text).toContain('«Secrets on a machine without a desktop keyring»');
    expect(text).not.toContain('the OS keyring');
    expect(errorDetails(unavailable)).toBe(unavailable.message);
  });

  it('follow the chosen language', () => {
    i18n.lang = 'en';
    expect(errorText(unavailable)).toMatch(/^The system password store is unavailable: on Linux it is the Secret Service/);
    expect(errorText(unavailable)).toContain('VITRINA_CREDENTIALS_FILE=/full/path');
  });

  it('put a refusal’s own sentence (which file, which command) after our words', () => {
    const refused = { code: 'keyring' as const, message: 'the credentials file /srv/v/credentials can be read or changed by other users (mode 644), so Vitrina does not use it; make it private to its owner: chmod 600 /srv/v/credentials' };
    expect(errorText(refused)).toBe(`Хранилище паролей отказало: ${refused.message}`);
    expect(errorDetails(refused)).toBeNull();
    expect(errorText({ code: 'conflict', message: 'as sent' })).toMatch(/^Сейчас это сделать нельзя/);
    expect(errorDetails({ code: 'conflict', message: 'as sent' })).toBe('as sent');
    expect(errorText({ code: 'busy', message: 'busy' })).toMatch(/^Каталог занят/);
  });
});

describe('Settings → Keys and passwords', () => {
  it('shows the worded text when no Secret Service answers', async () => {
    ipc.secrets.mockRejectedValue(unavailable);
    render(SettingsView);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Системное хранилище паролей недоступно');
    expect(alert).toHaveTextContent('VITRINA_KEYRING=keyutils');
    expect(screen.getByText('Подробности')).toBeInTheDocument();
    expect(alert.querySelector('code')).toHaveTextContent('no Secret Service (GNOME Keyring, KWallet) answers');
    expect(screen.getByTestId('secret-store')).toHaveTextContent('Хранятся в системном хранилище паролей');
  });

  it('says which store is in use', async () => {
    ipc.secrets.mockResolvedValue(statuses({ kind: 'credentials_file', path: '/home/me/.config/vitrina/credentials' }, ['ozon.api_key']));
    render(SettingsView);
    expect(await screen.findByText(/Хранятся в файле \/home\/me\/\.config\/vitrina\/credentials \(VITRINA_CREDENTIALS_FILE\)/)).toBeInTheDocument();
    ipc.secrets.mockResolvedValue(statuses({ kind: 'kernel_keyring' }));
    i18n.lang = 'en';
    render(SettingsView);
    expect(await screen.findByText(/Kept in the Linux kernel keyring \(VITRINA_KEYRING=keyutils\) until reboot/)).toBeInTheDocument();
  });

  it('words a failed save and forgets the value typed', async () => {
    ipc.setSecret.mockRejectedValue(unavailable);
    render(SettingsView);
    const input = await screen.findByLabelText('Wildberries — токен API');
    await fireEvent.input(input, { target: { value: 'tok-123' } });
    await fireEvent.click(screen.getAllByRole('button', { name: 'Сохранить' })[0]);
    expect(ipc.setSecret).toHaveBeenCalledWith('wildberries.token', 'tok-123');
    expect(await screen.findByRole('alert')).toHaveTextContent('Системное хранилище паролей недоступно');
    expect(input).toHaveValue('');
    expect(document.body.textContent).not.toContain('tok-123');
  });
});
