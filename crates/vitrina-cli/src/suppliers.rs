//! Supplier and import commands: add suppliers and their feeds, map fields, set price rules,
//! run imports (as jobs, with a progress bar) and read their reports.

use std::path::Path;

use vitrina_app::imports::{FeedPreview, SupplierSummary, sync_schedule};
use vitrina_app::jobs::Jobs;
use vitrina_app::{App, AppError};
use vitrina_domain::money::format_minor;
use vitrina_import::pricing::{Markup, OldPrice, PriceRule, PriceRules, Rounding, Scope};
use vitrina_import::{ImportReport, ReadSettings};
use vitrina_store::imports::{GonePolicy, RunRecord};

use crate::args::{Cli, ImportCmd, SourceArgs, SupplierSetArgs, SuppliersCmd, TopCommand};
use crate::output::{json, print, table, utc};

type Outcome = Result<(), String>;

fn e(err: AppError) -> String {
    err.to_string()
}

pub fn run(command: &TopCommand, db: &Path, cli: &Cli) -> Outcome {
    let app = App::open(db).map_err(e)?;
    match command {
        TopCommand::Suppliers(cmd) => suppliers(&app, db, cmd, cli.json),
        TopCommand::Import(args) => match &args.command {
            Some(ImportCmd::Report { supplier_or_run, csv, limit }) => {
                report(&app, supplier_or_run, csv.as_deref(), *limit, cli.json)
            }
            Some(ImportCmd::Runs { supplier, limit }) => {
                let runs = app.import_runs(supplier.as_deref(), *limit).map_err(e)?;
                if cli.json {
                    return json(&runs);
                }
                print(runs_table(&runs));
                Ok(())
            }
            None => {
                let supplier = args.supplier.as_deref().unwrap_or_default();
                import(&app, db, supplier, args.source.as_deref(), args.detach, cli.json)
            }
        },
        _ => unreachable!("dispatched in main"),
    }
}

fn suppliers(app: &App, db: &Path, cmd: &SuppliersCmd, as_json: bool) -> Outcome {
    match cmd {
        SuppliersCmd::Add { name, source, priority } => {
            let input = vitrina_app::imports::NewSupplier {
                name: name.clone(),
                source: source.clone(),
                priority: *priority,
            };
            let s = app.add_supplier(&input).map_err(e)?;
            if as_json {
                return json(&s);
            }
            print(format!("Supplier \"{}\" added ({}).", s.name, s.id));
            if s.sources.is_empty() {
                print(format!("Next: vitrina suppliers source \"{}\" FILE-OR-LINK", s.name));
            } else {
                print(format!(
                    "Next: check the mapping with `vitrina suppliers map \"{}\"`, then `vitrina import \"{}\"`.",
                    s.name, s.name
                ));
            }
            Ok(())
        }
        SuppliersCmd::List => {
            let list = app.suppliers().map_err(e)?;
            if as_json {
                return json(&list);
            }
            if list.is_empty() {
                print("No suppliers yet: vitrina suppliers add NAME --source FILE-OR-LINK");
                return Ok(());
            }
            let mut t = table(&["Supplier", "Offers", "Feeds", "Last import", "Result"]);
            for s in &list {
                let (when, result) = match &s.last_run {
                    Some(r) => (utc(r.started_at as i64), run_result(r)),
                    None => ("never".into(), String::new()),
                };
                t.add_row(vec![
                    s.name.clone(),
                    s.offers.to_string(),
                    s.sources.len().to_string(),
                    when,
                    result,
                ]);
            }
            print(t);
            Ok(())
        }
        SuppliersCmd::Show { supplier } => {
            let s = app.supplier(supplier).map_err(e)?;
            let runs = app.import_runs(Some(supplier), 5).map_err(e)?;
            if as_json {
                return json(&serde_json::json!({ "supplier": s, "runs": runs }));
            }
            show(&s, &runs);
            Ok(())
        }
        SuppliersCmd::Source(args) => source(app, args, as_json),
        SuppliersCmd::Map { supplier, pairs, position, file, rows } => {
            if !pairs.is_empty() {
                app.map_fields(supplier, *position, pairs).map_err(e)?;
            }
            let file = file.as_ref().map(|f| f.to_string_lossy().into_owned());
            let preview = app.preview(supplier, *position, file.as_deref(), *rows).map_err(e)?;
            if as_json {
                return json(&preview);
            }
            print_preview(&preview, !pairs.is_empty());
            Ok(())
        }
        SuppliersCmd::Set(args) => set(app, db, args, as_json),
        SuppliersCmd::Categories { supplier, pairs } => {
            for pair in pairs {
                let (theirs, ours) = pair
                    .rsplit_once('=')
                    .ok_or_else(|| format!("\"{pair}\" is not SUPPLIER PATH=YOUR CATEGORY"))?;
                app.map_category(supplier, theirs, ours).map_err(e)?;
            }
            let list = app.category_mappings(supplier).map_err(e)?;
            if as_json {
                return json(&list);
            }
            if list.is_empty() {
                print("No categories yet: they appear after the first import.");
                return Ok(());
            }
            let mut t = table(&["Supplier's category", "Your category"]);
            for (theirs, ours) in list {
                t.add_row(vec![theirs, ours.unwrap_or_else(|| "—".into())]);
            }
            print(t);
            Ok(())
        }
    }
}

