import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { fakeTable, product } from './fixtures';

const table = fakeTable(1_000_000);
const ipc = vi.hoisted(() => ({
  tableInfo: vi.fn(),
  tableRows: vi.fn(),
  facets: vi.fn(),
  bulkEdit: vi.fn(),
  writePriceList: vi.fn(),
  product: vi.fn(),
  history: vi.fn(),
  editField: vi.fn(),
  undo: vi.fn(),
  marketAccounts: vi.fn(),
  publishMarket: vi.fn(),
  marketJobResult: vi.fn(),
  jobs: vi.fn(),
  aiProviders: vi.fn(),
  aiRun: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({ ipc, onJobsPulse: vi.fn(async () => () => {}) }));

import CatalogView from '../components/catalog/CatalogView.svelte';

beforeEach(() => {
  table.calls.length = 0;
  ipc.tableInfo.mockReset().mockImplementation(async (q) => (q.filter.text ? { total: 42, exact: true } : { total: 1_000_000, exact: true }));
  ipc.tableRows.mockReset().mockImplementation(table.rows);
  ipc.facets.mockReset().mockResolvedValue({ categories: [], brands: ['Nike', 'Adidas'], suppliers: [] });
  ipc.bulkEdit.mockReset().mockResolvedValue({ changed: 2, unchanged: 0, failed: [] });
  ipc.writePriceList.mockReset().mockResolvedValue({ file: '/home/me/price-list.pdf', bytes: 2048, products: 2, skipped: 0 });
  ipc.product.mockReset().mockResolvedValue(product());
  ipc.history.mockReset().mockResolvedValue([]);
  ipc.marketAccounts.mockReset().mockResolvedValue([]);
  ipc.jobs.mockReset().mockResolvedValue([]);
  ipc.aiProviders.mockReset().mockResolvedValue([]);
});

describe('catalog table', () => {
  it('shows a million products but renders and fetches only the visible rows', async () => {
    const { container } = render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    expect(screen.getByTestId('total').textContent).toContain('1 000 000');
    const rendered = container.querySelectorAll('.scroller .row');
    expect(rendered.length).toBeLessThan(40);
    expect(Math.max(...table.calls.map((c) => c.position))).toBeLessThan(300);
  });

  it('jumps deep into the list when the scrollbar is dragged', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const body = screen.getByTestId('table-body');
    body.scrollTop = 3_000_000; // half of the scaled track
    await fireEvent.scroll(body);
    await waitFor(() => expect(table.calls.some((c) => c.position > 400_000)).toBe(true));
    const deep = table.calls.filter((c) => c.position > 400_000);
    expect(deep.length).toBeLessThanOrEqual(3);
    expect((await screen.findAllByText(/SKU-0(4|5)\d{5}/)).length).toBeGreaterThan(5);
  });

  it('searches as you type, sending only the last text after the debounce', async () => {
    render(CatalogView, { debounceMs: 20 });
    await screen.findByText('SKU-0000000');
    const box = screen.getByTestId('search');
    for (const text of ['к', 'кр', 'кро', 'кросс']) await fireEvent.input(box, { target: { value: text } });
    await waitFor(() => expect(screen.getByTestId('total').textContent).toContain('42'));
    const texts = ipc.tableInfo.mock.calls.map(([q]) => q.filter.text);
    expect(texts).toEqual([null, 'кросс']);
  });

  it('shows the rows of each new search even when the count stays the same', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const box = screen.getByTestId('search');
    await fireEvent.input(box, { target: { value: 'кро' } });
    await waitFor(() => expect(table.calls.some((c) => c.query.filter.text === 'кро')).toBe(true));
    await screen.findByText('SKU-0000000');
    // 42 matches again: the table must still ask for the new text's rows.
    await fireEvent.input(box, { target: { value: 'кросс' } });
    await waitFor(() => expect(table.calls.some((c) => c.query.filter.text === 'кросс')).toBe(true));
    expect(await screen.findByText('SKU-0000000')).toBeInTheDocument();
  });

  it('shows no column as sorted while a plain search lists the best matches first', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const nameHeader = () => screen.getByRole('button', { name: /Название/ }).closest('[role="columnheader"]')!;
    expect(nameHeader().getAttribute('aria-sort')).toBe('ascending');
    await fireEvent.input(screen.getByTestId('search'), { target: { value: 'кросс' } });
    await waitFor(() => expect(nameHeader().getAttribute('aria-sort')).toBe('none'));
    await fireEvent.click(screen.getByRole('button', { name: /Цена/ }));
    await waitFor(() => expect(screen.getByRole('button', { name: /Цена/ }).closest('[role="columnheader"]')!.getAttribute('aria-sort')).toBe('ascending'));
  });

  it('sorts by a column and reverses on a second click', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    await fireEvent.click(screen.getByRole('button', { name: /Цена/ }));
    await waitFor(() => expect(ipc.tableInfo).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'price', descending: false })));
    await fireEvent.click(screen.getByRole('button', { name: /Цена/ }));
    await waitFor(() => expect(ipc.tableInfo).toHaveBeenLastCalledWith(expect.objectContaining({ sort: 'price', descending: true })));
  });

  it('moves with the keyboard, selects with shift and space, and bulk-edits the selection', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const body = screen.getByTestId('table-body');
    await fireEvent.keyDown(body, { key: 'ArrowDown' });
    await fireEvent.keyDown(body, { key: 'ArrowDown', shiftKey: true });
    await waitFor(() => expect(screen.getByText('Выбрано: 2')).toBeInTheDocument());
    await fireEvent.keyDown(body, { key: ' ' });
    expect(screen.getByText('Выбрано: 1')).toBeInTheDocument();
    await fireEvent.keyDown(body, { key: 'ArrowDown', shiftKey: true });
    const bulk = screen.getByTestId('bulk');
    await fireEvent.input(bulk.querySelector('input')!, { target: { value: '10' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Применить' }));
    await waitFor(() => expect(ipc.bulkEdit).toHaveBeenCalled());
    const [request] = ipc.bulkEdit.mock.calls[0];
    expect(request.change).toEqual({ kind: 'price_percent', percent: 10 });
    expect(request.ids.length).toBeGreaterThan(0);
    expect(await screen.findByTestId('bulk-message')).toHaveTextContent('Изменено: 2');
  });

  it('writes a PDF price list of the selected products', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const body = screen.getByTestId('table-body');
    await fireEvent.keyDown(body, { key: 'ArrowDown' });
    await fireEvent.keyDown(body, { key: 'ArrowDown', shiftKey: true });
    await waitFor(() => expect(screen.getByText('Выбрано: 2')).toBeInTheDocument());
    await fireEvent.click(screen.getByTestId('bulk-price-list'));
    await waitFor(() => expect(ipc.writePriceList).toHaveBeenCalled());
    const [format, selection, lang] = ipc.writePriceList.mock.calls[0];
    expect([format, lang, selection.products.length]).toEqual(['pdf', 'ru', 2]);
    expect(selection.categories).toEqual([]);
    expect(await screen.findByTestId('bulk-message')).toHaveTextContent('Прайс-лист сохранён: /home/me/price-list.pdf');
  });

  it('publishes the selected products to the chosen marketplace account', async () => {
    ipc.marketAccounts.mockResolvedValue([
      { id: 'acc-wb', name: 'Мой WB', market: 'wb' },
      { id: 'acc-oz', name: 'Озон', market: 'ozon' },
    ]);
    const job = { id: 'job-1', kind: 'market.publish', state: 'queued', done: 0, total: null, finished_at: null, cancel_requested: false };
    ipc.publishMarket.mockResolvedValue(job);
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const body = screen.getByTestId('table-body');
    await fireEvent.keyDown(body, { key: 'ArrowDown' });
    await fireEvent.keyDown(body, { key: 'ArrowDown', shiftKey: true });
    const button = await screen.findByTestId('publish-selected');
    expect(button).toHaveTextContent('Опубликовать (2)');
    await fireEvent.change(screen.getByLabelText('Аккаунт маркетплейса'), { target: { value: 'acc-oz' } });
    await fireEvent.click(button);
    await waitFor(() => expect(ipc.publishMarket).toHaveBeenCalled());
    const [account, ids] = ipc.publishMarket.mock.calls[0];
    expect([account, ids.length]).toEqual(['acc-oz', 2]);
    expect(await screen.findByTestId('market-job')).toBeInTheDocument();
  });

  it('sends the selected products to an AI check', async () => {
    ipc.aiProviders.mockResolvedValue([{ id: 'p1', name: 'Локальная модель' }]);
    ipc.aiRun.mockResolvedValue({ id: 'job-2', kind: 'ai.moderate', state: 'queued' });
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    const body = screen.getByTestId('table-body');
    await fireEvent.keyDown(body, { key: 'ArrowDown' });
    await fireEvent.keyDown(body, { key: 'ArrowDown', shiftKey: true });
    const start = await screen.findByTestId('ai-run-start');
    expect(start).toHaveTextContent('ИИ (2)');
    await fireEvent.click(start);
    await waitFor(() => expect(ipc.aiRun).toHaveBeenCalled());
    expect(ipc.aiRun.mock.calls[0][0]).toMatchObject({ task: 'moderate', provider: 'p1', category: null, inbox: null });
    expect(ipc.aiRun.mock.calls[0][0].skus).toHaveLength(2);
  });

  it('opens the product editor with Enter', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    await fireEvent.keyDown(screen.getByTestId('table-body'), { key: 'Enter' });
    expect(await screen.findByTestId('editor')).toBeInTheDocument();
    expect(ipc.product).toHaveBeenCalledWith('id-0');
  });

  it('filters by brand, stock and price', async () => {
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    await waitFor(() => expect(screen.getByRole('option', { name: 'Adidas' })).toBeInTheDocument());
    await fireEvent.change(screen.getByLabelText('Бренд'), { target: { value: 'Adidas' } });
    await fireEvent.input(screen.getByLabelText('Цена, ₽ от'), { target: { value: '1 000' } });
    await waitFor(() =>
      expect(ipc.tableInfo).toHaveBeenLastCalledWith(
        expect.objectContaining({ filter: expect.objectContaining({ brand: 'Adidas', price_min: '1 000' }) }),
      ),
    );
  });

  it('says when a search was read as meant, and searches exactly as typed on request', async () => {
    ipc.tableInfo.mockImplementation(async (q) =>
      q.filter.text === 'rhjccjdrb' && !q.as_typed
        ? {
            total: 42,
            exact: true,
            correction: {
              typed: 'rhjccjdrb',
              query: 'кроссовки',
              instead: true,
              changes: [{ typed: 'rhjccjdrb', meant: 'кроссовки', kind: 'layout' }],
            },
          }
        : { total: q.filter.text ? 0 : 1_000_000, exact: true },
    );
    render(CatalogView, { debounceMs: 0 });
    await screen.findByText('SKU-0000000');
    await fireEvent.input(screen.getByTestId('search'), { target: { value: 'rhjccjdrb' } });
    expect(await screen.findByTestId('correction')).toHaveTextContent('Показаны результаты по запросу «кроссовки»');
    await fireEvent.click(screen.getByTestId('search-as-typed'));
    await waitFor(() =>
      expect(ipc.tableInfo).toHaveBeenLastCalledWith(expect.objectContaining({ as_typed: true })),
    );
    expect(await screen.findByTestId('as-typed')).toHaveTextContent('rhjccjdrb');
    expect(screen.queryByTestId('correction')).toBeNull();
    expect(await screen.findByText('Ничего не найдено')).toBeInTheDocument();
    // Typing again reads the new text as meant again.
    await fireEvent.input(screen.getByTestId('search'), { target: { value: 'rhjccjdrb' } });
    await waitFor(() => expect(ipc.tableInfo.mock.lastCall?.[0].as_typed).toBeUndefined());
  });
});
