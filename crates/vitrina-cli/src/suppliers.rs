//! Supplier and import commands: add suppliers and their feeds, map fields, set price rules,
//! run imports (as jobs, with a progress bar) and read their reports.

use std::path::Path;

use vitrina_app::imports::NewSupplier;
use vitrina_app::ipc::{
    FeedAuthKind, FeedInput, ImportReportDto, IssueKindDto, JobDto, PreviewDto, ReadSettingsDto, RowNoteDto,
    RunDto, SupplierDetail,
};
use vitrina_app::jobs::Jobs;
use vitrina_app::secrets::{KeyringStore, Secrets};
use vitrina_app::supplier_edit::{SupplierSettingsEdit, edit_supplier_settings};
use vitrina_app::{App, AppError, views};

use crate::args::{Cli, ImportCmd, SourceArgs, SupplierSetArgs, SuppliersCmd, TopCommand};
use crate::output::{Outcome, code, json, opt_money, print, table, utc};

/// Runs a supplier's page lists (`suppliers show`).
const RUNS_SHOWN: u32 = 5;
/// Issues a finished import lists.
const IMPORT_ISSUES: u32 = 20;

/// The store of secrets the environment chooses (the OS keyring, the kernel keyring, or a
/// credentials file), as the window's.
fn secrets() -> Secrets {
    Secrets::new(Box::new(KeyringStore::new()))
}

pub fn run(command: &TopCommand, db: &Path, cli: &Cli) -> Outcome {
    let app = App::open(db)?;
    match command {
        TopCommand::Suppliers(cmd) => suppliers(&app, db, cmd, cli.json),
        TopCommand::Import(args) => match &args.command {
            Some(ImportCmd::Report { supplier_or_run, csv, limit }) => {
                report(&app, supplier_or_run, csv.as_deref(), *limit, cli.json)
            }
            Some(ImportCmd::Runs { supplier, limit }) => {
                let runs: Vec<RunDto> =
                    app.import_runs(supplier.as_deref(), *limit)?.iter().map(RunDto::from).collect();
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
            let input = NewSupplier { name: name.clone(), source: source.clone(), priority: *priority };
            let added = app.add_supplier(&input)?;
            let s = views::supplier(app, &secrets(), &added.id.to_string(), RUNS_SHOWN)?;
            if as_json {
                return json(&s);
            }
            print(format!("Supplier \"{}\" added ({}).", s.name, s.id));
            if s.feeds.is_empty() {
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
            let list = views::suppliers(app)?;
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
                    Some(r) => (utc(r.started_at), run_result(r)),
                    None => ("never".into(), String::new()),
                };
                t.add_row(vec![s.name.clone(), s.offers.to_string(), s.feeds.to_string(), when, result]);
            }
            print(t);
            Ok(())
        }
        SuppliersCmd::Show { supplier } => {
            let s = views::supplier(app, &secrets(), supplier, RUNS_SHOWN)?;
            if as_json {
                return json(&s);
            }
            show(&s);
            Ok(())
        }
        SuppliersCmd::Source(args) => source(app, args, as_json),
        SuppliersCmd::Map { supplier, pairs, position, file, rows } => {
            if !pairs.is_empty() {
                app.map_fields(supplier, *position, pairs)?;
            }
            let file = file.as_ref().map(|f| f.to_string_lossy().into_owned());
            let preview = PreviewDto::from(&app.preview(supplier, *position, file.as_deref(), *rows)?);
            if as_json {
                return json(&preview);
            }
            print_preview(&preview, !pairs.is_empty());
            Ok(())
        }
        SuppliersCmd::Set(args) => set(app, db, args, as_json),
        SuppliersCmd::Categories { supplier, pairs } => {
            for pair in pairs {
                let (theirs, ours) = pair.rsplit_once('=').ok_or_else(|| {
                    AppError::invalid(format!("\"{pair}\" is not SUPPLIER PATH=YOUR CATEGORY"))
                })?;
                app.map_category(supplier, theirs, ours)?;
            }
            let list = views::category_mappings(app, supplier)?;
            if as_json {
                return json(&list);
            }
            if list.is_empty() {
                print("No categories yet: they appear after the first import.");
                return Ok(());
            }
            let mut t = table(&["Supplier's category", "Your category"]);
            for m in list {
                t.add_row(vec![m.supplier_category, m.category.unwrap_or_else(|| "—".into())]);
            }
            print(t);
            Ok(())
        }
    }
}

