import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import type { ConnectionCheckDto, Language, MarketAccountDto, NewMarketAccountDto, PrecheckDto } from '$lib/ipc';
import { i18n } from '$lib/i18n.svelte';
// The generated contract: its comment on `GroupCheckDto.outcome` lists the codes the back end sends.
import types from '$lib/ipc/types.ts?raw';
// The pre-check's problem codes, as `ProblemCode::code` spells them.
import precheckRs from '../../../crates/vitrina-market/src/precheck.rs?raw';

const ipc = vi.hoisted(() => ({
  marketAccounts: vi.fn(),
  addMarketAccount: vi.fn(),
  removeMarketAccount: vi.fn(),
  checkMarketAccount: vi.fn(),
  marketPrecheck: vi.fn(),
  jobs: vi.fn(async () => []),
}));
vi.mock('$lib/ipc', () => ({ ipc, onJobsPulse: vi.fn(async () => () => {}) }));

import {
  MARKETS, OUTCOMES, PROBLEMS, WORD_KEYS, checkedAgo, emptyForm, formProblems, groupLine, groupName, marketName, mt, outcomeText,
  parseId, pluralForm, precheckSummary, problemText, toNewAccount,
} from '$lib/market';
import MarketView from '../components/market/MarketView.svelte';

const NOW = 1_760_000_000_000;
const langs: Language[] = ['ru', 'en'];

function account(over: Partial<MarketAccountDto> = {}): MarketAccountDto {
  return {
    id: 'a-1', name: 'Мой WB', market: 'wb', market_title: 'Wildberries', base_url: null, business_id: null, campaign_id: null,
    auto_push: false, warehouses: [], demo: false, secret_set: true, last_check: null, created_at: NOW - 86_400_000, ...over,
  };
}

function check(over: Partial<ConnectionCheckDto> = {}): ConnectionCheckDto {
  return { ok: true, checked_at: NOW - 5 * 60_000, groups: [], scopes: [], campaigns: [], warehouses: [], ...over };
}

const wbChecked = account({
  last_check: check({
    ok: false,
    groups: [
      { group: 'content', outcome: 'ok', status: 200, message: '' },
      { group: 'prices', outcome: 'wrong_token_category', status: 401, message: 'token scope not allowed for this API route' },
      { group: 'marketplace', outcome: 'ok', status: 200, message: '' },
    ],
  }),
});
const ozonNoKey = account({ id: 'a-2', name: 'Ozon основной', market: 'ozon', market_title: 'Ozon', secret_set: false });
const ym = account({
  id: 'a-3', name: 'Маркет', market: 'ym', market_title: 'Yandex Market', business_id: 111, campaign_id: 222,
  base_url: 'http://127.0.0.1:9',
});

const unreachable = check({
  ok: false, checked_at: NOW,
  groups: [{ group: 'auth', outcome: 'unreachable', status: null, message: 'http://127.0.0.1:9/v2/auth/token: connection refused' }],
});

const ozonReport: PrecheckDto = {
  market: 'ozon', checked: 25, with_problems: 2,
  counts: [{ code: 'no_images', count: 2 }, { code: 'name_too_long', count: 1 }],
  products: [
    { sku: 'SKU-1', name: 'Кроссовки беговые', problems: [{ code: 'no_images', field: 'images', detail: 'at least 1 needed' }] },
    {
      sku: 'SKU-2', name: 'Очень длинное название', problems: [
        { code: 'name_too_long', field: 'name', detail: '612 characters, at most 500' },
        { code: 'no_images', field: 'images', detail: 'at least 1 needed' },
      ],
    },
  ],
};

beforeEach(() => {
  ipc.marketAccounts.mockReset().mockResolvedValue([wbChecked, ozonNoKey, ym]);
  ipc.addMarketAccount.mockReset().mockImplementation(async (a: NewMarketAccountDto) =>
    account({ id: 'a-new', name: a.name, market: a.market, base_url: a.base_url, business_id: a.business_id, campaign_id: a.campaign_id }));
  ipc.removeMarketAccount.mockReset().mockImplementation(async (id: string) => account({ id }));
  ipc.checkMarketAccount.mockReset().mockResolvedValue(unreachable);
  ipc.marketPrecheck.mockReset().mockResolvedValue(ozonReport);
});

