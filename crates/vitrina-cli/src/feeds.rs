//! `vitrina feeds …` (feed profiles and their exports), `vitrina docs …` (price lists and spec
//! sheets for buyers) and `vitrina cycle …` (imports then exports, chained). Flags change
//! fields of the same profile DTO the window's editor sends (`FeedProfileDto`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use vitrina_app::App;
use vitrina_app::feeds::spec::{delivery_from_text, percent_to_bp, price_from_text, target_from_spec};
use vitrina_app::ipc::{
    DeliverySecretInput, DocumentDto, ExportResultDto, ExportRunDto, FeedProfileDto, FeedSelectionDto, JobDto,
};
use vitrina_app::jobs::Jobs;
use vitrina_app::secrets::Secrets;

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

#[derive(Debug, Subcommand)]
pub enum FeedsCmd {
    /// Every profile with its last export and public link.
    List,
    /// Add a profile: `vitrina feeds add Яндекс --format yml --out feeds/yandex.xml`.
    Add {
        name: String,
        #[command(flatten)]
        flags: Box<ProfileFlags>,
    },
    /// One profile's settings and last result.
    Show { profile: String },
    /// Change a profile's settings (only the flags given).
    Set {
        profile: String,
        /// A new name.
        #[arg(long)]
        rename: Option<String>,
        #[command(flatten)]
        flags: Box<ProfileFlags>,
    },
    /// Remove a profile (its schedule and saved keys too; written files stay).
    Remove { profile: String },
    /// Export profiles now (as a job, with a progress bar): `feeds export Яндекс Avito` or `--all`.
    Export {
        profiles: Vec<String>,
        /// Every enabled profile, in one pass over the catalog.
        #[arg(long)]
        all: bool,
        /// Queue the job and return at once.
        #[arg(long)]
        detach: bool,
    },
    /// The first offers a profile would write, and how many products its filters take.
    Preview {
        profile: String,
        #[arg(long, default_value_t = 3)]
        limit: usize,
    },
}

