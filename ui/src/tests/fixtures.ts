import type { JobDto, ProductDto, ProductRowDto, TableQuery, TableRows } from '$lib/ipc';

export function row(i: number): ProductRowDto {
  return {
    id: `id-${i}`, sku: `SKU-${String(i).padStart(7, '0')}`, name: `Товар ${i}`, brand: 'Nike',
    category: 'Кроссовки', price: { minor: 100000 + i, currency: 'RUB', text: '1 000,00' }, old_price: null,
    stock: i % 7, status: 'active', updated_at: 1_760_000_000_000, image: null,
  };
}

/** A fake table of `total` rows; records every call. */
export function fakeTable(total: number) {
  const calls: { query: TableQuery; position: number; count: number }[] = [];
  const rows = async (query: TableQuery, position: number, count: number): Promise<TableRows> => {
    calls.push({ query, position, count });
    const n = Math.max(0, Math.min(count, total - position));
    return { position, rows: Array.from({ length: n }, (_, k) => row(position + k)) };
  };
  return { calls, rows };
}

export function product(): ProductDto {
  const fields: [ProductDto['fields'][number]['field'], string][] = [
    ['sku', 'SKU-1'], ['name', 'Кроссовки Nike Air'], ['description', ''], ['brand', 'Nike'], ['model', 'Air'],
    ['category', 'Одежда и обувь / Кроссовки'], ['variant_group', ''], ['barcodes', '4006381333931'], ['weight', '350'],
    ['dimensions', '300x200x100'], ['price', '4 990,00'], ['old_price', ''], ['cost', ''], ['stock', '12'],
    ['status', 'active'], ['attributes', ''], ['images', 'https://example.test/1.jpg'],
  ];
  return {
    id: 'id-1', sku: 'SKU-1', name: 'Кроссовки Nike Air', category_path: 'Одежда и обувь / Кроссовки',
    price: { minor: 499000, currency: 'RUB', text: '4 990,00' }, stock: 12, status: 'active',
    attributes: [{ name: 'Цвет', value: 'черный', unit: null }], images: ['https://example.test/1.jpg'],
    variant_group: null, links: [],
    fields: fields.map(([field, text]) => ({ field, text, derived: null })),
  };
}

export function job(over: Partial<JobDto> = {}): JobDto {
  return {
    id: 'job-1', kind: 'catalog.reprice', state: 'running', done: 250, total: 1000, message: 'batch 1',
    stage: null, attempts: 1, max_attempts: 3, created_at: 1_000_000, started_at: 1_000_000, finished_at: null,
    error: null, end: null, error_code: null, cancel_requested: false, ...over,
  };
}