afterEach(() => {
  i18n.lang = 'ru';
});

describe('accounts list', () => {
  it('shows each account with its marketplace, whether its key is stored and the last check with its time', async () => {
    render(MarketView, { now: () => NOW });
    const rows = await screen.findAllByTestId('market-account');
    expect(rows).toHaveLength(3);
    const [wb, ozon, market] = rows;
    expect(wb).toHaveTextContent('Мой WB');
    expect(wb).toHaveTextContent('Wildberries');
    expect(within(wb).getByTestId('secret-state')).toHaveTextContent('Ключ сохранён');
    expect(within(wb).getByTestId('last-check')).toHaveTextContent('✗ Есть проблемы с подключением');
    expect(within(wb).getByTestId('checked-at')).toHaveTextContent('5 мин назад');
    expect(ozon).toHaveTextContent('Ozon основной');
    expect(within(ozon).getByTestId('secret-state')).toHaveTextContent('Ключ не сохранён');
    expect(within(ozon).getByTestId('last-check')).toHaveTextContent('Подключение ещё не проверялось');
    expect(market).toHaveTextContent('Яндекс Маркет');
    expect(market).toHaveTextContent('Кабинет 111, магазин 222');
    expect(market).toHaveTextContent('Адрес API: http://127.0.0.1:9');
  });

  it('opens the last check: each group in words, the marketplace\'s message as details', async () => {
    render(MarketView, { now: () => NOW });
    const wb = (await screen.findAllByTestId('market-account'))[0];
    await fireEvent.click(within(wb).getByRole('button', { name: 'Подробнее' }));
    const result = within(wb).getByTestId('check-result');
    const outcomes = within(result).getAllByTestId('outcome');
    expect(outcomes.map((o) => o.textContent?.trim().split('\n')[0])).toEqual([
      '✓ Работает',
      expect.stringContaining('✗ У токена нет нужного раздела'),
      '✓ Работает',
    ]);
    expect(result).toHaveTextContent('Карточки товаров');
    expect(result).toHaveTextContent('Цены и скидки');
    expect(within(result).getByTestId('outcome-details')).toHaveTextContent('HTTP 401: token scope not allowed for this API route');
  });

  it('shows an empty state with the add button when there are no accounts', async () => {
    ipc.marketAccounts.mockResolvedValue([]);
    render(MarketView, { now: () => NOW });
    const empty = await screen.findByTestId('market-empty');
    expect(empty).toHaveTextContent('Аккаунтов пока нет');
    await fireEvent.click(within(empty).getByRole('button', { name: 'Добавить аккаунт' }));
    expect(screen.getByTestId('account-form')).toBeInTheDocument();
  });

  it('shows a failed list through ErrorNote, worded from its code', async () => {
    ipc.marketAccounts.mockRejectedValue({ code: 'io', message: 'catalog.db.market: permission denied' });
    render(MarketView, { now: () => NOW });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('catalog.db.market: permission denied');
  });
});

