import { describe, expect, it, vi, beforeEach } from 'vitest';
import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import type { ImportReportDto, MappingDto, PreviewDto, RunDto, SupplierDetail, SupplierListItem, TargetInfo } from '$lib/ipc';

const ipc = vi.hoisted(() => ({
  suppliers: vi.fn(),
  supplier: vi.fn(),
  addSupplier: vi.fn(),
  pickSupplierFile: vi.fn(),
  mappingTargets: vi.fn(),
  previewFeed: vi.fn(),
  saveMapping: vi.fn(),
  importReport: vi.fn(),
  exportImportReport: vi.fn(),
  importNow: vi.fn(),
  jobs: vi.fn(),
}));
vi.mock('$lib/ipc', () => ({ ipc, onJobsPulse: vi.fn(async () => () => {}) }));
import { onJobsPulse, type JobsPulse } from '$lib/ipc';
import { job } from './fixtures';
import SupplierPage from '../components/suppliers/SupplierPage.svelte';

import SuppliersView from '../components/suppliers/SuppliersView.svelte';
import MappingScreen from '../components/suppliers/MappingScreen.svelte';
import ReportView from '../components/suppliers/ReportView.svelte';

function run(over: Partial<RunDto> = {}): RunDto {
  return {
    id: 'run-1', supplier_id: 'sup-1', supplier_name: 'Опт', job_id: 'job-1', state: 'succeeded',
    source: '/data/price-1251.csv', started_at: 1_760_000_000_000, finished_at: 1_760_000_001_000, rows_read: 30,
    created: 29, updated: 0, unchanged: 0, gone: 0, rejected: 1, warnings: 2, total_ms: 420, notices: [], error: null, ...over,
  };
}

const mapping: MappingDto = {
  fields: [
    { source: 'Артикул', target: 'sku', unit: null, name: null },
    { source: 'Наименование', target: 'name', unit: null, name: null },
    { source: 'Цена, руб.', target: 'price', unit: null, name: null },
  ],
  currency: null, unmapped_as_attributes: true, params_as_attributes: true,
};

function detail(over: Partial<SupplierDetail> = {}): SupplierDetail {
  return {
    id: 'sup-1', name: 'Опт', offers: 29,
    feeds: [{ position: 0, location: '/data/price-1251.csv', is_url: false, auth: 'none', auth_name: '', secret_set: false,
      read: { format: null, encoding: null, delimiter: null, header_line: null, sheet: null }, has_mapping: false }],
    mapping: null,
    settings: { markup_percent: '', rounding: 'none', min_margin_percent: '', gone: 'zero', create_categories: true, rates: [], schedule: '', other_rules: 0, custom_markup: false },
    runs: [], ...over,
  };
}

function preview(over: Partial<PreviewDto> = {}): PreviewDto {
  const money = (minor: number) => ({ minor, currency: 'RUB', text: (minor / 100).toFixed(2).replace('.', ',') });
  return {
    format: 'CSV', encoding: 'windows-1251', delimiter: ';', sheet: null, sheets: [],
    columns: ['Артикул', 'Наименование', 'Цена, руб.'],
    rows: [['RO-1', 'Сковорода', '1270,18'], ['AD-8', 'Кроссовки', '-500']],
    mapping, mapping_is_saved: false, mapping_problems: [],
    items: [
      { line: 2, sku: 'RO-1', name: 'Сковорода', brand: 'Rondell', category: 'Посуда', cost: null, price: money(127018), stock: 17,
        barcodes: [], attributes: 3, images: 1, problem: null,
        warnings: [{ code: 'weight_skipped', field: 'Вес, кг', value: '4,1 т', reason: 'is not a weight; the weight was skipped' }] },
      { line: 8, sku: '', name: '', brand: '', category: '', cost: null, price: null, stock: 0, barcodes: [], attributes: 0, images: 0,
        problem: { code: 'price_negative', field: 'Цена, руб.', value: '-500', reason: 'the price cannot be negative' }, warnings: [] },
    ],
    notices: [], error: null, ...over,
  };
}

const targets: TargetInfo[] = (['sku', 'name', 'price', 'cost', 'stock', 'attribute', 'ignore'] as const).map((target) => ({
  target, label: `the ${target}`, multi: target === 'attribute' || target === 'ignore',
}));

beforeEach(() => {
  const list: SupplierListItem[] = [
    { id: 'sup-1', name: 'Опт', offers: 29, feeds: 2, main_feed: '/data/price-1251.csv', last_run: run() },
    { id: 'sup-2', name: 'Дропшиппер', offers: 0, feeds: 1, main_feed: 'https://example.test/feed.xml', last_run: null },
  ];
  ipc.suppliers.mockReset().mockResolvedValue(list);
  ipc.supplier.mockReset().mockResolvedValue(detail());
  ipc.addSupplier.mockReset().mockResolvedValue(detail({ id: 'sup-3', name: 'price' }));
  ipc.mappingTargets.mockReset().mockResolvedValue(targets);
  ipc.previewFeed.mockReset().mockResolvedValue(preview());
  ipc.saveMapping.mockReset().mockImplementation(async (_id, _pos, m: MappingDto) => detail({ mapping: m }));
  ipc.jobs.mockReset().mockResolvedValue([]);
});

