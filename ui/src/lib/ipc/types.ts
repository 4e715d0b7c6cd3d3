// Generated from crates/vitrina-app/src/ipc by ts-rs. Do not edit by hand:
// VITRINA_WRITE_IPC=1 cargo test -p vitrina-app ipc rewrites it.

export type IpcError = { code: IpcErrorCode, message: string, };

export type IpcErrorCode = "not_found" | "invalid" | "conflict" | "not_a_catalog" | "catalog_too_new" | "catalog_damaged" | "io" | "internal" | "no_catalog" | "keyring";

export type StatusDto = "draft" | "active" | "archived";

export type SortDto = "name" | "price" | "stock" | "updated";

export type MoneyDto = { minor: number, currency: string, text: string, };

export type ProductRowDto = { id: string, sku: string, name: string, brand: string, category: string | null, price: MoneyDto, old_price: MoneyDto | null, stock: number, status: StatusDto, 
/**
 * UTC milliseconds.
 */
updated_at: number, image: string | null, };

export type FilterDto = { category: string | null, brand: string | null, supplier: string | null, price_min: string | null, price_max: string | null, in_stock: boolean | null, status: StatusDto | null, text: string | null, };

export type TableQuery = { filter: FilterDto, sort: SortDto, descending: boolean, };

export type TableInfo = { total: number, exact: boolean, };

export type TableRows = { position: number, rows: Array<ProductRowDto>, };

export type AttributeDto = { name: string, value: string, unit: string | null, };

export type LinkDto = { 
/**
 * `kit`, `pack` or `related`.
 */
kind: string, 
/**
 * Kit: units of the component; pack: units of the base product.
 */
quantity: number | null, 
/**
 * True when this product is the kit or pack.
 */
outgoing: boolean, other_id: string, other_sku: string, other_name: string, };

export type FieldName = "sku" | "name" | "description" | "brand" | "model" | "category" | "variant_group" | "barcodes" | "weight" | "dimensions" | "price" | "old_price" | "cost" | "stock" | "status" | "attributes" | "images";

export type FieldText = { field: FieldName, text: string, 
/**
 * Set when the value follows from links (a kit's stock, a pack's price) and is not editable.
 */
derived: string | null, };

export type ProductDto = { id: string, sku: string, name: string, category_path: string | null, price: MoneyDto, stock: number, status: StatusDto, attributes: Array<AttributeDto>, images: Array<string>, variant_group: string | null, links: Array<LinkDto>, fields: Array<FieldText>, };

export type HistoryEntryDto = { id: string, 
/**
 * `create`, `update` or `delete`.
 */
op: string, field: string, old: string | null, new: string | null, who: string, 
/**
 * UTC milliseconds.
 */
at: number, batch: string, };

export type UndoDto = { fields: Array<string>, };

export type CategoryDto = { id: string, parent: string | null, name: string, depth: number, path: string, products: number, };

export type SupplierDto = { id: string, name: string, };

export type FacetsDto = { categories: Array<CategoryDto>, brands: Array<string>, suppliers: Array<SupplierDto>, };

export type BulkChange = { "kind": "price_percent", percent: number, } | { "kind": "price_amount", amount: string, } | { "kind": "status", status: StatusDto, } | { "kind": "category", category: string, };

export type BulkEditRequest = { ids: Array<string>, change: BulkChange, };

export type BulkFailure = { sku: string, message: string, };

export type BulkReport = { changed: number, unchanged: number, failed: Array<BulkFailure>, };

export type JobStateDto = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type JobDto = { id: string, kind: string, state: JobStateDto, done: number, total: number | null, message: string | null, attempts: number, max_attempts: number, created_at: number, started_at: number | null, finished_at: number | null, error: string | null, cancel_requested: boolean, };

export type JobLogDto = { seq: number, at: number, 
/**
 * `info`, `warn` or `error`.
 */
level: string, message: string, };

export type JobLogEntry = { job: string, line: JobLogDto, };

export type JobsPulse = { jobs: Array<JobDto>, logs: Array<JobLogEntry>, 
/**
 * Jobs that finished and changed the catalog: the table should reload.
 */
catalog_changed: boolean, };

export type JobRequest = { "kind": "reprice", percent: number, brand: string | null, } | { "kind": "analyze" };

export type Language = "ru" | "en";

export type SettingsDto = { language: Language, catalog_path: string, data_dir: string, log_dir: string, version: string, };

export type SecretStatus = { name: string, set: boolean, };

export type CatalogInfo = { path: string, products: number, };

export type StartupState = { "kind": "ready", catalog: CatalogInfo, } | { "kind": "failed", path: string, error: IpcError, };

export type UpdateStatus = { "kind": "up_to_date" } | { "kind": "available", version: string, notes: string | null, } | { "kind": "unavailable", reason: string, };
