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
    pub command: Command,
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
    /// Benchmarks (not tests): `vitrina bench catalog --products 1000000`.
    #[command(subcommand)]
    Bench(BenchCmd),
}

#[derive(Debug, Subcommand)]
pub enum ProductsCmd {
    /// One page of products, filtered and sorted.
    List(ListArgs),
    /// The best matches for words (any word form, prefixes while typing).
    Search {
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
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
    /// Build a catalog of N products and time upsert, search, list pages and opening.
    Catalog {
        #[arg(long, default_value_t = 1_000_000)]
        products: u64,
        /// Where to build it (replaced if present).
        #[arg(long, default_value = "bench-data/catalog-bench.db")]
        out: PathBuf,
    },
}