/// Settings of a profile; on `set`, only the flags given change.
#[derive(Debug, Args)]
pub struct ProfileFlags {
    /// yml (Yandex Market, Ozon, VK), avito, google, csv, xlsx or pdf.
    #[arg(long)]
    pub format: Option<String>,
    /// The file written.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only these categories (path or name, with everything below; repeatable).
    #[arg(long = "category")]
    pub categories: Vec<String>,
    /// Only these brands (repeatable).
    #[arg(long = "brand")]
    pub brands: Vec<String>,
    /// Only products these suppliers offer (repeatable).
    #[arg(long = "supplier")]
    pub suppliers: Vec<String>,
    /// Only these statuses: draft, active, archived (repeatable).
    #[arg(long = "status")]
    pub statuses: Vec<String>,
    /// Only products in stock.
    #[arg(long)]
    pub in_stock: bool,
    /// Products in and out of stock (undoes --in-stock).
    #[arg(long, conflicts_with = "in_stock")]
    pub any_stock: bool,
    /// Lowest price (`1 000`).
    #[arg(long)]
    pub price_min: Option<String>,
    /// Highest price.
    #[arg(long)]
    pub price_max: Option<String>,
    /// Forget every product filter before applying the ones given.
    #[arg(long)]
    pub all_products: bool,
    /// Markup in percent on the catalog price (`10`, `-5`).
    #[arg(long, allow_hyphen_values = true)]
    pub markup: Option<f64>,
    /// none, whole, tens, hundreds, ends_in9, ends_in99.
    #[arg(long)]
    pub rounding: Option<String>,
    /// keep (the catalog's old price), drop, or +PERCENT above the price (`+20`).
    #[arg(long)]
    pub old_price: Option<String>,
    /// Title template: `{brand} {name} {param:Цвет}`; empty keeps the product's name.
    #[arg(long)]
    pub name_template: Option<String>,
    /// catalog_or_characteristics, catalog, characteristics or none.
    #[arg(long)]
    pub description: Option<String>,
    /// Product page template: `https://shop.example/p/{sku}`.
    #[arg(long)]
    pub url_template: Option<String>,
    /// Compress the file with gzip (feeds only).
    #[arg(long)]
    pub gzip: bool,
    #[arg(long, conflicts_with = "gzip")]
    pub no_gzip: bool,
    #[arg(long)]
    pub enable: bool,
    #[arg(long, conflicts_with = "enable")]
    pub disable: bool,
    /// Export on a cron schedule (`0 6 * * *`, local time); "" removes it.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Upload after writing: s3://BUCKET/prefix, ftp://USER@HOST[:PORT]/dir, ftps://…, a
    /// folder, or "none". Keys and passwords come from VITRINA_UPLOAD_KEY_ID and
    /// VITRINA_UPLOAD_SECRET (S3) or VITRINA_UPLOAD_PASSWORD (FTP) and go to the OS keyring.
    #[arg(long)]
    pub upload: Option<String>,
    /// S3 endpoint (`https://storage.yandexcloud.net`).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// S3 region (`ru-central1`).
    #[arg(long)]
    pub region: Option<String>,
    /// S3 path-style addressing (MinIO, local servers).
    #[arg(long)]
    pub path_style: bool,
    /// The address the uploaded file is served at (a CDN, the web server of an FTP folder).
    #[arg(long)]
    pub public_url: Option<String>,
    #[arg(long)]
    pub shop_name: Option<String>,
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub shop_url: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// YML in windows-1251 instead of UTF-8.
    #[arg(long)]
    pub windows_1251: Option<bool>,
    /// YML vendor.model offers.
    #[arg(long)]
    pub vendor_model: Option<bool>,
    /// YML delivery option COST:DAYS[:HOUR] (repeatable, at most 5).
    #[arg(long)]
    pub delivery: Vec<String>,
    #[arg(long)]
    pub avito_address: Option<String>,
    #[arg(long)]
    pub avito_phone: Option<String>,
    #[arg(long)]
    pub avito_manager: Option<String>,
    #[arg(long)]
    pub avito_category: Option<String>,
    #[arg(long)]
    pub avito_goods_type: Option<String>,
    #[arg(long)]
    pub avito_condition: Option<String>,
    /// Google product category (id or path).
    #[arg(long)]
    pub google_category: Option<String>,
    /// Price list columns: sku,name,brand,model,category,price,old_price,stock,barcode,weight,…
    #[arg(long)]
    pub columns: Option<String>,
    /// Labels of price lists: ru or en.
    #[arg(long)]
    pub lang: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DocsCmd {
    /// A price list of the catalog (or of the products the filters keep).
    PriceList {
        /// pdf, xlsx or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "category")]
        categories: Vec<String>,
        #[arg(long = "brand")]
        brands: Vec<String>,
        #[arg(long = "supplier")]
        suppliers: Vec<String>,
        #[arg(long = "status")]
        statuses: Vec<String>,
        #[arg(long)]
        in_stock: bool,
        #[arg(long)]
        price_min: Option<String>,
        #[arg(long)]
        price_max: Option<String>,
        /// Only these products (SKUs or ids; repeatable).
        #[arg(long = "sku")]
        skus: Vec<String>,
        /// The title on the document.
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value = "ru")]
        lang: String,
    },
    /// A product's spec sheet (PDF): pictures from the image cache, characteristics, price, barcode.
    SpecSheet {
        sku: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "ru")]
        lang: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CycleCmd {
    /// Run the cycle now: every supplier's import, then export all feeds (chained jobs).
    Run {
        #[arg(long)]
        detach: bool,
    },
    /// Run the cycle on a cron schedule (`0 5 * * *`); "" removes it.
    Schedule { cron: String },
}

