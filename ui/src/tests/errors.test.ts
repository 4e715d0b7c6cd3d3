import { describe, expect, it, afterEach } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import { describeError, errorDetails, errorText } from '$lib/errors';
import { i18n } from '$lib/i18n.svelte';
import type { IpcErrorCode, Language } from '$lib/ipc';
import ErrorNote from '../components/ErrorNote.svelte';

// Every code the back end sends (`ErrorCode` in vitrina-app; `IpcErrorCode` in the generated types).
const codes: IpcErrorCode[] = [
  'not_found', 'invalid', 'conflict', 'not_a_catalog', 'catalog_too_new', 'catalog_damaged', 'io', 'busy',
  'keyring_unavailable', 'keyring', 'no_catalog', 'internal', 'team_unreachable', 'team_sign_in', 'team_version',
  'team_not_allowed', 'team_refused',
];

afterEach(() => {
  i18n.lang = 'ru';
});

describe('errors from the back end', () => {
  it('are worded for every code in Russian and English, keeping the back end’s sentence as details', () => {
    for (const lang of ['ru', 'en'] as Language[]) {
      i18n.lang = lang;
      const seen = new Set<string>();
      for (const code of codes) {
        const e = { code, message: `the back end says ${code}` };
        const { text, details } = describeError(e);
        if (code === 'keyring') {
          // A refusal's sentence (which file, which command) is part of our words.
          expect(text).toContain(e.message);
          expect(details).toBeNull();
        } else {
          expect(text, code).not.toContain(e.message);
          expect(details, code).toBe(e.message);
        }
        if (lang === 'ru') expect(text, code).toMatch(/[а-яё]/i);
        seen.add(text);
      }
      expect(seen.size, 'each code has words of its own').toBe(codes.length);
    }
  });

  it('say in Russian what happened and in English when English is chosen', () => {
    const e = { code: 'not_found' as const, message: 'no product with id 7' };
    expect(errorText(e)).toBe('Не найдено: возможно, это уже удалено или перемещено. Проверьте и попробуйте снова.');
    expect(errorText({ code: 'busy', message: 'x' })).toMatch(/^Каталог занят долгим изменением/);
    expect(errorText({ code: 'io', message: 'x' })).toMatch(/^Не удалось прочитать или записать файл/);
    i18n.lang = 'en';
    expect(errorText(e)).toBe('Not found: it may have been removed or moved. Check and try again.');
    expect(errorText({ code: 'no_catalog', message: 'x' })).toMatch(/^No catalog is open/);
    expect(errorDetails(e)).toBe('no product with id 7');
  });

  it('show what the window wrote itself, or anything else thrown, as it is', () => {
    expect(describeError('Введите целое число')).toEqual({ text: 'Введите целое число', details: null });
    expect(describeError(new Error('boom'))).toEqual({ text: 'boom', details: null });
    expect(describeError({ code: 'something_new', message: 'as sent' })).toEqual({ text: 'as sent', details: null });
  });

  it('are shown with the details under “Подробности”, or on a second line next to a field', () => {
    const e = { code: 'conflict' as const, message: 'job x is running; only failed or cancelled jobs can be retried' };
    const { unmount } = render(ErrorNote, { error: e });
    expect(screen.getByRole('alert')).toHaveTextContent(/^Сейчас это сделать нельзя/);
    expect(screen.getByText('Подробности')).toBeInTheDocument();
    expect(screen.getByTestId('error-details')).toHaveTextContent(e.message);
    unmount();
    render(ErrorNote, { error: e, inline: true, 'data-error': 'sku' });
    const note = screen.getByRole('alert');
    expect(note).toHaveAttribute('title', e.message);
    expect(note).toHaveAttribute('data-error', 'sku');
    expect(screen.getByTestId('error-details')).toHaveTextContent(e.message);
  });
});