describe('suppliers list', () => {
  it('shows each supplier with its last import', async () => {
    render(SuppliersView);
    expect(await screen.findByText('Опт')).toBeInTheDocument();
    expect(screen.getByText('Дропшиппер')).toBeInTheDocument();
    expect(screen.getByTestId('last-run')).toHaveTextContent('создано 29, обновлено 0, без изменений 0, отклонено 1');
    expect(screen.getByText('ещё не импортировался')).toBeInTheDocument();
    expect(screen.getByText('price-1251.csv')).toBeInTheDocument();
  });

  it('adds a supplier from a typed path and opens its mapping', async () => {
    render(SuppliersView);
    await screen.findByText('Опт');
    await fireEvent.click(screen.getByTestId('add-supplier'));
    await fireEvent.input(screen.getByTestId('new-source'), { target: { value: '/data/price.csv' } });
    await fireEvent.click(screen.getByTestId('create-supplier'));
    expect(ipc.addSupplier).toHaveBeenCalledWith({ name: '', source: '/data/price.csv' });
    expect(await screen.findByTestId('supplier-page')).toBeInTheDocument();
    expect(await screen.findByTestId('mapping')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Сопоставление' })).toHaveAttribute('aria-selected', 'true');
  });

  it('shows why a supplier could not be added', async () => {
    ipc.addSupplier.mockRejectedValueOnce({ code: 'not_found', message: 'the file /nope.csv does not exist' });
    render(SuppliersView);
    await screen.findByText('Опт');
    await fireEvent.click(screen.getByTestId('add-supplier'));
    await fireEvent.input(screen.getByTestId('new-source'), { target: { value: '/nope.csv' } });
    await fireEvent.click(screen.getByTestId('create-supplier'));
    expect(await screen.findByRole('alert')).toHaveTextContent('/nope.csv does not exist');
  });
});

describe('mapping screen', () => {
  it('previews rows as they will import, with rejected rows and warnings marked', async () => {
    const { container } = render(MappingScreen, { supplier: detail(), onSaved: () => {}, debounceMs: 0 });
    const rejected = await waitFor(() => {
      const row = container.querySelector('tr[data-line="8"]');
      expect(row).not.toBeNull();
      return row!;
    });
    expect(rejected).toHaveClass('rejected');
    // Worded in Russian from the problem's code; the English reason stays as a tooltip.
    expect(rejected).toHaveTextContent('Цена, руб.: «-500» — цена не может быть отрицательной');
    expect(within(rejected as HTMLElement).getByTitle('the price cannot be negative')).toBeInTheDocument();
    expect(container.querySelector('tr[data-line="2"]')).toHaveClass('warned');
    expect(screen.getByText(/Вес, кг: «4,1 т» — вес не распознан и пропущен/)).toBeInTheDocument();
    expect(screen.getByTestId('ok-rows')).toHaveTextContent('Импортируются 1 из 2 строк');
    expect(screen.getByText('Предложено по заголовкам — проверьте и сохраните')).toBeInTheDocument();
  });

  it('changing a column’s target previews it live and saves exactly that mapping', async () => {
    const onSaved = vi.fn();
    render(MappingScreen, { supplier: detail(), onSaved, debounceMs: 0 });
    const select = await screen.findByRole('combobox', { name: 'Цена, руб.' });
    expect(select).toHaveValue('price');
    await fireEvent.change(select, { target: { value: 'cost' } });
    const expected: MappingDto = {
      ...mapping,
      fields: [mapping.fields[0], mapping.fields[1], { source: 'Цена, руб.', target: 'cost', unit: null, name: null }],
    };
    await waitFor(() => expect(ipc.previewFeed).toHaveBeenLastCalledWith('sup-1', { position: 0, file: null, mapping: expected, rows: 20 }));
    expect(screen.getByText('Есть несохранённые изменения')).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId('save-mapping'));
    expect(ipc.saveMapping).toHaveBeenCalledWith('sup-1', 0, expected);
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(await screen.findByText('Сопоставление сохранено')).toBeInTheDocument();
  });

  it('a single-valued target moves to the newly chosen column', async () => {
    render(MappingScreen, { supplier: detail(), onSaved: () => {}, debounceMs: 0 });
    const name = await screen.findByRole('combobox', { name: 'Наименование' });
    await fireEvent.change(name, { target: { value: 'sku' } });
    expect(screen.getByRole('combobox', { name: 'Артикул' })).toHaveValue('');
    expect(name).toHaveValue('sku');
  });

  it('shows mapping problems prominently', async () => {
    ipc.previewFeed.mockResolvedValue(preview({
      mapping_problems: ['no column is mapped to the SKU: choose the column with the supplier\'s article (e.g. «Артикул»)'],
    }));
    render(MappingScreen, { supplier: detail(), onSaved: () => {}, debounceMs: 0 });
    const box = await screen.findByTestId('mapping-problems');
    expect(box).toHaveAttribute('role', 'alert');
    expect(box).toHaveTextContent('Импорт не запустится, пока это не исправлено');
    expect(box).toHaveTextContent('no column is mapped to the SKU');
  });
});