pub fn run_feeds(cmd: &FeedsCmd, db: &Path, cli: &Cli) -> Outcome {
    let app = App::open(db)?;
    let jobs = Jobs::open(db)?;
    let secrets = Secrets::new(Box::new(vitrina_app::secrets::KeyringStore::new()));
    match cmd {
        FeedsCmd::List => {
            let list = app.feed_profiles(Some(&secrets), Some(&jobs))?;
            if cli.json {
                return json(&list);
            }
            if list.is_empty() {
                print("No feed profiles yet: vitrina feeds add NAME --format yml --out FILE");
                return Ok(());
            }
            let mut t = table(&["Profile", "Format", "On", "File", "Last export", "Public link"]);
            for p in &list {
                t.add_row(vec![
                    p.name.clone(),
                    p.format.clone(),
                    if p.enabled { "yes" } else { "no" }.into(),
                    p.file.clone(),
                    p.last_result.as_ref().map(result_line).unwrap_or_else(|| "never".into()),
                    p.public_url.clone().unwrap_or_default(),
                ]);
            }
            print(t);
            Ok(())
        }
        FeedsCmd::Add { name, flags } => {
            let mut dto = FeedProfileDto { name: name.clone(), enabled: true, ..Default::default() };
            if flags.format.is_none() || flags.out.is_none() {
                return Err(vitrina_app::AppError::invalid("a new profile needs --format and --out"));
            }
            apply(&mut dto, flags)?;
            let saved = app.save_feed_profile(&dto, Some(&jobs))?;
            save_secret(&secrets, &saved, flags)?;
            show(&app.feed_profile(&saved.id, Some(&secrets), Some(&jobs))?, cli)
        }
        FeedsCmd::Show { profile } => show(&app.feed_profile(profile, Some(&secrets), Some(&jobs))?, cli),
        FeedsCmd::Set { profile, rename, flags } => {
            let mut dto = app.feed_profile(profile, Some(&secrets), Some(&jobs))?;
            if let Some(name) = rename {
                dto.name = name.clone();
            }
            apply(&mut dto, flags)?;
            let saved = app.save_feed_profile(&dto, Some(&jobs))?;
            save_secret(&secrets, &saved, flags)?;
            show(&app.feed_profile(&saved.id, Some(&secrets), Some(&jobs))?, cli)
        }
        FeedsCmd::Remove { profile } => {
            let removed = app.remove_feed_profile(profile, Some(&secrets), Some(&jobs))?;
            if cli.json {
                return json(&removed);
            }
            print(format!("Removed feed profile {}.", removed.name));
            Ok(())
        }
        FeedsCmd::Export { profiles, all, detach } => {
            let job = JobDto::from(&vitrina_app::feeds::job::queue_export(&app, &jobs, profiles, *all)?);
            if *detach {
                return crate::jobs::queued(&job, cli.json);
            }
            let done = crate::jobs::follow(&jobs, &job.id, cli.json)?;
            // The profiles' own results tell what each did, failed or not.
            let run = match done.result.as_ref() {
                Some(r) => serde_json::from_value::<ExportRunDto>(r.clone()).unwrap_or_default(),
                None => ExportRunDto {
                    results: app
                        .feed_profiles(None, None)?
                        .into_iter()
                        .filter(|p| *all || profiles.iter().any(|k| k == &p.name || k == &p.id))
                        .filter_map(|p| p.last_result)
                        .collect(),
                    millis: 0,
                },
            };
            if cli.json {
                json(&run)?;
            } else {
                print_run(&run);
            }
            crate::jobs::ended(&done)
        }
        FeedsCmd::Preview { profile, limit } => {
            let dto = app.feed_profile(profile, None, None)?;
            let preview = app.feed_preview(&dto, *limit)?;
            if cli.json {
                return json(&preview);
            }
            print(format!("{} products match the filters. The first {limit}:", preview.matched));
            print(preview.text);
            Ok(())
        }
    }
}

pub fn run_docs(cmd: &DocsCmd, db: &Path, cli: &Cli) -> Outcome {
    let app = App::open(db)?;
    let doc: DocumentDto = match cmd {
        DocsCmd::PriceList {
            format,
            out,
            categories,
            brands,
            suppliers,
            statuses,
            in_stock,
            price_min,
            price_max,
            skus,
            title,
            lang,
        } => {
            let selection = FeedSelectionDto {
                categories: categories.clone(),
                brands: brands.clone(),
                suppliers: suppliers.clone(),
                statuses: statuses.clone(),
                in_stock_only: *in_stock,
                price_min: price_min.as_deref().map(price_from_text).transpose()?,
                price_max: price_max.as_deref().map(price_from_text).transpose()?,
                products: skus.clone(),
            };
            app.write_price_list(format, &selection, out, lang, title.as_deref())?
        }
        DocsCmd::SpecSheet { sku, out, lang } => app.write_spec_sheet(sku, out, lang)?,
    };
    if cli.json {
        return json(&doc);
    }
    print(format!("Wrote {} ({} products, {} bytes).", doc.file, doc.products, doc.bytes));
    if doc.skipped > 0 {
        print(format!("{} products without a price were left out.", doc.skipped));
    }
    Ok(())
}

pub fn run_cycle(cmd: &CycleCmd, db: &Path, cli: &Cli) -> Outcome {
    let jobs = Jobs::open(db)?;
    match cmd {
        CycleCmd::Run { detach } => {
            let job = JobDto::from(&vitrina_app::feeds::cycle::queue_cycle(&jobs)?);
            if *detach {
                return crate::jobs::queued(&job, cli.json);
            }
            crate::jobs::wait(&jobs, &job.id, cli.json)
        }
        CycleCmd::Schedule { cron } => {
            let schedule = vitrina_app::feeds::cycle::schedule_cycle(&jobs, Some(cron.as_str()))?;
            if cli.json {
                return json(&schedule);
            }
            match schedule.cron {
                None => print("The catalog cycle is no longer scheduled."),
                Some(c) => print(format!("The catalog cycle runs on \"{c}\" (imports, then export all).")),
            }
            Ok(())
        }
    }
}