fn source(app: &App, args: &SourceArgs, as_json: bool) -> Outcome {
    let read = ReadSettings {
        format: args.format.clone(),
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
        header_line: args.header_line,
        sheet: args.sheet.clone(),
        record_path: args.record_path.clone(),
    };
    read.options()?;
    let s = app
        .set_source(&args.supplier, args.position, &args.location, args.auth.as_deref(), &read)
        .map_err(e)?;
    if let Some(auth) = args.auth.as_deref().filter(|a| !a.trim().eq_ignore_ascii_case("none")) {
        let secret = std::env::var("VITRINA_SOURCE_SECRET").map_err(|_| {
            format!("sign-in \"{auth}\" needs its password or token in the VITRINA_SOURCE_SECRET environment variable")
        })?;
        let store = vitrina_app::secrets::KeyringStore::new();
        vitrina_app::secrets::SecretStore::set(
            &store,
            &vitrina_app::imports::source_secret_name(s.id, args.position),
            &secret,
        )?;
    }
    if as_json {
        return json(&s);
    }
    print(format!("Feed {} of \"{}\" set: {}.", args.position + 1, s.name, args.location));
    Ok(())
}

fn set(app: &App, db: &Path, args: &SupplierSetArgs, as_json: bool) -> Outcome {
    let current = app.supplier(&args.supplier).map_err(e)?;
    let mut settings = match &args.settings_json {
        Some(text) => vitrina_import::SupplierSettings::from_json(text)
            .map_err(|err| format!("the settings JSON is not valid: {err}"))?,
        None => current.settings.clone(),
    };
    if args.markup.is_some() || args.round.is_some() || args.min_margin.is_some() {
        settings.price_rules =
            simple_rules(args.markup.as_deref(), args.round.as_deref(), args.min_margin.as_deref())?;
    }
    if let Some(gone) = &args.gone {
        settings.gone = match gone.trim().to_lowercase().as_str() {
            "keep" => GonePolicy::Keep,
            "zero" => GonePolicy::Zero,
            "archive" => GonePolicy::Archive,
            other => return Err(format!("--gone must be keep, zero or archive, not \"{other}\"")),
        };
    }
    for pair in &args.rates {
        let (code, rate) =
            pair.split_once('=').ok_or_else(|| format!("\"{pair}\" is not CUR=RATE (USD=92.5)"))?;
        settings.rates.retain(|(c, _)| !c.eq_ignore_ascii_case(code.trim()));
        settings.rates.push((code.trim().to_uppercase(), rate.trim().to_string()));
    }
    for pair in &args.aliases {
        let (alias, brand) = pair.split_once('=').ok_or_else(|| format!("\"{pair}\" is not ALIAS=BRAND"))?;
        settings.brand_aliases.push((alias.trim().to_string(), brand.trim().to_string()));
    }
    if let Some(flag) = args.create_categories {
        settings.create_categories = flag;
    }
    if let Some(cron) = &args.schedule {
        settings.schedule =
            if cron.trim().eq_ignore_ascii_case("off") { None } else { Some(cron.trim().to_string()) };
    }
    let s = app
        .set_supplier_settings(&args.supplier, args.priority.unwrap_or(current.priority), &settings)
        .map_err(e)?;
    let s = match &args.policy {
        Some(policy) => app.set_stock_policy(&args.supplier, policy).map_err(e)?,
        None => s,
    };
    if args.schedule.is_some() {
        let jobs = Jobs::open(db).map_err(e)?;
        sync_schedule(&jobs, &s).map_err(e)?;
    }
    if as_json {
        return json(&s);
    }
    print(format!("Settings of \"{}\" saved.", s.name));
    Ok(())
}

