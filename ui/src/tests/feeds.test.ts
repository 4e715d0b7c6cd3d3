import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import type { ExportResultDto, FeedPreviewDto, FeedProfileDto, JobsPulse, Language } from '$lib/ipc';
import { i18n } from '$lib/i18n.svelte';
import { job, product } from './fixtures';

let pulses: ((p: JobsPulse) => void)[] = [];
const ipc = vi.hoisted(() => ({
  feedProfiles: vi.fn(),
  saveFeedProfile: vi.fn(),
  removeFeedProfile: vi.fn(),
  feedPreview: vi.fn(),
  exportFeeds: vi.fn(),
  pickFeedOutput: vi.fn(),
  openFolder: vi.fn(),
  writePriceList: vi.fn(),
  writeSpecSheet: vi.fn(),
  runCycle: vi.fn(),
  cycleSchedule: vi.fn(),
  setCycleSchedule: vi.fn(),
  jobs: vi.fn(),
  cancelJob: vi.fn(),
  product: vi.fn(),
  history: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({
  ipc,
  onJobsPulse: vi.fn(async (h: (p: JobsPulse) => void) => {
    pulses.push(h);
    return () => {};
  }),
}));

import {
  DEFAULT_COLUMNS, EXPORT_ERROR_CODES, cronText, SKIP_CODES, WORD_KEYS, bpToPercent, exportErrorText, formatBytes, formatName, ft,
  minorToRoubles, newProfile, percentToBp, resultProblem, roublesToMinor, skipGroups, skipText, timeAgo, withExtension,
} from '$lib/feeds';
import { reasonText, stageText, kindText } from '$lib/jobs';
import FeedsView from '../components/feeds/FeedsView.svelte';
import ProfileEditor from '../components/feeds/ProfileEditor.svelte';
import ProductEditor from '../components/product/ProductEditor.svelte';

const NOW = 1_760_000_000_000;

function result(over: Partial<ExportResultDto> = {}): ExportResultDto {
  return {
    profile: 'Яндекс Маркет', format: 'yml', ok: true, error_code: null, error: null, matched: 1239, written: 1234, skipped: 5,
    skipped_by_reason: [{ code: 'no_price', count: 2 }, { code: 'no_picture', count: 3 }],
    skipped_items: [
      { sku: 'A-1', code: 'no_picture', reason: 'no picture' }, { sku: 'A-2', code: 'no_picture', reason: 'no picture' },
      { sku: 'B-7', code: 'no_price', reason: 'no price' },
    ],
    cleaned_chars: 4, replaced_chars: 0, file: '/feeds/yandex.xml', bytes: 1_572_864, millis: 1250,
    uploaded_to: 's3://shop/feeds/yandex.xml', public_url: 'https://storage.yandexcloud.net/shop/feeds/yandex.xml',
    empty: false, finished_at: NOW - 5 * 60_000, ...over,
  };
}

function profile(over: Partial<FeedProfileDto> = {}): FeedProfileDto {
  return {
    ...newProfile('ru'), id: 'p-1', name: 'Яндекс Маркет', output_path: '/feeds/yandex.xml', file: '/feeds/yandex.xml', schedule: '0 6 * * *',
    last_result: result(), public_url: 'https://storage.yandexcloud.net/shop/feeds/yandex.xml', ...over,
  };
}

const failed = profile({
  id: 'p-2', name: 'Магазин на FTP', output_path: '/feeds/ftp.xml', file: '/feeds/ftp.xml', public_url: null,
  last_result: result({
    ok: false, error_code: 'target_sign_in', written: 0, skipped: 0, skipped_by_reason: [], skipped_items: [], uploaded_to: null,
    error: 'ftp://shop.example did not accept the sign-in: 530 Login incorrect. Check the sign-in details saved for this feed.',
  }),
});
const fresh = profile({ id: 'p-3', name: 'Авито', format: 'avito', last_result: null, public_url: null, enabled: false });

function preview(over: Partial<FeedPreviewDto> = {}): FeedPreviewDto {
  return {
    matched: 42, text: '<?xml version="1.0" encoding="UTF-8"?>\n<yml_catalog>\n  <offer id="SKU-1">',
    skipped_items: [{ sku: 'SKU-9', code: 'title_too_long', reason: 'title too long: 180 characters, at most 150' }], ...over,
  };
}

beforeEach(() => {
  pulses = [];
  ipc.feedProfiles.mockReset().mockResolvedValue([profile(), failed, fresh]);
  ipc.saveFeedProfile.mockReset().mockImplementation(async (p: FeedProfileDto) => ({ ...p, id: p.id || 'p-new' }));
  ipc.removeFeedProfile.mockReset().mockResolvedValue(undefined);
  ipc.feedPreview.mockReset().mockResolvedValue(preview());
  ipc.exportFeeds.mockReset().mockResolvedValue(job({ id: 'job-x', kind: 'feeds.export', state: 'queued', done: 0, total: null, message: null, created_at: NOW }));
  ipc.pickFeedOutput.mockReset().mockResolvedValue('/home/me/feeds/market.xml');
  ipc.openFolder.mockReset().mockResolvedValue(undefined);
  ipc.writePriceList.mockReset().mockResolvedValue({ file: '/home/me/price-list.xlsx', bytes: 20_480, products: 1200, skipped: 0 });
  ipc.writeSpecSheet.mockReset().mockResolvedValue({ file: '/home/me/spec-sheet.pdf', bytes: 90_000, products: 1, skipped: 0 });
  ipc.runCycle.mockReset().mockResolvedValue(job({ id: 'job-c', kind: 'catalog.cycle', state: 'queued', done: 0, total: null, message: null }));
  ipc.cycleSchedule.mockReset().mockResolvedValue('0 6 * * *');
  ipc.setCycleSchedule.mockReset().mockImplementation(async (cron: string) => cron || null);
  ipc.jobs.mockReset().mockResolvedValue([]);
  ipc.cancelJob.mockReset();
  ipc.product.mockReset().mockResolvedValue(product());
  ipc.history.mockReset().mockResolvedValue([]);
});

afterEach(() => {
  i18n.lang = 'ru';
});

const pulse = (p: JobsPulse) => pulses.forEach((h) => h(p));

describe('feeds list', () => {
  it('shows each profile with its format, last result and public link', async () => {
    render(FeedsView, { now: () => NOW });
    const rows = await screen.findAllByTestId('feed-row');
    expect(rows).toHaveLength(3);
    const [ok, bad, never] = rows;
    expect(ok).toHaveTextContent('Яндекс Маркет');
    expect(ok).toHaveTextContent('YML (Яндекс Маркет, Ozon, VK)');
    expect(ok).toHaveTextContent('✓ выгружено 1 234, пропущено 5');
    expect(ok).toHaveTextContent('1,5 МБ');
    expect(ok).toHaveTextContent('5 мин назад');
    expect(within(ok).getByTestId('feed-public-url')).toHaveValue('https://storage.yandexcloud.net/shop/feeds/yandex.xml');
    expect(within(ok).getByTestId('feed-enabled')).toBeChecked();
    expect(ok).toHaveTextContent('по расписанию: Каждый день в 6:00');
    // A failure is worded from its code; the back end's sentence is the details.
    expect(bad).toHaveTextContent('Сервер не принял вход: проверьте ключи или логин и пароль этого профиля');
    expect(bad).toHaveTextContent('530 Login incorrect');
    expect(within(bad).queryByTestId('feed-public-url')).toBeNull();
    expect(never).toHaveTextContent('Ещё не выгружался');
    expect(never).toHaveTextContent('Avito');
    expect(within(never).getByTestId('feed-enabled')).not.toBeChecked();
  });

  it('copies the public link, opens the folder, and shows the full result on request', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(FeedsView, { now: () => NOW });
    const ok = (await screen.findAllByTestId('feed-row'))[0];
    await fireEvent.click(within(ok).getByRole('button', { name: 'Копировать' }));
    expect(writeText).toHaveBeenCalledWith('https://storage.yandexcloud.net/shop/feeds/yandex.xml');
    expect(await within(ok).findByRole('button', { name: 'Скопировано' })).toBeInTheDocument();
    await fireEvent.click(within(ok).getByRole('button', { name: 'Открыть папку' }));
    expect(ipc.openFolder).toHaveBeenCalledWith('/feeds/yandex.xml');
    await fireEvent.click(within(ok).getByRole('button', { name: 'Подробнее' }));
    const details = within(ok).getByTestId('export-result');
    expect(details).toHaveTextContent('Выгружено товаров: 1 234 из 1 239');
    expect(details.querySelector('[data-skip="no_picture"]')).toHaveTextContent('нет фото, а площадка его требует — 3например: A-1, A-2');
    expect(details.querySelector('[data-skip="no_price"]')).toHaveTextContent('нет цены — 2например: B-7');
    expect(details).toHaveTextContent('Удалено недопустимых символов: 4');
    expect(details).toHaveTextContent('Загружен: s3://shop/feeds/yandex.xml');
  });

  it('switches a profile off by saving it with enabled false, and deletes after confirming', async () => {
    render(FeedsView, { now: () => NOW });
    const ok = (await screen.findAllByTestId('feed-row'))[0];
    await fireEvent.click(within(ok).getByTestId('feed-enabled'));
    await waitFor(() => expect(ipc.saveFeedProfile).toHaveBeenCalledWith({ ...profile(), enabled: false }, null));
    await fireEvent.click(within(ok).getByTestId('feed-delete'));
    expect(ipc.removeFeedProfile).not.toHaveBeenCalled();
    expect(within(ok).getByRole('alertdialog')).toHaveTextContent('Удалить профиль «Яндекс Маркет»?');
    await fireEvent.click(within(ok).getByTestId('feed-delete-yes'));
    expect(ipc.removeFeedProfile).toHaveBeenCalledWith('p-1');
  });

  it('"Export all" queues feeds_export for every enabled profile, follows the job and shows each summary', async () => {
    render(FeedsView, { now: () => NOW });
    await screen.findAllByTestId('feed-row');
    await fireEvent.click(screen.getByTestId('feeds-export-all'));
    expect(ipc.exportFeeds).toHaveBeenCalledWith([], true);
    expect(await screen.findByTestId('export-progress')).toHaveTextContent('Выгрузка в очереди…');
    const running = job({ id: 'job-x', kind: 'feeds.export', state: 'running', done: 500, total: 1000, stage: 'exporting', message: 'Яндекс Маркет', created_at: NOW });
    pulse({ jobs: [running], logs: [], catalog_changed: false });
    await waitFor(() => expect(screen.getByTestId('export-progress')).toHaveTextContent('Выгрузка: 500 из 1 000'));
    expect(screen.getByTestId('export-progress').querySelector('em')).toHaveTextContent('— Яндекс Маркет');
    // When it ends, the list is read again: the new results are the ones after the job was queued.
    const after = [profile({ last_result: result({ finished_at: NOW + 60_000 }) }), failed, fresh];
    ipc.feedProfiles.mockResolvedValue(after);
    pulse({ jobs: [{ ...running, state: 'succeeded', done: 1000, finished_at: NOW + 61_000 }], logs: [], catalog_changed: false });
    expect(await screen.findByTestId('export-outcome')).toHaveTextContent('Выгрузка завершена');
    const summary = await screen.findByTestId('export-results');
    const results = within(summary).getAllByTestId('export-result');
    expect(results).toHaveLength(1);
    expect(results[0]).toHaveAttribute('data-profile', 'Яндекс Маркет');
    expect(results[0]).toHaveTextContent('Пропущено: 5');
    expect(results[0]).toHaveTextContent('Размер: 1,5 МБ');
    expect(results[0]).toHaveTextContent('Заняло: 1,3 с');
    expect(results[0]).toHaveTextContent('например: A-1, A-2');
  });

  it('exports one profile, and words a failed run from its job code', async () => {
    render(FeedsView, { now: () => NOW });
    const rows = await screen.findAllByTestId('feed-row');
    await fireEvent.click(within(rows[1]).getByTestId('feed-export'));
    expect(ipc.exportFeeds).toHaveBeenCalledWith(['p-2'], false);
    await screen.findByTestId('export-progress');
    pulse({
      jobs: [job({ id: 'job-x', kind: 'feeds.export', state: 'failed', error_code: 'export_failed', error: 'export failed for Магазин на FTP (530)', finished_at: NOW + 5000 })],
      logs: [], catalog_changed: false,
    });
    const outcome = await screen.findByTestId('export-outcome');
    expect(outcome).toHaveTextContent(/^Выгрузка не удалась: Не все фиды выгружены/);
    expect(outcome).toHaveTextContent('export failed for Магазин на FTP (530)');
  });

  it('explains feeds when there are none and opens the editor for the first one', async () => {
    ipc.feedProfiles.mockResolvedValue([]);
    render(FeedsView, { now: () => NOW });
    const empty = await screen.findByTestId('feeds-empty');
    expect(empty).toHaveTextContent('Фид — это файл со списком ваших товаров');
    expect(screen.getByTestId('feeds-export-all')).toBeDisabled();
    await fireEvent.click(within(empty).getByRole('button', { name: 'Создать первый фид' }));
    expect(await screen.findByTestId('profile-editor')).toHaveTextContent('Новый профиль фида');
  });
});

describe('catalog cycle and documents', () => {
  it('runs the cycle now and saves its schedule from a preset', async () => {
    render(FeedsView, { now: () => NOW });
    const card = await screen.findByTestId('cycle-card');
    await waitFor(() => expect(within(card).getByTestId('cycle-cron')).toHaveValue('0 6 * * *'));
    expect(within(card).getByRole('combobox', { name: 'Готовые варианты' })).toHaveValue('0 6 * * *');
    await fireEvent.click(screen.getByTestId('cycle-run'));
    expect(ipc.runCycle).toHaveBeenCalled();
    expect(await within(card).findByTestId('cycle-progress')).toHaveTextContent('Цикл в очереди…');
    pulse({ jobs: [job({ id: 'job-c', kind: 'catalog.cycle', state: 'failed', error_code: 'cycle_step_failed', error: 'step 1/2 (import: Опт) failed', finished_at: NOW })], logs: [], catalog_changed: false });
    expect(await within(card).findByTestId('cycle-outcome')).toHaveTextContent(/^Цикл остановлен: Цикл каталога остановлен: один из шагов не удался.*step 1\/2 \(import: Опт\) failed/);
    await fireEvent.change(within(card).getByRole('combobox', { name: 'Готовые варианты' }), { target: { value: '0 */4 * * *' } });
    await fireEvent.click(screen.getByTestId('cycle-save'));
    expect(ipc.setCycleSchedule).toHaveBeenCalledWith('0 */4 * * *');
    expect(await within(card).findByText('Расписание сохранено')).toBeInTheDocument();
  });

  it('writes a price list of the whole catalog in the chosen language and opens its folder', async () => {
    render(FeedsView, { now: () => NOW });
    const card = await screen.findByTestId('documents-card');
    await fireEvent.change(within(card).getByTestId('docs-lang'), { target: { value: 'en' } });
    await fireEvent.click(within(card).getByRole('button', { name: 'Прайс-лист Excel' }));
    expect(ipc.writePriceList).toHaveBeenCalledWith('xlsx', {
      categories: [], brands: [], suppliers: [], statuses: [], in_stock_only: false, price_min: null, price_max: null, products: [],
    }, 'en');
    expect(await within(card).findByTestId('doc-written')).toHaveTextContent('Сохранено: /home/me/price-list.xlsx — товаров 1 200, 20 КБ');
    await fireEvent.click(within(card).getByRole('button', { name: 'Открыть папку' }));
    expect(ipc.openFolder).toHaveBeenCalledWith('/home/me/price-list.xlsx');
  });

  it('the product editor writes a spec sheet and shows where', async () => {
    render(ProductEditor, { id: 'id-1', categories: [], onClose: () => {}, onSaved: () => {} });
    await screen.findByText('SKU-1');
    await fireEvent.click(screen.getByTestId('spec-sheet'));
    expect(ipc.writeSpecSheet).toHaveBeenCalledWith('id-1', 'ru');
    expect(await screen.findByTestId('spec-written')).toHaveTextContent('Сохранено: /home/me/spec-sheet.pdf');
  });
});

describe('profile editor', () => {
  function input(testid: string) {
    return screen.getByTestId(testid);
  }

  it('sends the edited profile with roubles in kopecks and percentages in basis points', async () => {
    const onSaved = vi.fn();
    render(ProfileEditor, { profile: newProfile('ru'), onSaved, onCancel: () => {}, debounceMs: 0 });
    await fireEvent.input(input('profile-name'), { target: { value: '  Яндекс Маркет ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Выбрать…' }));
    expect(ipc.pickFeedOutput).toHaveBeenCalledWith('yml', null);
    await waitFor(() => expect(input('profile-output')).toHaveValue('/home/me/feeds/market.xml'));
    await fireEvent.input(input('profile-price-min'), { target: { value: '1 500,50' } });
    await fireEvent.input(input('profile-markup'), { target: { value: '12,5' } });
    await fireEvent.input(input('profile-categories'), { target: { value: 'Обувь / Кроссовки\n\n  Одежда  ' } });
    await fireEvent.click(screen.getByLabelText('Только товары в наличии'));
    await fireEvent.click(screen.getByLabelText('Активен'));
    await fireEvent.click(input('profile-save'));
    const base = newProfile('ru');
    const expected: FeedProfileDto = {
      ...base, name: 'Яндекс Маркет', output_path: '/home/me/feeds/market.xml',
      selection: { ...base.selection, categories: ['Обувь / Кроссовки', 'Одежда'], statuses: ['active'], in_stock_only: true, price_min: 150050 },
      prices: { ...base.prices, markup_bp: 1250 },
      columns: DEFAULT_COLUMNS,
    };
    await waitFor(() => expect(ipc.saveFeedProfile).toHaveBeenCalledWith(expected, null));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith({ ...expected, id: 'p-new' }));
  });

  it('does not save without a name, or with an amount that is not one', async () => {
    render(ProfileEditor, { profile: newProfile('ru'), onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    await fireEvent.input(input('profile-price-max'), { target: { value: 'много' } });
    await fireEvent.click(input('profile-save'));
    expect(ipc.saveFeedProfile).not.toHaveBeenCalled();
    expect(screen.getByText('Введите название профиля')).toBeInTheDocument();
    expect(screen.getByText('Выберите файл, в который записывать')).toBeInTheDocument();
    expect(screen.getByText('Введите сумму, например 1 299,50')).toBeInTheDocument();
    expect(input('profile-error')).toHaveTextContent('Исправьте отмеченные поля');
  });

  it('sends the upload keys only when some were typed, and says when they are saved', async () => {
    const saved = profile({
      target: {
        kind: 's3', path: '', endpoint: 'https://storage.yandexcloud.net', region: 'ru-central1', bucket: 'shop', prefix: 'feeds/',
        path_style: false, public_read: true, host: '', port: 0, secure: false, user: '', dir: '', public_url_base: '', secret_set: true,
      },
    });
    render(ProfileEditor, { profile: saved, onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    expect(input('secret-state')).toHaveTextContent('Сохранён в системном хранилище паролей');
    expect(input('secret-key')).toHaveAttribute('type', 'password');
    await fireEvent.click(input('profile-save'));
    await waitFor(() => expect(ipc.saveFeedProfile).toHaveBeenCalledTimes(1));
    expect(ipc.saveFeedProfile.mock.calls[0][1]).toBeNull();
    expect(ipc.saveFeedProfile.mock.calls[0][0].target).toEqual(saved.target);
    await fireEvent.input(input('secret-key-id'), { target: { value: ' AKID ' } });
    await fireEvent.input(input('secret-key'), { target: { value: 'sEcReT' } });
    await fireEvent.click(input('profile-save'));
    await waitFor(() => expect(ipc.saveFeedProfile).toHaveBeenCalledTimes(2));
    expect(ipc.saveFeedProfile.mock.calls[1][1]).toEqual({ access_key_id: 'AKID', secret_access_key: 'sEcReT', password: '' });
  });

  it('shows why the back end refused the profile', async () => {
    ipc.saveFeedProfile.mockRejectedValueOnce({ code: 'invalid', message: 'the lowest price is above the highest' });
    render(ProfileEditor, { profile: profile(), onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    await fireEvent.click(input('profile-save'));
    const error = await screen.findByTestId('profile-error');
    expect(error).toHaveTextContent('Значение не принято');
    expect(error).toHaveTextContent('the lowest price is above the highest');
  });

  it('previews the edited profile: how many products match and the start of the file', async () => {
    render(ProfileEditor, { profile: profile(), onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    const panel = input('feed-preview');
    expect(await within(panel).findByTestId('preview-matched')).toHaveTextContent('Фильтрам подходит товаров: 42');
    expect(within(panel).getByTestId('preview-text').tagName).toBe('PRE');
    expect(within(panel).getByTestId('preview-text')).toHaveTextContent('<offer id="SKU-1">');
    expect(panel).toHaveTextContent('SKU-9 — название длиннее, чем разрешает площадка');
    ipc.feedPreview.mockResolvedValue(preview({ matched: 7, text: '<offer id="SKU-2">', skipped_items: [] }));
    await fireEvent.input(input('profile-markup'), { target: { value: '15' } });
    await waitFor(() => expect(ipc.feedPreview).toHaveBeenLastCalledWith(
      expect.objectContaining({ id: 'p-1', prices: expect.objectContaining({ markup_bp: 1500 }) }), 3,
    ));
    expect(await within(panel).findByText('Фильтрам подходит товаров: 7')).toBeInTheDocument();
    expect(within(panel).getByTestId('preview-text')).toHaveTextContent('<offer id="SKU-2">');
  });

  it('previews a profile not yet named or given a file, and shows a refused preview', async () => {
    ipc.feedPreview.mockRejectedValue({ code: 'invalid', message: 'unknown column "colour"' });
    render(ProfileEditor, { profile: newProfile('ru'), onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    await waitFor(() => expect(ipc.feedPreview).toHaveBeenCalled());
    const [sent, limit] = ipc.feedPreview.mock.calls[0];
    expect(limit).toBe(3);
    expect(sent.name).not.toBe('');
    expect(sent.output_path).toMatch(/\.xml$/);
    const panel = input('feed-preview');
    expect(await within(panel).findByRole('alert')).toHaveTextContent('Значение не принято');
    expect(panel).toHaveTextContent('unknown column "colour"');
  });

  it('changing the format swaps the file extension and shows that format’s settings', async () => {
    render(ProfileEditor, { profile: profile(), onSaved: () => {}, onCancel: () => {}, debounceMs: 0 });
    expect(input('yml-settings')).toBeInTheDocument();
    await fireEvent.change(input('profile-format'), { target: { value: 'xlsx' } });
    expect(input('profile-output')).toHaveValue('/feeds/yandex.xlsx');
    expect(input('columns-settings')).toHaveTextContent('Колонки прайс-листа');
    expect(screen.queryByTestId('yml-settings')).toBeNull();
  });
});

describe('feed words', () => {
  const langs: Language[] = ['ru', 'en'];

  it('word every skip reason and export failure in both languages, each its own', () => {
    for (const lang of langs) {
      i18n.lang = lang;
      const words = [...SKIP_CODES.map(skipText), ...EXPORT_ERROR_CODES.map((c) => exportErrorText(c) as string)];
      for (const w of words) expect(w).toMatch(lang === 'ru' ? /[а-яё]/i : /^[^а-яё]+$/i);
      expect(new Set(words).size).toBe(words.length);
    }
    i18n.lang = 'ru';
    expect(skipText('no_price')).toBe('нет цены');
    expect(exportErrorText('target_unreachable')).toMatch(/^Сервер для загрузки не отвечает/);
    i18n.lang = 'en';
    expect(skipText('no_price')).toBe('no price');
    expect(exportErrorText('output_unwritable')).toMatch(/^The file cannot be written/);
    // A code this version does not know: a skip shows as its code, a failure falls back to the sentence.
    expect(skipText('too_heavy')).toBe('too_heavy');
    expect(exportErrorText('target_exploded')).toBeNull();
    expect(resultProblem({ ok: false, error_code: 'target_exploded', error: 'It exploded.' })).toEqual({ text: 'It exploded.', details: null });
    expect(resultProblem({ ok: false, error_code: 'catalog', error: 'disk I/O error' })).toEqual({ text: 'The catalog could not be read', details: 'disk I/O error' });
    expect(resultProblem({ ok: true, error_code: null, error: null })).toBeNull();
  });

  it('has every label of the section in both languages', () => {
    for (const lang of langs) {
      i18n.lang = lang;
      for (const key of WORD_KEYS) expect(ft(key).trim(), key).not.toBe('');
    }
    i18n.lang = 'en';
    expect(ft('ed.matched', { n: 3 })).toBe('3 products match the filters');
    expect(ft('ed.urlTemplateHint')).toContain('{sku}');
  });

  it('names formats for people', () => {
    expect(formatName('yml')).toBe('YML (Яндекс Маркет, Ozon, VK)');
    expect(formatName('xlsx')).toBe('Excel');
    i18n.lang = 'en';
    expect(formatName('yml')).toBe('YML (Yandex Market, Ozon, VK)');
    expect(formatName('google')).toBe('Google Merchant');
    expect(formatName('ods')).toBe('ods');
  });

  it('words the new job stage, kinds and failure codes', () => {
    expect(stageText('exporting')).toBe('выгрузка фидов');
    expect(kindText('feeds.export')).toBe('Выгрузка фидов');
    expect(reasonText('nothing_to_export')).toMatch(/^Нечего выгружать/);
    i18n.lang = 'en';
    expect(stageText('exporting')).toBe('exporting feeds');
    expect(kindText('catalog.cycle')).toBe('Catalog cycle: import and export');
    expect(reasonText('export_failed')).toMatch(/^Not every feed was exported/);
    expect(reasonText('cycle_step_failed')).toMatch(/^The catalog cycle stopped/);
  });

  it('groups skipped products by reason, most first, with their first SKUs', () => {
    expect(skipGroups(result()).map((g) => [g.code, g.count, g.skus])).toEqual([['no_picture', 3, ['A-1', 'A-2']], ['no_price', 2, ['B-7']]]);
  });

  it('converts amounts, percentages, sizes and times', () => {
    expect(roublesToMinor('1 500,50')).toBe(150050);
    expect(roublesToMinor('1299.5')).toBe(129950);
    expect(roublesToMinor('  ')).toBeNull();
    expect(roublesToMinor('12,345')).toBeNaN();
    expect(roublesToMinor('-5')).toBeNaN();
    expect(minorToRoubles(150050, 'ru')).toBe('1500,50');
    expect(minorToRoubles(150000, 'en')).toBe('1500');
    expect(minorToRoubles(null, 'ru')).toBe('');
    expect(percentToBp('12,5')).toBe(1250);
    expect(percentToBp('−5 %')).toBe(-500);
    expect(percentToBp('')).toBe(0);
    expect(percentToBp('ten')).toBeNaN();
    expect(bpToPercent(1250, 'ru')).toBe('12,5');
    expect(bpToPercent(0, 'ru')).toBe('');
    expect(formatBytes(512, 'ru')).toBe('512 Б');
    expect(formatBytes(1_572_864, 'ru')).toBe('1,5 МБ');
    expect(formatBytes(20_480, 'en')).toBe('20 KB');
    expect(timeAgo(NOW - 20_000, NOW, 'ru')).toBe('только что');
    expect(timeAgo(NOW - 3 * 3_600_000, NOW, 'en')).toBe('3 h ago');
    expect(timeAgo(NOW - 2 * 86_400_000, NOW, 'ru')).toBe('2 дн. назад');
    expect(withExtension('/f/feed.xml', 'csv')).toBe('/f/feed.csv');
    expect(withExtension('/f/price.pdf', 'avito')).toBe('/f/price.xml');
    expect(withExtension('/f/feed', 'csv')).toBe('/f/feed');
    expect(cronText('0 6 * * *')).toBe('Каждый день в 6:00');
    expect(cronText(' 5 4 * * 0 ')).toBe('5 4 * * 0');
  });

  it('a new profile is an enabled YML feed in the person’s language with the catalog’s descriptions', () => {
    const p = newProfile('en');
    expect(p).toMatchObject({
      id: '', format: 'yml', enabled: true, description_source: 'catalog_or_characteristics', lang: 'en', target: null, schedule: null,
      prices: { markup_bp: 0, rounding: 'none', old_price: 'keep', old_price_above_bp: 0 },
    });
    expect(p.avito.condition).not.toBe('');
  });
});