fn apply(dto: &mut FeedProfileDto, f: &ProfileFlags) -> Outcome {
    let set = |field: &mut String, value: &Option<String>| {
        if let Some(v) = value {
            *field = v.clone();
        }
    };
    set(&mut dto.format, &f.format);
    if let Some(out) = &f.out {
        dto.output_path = absolute(out).display().to_string();
    }
    let s = &mut dto.selection;
    if f.all_products {
        *s = FeedSelectionDto::default();
    }
    let extend = |list: &mut Vec<String>, more: &[String]| {
        for m in more {
            if !list.contains(m) {
                list.push(m.clone());
            }
        }
    };
    extend(&mut s.categories, &f.categories);
    extend(&mut s.brands, &f.brands);
    extend(&mut s.suppliers, &f.suppliers);
    extend(&mut s.statuses, &f.statuses);
    if f.in_stock {
        s.in_stock_only = true;
    }
    if f.any_stock {
        s.in_stock_only = false;
    }
    if let Some(p) = &f.price_min {
        s.price_min = Some(price_from_text(p)?);
    }
    if let Some(p) = &f.price_max {
        s.price_max = Some(price_from_text(p)?);
    }
    if let Some(m) = f.markup {
        dto.prices.markup_bp = percent_to_bp(m)?;
    }
    set(&mut dto.prices.rounding, &f.rounding);
    if let Some(rule) = f.old_price.as_deref().map(str::trim) {
        match rule.strip_prefix('+') {
            Some(pct) => {
                let pct: f64 = pct
                    .parse()
                    .map_err(|_| vitrina_app::AppError::invalid(format!("\"{rule}\" is not +PERCENT")))?;
                dto.prices.old_price = "above".into();
                dto.prices.old_price_above_bp = percent_to_bp(pct)?;
            }
            None => dto.prices.old_price = rule.into(),
        }
    }
    set(&mut dto.name_template, &f.name_template);
    set(&mut dto.description_source, &f.description);
    set(&mut dto.url_template, &f.url_template);
    if f.gzip {
        dto.gzip = true;
    }
    if f.no_gzip {
        dto.gzip = false;
    }
    if f.enable {
        dto.enabled = true;
    }
    if f.disable {
        dto.enabled = false;
    }
    if let Some(cron) = &f.schedule {
        dto.schedule = Some(cron.clone()).filter(|c| !c.trim().is_empty());
    }
    match f.upload.as_deref() {
        Some("none") => dto.target = None,
        Some(spec) => {
            let mut target = target_from_spec(spec)?;
            if target.kind == "folder" {
                target.path = absolute(Path::new(&target.path)).display().to_string();
            }
            dto.target = Some(target);
        }
        None => {}
    }
    if let Some(t) = dto.target.as_mut() {
        set(&mut t.endpoint, &f.endpoint);
        set(&mut t.region, &f.region);
        set(&mut t.public_url_base, &f.public_url);
        if f.path_style {
            t.path_style = true;
        }
    }
    set(&mut dto.shop.name, &f.shop_name);
    set(&mut dto.shop.company, &f.company);
    set(&mut dto.shop.url, &f.shop_url);
    set(&mut dto.shop.email, &f.email);
    if let Some(b) = f.windows_1251 {
        dto.yml.windows_1251 = b;
    }
    if let Some(b) = f.vendor_model {
        dto.yml.vendor_model = b;
    }
    if !f.delivery.is_empty() {
        dto.yml.delivery = f.delivery.iter().map(|d| delivery_from_text(d)).collect::<Result<_, _>>()?;
    }
    set(&mut dto.avito.address, &f.avito_address);
    set(&mut dto.avito.contact_phone, &f.avito_phone);
    set(&mut dto.avito.manager_name, &f.avito_manager);
    set(&mut dto.avito.category, &f.avito_category);
    set(&mut dto.avito.goods_type, &f.avito_goods_type);
    set(&mut dto.avito.condition, &f.avito_condition);
    set(&mut dto.google.google_product_category, &f.google_category);
    if let Some(cols) = &f.columns {
        dto.columns = cols.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    }
    set(&mut dto.lang, &f.lang);
    Ok(())
}

