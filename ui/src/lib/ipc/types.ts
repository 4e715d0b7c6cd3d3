// Generated from crates/vitrina-app/src/ipc by ts-rs. Do not edit by hand:
// VITRINA_WRITE_IPC=1 cargo test -p vitrina-app ipc rewrites it.

export type IpcError = { code: IpcErrorCode, message: string, };

export type IpcErrorCode = "not_found" | "invalid" | "conflict" | "not_a_catalog" | "catalog_too_new" | "catalog_damaged" | "io" | "busy" | "held" | "keyring_unavailable" | "keyring" | "no_catalog" | "team_unreachable" | "team_sign_in" | "team_version" | "team_not_allowed" | "team_refused" | "internal";

export type TeamErrorDto = { 
/**
 * unreachable, sign_in, no_team, schema_too_new, server_too_old, clock_skew, not_allowed,
 * read_only, server_full, lease_lost, not_in_team, local, server, bad_url.
 */
kind: string, 
/**
 * The back end's sentence (English), shown as details.
 */
message: string, };

export type TeamStatusDto = { joined: boolean, 
/**
 * The team's server, without the password.
 */
url: string | null, 
/**
 * The member's name as history shows it.
 */
member: string | null, 
/**
 * viewer, editor or admin.
 */
role: string | null, 
/**
 * Whether this member may change the catalog (a viewer may not).
 */
may_edit: boolean, 
/**
 * Whether this member may manage members (an admin).
 */
may_manage: boolean, device: string, 
/**
 * When a sync last completed (UTC ms).
 */
last_sync: number | null, last_attempt: number | null, 
/**
 * This device's changes not yet on the server.
 */
pending: number, error: TeamErrorDto | null, 
/**
 * Products shown under another SKU because another product of the team has theirs.
 */
sku_clashes: number, };

export type TeamSyncDto = { pushed: number, pulled: number, conflicts: number, restamped: number, merged_state: boolean, status: TeamStatusDto, };

export type InvitationDto = { code: string, 
/**
 * viewer, editor or admin.
 */
role: string, 
/**
 * The member's login role on the server.
 */
login: string, 
/**
 * The member's own password (never the admin's).
 */
password: string, 
/**
 * The server's address with this member's credentials.
 */
url: string, };

export type MemberDto = { login: string, name: string, 
/**
 * viewer, editor or admin.
 */
role: string, 
/**
 * When one of their devices last synced (UTC ms).
 */
last_seen: number | null, devices: number, };

export type ConflictDto = { field: string, 
/**
 * The lost value as the editor shows it (`null`: empty).
 */
value: string | null, 
/**
 * Its canonical text, to restore it with.
 */
raw: string | null, who: string, at: number, winner_value: string | null, winner_who: string | null, winner_at: number, };

export type TeamInitDto = { status: TeamStatusDto, admin: InvitationDto, };

export type TeamUpgradeDto = { from: number, to: number, };

export type TestServerDto = { url: string, };

export type StatusDto = "draft" | "active" | "archived";

export type SortDto = "name" | "price" | "stock" | "updated";

export type MoneyDto = { minor: number, currency: string, text: string, };

export type ProductRowDto = { id: string, sku: string, name: string, brand: string, category: string | null, price: MoneyDto, old_price: MoneyDto | null, stock: number, status: StatusDto, 
/**
 * UTC milliseconds.
 */
updated_at: number, image: string | null, };

export type FilterDto = { category: string | null, brand: string | null, supplier: string | null, price_min: string | null, price_max: string | null, in_stock: boolean | null, status: StatusDto | null, text: string | null, };

export type TableQuery = { filter: FilterDto, sort: SortDto, descending: boolean, 
/**
 * Search the text exactly as typed: no other keyboard layout, alphabet or spelling.
 */
as_typed?: boolean, };

export type TableInfo = { total: number, exact: boolean, 
/**
 * What was searched besides or instead of the text as typed.
 */
correction?: CorrectionDto, };

export type CorrectionDto = { 
/**
 * The query as typed.
 */
typed: string, 
/**
 * The query searched: "кроссовки nike".
 */
query: string, 
/**
 * True: the results are this query's, the typed one found nothing. False: they follow
 * the typed query's own few matches.
 */
instead: boolean, changes: Array<ChangeDto>, };

export type ChangeDto = { typed: string, meant: string, kind: ChangeKindDto, };

export type ChangeKindDto = "layout" | "alphabet" | "typo";

export type TableRows = { position: number, rows: Array<ProductRowDto>, };

export type ProductPageDto = { rows: Array<ProductRowDto>, 
/**
 * The cursor to continue after (`--after`).
 */
next: string | null, 
/**
 * The text filter as it was read, when not as typed.
 */
correction?: CorrectionDto, };

export type ProductSearchDto = { rows: Array<ProductRowDto>, 
/**
 * Matches in all, counted up to a cap.
 */
total: number, 
/**
 * False when there are more matches than counted ("1 000+").
 */
total_is_exact: boolean, 
/**
 * What was searched besides or instead of the words as typed.
 */
correction?: CorrectionDto, };

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