/// Percent text ("30", "12,5") → basis points.
fn basis_points(text: &str, what: &str) -> Result<i64, String> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("{what} \"{text}\" is not a percentage"))?;
    if !(0.0..=10_000.0).contains(&value) {
        return Err(format!("{what} must be between 0 and 10000 %, not {text}"));
    }
    Ok((value * 100.0).round() as i64)
}

/// One rule for every product: markup on cost, rounding, minimum margin.
fn simple_rules(
    markup: Option<&str>,
    round: Option<&str>,
    min_margin: Option<&str>,
) -> Result<PriceRules, String> {
    let rounding = match round.map(|r| r.trim().to_lowercase()) {
        None => Rounding::None,
        Some(r) => match r.as_str() {
            "none" | "0" => Rounding::None,
            "1" => Rounding::To1,
            "10" => Rounding::To10,
            "100" => Rounding::To100,
            "9" => Rounding::EndIn9,
            "90" => Rounding::EndIn90,
            "99" => Rounding::EndIn99,
            other => return Err(format!("--round must be none, 1, 10, 100, 9, 90 or 99, not \"{other}\"")),
        },
    };
    let rule = PriceRule {
        scope: Scope::All,
        markup: match markup {
            Some(m) => Markup::Percent { bp: basis_points(m, "the markup")? },
            None => Markup::None,
        },
        rounding,
        min_margin_bp: min_margin.map(|m| basis_points(m, "the minimum margin")).transpose()?,
        old_price: OldPrice::Keep,
    };
    Ok(PriceRules { rules: vec![rule] })
}

fn import(
    app: &App,
    db: &Path,
    supplier: &str,
    source: Option<&str>,
    detach: bool,
    as_json: bool,
) -> Outcome {
    let supplier = app.supplier(supplier).map_err(e)?.id.to_string();
    let jobs = Jobs::open(db).map_err(e)?;
    // A command that waits on its own import runs it once; a failure is reported, not retried.
    let job = vitrina_app::imports::job::queue_import(app, &jobs, &supplier, source, Some(1)).map_err(e)?;
    if detach {
        return crate::jobs::queued(&job, as_json);
    }
    let waited = crate::jobs::follow(&jobs, &job.id.to_string(), as_json, false);
    let report = app.import_report(&supplier, 20);
    match (waited, report) {
        (Ok(()), Ok(report)) => {
            if as_json {
                return json(&report);
            }
            print_report(&report);
            Ok(())
        }
        (Err(err), _) => Err(err),
        (Ok(()), Err(err)) => Err(e(err)),
    }
}

fn report(app: &App, key: &str, csv: Option<&Path>, limit: u32, as_json: bool) -> Outcome {
    let report = app.import_report(key, if csv.is_some() { u32::MAX } else { limit }).map_err(e)?;
    if let Some(path) = csv {
        let file =
            std::fs::File::create(path).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        report
            .write_csv(std::io::BufWriter::new(file))
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    }
    if as_json {
        return json(&report);
    }
    print_report(&report);
    if let Some(path) = csv {
        print(format!("{} rows written to {}.", report.issues.len(), path.display()));
    }
    Ok(())
}

fn run_result(r: &RunRecord) -> String {
    let c = &r.counts;
    match &r.error {
        Some(err) => format!("{}: {err}", r.state.code()),
        None => format!("+{} ~{} ={} -{} ✗{}", c.created, c.updated, c.unchanged, c.disappeared, c.rejected),
    }
}

fn runs_table(runs: &[RunRecord]) -> comfy_table::Table {
    let mut t = table(&[
        "Run",
        "Supplier",
        "Started",
        "State",
        "Read",
        "Created",
        "Updated",
        "Unchanged",
        "Gone",
        "Rejected",
        "Time",
    ]);
    for r in runs {
        t.add_row(vec![
            r.id.to_string(),
            r.supplier_name.clone(),
            utc(r.started_at as i64),
            r.state.code().to_string(),
            r.rows_read.to_string(),
            r.counts.created.to_string(),
            r.counts.updated.to_string(),
            r.counts.unchanged.to_string(),
            r.counts.disappeared.to_string(),
            r.counts.rejected.to_string(),
            r.total_ms.map(|ms| format!("{:.1} s", ms as f64 / 1000.0)).unwrap_or_default(),
        ]);
    }
    t
}