/// Keys or a password given in the environment go to the OS keyring with the profile.
fn save_secret(secrets: &Secrets, profile: &FeedProfileDto, f: &ProfileFlags) -> Outcome {
    if f.upload.is_none() {
        return Ok(());
    }
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let input = DeliverySecretInput {
        access_key_id: env("VITRINA_UPLOAD_KEY_ID"),
        secret_access_key: env("VITRINA_UPLOAD_SECRET"),
        password: env("VITRINA_UPLOAD_PASSWORD"),
    };
    if input == DeliverySecretInput::default() {
        return Ok(());
    }
    let id = profile.id.parse().map_err(|_| vitrina_app::AppError::invalid("bad profile id"))?;
    vitrina_app::feeds::set_target_secret(secrets, id, &input)
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
}

fn show(p: &FeedProfileDto, cli: &Cli) -> Outcome {
    if cli.json {
        return json(p);
    }
    let mut t = table(&["", ""]);
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            t.add_row(vec![k.to_string(), v]);
        }
    };
    row("profile", p.name.clone());
    row("format", p.format.clone());
    row("enabled", if p.enabled { "yes" } else { "no" }.into());
    row("file", p.file.clone());
    let s = &p.selection;
    row("categories", s.categories.join("; "));
    row("brands", s.brands.join("; "));
    row("suppliers", s.suppliers.join("; "));
    row("statuses", s.statuses.join(", "));
    row("in stock only", if s.in_stock_only { "yes".into() } else { String::new() });
    row(
        "markup",
        if p.prices.markup_bp != 0 {
            format!("{:+}%", p.prices.markup_bp as f64 / 100.0)
        } else {
            String::new()
        },
    );
    row("rounding", p.prices.rounding.clone());
    row("old price", p.prices.old_price.clone());
    row("name template", p.name_template.clone());
    row("description", p.description_source.clone());
    row("schedule", p.schedule.clone().unwrap_or_default());
    if let Some(target) = &p.target {
        let place = match target.kind.as_str() {
            "s3" => format!("s3://{}/{} at {}", target.bucket, target.prefix, target.endpoint),
            "ftp" => format!(
                "{}://{}@{}:{}/{}",
                if target.secure { "ftps" } else { "ftp" },
                target.user,
                target.host,
                target.port,
                target.dir
            ),
            _ => target.path.clone(),
        };
        row("upload to", place);
        row("keys saved", if target.secret_set { "yes" } else { "no" }.into());
    }
    row("public link", p.public_url.clone().unwrap_or_default());
    row("last export", p.last_result.as_ref().map(result_line).unwrap_or_default());
    print(t);
    Ok(())
}

fn result_line(r: &ExportResultDto) -> String {
    if !r.ok {
        return format!("failed: {}", r.error.as_deref().unwrap_or(""));
    }
    let mut line =
        format!("{} written, {} skipped, {} KB, {} ms", r.written, r.skipped, r.bytes / 1024, r.millis);
    if r.empty {
        line.push_str(" (no product matches)");
    }
    line
}

fn print_run(run: &ExportRunDto) {
    let mut t = table(&["Profile", "Written", "Skipped", "Size", "Time", "Uploaded to / error"]);
    for r in &run.results {
        t.add_row(vec![
            r.profile.clone(),
            r.written.to_string(),
            r.skipped.to_string(),
            format!("{} KB", r.bytes / 1024),
            format!("{} ms", r.millis),
            match (&r.error, &r.public_url, &r.uploaded_to) {
                (Some(e), _, _) => e.clone(),
                (None, Some(url), _) => url.clone(),
                (None, None, Some(place)) => place.clone(),
                _ => String::new(),
            },
        ]);
    }
    print(t);
    for r in run.results.iter().filter(|r| r.ok) {
        if r.empty {
            print(format!(
                "{}: no product matches the filters; an empty feed was written (and not uploaded).",
                r.profile
            ));
        }
        if r.skipped > 0 {
            let reasons: Vec<_> =
                r.skipped_by_reason.iter().map(|s| format!("{} {}", s.count, s.code)).collect();
            print(format!("{}: skipped {} ({})", r.profile, r.skipped, reasons.join(", ")));
            for s in r.skipped_items.iter().take(10) {
                print(format!("  {} — {}", s.sku, s.reason));
            }
        }
        if r.cleaned_chars > 0 || r.replaced_chars > 0 {
            print(format!(
                "{}: {} invalid characters removed, {} characters the encoding lacks replaced",
                r.profile, r.cleaned_chars, r.replaced_chars
            ));
        }
    }
}