export type ProductDto = { id: string, sku: string, name: string, category_path: string | null, price: MoneyDto, 
/**
 * Absent when the product has none. (Optional in TypeScript so that objects written
 * before these amounts were added still type-check.)
 */
old_price?: MoneyDto, 
/**
 * What the product costs the seller; absent when unknown.
 */
cost?: MoneyDto, stock: number, status: StatusDto, attributes: Array<AttributeDto>, images: Array<string>, variant_group: string | null, links: Array<LinkDto>, fields: Array<FieldText>, };

export type HistoryEntryDto = { id: string, 
/**
 * `create`, `update` or `delete`.
 */
op: string, field: string, 
/**
 * The values as history stores them (canonical: `19900 RUB`), for scripts.
 */
old: string | null, new: string | null, 
/**
 * The values as the editor shows them (`199,00`), for people.
 */
old_text: string | null, new_text: string | null, who: string, 
/**
 * UTC milliseconds.
 */
at: number, batch: string, };

export type UndoDto = { fields: Array<string>, };

export type CategoryDto = { id: string, parent: string | null, name: string, depth: number, path: string, products: number, };

export type SupplierDto = { id: string, name: string, };

export type CountDto = { key: string, products: number, };

export type StatsDto = { products: number, in_stock: number, out_of_stock: number, stock_units: number, 
/**
 * Σ price × stock, in the catalog's currency.
 */
stock_value: MoneyDto, by_status: Array<CountDto>, 
/**
 * Top-level categories with everything below them; `—` for products without a category.
 */
by_category: Array<CountDto>, 
/**
 * The brands with most products.
 */
top_brands: Array<CountDto>, brands: number, categories: number, suppliers: number, };

export type FacetsDto = { categories: Array<CategoryDto>, brands: Array<string>, suppliers: Array<SupplierDto>, };

export type BulkChange = { "kind": "price_percent", percent: number, } | { "kind": "price_amount", amount: string, } | { "kind": "status", status: StatusDto, } | { "kind": "category", category: string, };

export type BulkEditRequest = { ids: Array<string>, change: BulkChange, };

export type BulkFailure = { sku: string, message: string, };

export type BulkReport = { changed: number, unchanged: number, failed: Array<BulkFailure>, };

export type JobStateDto = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type JobStage = "downloading" | "importing" | "downloading_images" | "repricing" | "analyzing" | "exporting" | "publishing" | "following_up" | "pushing" | "moderating" | "generating";

export type JobEndDto = "cancelled_on_request" | "cancelled_by_handler" | "cancelled_before_start";

export type JobErrorCode = "not_found" | "access_denied" | "server_error" | "unexpected_status" | "timeout" | "connection_failed" | "download_interrupted" | "bad_redirect" | "source_settings_invalid" | "secret_missing" | "secret_unreadable" | "too_large" | "file_empty" | "archive_damaged" | "archive_without_feed" | "archive_unsupported" | "file_missing" | "file_unreadable" | "cache_write_failed" | "no_feed" | "import_settings_invalid" | "not_a_feed" | "feed_empty" | "feed_layout_mismatch" | "feed_encoding" | "feed_unreadable" | "catalog_error" | "cancelled" | "percent_out_of_range" | "export_failed" | "nothing_to_export" | "cycle_step_failed" | "market_credentials_missing" | "market_unauthorized" | "market_forbidden" | "market_rate_limited" | "market_owned_elsewhere" | "market_rejected" | "market_unreachable" | "market_settings_invalid" | "ai_key_missing" | "ai_unauthorized" | "ai_unreachable" | "ai_rate_limited" | "ai_failed" | "ai_settings_invalid" | "handler_crashed" | "unknown_kind";

export type JobDto = { id: string, kind: string, state: JobStateDto, done: number, total: number | null, 
/**
 * Details for people, shown as sent next to the worded stage.
 */
message: string | null, stage: JobStage | null, attempts: number, max_attempts: number, created_at: number, started_at: number | null, finished_at: number | null, 
/**
 * Why it failed (the back end's sentence), or the English sentence of its `end`.
 */
error: string | null, 
/**
 * How a cancelled job ended; the UI words it instead of `error`.
 */
end: JobEndDto | null, 
/**
 * Why a failed job failed, when its handler named the reason; the UI words it and shows
 * `error` as the details.
 */
error_code: JobErrorCode | null, cancel_requested: boolean, };

export type JobLogDto = { seq: number, at: number, 
/**
 * `info`, `warn` or `error`.
 */
level: string, message: string, };

export type JobDetailDto = { job: JobDto, 
/**
 * The kind's payload, as queued.
 */
payload: unknown, 
/**
 * The summary a successful run reported (its shape is the kind's).
 */
result: unknown, 
/**
 * The causes beneath `job.error`, outermost first.
 */
error_chain: Array<string>, 
/**
 * Not before this time (UTC ms): a retry's back-off.
 */
run_after: number, concurrency_key: string | null, 
/**
 * The job that queued this one.
 */
parent: string | null, 
/**
 * The schedule that queued it.
 */
schedule: string | null, 
/**
 * The latest lines, oldest first.
 */
logs: Array<JobLogDto>, children: Array<JobDto>, };

export type CancelOutcomeDto = "cancelled" | "requested" | "already_finished";

export type JobCancelDto = { job: JobDto, outcome: CancelOutcomeDto, message: string, };

export type JobKindDto = { kind: string, description: string, 
/**
 * At most this many run at once.
 */
concurrency: number, max_attempts: number, };