describe('check connection', () => {
  it('checks the account and shows each group\'s answer, worded', async () => {
    render(MarketView, { now: () => NOW });
    const market = (await screen.findAllByTestId('market-account'))[2];
    await fireEvent.click(within(market).getByTestId('account-check'));
    expect(ipc.checkMarketAccount).toHaveBeenCalledWith('a-3');
    const result = await within(market).findByTestId('check-result');
    expect(result).toHaveTextContent('Ключ API');
    expect(result).toHaveTextContent('✗ Сервер маркетплейса не отвечает: проверьте подключение к интернету и адрес API');
    expect(result).toHaveTextContent('connection refused');
    expect(within(market).getByTestId('last-check')).toHaveTextContent('✗ Есть проблемы с подключением');
    expect(within(market).getByTestId('checked-at')).toHaveTextContent('только что');
  });

  it('says the check is running and keeps its button off until the answer', async () => {
    let answer: (c: ConnectionCheckDto) => void = () => {};
    ipc.checkMarketAccount.mockReturnValue(new Promise((r) => (answer = r)));
    render(MarketView, { now: () => NOW });
    const wb = (await screen.findAllByTestId('market-account'))[0];
    await fireEvent.click(within(wb).getByTestId('account-check'));
    expect(within(wb).getByTestId('account-check')).toBeDisabled();
    expect(within(wb).getByTestId('account-check')).toHaveTextContent('Проверяем…');
    expect(within(wb).getByTestId('last-check')).toHaveTextContent('Если маркетплейс не отвечает, проверка займёт до минуты.');
    answer(check({ checked_at: NOW, groups: [{ group: 'content', outcome: 'ok', status: 200, message: '' }] }));
    await waitFor(() => expect(within(wb).getByTestId('account-check')).toBeEnabled());
    expect(within(wb).getByTestId('last-check')).toHaveTextContent('✓ Подключение работает');
    expect(within(wb).getByTestId('check-result')).toHaveTextContent('Карточки товаров ✓ Работает');
  });

  it('lists the Yandex Market shops the key sees', async () => {
    ipc.checkMarketAccount.mockResolvedValue(check({
      ok: false, checked_at: NOW,
      groups: [
        { group: 'auth', outcome: 'ok', status: 200, message: '' },
        { group: 'campaign', outcome: 'wrong_campaign', status: 200, message: 'campaign 222 is not among the key\'s campaigns: 333' },
      ],
      scopes: ['ALL_METHODS'],
      campaigns: [{ id: 333, business_id: 111, business_name: 'ООО Ромашка', domain: 'romashka.ru', placement_type: 'FBS', api_availability: 'AVAILABLE' }],
    }));
    render(MarketView, { now: () => NOW });
    const market = (await screen.findAllByTestId('market-account'))[2];
    await fireEvent.click(within(market).getByTestId('account-check'));
    const result = await within(market).findByTestId('check-result');
    expect(result).toHaveTextContent('Номер магазина или кабинета не совпадает');
    expect(within(result).getByTestId('campaigns')).toHaveTextContent('333 romashka.ru — ООО Ромашка (кабинет 111)');
    expect(result).toHaveTextContent('Права ключа');
    expect(result).toHaveTextContent('ALL_METHODS');
  });

  it('shows a failed check through ErrorNote next to the account', async () => {
    ipc.checkMarketAccount.mockRejectedValue({ code: 'not_found', message: 'no marketplace account a-3' });
    render(MarketView, { now: () => NOW });
    const market = (await screen.findAllByTestId('market-account'))[2];
    await fireEvent.click(within(market).getByTestId('account-check'));
    expect(await within(market).findByRole('alert')).toHaveTextContent('no marketplace account a-3');
  });

  it('removes an account only after confirming', async () => {
    render(MarketView, { now: () => NOW });
    const ozon = (await screen.findAllByTestId('market-account'))[1];
    await fireEvent.click(within(ozon).getByTestId('account-delete'));
    expect(ipc.removeMarketAccount).not.toHaveBeenCalled();
    expect(within(ozon).getByRole('alertdialog')).toHaveTextContent('Удалить аккаунт «Ozon основной» и его ключ с этого компьютера?');
    await fireEvent.click(within(ozon).getByTestId('account-delete-yes'));
    expect(ipc.removeMarketAccount).toHaveBeenCalledWith('a-2');
    await waitFor(() => expect(screen.getAllByTestId('market-account')).toHaveLength(2));
  });
});