/// Sets a feed as the window's feeds form does; a sign-in's password or token comes from
/// `VITRINA_SOURCE_SECRET` and goes to the store of secrets. Without `--auth` the feed keeps
/// its sign-in and secret.
fn source(app: &App, args: &SourceArgs, as_json: bool) -> Outcome {
    let secrets = secrets();
    let (auth, auth_name, secret) = match args.auth.as_deref() {
        Some(text) => {
            let (auth, name) = FeedAuthKind::from_text(text)?;
            let secret = match auth {
                FeedAuthKind::None => None,
                _ => Some(std::env::var("VITRINA_SOURCE_SECRET").map_err(|_| {
                    AppError::invalid(format!(
                        "sign-in \"{}\" needs its password or token in the VITRINA_SOURCE_SECRET environment variable",
                        text.trim()
                    ))
                })?),
            };
            (auth, name, secret)
        }
        None => {
            let before = views::supplier(app, &secrets, &args.supplier, 0)?;
            let feed = before.feeds.into_iter().find(|f| f.position == args.position);
            feed.map_or((FeedAuthKind::None, String::new(), None), |f| (f.auth, f.auth_name, None))
        }
    };
    let input = FeedInput {
        position: args.position,
        location: args.location.clone(),
        auth,
        auth_name,
        secret,
        read: ReadSettingsDto {
            format: args.format.clone(),
            encoding: args.encoding.clone(),
            delimiter: args.delimiter.map(String::from),
            header_line: args.header_line,
            sheet: args.sheet.clone(),
            record_path: args.record_path.clone(),
        },
    };
    let saved = views::set_feed(app, &secrets, &args.supplier, &input)?;
    let s = views::supplier(app, &secrets, &saved.id.to_string(), RUNS_SHOWN)?;
    if as_json {
        return json(&s);
    }
    print(format!("Feed {} of \"{}\" set: {}.", args.position + 1, s.name, args.location));
    Ok(())
}

fn set(app: &App, db: &Path, args: &SupplierSetArgs, as_json: bool) -> Outcome {
    let edit = SupplierSettingsEdit {
        settings_json: args.settings_json.clone(),
        markup: args.markup.clone(),
        round: args.round.clone(),
        min_margin: args.min_margin.clone(),
        gone: args.gone.clone(),
        rates: args.rates.clone(),
        aliases: args.aliases.clone(),
        create_categories: args.create_categories,
        schedule: args.schedule.clone(),
        priority: args.priority,
        policy: args.policy.clone(),
    };
    let jobs = Jobs::open(db)?;
    let saved = edit_supplier_settings(app, &jobs, &args.supplier, &edit)?;
    let s = views::supplier(app, &secrets(), &saved.id.to_string(), RUNS_SHOWN)?;
    if as_json {
        return json(&s);
    }
    print(format!("Settings of \"{}\" saved.", s.name));
    Ok(())
}

fn import(
    app: &App,
    db: &Path,
    supplier: &str,
    source: Option<&str>,
    detach: bool,
    as_json: bool,
) -> Outcome {
    let supplier = app.supplier(supplier)?.id.to_string();
    let jobs = Jobs::open(db)?;
    // A command that waits on its own import runs it once; a failure is reported, not retried.
    let job = JobDto::from(&vitrina_app::imports::job::queue_import(app, &jobs, &supplier, source, Some(1))?);
    if detach {
        return crate::jobs::queued(&job, as_json);
    }
    crate::jobs::ended(&crate::jobs::follow(&jobs, &job.id, as_json)?)?;
    let report = views::import_report(app, &supplier, IMPORT_ISSUES)?;
    if as_json {
        return json(&report);
    }
    print_report(&report);
    Ok(())
}

