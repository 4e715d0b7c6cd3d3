import { describe, expect, it, vi } from 'vitest';
import { BLOCK, RowBlocks } from '$lib/rows';
import { fakeTable } from './fixtures';

const query = { filter: { category: null, brand: null, supplier: null, price_min: null, price_max: null, in_stock: null, status: null, text: null }, sort: 'name' as const, descending: false };

describe('RowBlocks', () => {
  it('fetches only the blocks the visible rows touch, plus one either side', async () => {
    const table = fakeTable(1_000_000);
    const loaded = vi.fn();
    const blocks = new RowBlocks(table.rows, loaded);
    blocks.reset(query);
    blocks.want(734_510, 734_530, 1_000_000);
    await vi.waitFor(() => expect(loaded).toHaveBeenCalledTimes(3));
    expect(table.calls.map((c) => c.position).sort()).toEqual([734_400, 734_500, 734_600]);
    expect(table.calls.every((c) => c.count === BLOCK)).toBe(true);
    expect(blocks.row(734_512)?.sku).toBe('SKU-0734512');
    // Asking again fetches nothing new.
    blocks.want(734_510, 734_530, 1_000_000);
    expect(table.calls).toHaveLength(3);
  });

  it('drops answers to an earlier query', async () => {
    const table = fakeTable(500);
    const blocks = new RowBlocks(table.rows, () => {});
    blocks.reset(query);
    blocks.want(0, 10, 500);
    blocks.reset({ ...query, sort: 'price' });
    await new Promise((r) => setTimeout(r, 0));
    expect(blocks.row(0)).toBeUndefined();
  });
});