export type CadenceDto = { "kind": "every", ms: number, } | { "kind": "cron", expression: string, };

export type ScheduleDto = { id: string, name: string, 
/**
 * The kind of job it queues.
 */
kind: string, payload: unknown, cadence: CadenceDto, 
/**
 * The cadence in English: `every 6h`, `30 2 * * * (at 02:30 every day)`.
 */
cadence_text: string, enabled: boolean, max_attempts: number, concurrency_key: string | null, created_at: number, last_run_at: number | null, next_run_at: number | null, 
/**
 * The job its last tick queued, and how that job stands.
 */
last_job: string | null, last_job_state: JobStateDto | null, };

export type WorkerEventDto = { "event": "queued", id: string, kind: string, } | { "event": "started", id: string, kind: string, attempt: number, } | { "event": "progress", id: string, kind: string, done: number, total: number | null, stage: JobStage | null, message: string | null, } | { "event": "log", id: string, line: JobLogDto, } | { "event": "retrying", id: string, kind: string, attempt: number, run_after: number, error: string, } | { "event": "requeued", id: string, kind: string, } | { "event": "finished", id: string, kind: string, state: JobStateDto, result: unknown, error: string | null, } | { "event": "schedule_tick", schedule: string, job: string, still_running: boolean, };

export type JobLogEntry = { job: string, line: JobLogDto, };

export type JobsPulse = { jobs: Array<JobDto>, logs: Array<JobLogEntry>, 
/**
 * Jobs that finished and changed the catalog: the table should reload.
 */
catalog_changed: boolean, };

export type JobRequest = { "kind": "reprice", percent: number, brand: string | null, } | { "kind": "analyze" };

export type Language = "ru" | "en";

export type SettingsDto = { language: Language, catalog_path: string, data_dir: string, log_dir: string, version: string, };

export type SecretStatus = { name: string, set: boolean, 
/**
 * Where it is kept (one store per process, so the same for every secret).
 */
store: SecretStoreDto, };

export type SecretStoreDto = { "kind": "os_keyring" } | { "kind": "kernel_keyring" } | { "kind": "credentials_file", path: string, } | { "kind": "memory" };

export type CatalogInfo = { path: string, products: number, };

export type StartupState = { "kind": "ready", catalog: CatalogInfo, } | { "kind": "failed", path: string, error: IpcError, };

export type UpdateStatus = { "kind": "up_to_date" } | { "kind": "available", version: string, notes: string | null, } | { "kind": "unavailable", reason: string, };

export type SupplierListItem = { id: string, name: string, offers: number, feeds: number, 
/**
 * The main feed's file or link (credentials hidden), when there is one.
 */
main_feed: string | null, last_run: RunDto | null, };

export type FeedAuthKind = "none" | "basic" | "header";

export type ReadSettingsDto = { 
/**
 * `yml`, `xml`, `csv`, `xlsx`, `xls`, `ods`, `json`.
 */
format: string | null, 
/**
 * `utf-8`, `windows-1251`…
 */
encoding: string | null, 
/**
 * One character: `;`, `,`, a tab.
 */
delimiter: string | null, 
/**
 * 1-based header line; 0 = the file has no header.
 */
header_line: number | null, sheet: string | null, 
/**
 * The XML element path or JSON array path of the records (set from the CLI; kept when
 * absent).
 */
record_path?: string, };

export type FeedDto = { 
/**
 * 0 is the main feed; the others add prices or stock joined by SKU.
 */
position: number, 
/**
 * The path, or the link with credentials hidden.
 */
location: string, is_url: boolean, auth: FeedAuthKind, 
/**
 * The Basic user name or the header name.
 */
auth_name: string, 
/**
 * Whether a password or token is stored in the OS keyring for this feed.
 */
secret_set: boolean, read: ReadSettingsDto, has_mapping: boolean, };

export type FeedInput = { position: number, location: string, auth: FeedAuthKind, auth_name: string, secret: string | null, read: ReadSettingsDto, };

export type NewSupplierRequest = { name: string, source: string | null, };

export type TargetDto = "sku" | "name" | "type_prefix" | "model_name" | "description" | "brand" | "model" | "category" | "category_id" | "price" | "cost" | "old_price" | "currency" | "stock" | "available" | "barcode" | "images" | "weight" | "dimensions" | "length" | "width" | "height" | "variant_group" | "pack_units" | "attribute" | "ignore";

export type TargetInfo = { target: TargetDto, label: string, 
/**
 * Barcodes, images and characteristics collect every column mapped to them.
 */
multi: boolean, };

export type FieldMappingDto = { source: string, target: TargetDto, unit: string | null, 
/**
 * A characteristic's name, when not the header's.
 */
name: string | null, };

export type MappingDto = { fields: Array<FieldMappingDto>, 
/**
 * The currency of prices when a row names none.
 */
currency: string | null, 
/**
 * Columns the mapping does not mention become characteristics.
 */
unmapped_as_attributes: boolean, 
/**
 * YML `<param>`s become characteristics.
 */
params_as_attributes: boolean, };

export type PreviewItemDto = { line: number, sku: string, name: string, brand: string, category: string, cost: MoneyDto | null, 
/**
 * After the price rules.
 */
price: MoneyDto | null, stock: number, barcodes: Array<string>, attributes: number, images: number, 
/**
 * Why the row would be rejected.
 */
problem: RowNoteDto | null, warnings: Array<RowNoteDto>, };

