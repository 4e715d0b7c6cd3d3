//! `mp publish`, `mp prices`, `mp stocks`: queue the job and follow it (unless `--detach`);
//! `mp errors`, `mp outbox`, `mp retry`, `mp pull-cards`: what publishing left behind.

use vitrina_app::ipc::{JobDto, MarketLinksDto, MarketRunDto, OutboxDto, PullCardsDto};
use vitrina_app::jobs::Jobs;
use vitrina_app::market::publish::{queue_publish, queue_push};
use vitrina_app::secrets::Secrets;
use vitrina_app::{App, AppError};

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

/// Rows `mp errors` prints (all with `--json`, up to the application's page).
const TABLE_ROWS: usize = 50;

/// Publishes `skus` (every product with `all`).
pub fn publish(
    app: &App,
    jobs: &Jobs,
    account: &str,
    skus: &[String],
    all: bool,
    detach: bool,
    cli: &Cli,
) -> Outcome {
    if skus.is_empty() && !all {
        return Err(AppError::invalid("name the SKUs to publish, or publish --all"));
    }
    let job = JobDto::from(&queue_publish(app, jobs, account, skus)?);
    follow(jobs, &job, detach, cli)
}

/// Pushes prices (`only` = prices), stocks (`only` = stocks) or both.
pub fn push(
    app: &App,
    jobs: &Jobs,
    account: &str,
    skus: &[String],
    only: Option<&str>,
    detach: bool,
    cli: &Cli,
) -> Outcome {
    let job = JobDto::from(&queue_push(app, jobs, account, skus, None, only)?);
    follow(jobs, &job, detach, cli)
}

fn follow(jobs: &Jobs, job: &JobDto, detach: bool, cli: &Cli) -> Outcome {
    if detach {
        return crate::jobs::queued(job, cli.json);
    }
    let done = crate::jobs::follow(jobs, &job.id, cli.json)?;
    if let Some(run) =
        done.result.as_ref().and_then(|r| serde_json::from_value::<MarketRunDto>(r.clone()).ok())
    {
        if cli.json {
            json(&run)?;
        } else {
            print_run(&run);
        }
    }
    crate::jobs::ended(&done)
}

fn print_run(r: &MarketRunDto) {
    print(format!(
        "{}: {} products read — {} queued, {} unchanged, {} with problems{}.",
        r.account,
        r.read,
        r.queued,
        r.unchanged,
        r.precheck_failed,
        if r.not_published > 0 {
            format!(", {} not on the marketplace yet", r.not_published)
        } else {
            String::new()
        }
    ));
    print(format!(
        "Sent in {} requests ({} follow-ups): {} accepted, {} rejected, {} sent again, {} awaiting the marketplace.",
        r.requests, r.follow_ups, r.done, r.rejected, r.retried, r.awaiting
    ));
    if r.precheck_failed + r.rejected > 0 {
        print(format!("See why: vitrina mp errors {:?}", r.account));
    }
}

/// The error inbox (or every link with `statuses`).
pub fn errors(app: &App, account: &str, statuses: &[String], reason: Option<&str>, cli: &Cli) -> Outcome {
    let page = app.market_links(account, statuses, statuses.is_empty(), reason, 500, 0)?;
    if cli.json {
        return json(&page);
    }
    print_links(&page);
    Ok(())
}

fn print_links(page: &MarketLinksDto) {
    let counts: Vec<String> = page.counts.iter().map(|c| format!("{} {}", c.count, c.status)).collect();
    print(format!(
        "{} ({}): {}",
        page.account,
        page.market,
        if counts.is_empty() { "nothing published yet".into() } else { counts.join(", ") }
    ));
    if page.items.is_empty() {
        return;
    }
    let mut t = table(&["SKU", "Name", "Status", "Id", "Why"]);
    for l in page.items.iter().take(TABLE_ROWS) {
        let why: Vec<String> = l
            .problems
            .iter()
            .map(|p| if p.detail.is_empty() { p.code.clone() } else { format!("{}: {}", p.code, p.detail) })
            .chain(l.errors.iter().map(|e| match &e.code {
                Some(code) => format!("{code}: {}", e.message),
                None => e.message.clone(),
            }))
            .collect();
        t.add_row(vec![
            l.sku.clone(),
            l.name.chars().take(36).collect(),
            l.status.clone(),
            l.ext_id.clone().unwrap_or_default(),
            why.join("; ").chars().take(160).collect(),
        ]);
    }
    print(t);
    if page.items.len() > TABLE_ROWS {
        print(format!("… and {} more (--json lists them).", page.items.len() - TABLE_ROWS));
    }
}

pub fn outbox(app: &App, account: &str, cli: &Cli) -> Outcome {
    let o: OutboxDto = app.market_outbox(account, 50)?;
    if cli.json {
        return json(&o);
    }
    let mut t = table(&["What", "State", "Items"]);
    for c in &o.counts {
        t.add_row(vec![c.op.clone(), c.state.clone(), c.count.to_string()]);
    }
    print(t);
    Ok(())
}

/// Marks products (or every rejected one) to be sent again, and publishes them.
pub fn retry(app: &App, jobs: &Jobs, account: &str, skus: &[String], detach: bool, cli: &Cli) -> Outcome {
    let again = app.retry_market(account, skus)?;
    if again.is_empty() {
        print("Nothing to retry: no product was rejected.");
        return Ok(());
    }
    let job = JobDto::from(&queue_publish(app, jobs, account, &again)?);
    follow(jobs, &job, detach, cli)
}

pub fn pull_cards(
    app: &App,
    jobs: &Jobs,
    secrets: &Secrets,
    account: &str,
    import: bool,
    cli: &Cli,
) -> Outcome {
    let dto: PullCardsDto = app.pull_market_cards(account, import, secrets, None, jobs, &|| false)?;
    if cli.json {
        return json(&dto);
    }
    print(format!(
        "{}: {} cards — {} linked by SKU, {} by barcode, {} imported as new products, {} without a product.",
        dto.account, dto.cards, dto.linked_by_sku, dto.linked_by_barcode, dto.imported, dto.unmatched_count
    ));
    for u in dto.unmatched.iter().take(TABLE_ROWS) {
        print(format!("  no product: {u}"));
    }
    if dto.unmatched_count > 0 && !import {
        print("Add them to the catalog as drafts: vitrina mp pull-cards ACCOUNT --import");
    }
    for f in &dto.failed {
        print(format!("  not imported: {f}"));
    }
    if dto.held > 0 {
        print(format!(
            "{} cards wait for the supplier import that holds the catalog; they become products as soon as it ends \
             (vitrina jobs list shows the market.import_cards job).",
            dto.held
        ));
    }
    Ok(())
}