describe('add account form', () => {
  async function openForm() {
    render(MarketView, { now: () => NOW });
    await screen.findAllByTestId('market-account');
    await fireEvent.click(screen.getByTestId('account-add'));
    return screen.getByTestId('account-form');
  }

  const labels = (form: HTMLElement) => [...form.querySelectorAll('.grid label > span')].map((s) => s.textContent);

  it('sends a Wildberries token as a password field', async () => {
    const form = await openForm();
    expect(labels(form)).toEqual(['Маркетплейс', 'Название', 'API-токен']);
    expect(screen.getByTestId('account-token')).toHaveAttribute('type', 'password');
    await fireEvent.input(screen.getByTestId('account-name'), { target: { value: ' Мой WB ' } });
    await fireEvent.input(screen.getByTestId('account-token'), { target: { value: 'eyJhbGciOi.wb ' } });
    // The list is read again after adding, in the back end's order.
    ipc.marketAccounts.mockResolvedValue([account({ id: 'a-new', name: 'Мой WB' }), wbChecked, ozonNoKey, ym]);
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(ipc.addMarketAccount).toHaveBeenCalledWith({
      name: 'Мой WB', market: 'wb', base_url: null, business_id: null, campaign_id: null, token: 'eyJhbGciOi.wb', client_id: '',
    });
    await waitFor(() => expect(screen.queryByTestId('account-form')).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId('market-account')).toHaveLength(4));
    expect(ipc.marketAccounts).toHaveBeenCalledTimes(2);
  });

  it('asks Ozon for the Client-Id and the Api-Key', async () => {
    const form = await openForm();
    await fireEvent.change(screen.getByTestId('account-market'), { target: { value: 'ozon' } });
    expect(labels(form)).toEqual(['Маркетплейс', 'Название', 'Client-Id', 'Api-Key']);
    await fireEvent.input(screen.getByTestId('account-name'), { target: { value: 'Ozon' } });
    await fireEvent.input(screen.getByTestId('account-token'), { target: { value: 'key-1' } });
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(ipc.addMarketAccount).not.toHaveBeenCalled();
    expect(form).toHaveTextContent('Вставьте Client-Id');
    await fireEvent.input(screen.getByTestId('account-client-id'), { target: { value: '123456' } });
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(ipc.addMarketAccount).toHaveBeenCalledWith({
      name: 'Ozon', market: 'ozon', base_url: null, business_id: null, campaign_id: null, token: 'key-1', client_id: '123456',
    });
  });

  it('asks Yandex Market for the Api-Key, the business and shop ids, and takes an API address under "Advanced"', async () => {
    const form = await openForm();
    await fireEvent.change(screen.getByTestId('account-market'), { target: { value: 'ym' } });
    expect(labels(form)).toEqual(['Маркетплейс', 'Название', 'Api-Key', 'Номер кабинета (business id)', 'Номер магазина (campaign id)']);
    await fireEvent.input(screen.getByTestId('account-name'), { target: { value: 'Маркет' } });
    await fireEvent.input(screen.getByTestId('account-token'), { target: { value: 'ACMA:abc' } });
    await fireEvent.input(screen.getByTestId('account-business-id'), { target: { value: '12 345' } });
    await fireEvent.input(screen.getByTestId('account-campaign-id'), { target: { value: '67890' } });
    expect(form.querySelector('details')).not.toHaveAttribute('open');
    expect(within(form).getByText('Дополнительно')).toBeInTheDocument();
    await fireEvent.input(screen.getByTestId('account-base-url'), { target: { value: 'http://127.0.0.1:9' } });
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(ipc.addMarketAccount).toHaveBeenCalledWith({
      name: 'Маркет', market: 'ym', base_url: 'http://127.0.0.1:9', business_id: 12345, campaign_id: 67890, token: 'ACMA:abc', client_id: '',
    });
  });

  it('marks what is missing and sends nothing; shows a refusal through ErrorNote', async () => {
    const form = await openForm();
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(ipc.addMarketAccount).not.toHaveBeenCalled();
    expect(form).toHaveTextContent('Введите название аккаунта');
    expect(form).toHaveTextContent('Вставьте ключ');
    expect(form).toHaveTextContent('Исправьте отмеченные поля');
    ipc.addMarketAccount.mockRejectedValue({ code: 'invalid', message: 'an account named Мой WB already exists' });
    await fireEvent.input(screen.getByTestId('account-name'), { target: { value: 'Мой WB' } });
    await fireEvent.input(screen.getByTestId('account-token'), { target: { value: 't' } });
    await fireEvent.click(screen.getByTestId('account-save'));
    expect(await within(form).findByRole('alert')).toHaveTextContent('an account named Мой WB already exists');
    expect(screen.getByTestId('account-form')).toBeInTheDocument();
  });

  it('is worded in English too', async () => {
    i18n.lang = 'en';
    const form = await openForm();
    expect(labels(form)).toEqual(['Marketplace', 'Name', 'API token']);
    expect(within(form).getByRole('option', { name: 'Yandex Market' })).toBeInTheDocument();
    expect(form).toHaveTextContent('Advanced');
  });
});