export type RowNoteDto = { code: string, field: string, value: string, reason: string, };

export type PreviewDto = { 
/**
 * `CSV`, `YML`, `XLSX`…
 */
format: string, encoding: string | null, delimiter: string | null, sheet: string | null, sheets: Array<string>, columns: Array<string>, 
/**
 * Raw values of the first rows, by column.
 */
rows: Array<Array<string>>, mapping: MappingDto, 
/**
 * False when the mapping is a suggestion from the headers, not yet saved.
 */
mapping_is_saved: boolean, 
/**
 * Why the mapping cannot be used as it is (no SKU column…).
 */
mapping_problems: Array<string>, items: Array<PreviewItemDto>, notices: Array<string>, 
/**
 * A read error after the rows shown.
 */
error: string | null, };

export type PreviewRequest = { position: number, file: string | null, 
/**
 * With this mapping instead of the saved one (a live preview of unsaved changes).
 */
mapping: MappingDto | null, rows: number, };

export type RoundingDto = "none" | "to1" | "to10" | "to100" | "end_in9" | "end_in90" | "end_in99";

export type GoneDto = "keep" | "zero" | "archive";

export type RateDto = { currency: string, 
/**
 * Decimal text: `92,50`.
 */
rate: string, };

export type SupplierSettingsDto = { 
/**
 * Percent over cost, as typed (`30`, `12,5`); empty for none.
 */
markup_percent: string, rounding: RoundingDto, 
/**
 * The least margin over cost, percent; empty for none.
 */
min_margin_percent: string, gone: GoneDto, create_categories: boolean, rates: Array<RateDto>, 
/**
 * Cron (`0 6 * * *`): import on a schedule; empty for by hand only.
 */
schedule: string, 
/**
 * Rules for brands or categories (set from the CLI) that this form does not show.
 */
other_rules: number, 
/**
 * The general rule has a markup this form cannot show (fixed or by cost range).
 */
custom_markup: boolean, };

export type RunStateDto = "running" | "succeeded" | "failed" | "cancelled";

export type RunDto = { id: string, supplier_id: string, supplier_name: string, job_id: string | null, state: RunStateDto, source: string, started_at: number, finished_at: number | null, rows_read: number, created: number, updated: number, unchanged: number, 
/**
 * Offers no longer in the feed.
 */
gone: number, rejected: number, warnings: number, total_ms: number | null, notices: Array<string>, error: string | null, };

export type SupplierDetail = { id: string, name: string, offers: number, 
/**
 * Lower wins when several suppliers sell a product and the policy is by priority.
 * (Optional in TypeScript only so that objects written before it still type-check.)
 */
priority?: number, 
/**
 * How a product sold by several suppliers gets its cost and stock: `cheapest_in_stock`,
 * `priority` or `sum_of_stock`.
 */
policy?: string, feeds: Array<FeedDto>, 
/**
 * The main feed's saved mapping, if any.
 */
mapping: MappingDto | null, settings: SupplierSettingsDto, 
/**
 * The whole settings document (price rules of every scope, brand aliases, rates…) as
 * `vitrina suppliers set --settings-json` takes it back.
 */
settings_document?: unknown, 
/**
 * The latest runs, newest first.
 */
runs: Array<RunDto>, };

export type IssueKindDto = "rejected" | "warning";

export type IssueDto = { kind: IssueKindDto, line: number | null, record_id: string | null, field: string, value: string, reason: string, 
/**
 * The kind of problem, e.g. `price_negative`: the UI words it as `issue.<code>`.
 */
code: string, };

export type ImportReportDto = { run: RunDto, issues: Array<IssueDto>, 
/**
 * More issues than shown: export the CSV for all of them.
 */
capped: boolean, };

export type CategoryMappingDto = { 
/**
 * As the feed names it: `Электроника / Смартфоны`.
 */
supplier_category: string, 
/**
 * The seller's category path; `null`: products get no category.
 */
category: string | null, };

export type ImageFailureDto = { url: string, reason: string, 
/**
 * Failures in a row.
 */
attempts: number, last_try_at: number, 
/**
 * When it is tried again; `null`: given up.
 */
retry_at: number | null, };

export type ImageStatusDto = { 
/**
 * The cache folder.
 */
dir: string, 
/**
 * Distinct image links of products…
 */
urls: number, 
/**
 * … whose picture is in the cache,
 */
cached: number, 
/**
 * … never tried yet,
 */
pending: number, 
/**
 * … whose last download failed,
 */
failed: number, 
/**
 * … of those, due for a retry now.
 */
retry_due: number, 
/**
 * What a download would try now (pending and due for a retry).
 */
to_download: number, 
/**
 * Files in the cache (a picture under several links counts once) and their size.
 */
files: number, bytes: number, failures: Array<ImageFailureDto>, };

export type ImageDownloadDto = { 
/**
 * Links whose picture is now in the cache.
 */
downloaded: number, 
/**
 * Links that failed (recorded, tried again later).
 */
failed: number, 
/**
 * Bytes received.
 */
bytes: number, 
/**
 * Still to download after this run.
 */
remaining: number, 
/**
 * Files in the cache now.
 */
files: number, };

