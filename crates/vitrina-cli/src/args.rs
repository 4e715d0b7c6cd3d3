//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "vitrina", version, about = "Vitrina: one local catalog for marketplace sellers")]
pub struct Cli {
    /// The catalog file (default: the per-user data folder the desktop app uses too).
    #[arg(long, global = true, env = "VITRINA_DB")]
    pub db: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: TopCommand,
}

/// The catalog's commands ([`Command`]) and the background jobs' commands side by side.
#[derive(Debug, Subcommand)]
pub enum TopCommand {
    #[command(flatten)]
    Catalog(Command),
    /// Background jobs: run one and wait, list, show, cancel, retry, logs.
    #[command(subcommand)]
    Jobs(JobsCmd),
    /// Schedules that queue jobs at intervals or cron times.
    #[command(subcommand)]
    Schedules(SchedulesCmd),
    /// Run queued jobs and schedules headless until interrupted (an always-on PC or a server).
    Worker(WorkerArgs),
    /// Suppliers: their feeds, field mapping and import settings.
    #[command(subcommand)]
    Suppliers(SuppliersCmd),
    /// Import a supplier's feeds now: `vitrina import SUPPLIER [FILE|URL]`; `vitrina import report SUPPLIER`.
    Import(ImportArgs),
    /// Product images in the local cache: `vitrina images fetch`, `vitrina images status`.
    #[command(subcommand)]
    Images(ImagesCmd),
    /// Feed profiles (YML, Avito, Google Merchant, price lists) and their exports.
    #[command(subcommand)]
    Feeds(crate::feeds::FeedsCmd),
    /// Documents for buyers: `docs price-list --format pdf|xlsx|csv --out FILE`, `docs spec-sheet SKU --out FILE`.
    #[command(subcommand)]
    Docs(crate::feeds::DocsCmd),
    /// The catalog cycle: every supplier's import, then export all feeds, as chained jobs.
    #[command(subcommand)]
    Cycle(crate::feeds::CycleCmd),
    /// Marketplaces (Wildberries, Ozon, Yandex Market): `mp accounts list|add|show|check|remove`.
    #[command(subcommand)]
    Mp(crate::mp::MpCmd),
    /// AI moderation and descriptions: `ai providers …`, `ai check`, `ai moderate`, `ai generate`, `ai review …`.
    #[command(subcommand)]
    Ai(crate::ai::AiCmd),
    /// Working as a team through a shared PostgreSQL: `team init|invite|join|status|sync|members|set-role|upgrade|leave`.
    #[command(subcommand)]
    Team(crate::team::TeamCmd),
}