describe('card check', () => {
  it('checks the whole catalog for the chosen marketplace and shows the counts and the products, worded', async () => {
    render(MarketView, { now: () => NOW });
    await screen.findAllByTestId('market-account');
    const card = screen.getByTestId('precheck');
    expect(card).toHaveTextContent('Проверка карточек');
    expect(screen.getByTestId('precheck-later')).toHaveTextContent('Характеристики категорий маркетплейса проверяются при публикации');
    // The first account's marketplace is chosen until the person picks one.
    expect(screen.getByTestId('precheck-market')).toHaveValue('wb');
    await fireEvent.change(screen.getByTestId('precheck-market'), { target: { value: 'ozon' } });
    await fireEvent.click(screen.getByTestId('precheck-run'));
    expect(ipc.marketPrecheck).toHaveBeenCalledWith('ozon', []);
    const report = await screen.findByTestId('precheck-report');
    expect(report).toHaveAttribute('data-market', 'ozon');
    expect(report).toHaveTextContent('Ozon');
    expect(screen.getByTestId('precheck-summary')).toHaveTextContent('25 товаров проверено, 2 с проблемами');
    const counts = within(screen.getByTestId('precheck-counts')).getAllByRole('listitem');
    expect(counts.map((c) => [c.querySelector('.what')?.textContent, c.querySelector('b')?.textContent])).toEqual([
      ['Нет фотографий — нужна хотя бы одна', '2'], ['Название длиннее, чем разрешает маркетплейс', '1'],
    ]);
    const products = screen.getAllByTestId('precheck-product');
    expect(products.map((p) => p.dataset.sku)).toEqual(['SKU-1', 'SKU-2']);
    expect(products[1]).toHaveTextContent('Очень длинное название');
    expect(products[1]).toHaveTextContent('Название длиннее, чем разрешает маркетплейс612 characters, at most 500');
    expect(products[1]).toHaveTextContent('Нет фотографий — нужна хотя бы одна');
    expect(screen.queryByTestId('precheck-capped')).toBeNull();
  });

  it('sends the first account\'s marketplace, says when nothing is wrong, and is worded in English', async () => {
    i18n.lang = 'en';
    ipc.marketAccounts.mockResolvedValue([ym]);
    ipc.marketPrecheck.mockResolvedValue({ market: 'ym', checked: 1, with_problems: 0, counts: [], products: [] });
    render(MarketView, { now: () => NOW });
    await screen.findAllByTestId('market-account');
    expect(screen.getByTestId('precheck-later')).toHaveTextContent('The marketplace’s category attributes are checked when publishing — the Errors tab shows what is wrong.');
    await fireEvent.click(screen.getByTestId('precheck-run'));
    expect(ipc.marketPrecheck).toHaveBeenCalledWith('ym', []);
    expect(await screen.findByTestId('precheck-summary')).toHaveTextContent('1 product checked, no problems found');
    expect(screen.queryByTestId('precheck-products')).toBeNull();
  });

  it('draws the products a page at a time and says when the back end listed only the first ones', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({
      sku: `S-${i}`, name: `Товар ${i}`, problems: [{ code: 'no_price', field: 'price', detail: '' }],
    }));
    ipc.marketPrecheck.mockResolvedValue({ market: 'wb', checked: 9000, with_problems: 700, counts: [{ code: 'no_price', count: 700 }], products: many });
    render(MarketView, { now: () => NOW });
    await screen.findAllByTestId('market-account');
    await fireEvent.click(screen.getByTestId('precheck-run'));
    expect(await screen.findByTestId('precheck-summary')).toHaveTextContent('9 000 товаров проверено, 700 с проблемами');
    expect(screen.getByTestId('precheck-capped')).toHaveTextContent('Показаны первые 120 товаров с проблемами из 700');
    expect(screen.getAllByTestId('precheck-product')).toHaveLength(50);
    await fireEvent.click(screen.getByTestId('precheck-more'));
    expect(screen.getAllByTestId('precheck-product')).toHaveLength(100);
    expect(screen.getByTestId('precheck-more')).toHaveTextContent('Показать ещё 20');
    await fireEvent.click(screen.getByTestId('precheck-more'));
    expect(screen.getAllByTestId('precheck-product')).toHaveLength(120);
    expect(screen.queryByTestId('precheck-more')).toBeNull();
  });

  it('keeps the button off while checking and shows a failure through ErrorNote', async () => {
    let fail: (e: unknown) => void = () => {};
    ipc.marketPrecheck.mockReturnValue(new Promise((_, r) => (fail = r)));
    render(MarketView, { now: () => NOW });
    await screen.findAllByTestId('market-account');
    await fireEvent.click(screen.getByTestId('precheck-run'));
    expect(screen.getByTestId('precheck-run')).toBeDisabled();
    expect(screen.getByTestId('precheck-run')).toHaveTextContent('Проверяем…');
    fail({ code: 'not_found', message: 'no account or marketplace "x"' });
    await waitFor(() => expect(screen.getByTestId('precheck-run')).toBeEnabled());
    expect(within(screen.getByTestId('precheck')).getByRole('alert')).toBeTruthy();
    expect(screen.queryByTestId('precheck-report')).toBeNull();
  });
});