export type FeedProfileDto = { 
/**
 * Empty for a new profile.
 */
id: string, name: string, 
/**
 * `yml`, `avito`, `google`, `csv`, `xlsx` or `pdf`.
 */
format: string, enabled: boolean, 
/**
 * The file written; `.gz` is added when `gzip` is on.
 */
output_path: string, gzip: boolean, selection: FeedSelectionDto, prices: FeedPricesDto, 
/**
 * `{brand} {name} {param:Цвет}`; empty keeps the product's name.
 */
name_template: string, 
/**
 * `catalog_or_characteristics`, `catalog`, `characteristics` or `none`.
 */
description_source: string, 
/**
 * `https://shop.example/p/{sku}`; empty writes no link.
 */
url_template: string, target: DeliveryTargetDto | null, shop: FeedShopDto, yml: YmlSettingsDto, avito: AvitoSettingsDto, google: GoogleSettingsDto, 
/**
 * Price list columns in order (codes: `sku`, `name`, `brand`, `price`, …); empty is the
 * default set.
 */
columns: Array<string>, 
/**
 * `ru` or `en`: the labels of price lists and documents.
 */
lang: string, 
/**
 * A cron expression (`0 6 * * *`) that exports this profile on its own; none for no schedule.
 */
schedule: string | null, 
/**
 * Read only: the file this profile writes (with `.gz` when compressed).
 */
file: string, 
/**
 * Read only: the latest run.
 */
last_result: ExportResultDto | null, 
/**
 * Read only: where marketplaces fetch the feed, once it has been uploaded (or from the
 * target's public address).
 */
public_url: string | null, };

export type FeedSelectionDto = { categories: Array<string>, brands: Array<string>, suppliers: Array<string>, statuses: Array<string>, in_stock_only: boolean, price_min: number | null, price_max: number | null, 
/**
 * Exactly these products (ids or SKUs): the rows selected in the catalog's table.
 */
products: Array<string>, };

export type FeedPricesDto = { 
/**
 * Markup in basis points: 1 000 = +10 %, −500 = −5 %.
 */
markup_bp: number, 
/**
 * `none`, `whole`, `tens`, `hundreds`, `ends_in9`, `ends_in99`.
 */
rounding: string, 
/**
 * `keep`, `drop` or `above`.
 */
old_price: string, 
/**
 * With `above`: the old price is the price plus this many basis points.
 */
old_price_above_bp: number, };

export type DeliveryTargetDto = { 
/**
 * `folder`, `s3` or `ftp`.
 */
kind: string, 
/**
 * folder
 */
path: string, 
/**
 * s3: `https://storage.yandexcloud.net`
 */
endpoint: string, region: string, bucket: string, 
/**
 * s3: a key prefix such as `feeds/`.
 */
prefix: string, path_style: boolean, public_read: boolean, 
/**
 * ftp
 */
host: string, port: number, secure: boolean, user: string, dir: string, 
/**
 * The address the uploaded file is reachable at, when it differs from the storage's own
 * (a CDN, a web server serving the FTP folder).
 */
public_url_base: string, 
/**
 * Read only: whether the keys or password are saved in the OS keyring.
 */
secret_set: boolean, };

export type FeedShopDto = { name: string, company: string, url: string, email: string, currency: string, };

export type YmlSettingsDto = { windows_1251: boolean, vendor_model: boolean, delivery: Array<DeliveryOptionDto>, };

export type DeliveryOptionDto = { 
/**
 * Minor units; 0 is free.
 */
cost: number, days: string, order_before: number | null, };

export type AvitoSettingsDto = { address: string, contact_phone: string, manager_name: string, category: string, goods_type: string, condition: string, ad_type: string, };

export type GoogleSettingsDto = { condition: string, google_product_category: string, };

export type DeliverySecretInput = { access_key_id: string, secret_access_key: string, password: string, };

export type ExportResultDto = { profile: string, format: string, ok: boolean, 
/**
 * Why it failed: `output_unwritable`, `target_unreachable`, `target_sign_in`,
 * `target_denied`, `target_not_found`, `write_failed`, `catalog`, `cancelled`, …
 */
error_code: string | null, error: string | null, matched: number, written: number, skipped: number, 
/**
 * Skipped products by reason code (`no_price`, `no_picture`, `title_too_long`,
 * `missing_field`, `bad_id`).
 */
skipped_by_reason: Array<SkipCountDto>, 
/**
 * The first skipped products.
 */
skipped_items: Array<SkippedItemDto>, cleaned_chars: number, replaced_chars: number, file: string, bytes: number, millis: number, 
/**
 * Where the file was uploaded (`s3://…`, `ftp://…`, a folder).
 */
uploaded_to: string | null, public_url: string | null, 
/**
 * The selection kept nothing: a valid empty file was written (and not uploaded).
 */
empty: boolean, 
/**
 * UTC milliseconds.
 */
finished_at: number, };

export type SkipCountDto = { code: string, count: number, };

export type SkippedItemDto = { sku: string, code: string, reason: string, };

export type ExportRunDto = { results: Array<ExportResultDto>, millis: number, };

export type FeedPreviewDto = { matched: number, 
/**
 * The beginning of the file as text (XML or CSV; a PDF or workbook is previewed as CSV).
 */
text: string, skipped_items: Array<SkippedItemDto>, };

export type DocumentDto = { file: string, bytes: number, products: number, skipped: number, };

