// The Marketplaces section's work per account: the demo marketplace, account settings, the
// category and attribute mapping, publishing followed live, the error inbox, and the product
// editor's marketplaces block. The IPC is mocked.
import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import type {
  AttrMapDto, CategoryMapDto, JobsPulse, MarketAccountDto, MarketLinkDto, MarketLinksDto, MarketRunDto, OutboxDto, ProductMarketDto,
} from '$lib/ipc';
import { i18n } from '$lib/i18n.svelte';
import { job } from './fixtures';

let pulses: ((p: JobsPulse) => void)[] = [];
const ipc = vi.hoisted(() => ({
  marketAccounts: vi.fn(),
  addMarketAccount: vi.fn(),
  removeMarketAccount: vi.fn(),
  checkMarketAccount: vi.fn(),
  marketPrecheck: vi.fn(),
  addDemoMarketAccount: vi.fn(),
  setMarketAccountSettings: vi.fn(),
  refreshMarketDictionaries: vi.fn(),
  marketCategories: vi.fn(),
  marketCategoryMap: vi.fn(),
  setMarketCategory: vi.fn(),
  autoMapMarket: vi.fn(),
  marketAttributes: vi.fn(),
  setMarketAttribute: vi.fn(),
  publishMarket: vi.fn(),
  pushMarket: vi.fn(),
  marketJobResult: vi.fn(),
  marketLinks: vi.fn(),
  marketOutbox: vi.fn(),
  retryMarket: vi.fn(),
  pullMarketCards: vi.fn(),
  productMarket: vi.fn(),
  jobs: vi.fn(),
  cancelJob: vi.fn(),
  facets: vi.fn(),
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
  LINK_STATUSES, PROBLEMS, makeSource, mt, outboxGroups, parseSource, problemText, reasonsOf, runLines, sourceText, statusText,
  warehouseChanges,
} from '$lib/market';
import MarketView from '../components/market/MarketView.svelte';
import AccountSettings from '../components/market/AccountSettings.svelte';
import MappingTab from '../components/market/MappingTab.svelte';
import PublishTab from '../components/market/PublishTab.svelte';
import InboxTab from '../components/market/InboxTab.svelte';
import ProductMarkets from '../components/market/ProductMarkets.svelte';

const NOW = 1_760_000_000_000;

function account(over: Partial<MarketAccountDto> = {}): MarketAccountDto {
  return {
    id: 'a-1', name: 'Демо Wildberries', market: 'wb', market_title: 'Wildberries', base_url: 'http://127.0.0.1:5555', business_id: null,
    campaign_id: null, auto_push: false, warehouses: [['Основной склад', '507']], demo: true, secret_set: true, created_at: NOW,
    last_check: {
      ok: true, checked_at: NOW, groups: [], scopes: [], campaigns: [],
      warehouses: [{ id: '507', name: 'Коледино' }, { id: '686', name: 'Новосибирск' }],
    },
    ...over,
  };
}

const categories: CategoryMapDto[] = [
  { category_id: 'c1', path: 'Обувь / Кроссовки', products: 12, ext_id: '105', ext_path: 'Обувь / Мужская обувь / Кроссовки', suggestion: null },
  {
    category_id: 'c2', path: 'Дом и сад / Посуда / Сковороды', products: 4, ext_id: null, ext_path: null,
    suggestion: { ext_id: '220', path: 'Дом / Посуда / Сковороды', score: 0.93, confident: true },
  },
  {
    category_id: 'c3', path: 'Автотовары / Шины', products: 6, ext_id: null, ext_path: null,
    suggestion: { ext_id: '5067', path: 'Автотовары / Шины автомобильные', score: 0.77, confident: false },
  },
  { category_id: 'c4', path: 'Разное', products: 1, ext_id: null, ext_path: null, suggestion: null },
];

function attr(over: Partial<AttrMapDto>): AttrMapDto {
  return {
    attr_id: '1', name: 'Бренд', kind: 'text', required: false, multi: false, unit: null, dictionary_size: 0, closed: false, source: null,
    unit_factor: null, suggestion: null, suggestion_confident: false, sample_values: [], ...over,
  };
}

const attrs: AttrMapDto[] = [
  attr({ attr_id: '10', name: 'Цвет', source: null, suggestion: 'attr:Цвет', suggestion_confident: true, dictionary_size: 120, closed: true, sample_values: ['красный', 'синий'] }),
  attr({ attr_id: '11', name: 'Бренд', required: true, source: 'field:brand' }),
  attr({ attr_id: '12', name: 'Страна производства', required: true, source: null }),
  attr({ attr_id: '13', name: 'Вес товара', kind: 'number', unit: 'кг', source: 'field:weight_g', unit_factor: 0.001 }),
];

const run: MarketRunDto = {
  account_id: '0193a1b2-0000-7000-8000-000000000001', account: 'Демо Wildberries', market: 'wb', read: 40, queued: 18, unchanged: 0, precheck_failed: 22, not_published: 0, requests: 1,
  follow_ups: 1, done: 18, rejected: 0, retried: 0, awaiting: 0, next_due: null,
};

const outbox: OutboxDto = {
  account: 'Демо Wildberries',
  counts: [{ op: 'card', state: 'done', count: 18 }, { op: 'card', state: 'failed', count: 1 }, { op: 'stock', state: 'pending', count: 3 }],
  rows: [{ seq: 1, sku: 'SKU-9', op: 'card', warehouse: '', state: 'failed', attempts: 2, error: 'Недопустимые символы в наименовании', created_at: NOW, sent_at: NOW }],
};

function link(over: Partial<MarketLinkDto>): MarketLinkDto {
  return {
    product_id: 'p-1', sku: 'SKU-1', name: 'Кроссовки беговые', status: 'precheck_failed', ext_id: null, ext_group: null, ext_sku: null,
    ext_status: null, problems: [], errors: [], updated_at: NOW, ...over,
  };
}

const inbox: MarketLinksDto = {
  account: 'Демо Wildberries', market: 'wb',
  counts: [{ status: 'live', count: 18 }, { status: 'rejected', count: 1 }, { status: 'precheck_failed', count: 2 }],
  items: [
    link({ problems: [{ code: 'missing_required', field: '12', detail: 'Страна производства: no value' }] }),
    link({ product_id: 'p-2', sku: 'SKU-2', name: 'Шина летняя', problems: [{ code: 'no_category_mapping', field: 'category', detail: '' }] }),
    link({
      product_id: 'p-3', sku: 'SKU-3', name: 'Сковорода', status: 'rejected', ext_status: 'Ошибка',
      errors: [{ code: 'WB-400', field: null, attr_name: 'Наименование', message: 'Недопустимые символы в наименовании' }],
    }),
  ],
};

beforeEach(() => {
  pulses = [];
  for (const f of Object.values(ipc)) f.mockReset();
  ipc.marketAccounts.mockResolvedValue([account()]);
  ipc.marketPrecheck.mockResolvedValue({ market: 'wb', checked: 0, with_problems: 0, counts: [], products: [] });
  ipc.addDemoMarketAccount.mockImplementation(async (m: string) => account({ id: 'a-demo', name: `Демо ${m}`, market: m }));
  ipc.marketCategoryMap.mockResolvedValue(categories);
  ipc.marketCategories.mockResolvedValue([{ ext_id: '1', parent_id: null, name: 'Обувь', path: 'Обувь', leaf: false }]);
  ipc.marketAttributes.mockResolvedValue(attrs);
  ipc.marketOutbox.mockResolvedValue(outbox);
  ipc.marketLinks.mockResolvedValue(inbox);
  ipc.productMarket.mockResolvedValue([]);
  ipc.jobs.mockResolvedValue([]);
  ipc.facets.mockResolvedValue({ categories: [] });
});

afterEach(() => {
  i18n.lang = 'ru';
});

describe('the demo marketplace', () => {
  it('offers the demo when there are no accounts, adds it and opens its categories', async () => {
    ipc.marketAccounts.mockResolvedValueOnce([]).mockResolvedValue([account({ id: 'a-demo', name: 'Демо Ozon', market: 'ozon' })]);
    render(MarketView, { now: () => NOW });
    const picker = await screen.findByTestId('demo-picker');
    expect(picker).toHaveTextContent('Попробовать без настоящего кабинета');
    await fireEvent.click(within(picker).getByTestId('demo-ozon'));
    expect(ipc.addDemoMarketAccount).toHaveBeenCalledWith('ozon');
    expect(await screen.findByTestId('market-mapping')).toBeInTheDocument();
    expect(screen.getByTestId('market-account-pick')).toHaveValue('a-demo');
    expect(screen.getByRole('tab', { name: 'Категории' })).toHaveAttribute('aria-selected', 'true');
  });

  it('marks a demo account and hides its local address', async () => {
    render(MarketView, { now: () => NOW });
    const row = await screen.findByTestId('market-account');
    expect(within(row).getByTestId('demo-badge')).toHaveTextContent('Демо');
    expect(row).not.toHaveTextContent('127.0.0.1');
  });
});

describe('account settings', () => {
  it('saves auto-push and the warehouse map, offering the warehouses of the last check', async () => {
    const onSaved = vi.fn();
    ipc.setMarketAccountSettings.mockImplementation(async (_k: string, autoPush: boolean, wh: [string, string][]) =>
      account({ auto_push: autoPush, warehouses: wh.filter(([, t]) => t) }));
    render(AccountSettings, { account: account(), onSaved });
    await fireEvent.click(screen.getByTestId('auto-push'));
    const select = screen.getByTestId('warehouse-theirs') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Выберите склад…', 'Коледино · 507', 'Новосибирск · 686']);
    await fireEvent.change(select, { target: { value: '686' } });
    await fireEvent.click(screen.getByTestId('warehouse-add'));
    const names = screen.getAllByTestId('warehouse-mine');
    await fireEvent.input(names[1], { target: { value: 'Склад 2' } });
    await fireEvent.change(screen.getAllByTestId('warehouse-theirs')[1], { target: { value: '507' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(ipc.setMarketAccountSettings).toHaveBeenCalledWith('a-1', true, [['Основной склад', '686'], ['Склад 2', '507']]);
    expect(await screen.findByText(/Сохранено/)).toBeInTheDocument();
    expect(onSaved).toHaveBeenCalled();
  });

  it('sends an empty id for a warehouse removed', () => {
    expect(warehouseChanges([['A', '1'], ['B', '2']], [{ mine: 'A', theirs: '3' }])).toEqual([['A', '3'], ['B', '']]);
  });
});

describe('categories', () => {
  it('lists the seller\'s categories with counts, the mapping or the suggestion, confident ones marked', async () => {
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    expect(rows.map((r) => r.dataset.mapped)).toEqual(['yes', 'no', 'no', 'no']);
    expect(rows[0]).toHaveTextContent('Обувь / Кроссовки');
    expect(rows[0]).toHaveTextContent('12');
    expect(rows[0]).toHaveTextContent('Обувь / Мужская обувь / Кроссовки');
    const sure = within(rows[1]).getByTestId('category-suggestion');
    expect(sure).toHaveClass('confident');
    expect(sure).toHaveTextContent('Предложение (уверенно): Дом / Посуда / Сковороды');
    expect(within(rows[2]).getByTestId('category-suggestion')).not.toHaveClass('confident');
    expect(rows[3]).toHaveTextContent('Не сопоставлена');
  });

  it('accepts a suggestion', async () => {
    ipc.setMarketCategory.mockResolvedValue({ ...categories[1], ext_id: '220', ext_path: 'Дом / Посуда / Сковороды' });
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    await fireEvent.click(within(rows[1]).getByTestId('category-accept'));
    expect(ipc.setMarketCategory).toHaveBeenCalledWith('a-1', 'c2', '220');
    await waitFor(() => expect(screen.getAllByTestId('category-row')[1].dataset.mapped).toBe('yes'));
  });

  it('picks a leaf category through the search', async () => {
    ipc.marketCategories.mockImplementation(async (_k: string, search: string, leaves: boolean) =>
      leaves ? [{ ext_id: '900', parent_id: '9', name: `Разное ${search}`, path: `Прочее / Разное ${search}`, leaf: true }] : [categories[0]]);
    ipc.setMarketCategory.mockResolvedValue({ ...categories[3], ext_id: '900', ext_path: 'Прочее / Разное' });
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    await fireEvent.click(within(rows[3]).getByTestId('category-choose'));
    const option = await screen.findByTestId('category-option');
    expect(ipc.marketCategories).toHaveBeenCalledWith('a-1', 'Разное', true, 30);
    await fireEvent.click(option);
    expect(ipc.setMarketCategory).toHaveBeenCalledWith('a-1', 'c4', '900');
  });

  it('maps automatically and says what it did', async () => {
    ipc.autoMapMarket.mockResolvedValue({
      account: 'Демо Wildberries', categories_mapped: 5, categories_kept: 1, categories_unmapped: ['Разное'], attributes_mapped: 31, required_unmapped: 2,
    });
    render(MappingTab, { account: account() });
    await screen.findAllByTestId('category-row');
    await fireEvent.click(screen.getByTestId('map-auto'));
    const result = await screen.findByTestId('auto-result');
    expect(result).toHaveTextContent('Сопоставлено категорий: 5, оставлено как было: 1, без уверенного предложения: 1. Характеристик заполнено: 31.');
    expect(result).toHaveTextContent('Обязательных характеристик без правила: 2');
    expect(ipc.marketCategoryMap).toHaveBeenCalledTimes(2);
  });

  it('says when the dictionaries are not loaded, and refreshes them', async () => {
    ipc.marketCategories.mockResolvedValue([]);
    ipc.refreshMarketDictionaries.mockResolvedValue({ account: 'x', categories: 7000, leaves: 5000, loaded: 3, refreshed: 3, fetched_at: NOW });
    render(MappingTab, { account: account() });
    expect(await screen.findByTestId('no-dicts')).toHaveTextContent('Справочник категорий маркетплейса ещё не загружен');
    await fireEvent.click(screen.getByTestId('map-refresh'));
    expect(await screen.findByTestId('refresh-result')).toHaveTextContent('Загружено категорий: 7 000, из них конечных: 5 000. Характеристики загружены для 3.');
  });

  it('opens a mapped category\'s attributes: required first and marked, sources in words, a suggestion to accept', async () => {
    ipc.setMarketAttribute.mockResolvedValue(attrs.map((a) => (a.attr_id === '10' ? { ...a, source: 'attr:Цвет' } : a)));
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    await fireEvent.click(within(rows[0]).getByTestId('category-mapped'));
    expect(ipc.marketAttributes).toHaveBeenCalledWith('a-1', '105');
    const list = await screen.findAllByTestId('attribute');
    expect(list.map((a) => a.dataset.attr)).toEqual(['11', '12', '10', '13']);
    expect(list[0]).toHaveTextContent('обязательная');
    expect(within(list[0]).getByTestId('attribute-source')).toHaveTextContent('Поле товара: Бренд');
    expect(list[1]).toHaveClass('missing');
    expect(within(list[1]).getByTestId('attribute-source')).toHaveTextContent('Не заполняется');
    expect(list[2]).toHaveTextContent('Предложение: Характеристика товара: Цвет');
    expect(list[2]).toHaveTextContent('Значения из списка маркетплейса: 120 (только из списка)');
    expect(screen.getByTestId('attributes')).toHaveTextContent('Обязательных без правила: 1');
    await fireEvent.click(within(list[2]).getByTestId('attribute-accept'));
    expect(ipc.setMarketAttribute).toHaveBeenCalledWith('a-1', '105', '10', 'attr:Цвет', null);
  });

  it('accepts every confident suggestion of a category at once', async () => {
    ipc.setMarketAttribute.mockResolvedValue(attrs.map((a) => (a.attr_id === '10' ? { ...a, source: 'attr:Цвет' } : a)));
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    await fireEvent.click(within(rows[0]).getByTestId('category-mapped'));
    const all = await screen.findByTestId('attributes-accept-all');
    expect(all).toHaveTextContent('Принять уверенные предложения (1)');
    await fireEvent.click(all);
    expect(ipc.setMarketAttribute).toHaveBeenCalledTimes(1);
    expect(ipc.setMarketAttribute).toHaveBeenCalledWith('a-1', '105', '10', 'attr:Цвет', null);
    await waitFor(() => expect(screen.queryByTestId('attributes-accept-all')).toBeNull());
  });

  it('edits an attribute\'s source: one value for all', async () => {
    ipc.setMarketAttribute.mockResolvedValue(attrs);
    render(MappingTab, { account: account() });
    const rows = await screen.findAllByTestId('category-row');
    await fireEvent.click(within(rows[0]).getByTestId('category-mapped'));
    const country = (await screen.findAllByTestId('attribute'))[1];
    await fireEvent.click(within(country).getByTestId('attribute-edit'));
    await fireEvent.change(within(country).getByTestId('source-kind'), { target: { value: 'const' } });
    await fireEvent.input(within(country).getByTestId('source-value'), { target: { value: 'Россия' } });
    await fireEvent.click(within(country).getByTestId('source-save'));
    expect(ipc.setMarketAttribute).toHaveBeenCalledWith('a-1', '105', '12', 'const:Россия', null);
  });

  it('draws at most a page of categories at a time', async () => {
    ipc.marketCategoryMap.mockResolvedValue(Array.from({ length: 250 }, (_, i) => ({ ...categories[3], category_id: `c${i}`, path: `Категория ${i}` })));
    render(MappingTab, { account: account() });
    expect(await screen.findAllByTestId('category-row')).toHaveLength(100);
    expect(screen.getByText('Показано 100 из 250')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Показать ещё 100' }));
    expect(screen.getAllByTestId('category-row')).toHaveLength(200);
  });
});

describe('publishing', () => {
  it('queues "Publish all", follows the job live and shows what the run did', async () => {
    ipc.publishMarket.mockResolvedValue(job({ id: 'j-1', kind: 'market.publish', state: 'queued', done: 0, total: null, message: null }));
    ipc.marketJobResult.mockResolvedValue(run);
    render(MarketView, { now: () => NOW });
    await screen.findByTestId('market-account');
    await fireEvent.click(screen.getByRole('tab', { name: 'Публикация' }));
    await fireEvent.click(await screen.findByTestId('publish-all'));
    expect(ipc.publishMarket).toHaveBeenCalledWith('a-1');
    expect(await screen.findByTestId('market-job')).toHaveTextContent('Публикация на маркетплейс: В очереди…');
    expect(screen.getByTestId('publish-all')).toBeDisabled();
    pulses.forEach((h) => h({ jobs: [job({ id: 'j-1', kind: 'market.publish', done: 10, total: 40, stage: 'publishing', message: null })], logs: [], catalog_changed: false } as unknown as JobsPulse));
    await waitFor(() => expect(screen.getByTestId('market-job')).toHaveTextContent('10 из 40 — проверка и отправка карточек'));
    pulses.forEach((h) => h({ jobs: [job({ id: 'j-1', kind: 'market.publish', state: 'succeeded', done: 40, total: 40, finished_at: NOW })], logs: [], catalog_changed: false } as unknown as JobsPulse));
    const result = await screen.findByTestId('run-result');
    expect(ipc.marketJobResult).toHaveBeenCalledWith('j-1');
    expect(result).toHaveTextContent('✓ Готово');
    expect(result).toHaveTextContent('Товаров просмотрено40');
    expect(result).toHaveTextContent('Принято маркетплейсом18');
    expect(result).toHaveTextContent('С проблемами, не отправлены22');
    expect(result).not.toHaveTextContent('Отклонено');
    await fireEvent.click(within(result).getByTestId('to-inbox'));
    expect(await screen.findByTestId('market-inbox')).toBeInTheDocument();
  });

  it('words a failed run from its code, with the back end\'s sentence as details', async () => {
    ipc.pushMarket.mockResolvedValue(job({ id: 'j-2', kind: 'market.push', state: 'queued' }));
    render(MarketView, { now: () => NOW });
    await screen.findByTestId('market-account');
    await fireEvent.click(screen.getByRole('tab', { name: 'Публикация' }));
    await fireEvent.click(await screen.findByTestId('push-stocks'));
    expect(ipc.pushMarket).toHaveBeenCalledWith('a-1', 'stocks');
    pulses.forEach((h) => h({ jobs: [job({ id: 'j-2', kind: 'market.push', state: 'failed', finished_at: NOW, error_code: 'market_unauthorized', error: 'HTTP 401: unauthorized' })], logs: [], catalog_changed: false } as unknown as JobsPulse));
    const result = await screen.findByTestId('run-result');
    expect(result).toHaveTextContent('✗ Не получилось: Маркетплейс не принимает ключ API');
    expect(result).toHaveTextContent('HTTP 401: unauthorized');
    expect(ipc.marketJobResult).not.toHaveBeenCalled();
  });

  it('shows the sending queue by operation and state, and the marketplace\'s errors verbatim', async () => {
    render(PublishTab, { account: account(), job: null, last: null, onQueued: vi.fn(), onInbox: vi.fn() });
    const box = await screen.findByTestId('outbox');
    await waitFor(() => expect(box).toHaveTextContent('Карточки приняты: 18'));
    expect(box).toHaveTextContent('с ошибкой: 1');
    expect(box).toHaveTextContent('Остатки ждут отправки: 3');
    expect(box).toHaveTextContent('SKU-9 Карточки: Недопустимые символы в наименовании');
  });

  it('loads the cards already on the marketplace', async () => {
    ipc.pullMarketCards.mockResolvedValue({ account: 'x', cards: 20, linked_by_sku: 15, linked_by_barcode: 3, imported: 0, unmatched_count: 2, unmatched: [], failed: [], held: 0 });
    render(PublishTab, { account: account(), job: null, last: null, onQueued: vi.fn(), onInbox: vi.fn() });
    await fireEvent.click(screen.getByTestId('pull-cards'));
    expect(ipc.pullMarketCards).toHaveBeenCalledWith('a-1', false);
    expect(await screen.findByTestId('pull-result')).toHaveTextContent('Карточек на маркетплейсе: 20; связано с товарами по артикулу: 15, по штрихкоду: 3; без пары: 2.');
  });
});

describe('the error inbox', () => {
  it('counts each status and lists the products: our problems in words, the marketplace\'s verbatim', async () => {
    render(InboxTab, { account: account(), job: null, onQueued: vi.fn(), onOpen: vi.fn() });
    const items = await screen.findAllByTestId('inbox-item');
    expect(ipc.marketLinks).toHaveBeenCalledWith('a-1', [], true, null, 50, 0);
    const counts = screen.getByTestId('status-counts');
    expect(counts).toHaveTextContent('На витрине: 18');
    expect(counts).toHaveTextContent('Отклонён: 1');
    expect(counts).toHaveTextContent('Не прошёл проверку: 2');
    expect(items[0]).toHaveTextContent('Не заполнена обязательная характеристика — «Страна производства»');
    expect(within(items[0]).getByText('Не заполнена обязательная характеристика')).toHaveAttribute('title', 'Страна производства: no value');
    expect(items[1]).toHaveTextContent('Категория товара не сопоставлена с категорией маркетплейса');
    expect(within(items[2]).getByTestId('market-error')).toHaveTextContent('Наименование: Недопустимые символы в наименовании');
    expect(within(items[0]).queryByTestId('retry-one')).toBeNull();
  });

  it('filters by reason', async () => {
    render(InboxTab, { account: account(), job: null, onQueued: vi.fn(), onOpen: vi.fn() });
    await screen.findAllByTestId('inbox-item');
    const select = screen.getByTestId('inbox-reason') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'Все причины', 'Не заполнена обязательная характеристика (1)', expect.stringContaining('Категория товара не сопоставлена'), 'WB-400 (1)',
    ]);
    await fireEvent.change(select, { target: { value: 'missing_required' } });
    expect(ipc.marketLinks).toHaveBeenCalledWith('a-1', [], true, 'missing_required', 50, 0);
  });

  it('retries one or all, and hands the queued publish on', async () => {
    const onQueued = vi.fn();
    ipc.retryMarket.mockResolvedValue(job({ id: 'j-3', kind: 'market.publish' }));
    render(InboxTab, { account: account(), job: null, onQueued, onOpen: vi.fn() });
    const items = await screen.findAllByTestId('inbox-item');
    await fireEvent.click(within(items[2]).getByTestId('retry-one'));
    expect(ipc.retryMarket).toHaveBeenCalledWith('a-1', ['SKU-3']);
    await waitFor(() => expect(onQueued).toHaveBeenCalled());
    expect(screen.getByTestId('retry-note')).toHaveTextContent('Поставлено на повторную отправку: 1');
    ipc.retryMarket.mockResolvedValue(null);
    await fireEvent.click(screen.getByTestId('retry-all'));
    expect(ipc.retryMarket).toHaveBeenLastCalledWith('a-1', []);
    expect(await screen.findByText('Отклонённых карточек нет — повторять нечего.')).toBeInTheDocument();
  });

  it('opens a product', async () => {
    const onOpen = vi.fn();
    render(InboxTab, { account: account(), job: null, onQueued: vi.fn(), onOpen });
    const items = await screen.findAllByTestId('inbox-item');
    await fireEvent.click(within(items[1]).getByTestId('inbox-open'));
    expect(onOpen).toHaveBeenCalledWith('p-2');
  });

  it('pages through long lists', async () => {
    const many = Array.from({ length: 50 }, (_, i) => link({ product_id: `p${i}`, sku: `S${i}`, problems: [{ code: 'no_images', field: 'images', detail: '' }] }));
    ipc.marketLinks.mockResolvedValue({ ...inbox, counts: [{ status: 'precheck_failed', count: 120 }], items: many });
    render(InboxTab, { account: account(), job: null, onQueued: vi.fn(), onOpen: vi.fn() });
    expect(await screen.findAllByTestId('inbox-item')).toHaveLength(50);
    expect(screen.getByTestId('inbox-page')).toHaveTextContent('с 1 по 50 / 120');
    await fireEvent.click(screen.getByRole('button', { name: 'Дальше →' }));
    expect(ipc.marketLinks).toHaveBeenCalledWith('a-1', [], true, null, 50, 50);
  });

  it('says when there is nothing to fix', async () => {
    ipc.marketLinks.mockResolvedValue({ ...inbox, counts: [{ status: 'live', count: 3 }], items: [] });
    render(InboxTab, { account: account(), job: null, onQueued: vi.fn(), onOpen: vi.fn() });
    expect(await screen.findByTestId('inbox-empty')).toHaveTextContent('Ошибок нет');
    expect(screen.getByTestId('retry-all')).toBeDisabled();
  });
});

describe('the product editor\'s marketplaces block', () => {
  it('lists the product on every account: status, ids, problems and errors', async () => {
    const rows: ProductMarketDto[] = [
      { account_id: 'a-1', account: 'Демо Wildberries', market: 'wb', link: link({ status: 'live', ext_id: '123456', ext_group: '77' }) },
      { account_id: 'a-2', account: 'Ozon основной', market: 'ozon', link: link({ status: 'rejected', errors: [{ code: null, field: 'name', attr_name: null, message: 'name is too long' }], problems: [{ code: 'bad_discount', field: 'old_price', detail: '' }] }) },
      { account_id: 'a-3', account: 'Маркет', market: 'ym', link: null },
    ];
    ipc.productMarket.mockResolvedValue(rows);
    render(ProductMarkets, { sku: 'SKU-1' });
    const list = await screen.findAllByTestId('product-market-row');
    expect(ipc.productMarket).toHaveBeenCalledWith('SKU-1');
    expect(list[0]).toHaveTextContent(/Демо Wildberries\s*Wildberries\s*На витрине/);
    expect(list[0]).toHaveTextContent('Номер на маркетплейсе: 123456 · группа 77');
    expect(list[1]).toHaveTextContent('Отклонён');
    expect(list[1]).toHaveTextContent('Старая цена слишком близка к новой');
    expect(list[1]).toHaveTextContent('name: name is too long');
    expect(list[2]).toHaveTextContent(/Маркет\s*Яндекс Маркет\s*Не публиковался/);
  });
});

describe('words', () => {
  it('words every new problem code, every status and every source, in both languages', () => {
    for (const lang of ['ru', 'en'] as const) {
      i18n.lang = lang;
      for (const code of PROBLEMS) expect(problemText(code), code).not.toBe(code);
      for (const s of LINK_STATUSES) expect(statusText(s), s).not.toBe(s);
    }
    i18n.lang = 'ru';
    expect(sourceText('field:country')).toBe('Поле товара: Страна производства');
    expect(sourceText('attr:Цвет')).toBe('Характеристика товара: Цвет');
    expect(sourceText('const:Россия')).toBe('Одно значение для всех: Россия');
    expect(sourceText(null)).toBe('Не заполняется');
    expect(parseSource('field:brand')).toEqual({ kind: 'field', value: 'brand' });
    expect(makeSource('attr', '  ')).toBeNull();
    i18n.lang = 'en';
    expect(sourceText('field:brand')).toBe('Product field: Brand');
    expect(mt('pub.all')).toBe('Publish all');
  });

  it('groups the outbox and leaves empty run numbers out', () => {
    expect(outboxGroups(outbox.counts)).toEqual([['card', [['done', 18], ['failed', 1]]], ['stock', [['pending', 3]]]]);
    expect(runLines({ ...run, precheck_failed: 0, done: 0 }).map((l) => l.key)).toEqual(['read', 'queued', 'requests']);
    expect(reasonsOf(inbox.items).map((r) => r.code)).toEqual(['missing_required', 'no_category_mapping', 'WB-400']);
  });
});