/// A run's report (the last run of a supplier, or a run by id) with up to `limit` issues; with
/// `csv`, every issue is also written there.
fn report(app: &App, key: &str, csv: Option<&Path>, limit: u32, as_json: bool) -> Outcome {
    let report = views::import_report(app, key, limit)?;
    let written = csv.map(|path| views::export_import_report(app, &report.run.id, path)).transpose()?;
    if as_json {
        return json(&report);
    }
    print_report(&report);
    if let (Some(path), Some(n)) = (csv, written) {
        print(format!("{n} rows written to {}.", path.display()));
    }
    Ok(())
}

fn run_result(r: &RunDto) -> String {
    match &r.error {
        Some(err) => format!("{}: {err}", code(&r.state)),
        None => format!("+{} ~{} ={} -{} ✗{}", r.created, r.updated, r.unchanged, r.gone, r.rejected),
    }
}

fn runs_table(runs: &[RunDto]) -> comfy_table::Table {
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
            r.id.clone(),
            r.supplier_name.clone(),
            utc(r.started_at),
            code(&r.state),
            r.rows_read.to_string(),
            r.created.to_string(),
            r.updated.to_string(),
            r.unchanged.to_string(),
            r.gone.to_string(),
            r.rejected.to_string(),
            r.total_ms.map(|ms| format!("{:.1} s", ms as f64 / 1000.0)).unwrap_or_default(),
        ]);
    }
    t
}

fn print_report(report: &ImportReportDto) {
    let r = &report.run;
    print(format!("{} — import {} ({})", r.supplier_name, code(&r.state), r.id));
    if !r.source.is_empty() {
        print(format!("From: {}", r.source.replace('\n', ", ")));
    }
    print(format!(
        "Rows read {}: created {}, updated {}, unchanged {}, gone from the feed {}, rejected {}, warnings {}{}.",
        r.rows_read,
        r.created,
        r.updated,
        r.unchanged,
        r.gone,
        r.rejected,
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
                    IssueKindDto::Rejected => "rejected".to_string(),
                    IssueKindDto::Warning => "warning".to_string(),
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
        let total = r.rejected + r.warnings;
        if total > shown {
            print(format!(
                "{shown} of {total} shown; `vitrina import report {} --csv FILE` writes them all.",
                r.id
            ));
        }
    }
}

fn show(s: &SupplierDetail) {
    let priority = s.priority.map(|p| format!(", priority {p}")).unwrap_or_default();
    let policy = s.policy.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
    print(format!("{} ({}) — {} offers{priority}{policy}", s.name, s.id, s.offers));
    for feed in &s.feeds {
        let role = if feed.position == 0 { "main feed" } else { "joined by SKU" };
        let auth = match feed.auth {
            FeedAuthKind::None => String::new(),
            kind => format!(
                ", sign-in: {}:{}{}",
                code(&kind),
                feed.auth_name,
                if feed.secret_set { "" } else { " (no password or token saved)" }
            ),
        };
        let mapping = if feed.has_mapping { "mapping saved" } else { "mapping suggested" };
        print(format!("  feed {}: {} ({role}{auth}, {mapping})", feed.position + 1, feed.location));
    }
    let settings = &s.settings;
    print(format!(
        "  gone from the feed: {}; create categories: {}; schedule: {}",
        code(&settings.gone),
        if settings.create_categories { "yes" } else { "no" },
        if settings.schedule.is_empty() { "none" } else { settings.schedule.as_str() }
    ));
    if !s.runs.is_empty() {
        print(runs_table(&s.runs));
    }
}

/// `price: «12,3,4» — is not an amount of money`
fn note(n: &RowNoteDto) -> String {
    format!("{}: «{}» — {}", n.field, n.value, n.reason)
}

fn print_preview(p: &PreviewDto, saved_now: bool) {
    let mut head = p.format.clone();
    if let Some(enc) = &p.encoding {
        head.push_str(&format!(", {enc}"));
    }
    if let Some(d) = &p.delimiter {
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
            opt_money(i.cost.as_ref()),
            opt_money(i.price.as_ref()),
            i.stock.to_string(),
            match &i.problem {
                Some(problem) => note(problem),
                None => i.warnings.iter().map(note).collect::<Vec<_>>().join("; "),
            },
        ]);
    }
    print(t);
    if let Some(err) = &p.error {
        print(format!("Error: {err}"));
    }
}