export type CycleScheduleDto = { 
/**
 * The schedule's name in the job queue.
 */
name: string, 
/**
 * The cron expression; none when the cycle is not scheduled.
 */
cron: string | null, };

export type MarketAccountDto = { id: string, name: string, 
/**
 * `wb`, `ozon` or `ym`.
 */
market: string, 
/**
 * Wildberries, Ozon, Yandex Market.
 */
market_title: string, 
/**
 * Replaces every API host of the marketplace (a sandbox, a test server); none for production.
 */
base_url: string | null, 
/**
 * Yandex Market: the cabinet and the shop.
 */
business_id: number | null, campaign_id: number | null, 
/**
 * Prices and stocks go out after edits and imports.
 */
auto_push: boolean, 
/**
 * The seller's warehouse name → the marketplace's warehouse id (stocks go there).
 */
warehouses: Array<[string, string]>, 
/**
 * A demo account on a demo marketplace running on this computer.
 */
demo: boolean, 
/**
 * Whether credentials are stored (in the OS keyring) for this account.
 */
secret_set: boolean, last_check: ConnectionCheckDto | null, 
/**
 * UTC milliseconds.
 */
created_at: number, };

export type NewMarketAccountDto = { name: string, 
/**
 * `wb`, `ozon` or `ym`.
 */
market: string, base_url: string | null, business_id: number | null, campaign_id: number | null, 
/**
 * Wildberries: the API token; Ozon: the Api-Key; Yandex Market: the Api-Key.
 */
token: string, 
/**
 * Ozon: the Client-Id.
 */
client_id: string, };

export type MarketRunDto = { account_id: string, account: string, market: string, read: number, queued: number, unchanged: number, precheck_failed: number, 
/**
 * Left out of a price or stock push: the card is not on the marketplace yet.
 */
not_published: number, requests: number, follow_ups: number, done: number, rejected: number, retried: number, 
/**
 * Accepted; the marketplace's verdict is still to come.
 */
awaiting: number, 
/**
 * When the outbox next has something due (held by a frequency limit, or a verdict to ask
 * for), UTC ms; a run is queued for then.
 */
next_due: number | null, };

export type DictRefreshDto = { account: string, categories: number, leaves: number, 
/**
 * Categories whose attributes are cached.
 */
loaded: number, 
/**
 * Categories whose attributes this refresh fetched.
 */
refreshed: number, 
/**
 * UTC ms.
 */
fetched_at: number | null, };

export type MpCategoryDto = { ext_id: string, parent_id: string | null, name: string, path: string, leaf: boolean, };

export type SuggestionDto = { ext_id: string, path: string, score: number, 
/**
 * Good enough to accept without asking.
 */
confident: boolean, };

export type CategoryMapDto = { category_id: string, path: string, products: number, ext_id: string | null, ext_path: string | null, suggestion: SuggestionDto | null, };

export type AutoMapDto = { account: string, categories_mapped: number, 
/**
 * Mapped before; left as they were.
 */
categories_kept: number, 
/**
 * No confident suggestion: the seller chooses.
 */
categories_unmapped: Array<string>, attributes_mapped: number, 
/**
 * Required attributes with no confident suggestion.
 */
required_unmapped: number, };

export type AttrMapDto = { attr_id: string, name: string, 
/**
 * `text`, `number`, `enum`, `bool`.
 */
kind: string, required: boolean, multi: boolean, unit: string | null, dictionary_size: number, 
/**
 * Only the dictionary's values are accepted.
 */
closed: boolean, 
/**
 * `field:brand`, `attr:Цвет`, `const:Россия`; none when not mapped.
 */
source: string | null, unit_factor: number | null, suggestion: string | null, suggestion_confident: boolean, 
/**
 * The first values of its dictionary.
 */
sample_values: Array<string>, };

export type MpValueDto = { value_id: string, value: string, };

export type SellerValueDto = { 
/**
 * As the products write it.
 */
text: string, 
/**
 * How many products of the mapped categories say it.
 */
products: number, 
/**
 * `mapped` (the seller chose), `found` (the dictionary has it), `as_is` (sent as it is:
 * a free-text attribute or an open dictionary), `refused` (the card check stops it).
 */
state: string, 
/**
 * The dictionary value it becomes (`mapped`, `found`).
 */
value: MpValueDto | null, 
/**
 * `refused`: the problem's code and its detail.
 */
problem: ProblemDto | null, 
/**
 * The dictionary value it most likely means (not for `mapped` and `found`).
 */
suggestion: MpValueDto | null, suggestion_confident: boolean, };

export type AttrValuesDto = { attr: AttrMapDto, 
/**
 * The rule in use (`attr:Цвет`), the seller's or the confident suggestion; none when the
 * attribute is not filled.
 */
source: string | null, 
/**
 * Products of the seller's categories mapped to this one.
 */
products: number, values: Array<SellerValueDto>, };

export type MarketLinkDto = { product_id: string, sku: string, name: string, 
/**
 * `queued`, `sent`, `processing`, `live`, `rejected`, `precheck_failed`.
 */
status: string, 
/**
 * WB nmID, Ozon product_id, YM marketSku.
 */
ext_id: string | null, 
/**
 * WB imtID, Ozon model_id, YM groupId.
 */
ext_group: string | null, 
/**
 * Ozon sku.
 */
ext_sku: string | null, 
/**
 * The marketplace's own status words.
 */
ext_status: string | null, 
/**
 * Vitrina's own check.
 */
problems: Array<ProblemDto>, 
/**
 * The marketplace's words, verbatim.
 */
errors: Array<MarketErrorDto>, updated_at: number, };

