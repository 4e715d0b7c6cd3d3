// Rows of the catalog table in blocks of BLOCK, fetched on demand (one keyset page each) and
// kept in a small LRU. Only blocks that the visible rows touch, plus one either side, are asked for.
import type { ProductRowDto, TableQuery, TableRows } from '$lib/ipc';

export const BLOCK = 100;
const KEEP = 40;

export type Fetch = (query: TableQuery, position: number, count: number) => Promise<TableRows>;

export class RowBlocks {
  private blocks = new Map<number, ProductRowDto[]>();
  private pending = new Set<number>();
  private generation = 0;
  private query: TableQuery | null = null;

  constructor(private fetch: Fetch, private onLoad: (query: TableQuery) => void) {}

  reset(query: TableQuery) {
    this.query = query;
    this.generation++;
    this.blocks.clear();
    this.pending.clear();
  }

  /** Drops cached rows (after edits) but keeps the query; visible blocks load again. */
  refresh() {
    if (this.query) this.reset(this.query);
  }

  row(index: number): ProductRowDto | undefined {
    return this.blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK];
  }

  /** Makes sure rows [first, last] are (being) loaded; prefetches a block either side. */
  want(first: number, last: number, total: number) {
    if (!this.query || total === 0) return;
    const lastBlock = Math.floor((total - 1) / BLOCK);
    const from = Math.max(0, Math.floor(first / BLOCK) - 1);
    const to = Math.min(lastBlock, Math.floor(last / BLOCK) + 1);
    // Visible blocks first, then the prefetch ones.
    const order: number[] = [];
    for (let b = Math.floor(first / BLOCK); b <= Math.min(to, Math.floor(last / BLOCK)); b++) order.push(b);
    if (from < Math.floor(first / BLOCK)) order.push(from);
    if (to > Math.floor(last / BLOCK)) order.push(to);
    for (const b of order) this.load(b);
  }

  private load(block: number) {
    if (this.blocks.has(block)) {
      // Touch for LRU order.
      const rows = this.blocks.get(block)!;
      this.blocks.delete(block);
      this.blocks.set(block, rows);
      return;
    }
    if (this.pending.has(block) || !this.query) return;
    this.pending.add(block);
    const generation = this.generation;
    const query = this.query;
    this.fetch(query, block * BLOCK, BLOCK)
      .then((page) => {
        if (generation !== this.generation) return;
        this.pending.delete(block);
        this.blocks.set(block, page.rows);
        while (this.blocks.size > KEEP) this.blocks.delete(this.blocks.keys().next().value!);
        this.onLoad(query);
      })
      .catch(() => {
        if (generation === this.generation) this.pending.delete(block);
      });
  }
}