describe('words', () => {
  it('words every pre-check problem in both languages, and knows every code the back end sends', () => {
    const codes = [...precheckRs.matchAll(/ProblemCode::\w+ => "(\w+)"/g)].map((m) => m[1]);
    expect(codes.length, 'the codes in precheck.rs').toBeGreaterThan(10);
    expect([...PROBLEMS].sort()).toEqual([...codes].sort());
    for (const lang of langs) {
      i18n.lang = lang;
      const seen = new Set<string>();
      for (const code of PROBLEMS) {
        const text = problemText(code);
        expect(text.trim(), `${lang} ${code}`).not.toBe('');
        expect(text, `${lang} ${code}`).not.toBe(code);
        seen.add(text);
      }
      expect(seen.size, `${lang}: each problem has its own words`).toBe(PROBLEMS.length);
    }
    i18n.lang = 'en';
    expect(problemText('no_dimensions')).toBe('No package dimensions (length, width, height)');
    expect(problemText('something_new')).toBe('something_new');
  });

  it('says how many products were checked with Russian\'s plural forms', () => {
    expect([1, 2, 5, 11, 12, 21, 22, 25, 111, 104].map(pluralForm)).toEqual(['one', 'few', 'many', 'many', 'many', 'one', 'few', 'many', 'many', 'few']);
    expect(precheckSummary(1, 1, 'ru')).toBe('1 товар проверен, 1 с проблемами');
    expect(precheckSummary(3, 0, 'ru')).toBe('3 товара проверено, проблем не найдено');
    expect(precheckSummary(5000, 12, 'ru')).toBe('5 000 товаров проверено, 12 с проблемами');
    expect(precheckSummary(1, 0, 'en')).toBe('1 product checked, no problems found');
    expect(precheckSummary(1500, 3, 'en')).toBe('1,500 products checked, 3 with problems');
  });

  it('words every outcome code in both languages, and knows every code the back end documents', () => {
    const documented = /`ok`, `bad_token`[\s\S]*?or `credentials_missing`/.exec(types)?.[0];
    expect(documented, 'the outcome list in types.ts').toBeTruthy();
    const codes = [...documented!.matchAll(/`(\w+)`/g)].map((m) => m[1]);
    expect([...OUTCOMES].sort()).toEqual([...codes].sort());
    for (const lang of langs) {
      i18n.lang = lang;
      const seen = new Set<string>();
      for (const code of OUTCOMES) {
        const text = outcomeText(code);
        expect(text.trim(), `${lang} ${code}`).not.toBe('');
        expect(text, `${lang} ${code}`).not.toBe(code);
        seen.add(text);
      }
      expect(seen.size, `${lang}: each outcome has its own words`).toBe(OUTCOMES.length);
    }
    i18n.lang = 'en';
    expect(outcomeText('unreachable')).toBe('The marketplace’s server does not answer: check the internet connection and the API address');
    expect(outcomeText('something_new')).toBe('something_new');
  });

  it('has every label of the section in both languages, and Russian and English differ', () => {
    const ru = new Map<string, string>();
    i18n.lang = 'ru';
    for (const key of WORD_KEYS) ru.set(key, mt(key));
    i18n.lang = 'en';
    for (const key of WORD_KEYS) {
      expect(mt(key).trim(), key).not.toBe('');
      if (!['form.apiKey', 'form.clientId'].includes(key)) expect(mt(key), key).not.toBe(ru.get(key));
    }
  });

  it('names marketplaces and API groups for people', () => {
    expect(MARKETS.map(marketName)).toEqual(['Wildberries', 'Ozon', 'Яндекс Маркет']);
    expect(groupName('marketplace')).toBe('Заказы и остатки');
    expect(groupName('/v1/product/import/prices')).toBe('/v1/product/import/prices');
    i18n.lang = 'en';
    expect(marketName('ym')).toBe('Yandex Market');
    expect(groupName('campaign')).toBe('Shop');
  });

  it('keeps the marketplace\'s message and status as details, none for a group that works', () => {
    expect(groupLine({ group: 'auth', outcome: 'ok', status: 200, message: '' })).toEqual({ ok: true, text: 'Работает', details: null });
    expect(groupLine({ group: 'auth', outcome: 'bad_token', status: 401, message: 'Unauthorized' }).details).toBe('HTTP 401: Unauthorized');
    expect(groupLine({ group: 'auth', outcome: 'unreachable', status: null, message: 'refused' }).details).toBe('refused');
  });

  it('says how long ago a check ran', () => {
    expect(checkedAgo(NOW - 30_000, NOW, 'ru')).toBe('только что');
    expect(checkedAgo(NOW - 2 * 3_600_000, NOW, 'ru')).toBe('2 ч назад');
    expect(checkedAgo(NOW - 3 * 86_400_000, NOW, 'en')).toBe('3 d ago');
  });
});

describe('form rules', () => {
  it('reads ids and checks fields per marketplace', () => {
    expect(parseId('')).toBeNull();
    expect(parseId('12 345')).toBe(12345);
    expect(parseId('12a')).toBeNaN();
    expect(parseId('0')).toBeNaN();
    expect(formProblems({ ...emptyForm('ozon'), name: 'x', token: 't' })).toEqual({ clientId: 'form.needClientId' });
    expect(formProblems({ ...emptyForm('ym'), name: 'x', token: 't', campaignId: 'abc' })).toEqual({ campaignId: 'form.badId' });
    expect(formProblems({ ...emptyForm('wb'), name: 'x', token: 't', baseUrl: 'ftp://x' })).toEqual({ baseUrl: 'form.badUrl' });
  });

  it('sends only what the chosen marketplace uses', () => {
    // Typed for Yandex Market, then switched to Wildberries: the ids and Client-Id stay behind.
    const typed = { market: 'wb' as const, name: 'WB', token: 't', clientId: 'c', businessId: '1', campaignId: '2', baseUrl: ' ' };
    expect(toNewAccount(typed)).toEqual({ name: 'WB', market: 'wb', base_url: null, business_id: null, campaign_id: null, token: 't', client_id: '' });
  });
});