export type MarketErrorDto = { code: string | null, field: string | null, attr_name: string | null, message: string, };

export type MarketLinkCountDto = { status: string, count: number, };

export type MarketLinksDto = { account: string, market: string, 
/**
 * Every status of the account, whatever the filter.
 */
counts: Array<MarketLinkCountDto>, items: Array<MarketLinkDto>, };

export type ProductMarketDto = { account_id: string, account: string, market: string, 
/**
 * None: never published to this account.
 */
link: MarketLinkDto | null, };

export type OutboxCountDto = { 
/**
 * `card`, `price`, `stock`.
 */
op: string, 
/**
 * `pending`, `sending`, `awaiting`, `done`, `failed`.
 */
state: string, count: number, };

export type OutboxRowDto = { seq: number, sku: string, op: string, warehouse: string, state: string, attempts: number, error: string | null, created_at: number, sent_at: number | null, };

export type OutboxDto = { account: string, counts: Array<OutboxCountDto>, rows: Array<OutboxRowDto>, };

export type PullCardsDto = { account: string, cards: number, linked_by_sku: number, linked_by_barcode: number, 
/**
 * New draft products made from cards no product matched.
 */
imported: number, unmatched_count: number, 
/**
 * `SKU — name` of the first unmatched cards.
 */
unmatched: Array<string>, 
/**
 * Cards that could not become products, with the reason.
 */
failed: Array<string>, 
/**
 * Cards to import that wait for the supplier import holding the catalog: a job makes them
 * products and links them as soon as it ends.
 */
held: number, };

export type FakeServerDto = { market: string, url: string, 
/**
 * What the fake accepts; it opens only this computer's fake.
 */
token: string, add: string, };

export type ConnectionCheckDto = { 
/**
 * Every group answered.
 */
ok: boolean, 
/**
 * UTC milliseconds.
 */
checked_at: number, groups: Array<GroupCheckDto>, 
/**
 * Ozon roles, Yandex Market scopes.
 */
scopes: Array<string>, 
/**
 * Yandex Market: the shops the key sees.
 */
campaigns: Array<CampaignDto>, 
/**
 * Wildberries: the seller's warehouses.
 */
warehouses: Array<WarehouseDto>, };

export type GroupCheckDto = { 
/**
 * Wildberries `content`, `prices`, `marketplace`; Ozon `seller_api` or a method; Yandex
 * Market `auth`, `campaign`…
 */
group: string, 
/**
 * `ok`, `bad_token`, `expired_token`, `wrong_token_category`, `no_access`, `missing_scope`,
 * `ip_restricted`, `payment_required`, `wrong_campaign`, `rate_limited`, `unreachable`,
 * `server_error` or `credentials_missing`.
 */
outcome: string, status: number | null, 
/**
 * The marketplace's own words.
 */
message: string, };

export type CampaignDto = { id: number, business_id: number | null, business_name: string, domain: string, placement_type: string | null, api_availability: string | null, };

export type WarehouseDto = { id: string, name: string, };

export type PrecheckDto = { 
/**
 * `wb`, `ozon` or `ym`.
 */
market: string, checked: number, with_problems: number, 
/**
 * How many products have each problem, most frequent first.
 */
counts: Array<ProblemCountDto>, 
/**
 * The products with problems, the first [`crate::market::PRECHECK_LIST_MAX`] of them.
 */
products: Array<ProductProblemsDto>, };

export type ProblemCountDto = { code: string, count: number, };

export type ProductProblemsDto = { sku: string, name: string, problems: Array<ProblemDto>, };

export type ProblemDto = { code: string, field: string, detail: string, };

export type AiProviderDto = { id: string, name: string, 
/**
 * `openai` (OpenAI and compatible servers: Ollama, LM Studio, llama.cpp) or `gemini`.
 */
kind: string, base_url: string, model: string, 
/**
 * A server on this computer (needs no key).
 */
local: boolean, 
/**
 * Whether a key is stored for it.
 */
key_set: boolean, concurrency: number, 
/**
 * Requests per minute; 0 = no limit.
 */
rpm: number, timeout_secs: number, max_attempts: number, 
/**
 * `schema`, `object` or `prompt`.
 */
json_mode: string, 
/**
 * The model's price, if set.
 */
price: AiPriceDto | null, last_check: AiCheckDto | null, created_at: number, };

export type FakeLlmDto = { url: string, openai_url: string, gemini_url: string, model: string, 
/**
 * The command that adds a provider on it.
 */
add: string, };

export type NewAiProviderDto = { name: string, 
/**
 * `openai` or `gemini`.
 */
kind: string, 
/**
 * Up to the API version: `https://api.openai.com/v1`, `http://localhost:11434/v1`.
 */
base_url: string | null, model: string, 
/**
 * The API key (never stored outside the store of secrets); empty for a local server.
 */
key: string, concurrency: number | null, rpm: number | null, timeout_secs: number | null, max_attempts: number | null, 
/**
 * `schema`, `object` or `prompt`.
 */
json_mode: string | null, 
/**
 * The price of a million input tokens, as typed (`15,00`), in `currency`.
 */
price_input: string | null, 
/**
 * The price of a million output tokens.
 */
price_output: string | null, 
/**
 * `USD`, `RUB`…
 */
currency: string | null, };