fn print_report(report: &ImportReport) {
    let r = &report.run;
    print(format!("{} — import {} ({})", r.supplier_name, r.state.code(), r.id));
    if !r.source.is_empty() {
        print(format!("From: {}", r.source.replace('\n', ", ")));
    }
    let c = &r.counts;
    print(format!(
        "Rows read {}: created {}, updated {}, unchanged {}, gone from the feed {}, rejected {}, warnings {}{}.",
        r.rows_read,
        c.created,
        c.updated,
        c.unchanged,
        c.disappeared,
        c.rejected,
        r.warnings,
        r.total_ms.map(|ms| format!(" — {:.1} s", ms as f64 / 1000.0)).unwrap_or_default()
    ));
    for notice in &r.notices {
        print(format!("Note: {notice}"));
    }
    if let Some(err) = &r.error {
        print(format!("Error: {err}"));
    }
    if !report.issues.is_empty() {
        let mut t = table(&["", "Line", "Id", "Field", "Value", "Reason"]);
        for i in &report.issues {
            t.add_row(vec![
                match i.kind {
                    vitrina_store::imports::IssueKind::Rejected => "rejected".to_string(),
                    vitrina_store::imports::IssueKind::Warning => "warning".to_string(),
                },
                i.line.map(|l| l.to_string()).unwrap_or_default(),
                i.record_id.clone().unwrap_or_default(),
                i.field.clone(),
                i.value.chars().take(40).collect(),
                i.reason.clone(),
            ]);
        }
        print(t);
        let shown = report.issues.len() as u64;
        let total = c.rejected + r.warnings;
        if total > shown {
            print(format!(
                "{shown} of {total} shown; `vitrina import report {} --csv FILE` writes them all.",
                r.id
            ));
        }
    }
}

fn show(s: &SupplierSummary, runs: &[RunRecord]) {
    print(format!("{} ({}) — {} offers, priority {}", s.name, s.id, s.offers, s.priority));
    for src in &s.sources {
        let role = if src.position == 0 { "main feed" } else { "joined by SKU" };
        let auth = if src.auth == "none" { String::new() } else { format!(", sign-in: {}", src.auth) };
        let mapping = if src.mapping.is_some() { "mapping saved" } else { "mapping suggested" };
        print(format!("  feed {}: {} ({role}{auth}, {mapping})", src.position + 1, src.location));
    }
    print(format!(
        "  gone from the feed: {:?}; create categories: {}; schedule: {}",
        s.settings.gone,
        if s.settings.create_categories { "yes" } else { "no" },
        s.settings.schedule.as_deref().unwrap_or("none")
    ));
    if !runs.is_empty() {
        print(runs_table(runs));
    }
}

fn print_preview(p: &FeedPreview, saved_now: bool) {
    let mut head = p.format.clone();
    if let Some(enc) = &p.encoding {
        head.push_str(&format!(", {enc}"));
    }
    if let Some(d) = p.delimiter {
        head.push_str(&format!(", delimiter {d:?}"));
    }
    if let Some(sheet) = &p.sheet {
        head.push_str(&format!(", sheet \"{sheet}\""));
    }
    print(head);
    for n in &p.notices {
        print(format!("Note: {n}"));
    }
    let state = if saved_now {
        "saved"
    } else if p.mapping_is_saved {
        "saved earlier"
    } else {
        "suggested — save it with `vitrina suppliers map SUPPLIER COLUMN=FIELD ...`"
    };
    print(format!("Mapping ({state}):"));
    let mut t = table(&["Column", "Field"]);
    for f in &p.mapping.fields {
        t.add_row(vec![f.source.clone(), f.target.label().to_string()]);
    }
    print(t);
    for problem in &p.mapping_problems {
        print(format!("Problem: {problem}"));
    }
    let mut t = table(&["Line", "SKU", "Name", "Brand", "Category", "Cost", "Price", "Stock", "Note"]);
    for i in &p.items {
        t.add_row(vec![
            i.line.to_string(),
            i.sku.clone(),
            i.name.chars().take(40).collect(),
            i.brand.clone(),
            i.category.clone(),
            i.cost.map(|m| format_minor(m, 2)).unwrap_or_default(),
            i.price.map(|m| format_minor(m, 2)).unwrap_or_default(),
            i.stock.to_string(),
            match &i.problem {
                Some(problem) => problem.to_string(),
                None => i.warnings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
            },
        ]);
    }
    print(t);
    if let Some(err) = &p.error {
        print(format!("Error: {err}"));
    }
}