#[derive(Debug, Subcommand)]
pub enum ImagesCmd {
    /// Download the products' images that are not in the cache yet (a job, with a progress bar).
    Fetch {
        /// Downloads at once (1–16).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
        parallel: u16,
        /// At most this many images in this run.
        #[arg(long)]
        limit: Option<u64>,
        /// Try the links that failed again now, given-up ones included.
        #[arg(long)]
        retry_failed: bool,
        /// Queue the job and return at once.
        #[arg(long)]
        detach: bool,
    },
    /// How many image links are cached, waiting or failed, with the latest failures.
    Status {
        /// Failures to list.
        #[arg(long, default_value_t = 10)]
        failures: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum SuppliersCmd {
    /// Add a supplier, optionally with its main feed (a file or a link).
    Add {
        name: String,
        /// The main feed: a file path or an http(s) link.
        #[arg(long)]
        source: Option<String>,
        /// Lower wins when several suppliers sell the same product and the policy is by priority.
        #[arg(long, default_value_t = 0)]
        priority: i32,
    },
    /// Every supplier with its offers and last import.
    List,
    /// A supplier's feeds, mapping, settings and recent imports.
    Show { supplier: String },
    /// Set a feed: `vitrina suppliers source SUPPLIER price.csv` (position 0 = main; 1, 2... add
    /// price or stock files joined by SKU).
    Source(SourceArgs),
    /// Show a feed's field mapping on its first rows, or change it: `vitrina suppliers map SUPPLIER "Артикул=sku" "Цена опт=cost"`.
    Map {
        supplier: String,
        #[arg(value_name = "COLUMN=FIELD")]
        pairs: Vec<String>,
        #[arg(long, default_value_t = 0)]
        position: u32,
        /// Preview this file instead of the saved feed.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Rows to preview.
        #[arg(long, default_value_t = 5)]
        rows: usize,
    },
    /// Import settings: markup, rounding, what happens to offers gone from the feed, rates, schedule.
    Set(SupplierSetArgs),
    /// The supplier's categories and yours they map to; change one with
    /// `vitrina suppliers categories SUPPLIER "Их / Путь=Мой / Путь"` (empty right side: none).
    Categories {
        supplier: String,
        #[arg(value_name = "SUPPLIER PATH=YOUR CATEGORY")]
        pairs: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    pub supplier: String,
    /// A file path or an http(s) link.
    pub location: String,
    #[arg(long, default_value_t = 0)]
    pub position: u32,
    /// Sign-in for a link: none, basic:USER or header:NAME (the password or token is read from
    /// VITRINA_SOURCE_SECRET and kept in the OS keyring).
    #[arg(long)]
    pub auth: Option<String>,
    /// yml, xml, csv, xlsx, xls, ods, json (detected when not given).
    #[arg(long)]
    pub format: Option<String>,
    /// utf-8, windows-1251... (detected when not given).
    #[arg(long)]
    pub encoding: Option<String>,
    #[arg(long)]
    pub delimiter: Option<char>,
    /// The header's line (0: the file has none).
    #[arg(long)]
    pub header_line: Option<u64>,
    #[arg(long)]
    pub sheet: Option<String>,
    /// XML element path or JSON array path of the records.
    #[arg(long)]
    pub record_path: Option<String>,
}

#[derive(Debug, Args)]
pub struct SupplierSetArgs {
    pub supplier: String,
    /// Markup on cost in percent for every product (replaces the price rules).
    #[arg(long)]
    pub markup: Option<String>,
    /// Rounding of prices: none, 1, 10, 100, 9, 90, 99.
    #[arg(long)]
    pub round: Option<String>,
    /// Minimum margin over cost, percent.
    #[arg(long)]
    pub min_margin: Option<String>,
    /// Offers gone from the feed: keep, zero (stock 0), archive.
    #[arg(long)]
    pub gone: Option<String>,
    /// Exchange rate into roubles: --rate USD=92.5 (repeatable).
    #[arg(long = "rate", value_name = "CUR=RATE")]
    pub rates: Vec<String>,
    /// Brand alias: --alias "LG Electronics=LG" (repeatable).
    #[arg(long = "alias", value_name = "ALIAS=BRAND")]
    pub aliases: Vec<String>,
    /// Import on a schedule (cron, e.g. "0 6 * * *"); "off" removes it.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Create supplier categories in your tree when they are not mapped (yes/no).
    #[arg(long)]
    pub create_categories: Option<bool>,
    #[arg(long)]
    pub priority: Option<i32>,
    /// When several suppliers sell a product: cheapest_in_stock (cost of the cheapest offer in
    /// stock, stock summed), priority (the highest-priority supplier in stock), sum_of_stock.
    #[arg(long)]
    pub policy: Option<String>,
    /// The whole settings document as JSON (`suppliers show --json` prints it as
    /// `settings_document`).
    #[arg(long, conflicts_with_all = ["markup", "round", "min_margin", "gone"])]
    pub settings_json: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: Option<ImportCmd>,
    /// The supplier (name or id).
    #[arg(required = true)]
    pub supplier: Option<String>,
    /// Read this file or link instead of the saved main feed.
    pub source: Option<String>,
    /// Queue the import and return at once.
    #[arg(long)]
    pub detach: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// What an import did, with every rejected row: the last run of SUPPLIER, or a run by id.
    Report {
        supplier_or_run: String,
        /// Also write the rejected rows and warnings to this CSV file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Rows to list.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Recent import runs.
    Runs {
        supplier: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty catalog (or check that an existing one opens).
    Init,
    /// Fill a catalog with realistic demo products.
    Demo {
        #[arg(long, default_value_t = 10_000)]
        products: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Overwrite a catalog that already has products.
        #[arg(long)]
        replace: bool,
    },
    /// Browse and edit products.
    #[command(subcommand)]
    Products(ProductsCmd),
    /// The category tree.
    #[command(subcommand)]
    Categories(CategoriesCmd),
    /// Counts by category, brand, status and stock.
    Stats,
    /// Rebuild the search index from the products (after an upgrade: lists with one letter
    /// typed read faster once every name's initials are indexed).
    Reindex,
    /// Benchmarks (not tests): `vitrina bench catalog --products 1000000`.
    #[command(subcommand)]
    Bench(BenchCmd),
}

#[derive(Debug, Subcommand)]
pub enum ProductsCmd {
    /// One page of products, filtered and sorted.
    List(ListArgs),
    /// The best matches for words (any word form, prefixes while typing). Words that match
    /// nothing are read as typed with the other keyboard layout, as names in the other alphabet
    /// or with one letter wrong, and the output says so.
    Search {
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Search exactly as typed.
        #[arg(long)]
        exact: bool,
    },
    /// Everything about one product (by SKU or id).
    Show { product: String },
    /// Change fields: `vitrina products set SKU price=1299,50 stock=12 status=active`.
    Set {
        product: String,
        #[arg(required = true, value_name = "FIELD=VALUE")]
        edits: Vec<String>,
    },
    /// The product's change history, newest first.
    History { product: String },
    /// Revert the product's last change.
    Undo { product: String },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Category path or name; includes everything below it.
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub brand: Option<String>,
    /// Supplier name or id.
    #[arg(long)]
    pub supplier: Option<String>,
    /// Lowest price, e.g. 1000 or "1 299,50".
    #[arg(long)]
    pub min_price: Option<String>,
    #[arg(long)]
    pub max_price: Option<String>,
    #[arg(long, conflicts_with = "out_of_stock")]
    pub in_stock: bool,
    #[arg(long)]
    pub out_of_stock: bool,
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Words that must appear.
    #[arg(long)]
    pub text: Option<String>,
    /// Take --text exactly as typed (no other keyboard layout, alphabet or spelling).
    #[arg(long)]
    pub exact: bool,
    #[arg(long, value_enum, default_value_t = SortArg::Name)]
    pub sort: SortArg,
    #[arg(long)]
    pub desc: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Continue after this cursor (printed under the previous page).
    #[arg(long)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Price,
    Stock,
    Updated,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Draft,
    Active,
    Archived,
}

#[derive(Debug, Subcommand)]
pub enum CategoriesCmd {
    /// The tree with product counts.
    Tree,
}

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Time 10,000 no-op jobs through the queue, and what progress reporting costs a job.
    Jobs {
        #[arg(long, default_value_t = 10_000)]
        jobs: u64,
        /// Runs with and without progress, for the medians.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Folder for the benchmark's catalog file.
        #[arg(long, default_value = "bench-data")]
        out: PathBuf,
    },
    /// Time parsing a supplier file, a first import of it into an empty catalog, and a
    /// re-import of the unchanged file (feeds from ../shared/tools/gen_feed.py).
    Import {
        file: PathBuf,
        /// Where to build the catalog (replaced if present).
        #[arg(long, default_value = "bench-data/import-bench.db")]
        out: PathBuf,
        /// Time only the re-import, against the catalog an earlier run left at --out.
        #[arg(long)]
        reuse: bool,
        /// Import with big SQLite caches (64 MB page cache and mmap window per connection)
        /// instead of the small ones imports use, to compare.
        #[arg(long)]
        big_cache: bool,
    },
    /// Time exports on a large catalog (`vitrina bench import` leaves one at
    /// bench-data/import-bench.db): YML of every product, XLSX of 100 000 rows, PDF of 10 000,
    /// five profiles one by one and together. Each case runs in a process of its own.
    Export {
        /// The catalog to export.
        #[arg(long, default_value = "bench-data/import-bench.db")]
        catalog: PathBuf,
        /// Where the files go.
        #[arg(long, default_value = "bench-data/export")]
        out: PathBuf,
        /// Run only this case (yml, xlsx, pdf, one:yml, one:yml-gz, one:avito, one:google, one:csv, all).
        #[arg(long)]
        case: Option<String>,
    },
    /// Publish a demo catalog to a marketplace fake with the real documented rate limits:
    /// requests, throttles, time against the minimum the limits allow, final states; with
    /// `--faults` also against a fake failing that share of requests; `--case autopush`: how
    /// long a price edit takes to reach the fake, idle and while an import holds the catalog.
    Publish {
        /// wb, ozon, ym or all.
        #[arg(long, default_value = "all")]
        market: String,
        #[arg(long, default_value_t = 10_000)]
        products: u64,
        /// Share of requests the second fake fails (429/420 or 503); 0: no second run.
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
        /// publish or autopush.
        #[arg(long, default_value = "publish")]
        case: String,
        /// Folder for the benchmark's catalogs (replaced).
        #[arg(long, default_value = "bench-data/publish")]
        out: PathBuf,
    },
    /// Team sync on a local PostgreSQL (a throwaway cluster unless --url): bootstrap of a new
    /// device, push and pull throughput, an edit from one device to another, local edits with
    /// sync off and on.
    Sync {
        #[arg(long, default_value_t = 1_000_000)]
        products: u64,
        /// Field changes pushed and pulled.
        #[arg(long, default_value_t = 100_000)]
        changes: u64,
        /// A server admin's postgres:// URL (with ?schema=…) to run on instead of a local cluster.
        #[arg(long)]
        url: Option<String>,
        /// Folder for the benchmark's catalogs (replaced).
        #[arg(long, default_value = "bench-data/sync")]
        out: PathBuf,
    },
    /// Build a catalog of N products and time upsert, search, list pages and opening.
    Catalog {
        #[arg(long, default_value_t = 1_000_000)]
        products: u64,
        /// Where to build it (replaced if present).
        #[arg(long, default_value = "bench-data/catalog-bench.db")]
        out: PathBuf,
        /// Measure the catalog already at --out instead of building a new one.
        #[arg(long)]
        reuse: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCmd {
    /// Queue a job and wait for it with a progress bar: `vitrina jobs run catalog.reprice percent=10`.
    Run {
        kind: String,
        /// Payload fields; values that read as JSON (numbers, true, "text") are taken as such.
        #[arg(value_name = "KEY=VALUE")]
        fields: Vec<String>,
        /// The whole payload as a JSON object (fields given as KEY=VALUE are added to it).
        #[arg(long)]
        payload: Option<String>,
        /// At most one running job per key (a supplier, a marketplace account).
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        attempts: Option<u32>,
        /// Queue it and return at once (a worker or the next command runs it).
        #[arg(long)]
        detach: bool,
    },
    /// Wait for a queued or running job with a progress bar (it runs here if no worker does).
    Wait { job: String },
    /// Jobs, newest first.
    List {
        #[arg(long)]
        kind: Option<String>,
        /// queued, running, succeeded, failed or cancelled.
        #[arg(long)]
        state: Option<String>,
        /// Created since: 2026-01-05, 2026-01-05T14:30 (UTC), or a span back from now (12h, 7d).
        #[arg(long)]
        since: Option<String>,
        /// Created before (same forms as --since).
        #[arg(long)]
        until: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One job: state, progress, attempts, result or error, recent log lines.
    Show { job: String },
    /// Cancel a queued job, or ask a running one to stop after its current batch.
    Cancel { job: String },
    /// Run a failed or cancelled job again (work done in finished batches is not repeated).
    Retry {
        job: String,
        #[arg(long)]
        detach: bool,
    },
    /// A job's stored log.
    Logs {
        job: String,
        /// Only the last N lines.
        #[arg(long)]
        tail: Option<u32>,
    },
    /// The kinds of job this Vitrina runs.
    Kinds,
}

#[derive(Debug, Subcommand)]
pub enum SchedulesCmd {
    /// Every schedule with its last and next run.
    List,
    /// Queue a job at an interval (`--every 15m`) or at cron times (`--cron "0 3 * * *"`, local time).
    Add {
        name: String,
        #[arg(long)]
        kind: String,
        #[arg(long, required_unless_present = "cron", conflicts_with = "cron")]
        every: Option<String>,
        #[arg(long)]
        cron: Option<String>,
        /// Payload fields, as for `vitrina jobs run`.
        #[arg(value_name = "KEY=VALUE")]
        fields: Vec<String>,
        #[arg(long)]
        payload: Option<String>,
        #[arg(long)]
        key: Option<String>,
        /// Add it switched off.
        #[arg(long)]
        disabled: bool,
    },
    /// Delete a schedule (the jobs it queued stay in the history).
    Remove { name: String },
    /// Switch a schedule on; it next fires at its first tick from now (missed ticks are skipped).
    Enable { name: String },
    /// Switch a schedule off without deleting it.
    Disable { name: String },
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Exit once nothing is queued or running (for a cron job or a test) instead of waiting.
    #[arg(long)]
    pub until_idle: bool,
    /// Run queued jobs only, not schedules.
    #[arg(long)]
    pub no_schedules: bool,
    /// Keep finished jobs and their logs this many days (0: forever).
    #[arg(long, default_value_t = 30)]
    pub keep_days: u32,
    /// Jobs running at once, over all kinds.
    #[arg(long, default_value_t = 8)]
    pub max_running: usize,
}