export type AiPriceDto = { model: string, input: MoneyDto, output: MoneyDto, };

export type AiCheckDto = { ok: boolean, 
/**
 * `ok`, `key_missing`, `unauthorized`, `forbidden`, `model_not_found`, `unreachable`,
 * `timeout`, `rate_limited`, `server_error`, `rejected`.
 */
outcome: string, 
/**
 * The provider's own words, for details.
 */
detail: string, checked_at: number, millis: number, };

export type RuleIssueDto = { 
/**
 * `name_empty`, `name_too_long`, `description_too_short`, `forbidden_word`,
 * `missing_attribute`, `shouting`, `repeated_word`, `contact_in_text`, `link_in_text`…
 */
code: string, 
/**
 * `name`, `description`, `images`, `attributes`.
 */
field: string, 
/**
 * `error`, `warning` or `info`.
 */
severity: string, detail: string, };

export type ProductRuleIssuesDto = { sku: string, name: string, issues: Array<RuleIssueDto>, };

export type RuleCountDto = { code: string, count: number, };

export type RuleCheckDto = { 
/**
 * `any`, `wb`, `ozon`, `ym`.
 */
target: string, checked: number, with_issues: number, 
/**
 * Whether required characteristics came from a marketplace account's cached attributes.
 */
required_from_account: string | null, 
/**
 * Products per code, most first.
 */
counts: Array<RuleCountDto>, 
/**
 * Products with issues (the first 500).
 */
products: Array<ProductRuleIssuesDto>, millis: number, };

export type AiIssueDto = { field: string, severity: string, message: string, };

export type AiItemDto = { sku: string, 
/**
 * `ok`, `issues` or `failed`.
 */
state: string, 
/**
 * Answered from the cache (nothing was sent).
 */
cached: boolean, issues: Array<AiIssueDto>, 
/**
 * Why it failed, as a code: `key_missing`, `unauthorized`, `unreachable`, `timeout`,
 * `rate_limited`, `server_error`, `malformed`, `too_large`, `rejected`…
 */
error_code: string | null, 
/**
 * The back end's sentence, for details.
 */
error: string | null, 
/**
 * The model's own answer when it could not be read.
 */
raw: string | null, };

export type AiRunDto = { id: string, 
/**
 * `moderate` or `generate`.
 */
task: string, provider: string, model: string, target: string, products: number, 
/**
 * Requests sent (a malformed answer is asked again: two).
 */
requests: number, 
/**
 * Products answered from the cache.
 */
cached: number, failed: number, 
/**
 * New suggestions to review.
 */
suggestions: number, input_tokens: number, output_tokens: number, 
/**
 * Estimated from the model's price; none when no price is set.
 */
cost: MoneyDto | null, started_at: number, finished_at: number | null, 
/**
 * The products that failed (the first 200).
 */
failures: Array<AiItemDto>, 
/**
 * The products with issues (the first 200).
 */
flagged: Array<AiItemDto>, };

export type AiRunRequest = { 
/**
 * `moderate` or `generate`.
 */
task: string, 
/**
 * A provider's name or id; the only one when empty.
 */
provider: string, 
/**
 * `any`, `wb`, `ozon`, `ym`.
 */
target: string, 
/**
 * These products (a selection in the table, the product open in the editor).
 */
skus: Array<string>, 
/**
 * A category's path or id: every product in it and below.
 */
category: string | null, 
/**
 * A marketplace account's name: the products in its error inbox.
 */
inbox: string | null, 
/**
 * Generation: the language and tone, as words (`русский`, `дружелюбный`).
 */
language: string | null, tone: string | null, 
/**
 * Generation: propose a title too.
 */
with_name: boolean, 
/**
 * Requests at once (the provider's setting when none).
 */
concurrency: number | null, };

export type DiffPartDto = { 
/**
 * `same`, `added` or `removed`.
 */
op: string, text: string, };

export type AiSuggestionDto = { id: string, product_id: string, sku: string, 
/**
 * `name`, `description`, `brand`, `model`.
 */
field: string, old_value: string, new_value: string, 
/**
 * Word by word, old → new.
 */
diff: Array<DiffPartDto>, 
/**
 * `moderate` or `generate`.
 */
task: string, reason: string | null, model: string, 
/**
 * `pending`, `accepted`, `rejected`, `superseded`.
 */
status: string, created_at: number, decided_at: number | null, };

export type AiDecisionFailureDto = { id: string, sku: string, 
/**
 * `changed_since` (the field changed after the suggestion), `not_pending`, `not_found`,
 * `refused` (the catalog refused the value), `busy`.
 */
code: string, message: string, };

export type AiDecisionDto = { accepted: Array<string>, rejected: Array<string>, failed: Array<AiDecisionFailureDto>, };

export type AiPromptDto = { 
/**
 * `moderate` or `generate`.
 */
task: string, target: string, 
/**
 * 0: Vitrina's default.
 */
version: number, body: string, 
/**
 * The placeholders a template may use: `{{name}}`…
 */
placeholders: Array<string>, };