describe('import report', () => {
  const report: ImportReportDto = {
    run: run(),
    issues: [
      { kind: 'rejected', line: 8, record_id: '100006', field: 'Цена, руб.', value: '-500', reason: 'the price cannot be negative', code: 'price_negative' },
      { kind: 'warning', line: 12, record_id: '100010', field: 'Вес брутто, кг', value: '4,1 т', reason: 'not a weight', code: 'weight_skipped' },
      { kind: 'rejected', line: 15, record_id: null, field: 'sku', value: 'AD-8', reason: 'the SKU repeats the offer on line 9; this row was skipped', code: 'sku_repeated' },
      { kind: 'warning', line: 20, record_id: null, field: 'Склад', value: '?', reason: 'something recorded before codes existed', code: 'other' },
    ],
    capped: false,
  };

  it('lists the issues with line, id, field, value and reason, and exports them', async () => {
    ipc.importReport.mockReset().mockResolvedValue(report);
    ipc.exportImportReport.mockReset().mockResolvedValue('/home/me/import-report.csv');
    const { container } = render(ReportView, { run: 'run-1', onBack: () => {} });
    const table = await screen.findByTestId('issues');
    expect(ipc.importReport).toHaveBeenCalledWith('run-1');
    const row = container.querySelector('tr[data-line="8"]')!;
    expect(row).toHaveClass('rejected');
    for (const text of ['Отклонена', '100006', 'Цена, руб.', '-500', 'цена не может быть отрицательной']) expect(within(row as HTMLElement).getByText(text)).toBeInTheDocument();
    expect(within(row as HTMLElement).getByTitle('the price cannot be negative')).toBeInTheDocument();
    const repeated = container.querySelector('tr[data-line="15"]') as HTMLElement;
    expect(within(repeated).getByText('этот артикул уже был в строке 9 — строка пропущена')).toBeInTheDocument();
    const old = container.querySelector('tr[data-line="20"]') as HTMLElement;
    expect(within(old).getByText('something recorded before codes existed')).toBeInTheDocument();
    expect(within(table).getAllByText('Предупреждение')).toHaveLength(2);
    await fireEvent.click(screen.getByTestId('export-csv'));
    expect(ipc.exportImportReport).toHaveBeenCalledWith('run-1');
    expect(await screen.findByText('Сохранено: /home/me/import-report.csv')).toBeInTheDocument();
  });

  it('says when the list is capped and when there is nothing to report', async () => {
    ipc.importReport.mockReset().mockResolvedValue({ ...report, capped: true });
    render(ReportView, { run: 'run-1', onBack: () => {} });
    expect(await screen.findByText('Показаны первые 4 замечаний — полный список в CSV.')).toBeInTheDocument();
  });

  it('a clean run has nothing to export', async () => {
    ipc.importReport.mockReset().mockResolvedValue({ run: run({ rejected: 0, warnings: 0 }), issues: [], capped: false });
    render(ReportView, { run: 'run-1', onBack: () => {} });
    expect(await screen.findByText('Замечаний нет: все строки импортированы.')).toBeInTheDocument();
    expect(screen.getByTestId('export-csv')).toBeDisabled();
  });
});

describe('first-run import', () => {
  it('picks a file, creates a supplier named after it and opens its mapping', async () => {
    const { default: FirstRun } = await import('../components/FirstRun.svelte');
    ipc.pickSupplierFile.mockReset().mockResolvedValue('/home/me/Прайс.csv');
    const onImported = vi.fn();
    render(FirstRun, { onImported });
    await fireEvent.click(screen.getByTestId('first-import'));
    await waitFor(() => expect(onImported).toHaveBeenCalledWith('sup-3'));
    expect(ipc.addSupplier).toHaveBeenCalledWith({ name: '', source: '/home/me/Прайс.csv' });
  });
});

describe('supplier page', () => {
  it('words why an import failed, with the back end sentence as details', async () => {
    const sentence = "The file /x/lost.yml does not exist. Check the path in the supplier's settings, or whether the folder is connected.";
    const queued = job({ id: 'job-9', kind: 'import.supplier', state: 'queued', done: 0, total: null, message: null });
    ipc.importNow.mockReset().mockResolvedValue(queued);
    render(SupplierPage, { id: 'sup-1', onBack: () => {} });
    await fireEvent.click(await screen.findByTestId('import-now'));
    await waitFor(() => expect(ipc.importNow).toHaveBeenCalledWith('sup-1'));
    const listen = vi.mocked(onJobsPulse).mock.calls.at(-1)![0] as (p: JobsPulse) => void;
    listen({
      jobs: [{ ...queued, state: 'failed', error: sentence, error_code: 'file_missing', finished_at: 1_005_000 }],
      logs: [], catalog_changed: false,
    });
    const outcome = await screen.findByTestId('import-outcome');
    expect(outcome).toHaveTextContent(/^Импорт не удался: Файл не найден: проверьте путь в настройках поставщика/);
    expect(screen.getByTestId('import-outcome-details')).toHaveTextContent(sentence);
  });
});
