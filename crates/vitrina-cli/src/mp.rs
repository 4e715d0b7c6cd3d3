//! `vitrina mp …`: marketplaces (Wildberries, Ozon, Yandex Market): their accounts
//! (`mp accounts list|add|show|check|remove`) and the local pre-check of products (`mp check`). A token is never a command-line argument (it would
//! stay in the shell's history and in the process list): it is read from `VITRINA_MP_TOKEN` or,
//! with `--token-stdin`, from the first line of standard input, and goes to the OS keyring.

use std::io::BufRead;
use std::path::Path;

use clap::Subcommand;
use vitrina_app::ipc::{ConnectionCheckDto, MarketAccountDto, NewMarketAccountDto, PrecheckDto};
use vitrina_app::secrets::Secrets;
use vitrina_app::{App, AppError, ErrorCode};

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

/// Where `mp accounts add` reads the token when not from standard input.
pub const TOKEN_VAR: &str = "VITRINA_MP_TOKEN";

#[derive(Debug, Subcommand)]
pub enum MpCmd {
    /// Marketplace accounts: `mp accounts add "Мой WB" --market wb` (token from VITRINA_MP_TOKEN).
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Check products against a marketplace's documented limits before publishing (SKU, title,
    /// description, pictures, brand, barcodes, size and weight): `mp check wb`, `mp check ozon RUN-42`.
    Check {
        /// wb, ozon, ym, or an account's name.
        market: String,
        /// Only these products (all when none).
        skus: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCmd {
    /// Every account, with its last connection check.
    List,
    /// Add an account; its token (Ozon and Yandex Market: the Api-Key) comes from
    /// VITRINA_MP_TOKEN or, with --token-stdin, from standard input.
    Add {
        name: String,
        /// wb, ozon or ym.
        #[arg(long)]
        market: String,
        /// Ozon: the Client-Id.
        #[arg(long)]
        client_id: Option<String>,
        /// Yandex Market: the cabinet (business) id.
        #[arg(long)]
        business_id: Option<i64>,
        /// Yandex Market: the shop (campaign) id.
        #[arg(long)]
        campaign_id: Option<i64>,
        /// Another address for every API host of the marketplace (a sandbox, a test server).
        #[arg(long)]
        base_url: Option<String>,
        /// Read the token from the first line of standard input.
        #[arg(long)]
        token_stdin: bool,
    },
    /// One account and its last check.
    Show { account: String },
    /// Check an account's connection: each API group's answer; exits 1 unless all work.
    Check { account: String },
    /// Remove an account and its stored credentials.
    Remove { account: String },
}

pub fn run(cmd: &MpCmd, db: &Path, cli: &Cli) -> Outcome {
    let app = App::open(db)?;
    let secrets = Secrets::new(Box::new(vitrina_app::secrets::KeyringStore::new()));
    match cmd {
        MpCmd::Accounts(cmd) => accounts(cmd, &app, &secrets, cli),
        MpCmd::Check { market, skus } => precheck(&app.market_precheck(market, skus)?, cli),
    }
}

/// Products listed in the table (all of them with `--json`, up to the application's cap).
const TABLE_PRODUCTS: usize = 50;

fn precheck(report: &PrecheckDto, cli: &Cli) -> Outcome {
    if cli.json {
        return json(report);
    }
    print(format!(
        "{} products checked for {}: {} with problems.",
        report.checked, report.market, report.with_problems
    ));
    if report.with_problems == 0 {
        return Ok(());
    }
    let mut counts = table(&["Problem", "Products"]);
    for c in &report.counts {
        counts.add_row(vec![c.code.clone(), c.count.to_string()]);
    }
    print(counts);
    let mut t = table(&["SKU", "Name", "Problems"]);
    for p in report.products.iter().take(TABLE_PRODUCTS) {
        let problems: Vec<String> = p
            .problems
            .iter()
            .map(|x| if x.detail.is_empty() { x.code.clone() } else { format!("{} ({})", x.code, x.detail) })
            .collect();
        t.add_row(vec![p.sku.clone(), p.name.chars().take(40).collect(), problems.join("; ")]);
    }
    print(t);
    if report.with_problems as usize > TABLE_PRODUCTS {
        print(format!("… and {} more (--json lists them).", report.with_problems as usize - TABLE_PRODUCTS));
    }
    Ok(())
}

fn accounts(cmd: &AccountsCmd, app: &App, secrets: &Secrets, cli: &Cli) -> Outcome {
    match cmd {
        AccountsCmd::List => {
            let list = app.market_accounts(Some(secrets))?;
            if cli.json {
                return json(&list);
            }
            if list.is_empty() {
                print(
                    "No marketplace accounts yet: VITRINA_MP_TOKEN=… vitrina mp accounts add NAME --market wb",
                );
                return Ok(());
            }
            let mut t = table(&["Account", "Marketplace", "Credentials", "Last check"]);
            for a in &list {
                t.add_row(vec![
                    a.name.clone(),
                    a.market_title.clone(),
                    if a.secret_set { "stored" } else { "missing" }.into(),
                    a.last_check.as_ref().map(check_line).unwrap_or_else(|| "never".into()),
                ]);
            }
            print(t);
            Ok(())
        }
        AccountsCmd::Add { name, market, client_id, business_id, campaign_id, base_url, token_stdin } => {
            let input = NewMarketAccountDto {
                name: name.clone(),
                market: market.clone(),
                base_url: base_url.clone(),
                business_id: *business_id,
                campaign_id: *campaign_id,
                token: read_token(*token_stdin)?,
                client_id: client_id.clone().unwrap_or_default(),
            };
            let added = app.add_market_account(&input, secrets)?;
            show(&added, cli)
        }
        AccountsCmd::Show { account } => show(&app.market_account(account, Some(secrets))?, cli),
        AccountsCmd::Check { account } => {
            let check = app.check_market_account(account, secrets)?;
            if cli.json {
                json(&check)?;
            } else {
                print(check_table(&check));
            }
            if check.ok {
                return Ok(());
            }
            let failed: Vec<String> = check
                .groups
                .iter()
                .filter(|g| g.outcome != "ok")
                .map(|g| format!("{}: {}", g.group, g.outcome))
                .collect();
            Err(AppError::new(
                ErrorCode::Invalid,
                format!("the connection of \"{account}\" does not work ({})", failed.join(", ")),
            ))
        }
        AccountsCmd::Remove { account } => {
            let removed = app.remove_market_account(account, secrets)?;
            if cli.json {
                return json(&removed);
            }
            print(format!("Removed marketplace account {} and its credentials.", removed.name));
            Ok(())
        }
    }
}

fn read_token(from_stdin: bool) -> Result<String, AppError> {
    let token = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| AppError::invalid(e.to_string()))?;
        line
    } else {
        std::env::var(TOKEN_VAR).unwrap_or_default()
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        let source = if from_stdin { "standard input".to_string() } else { TOKEN_VAR.to_string() };
        return Err(AppError::invalid(format!(
            "no token: put the account's token (Ozon, Yandex Market: the Api-Key) in {source}"
        )));
    }
    Ok(token)
}

fn show(a: &MarketAccountDto, cli: &Cli) -> Outcome {
    if cli.json {
        return json(a);
    }
    let mut t = table(&["Field", "Value"]);
    t.add_row(vec!["Account".to_string(), a.name.clone()]);
    t.add_row(vec!["Id".to_string(), a.id.clone()]);
    t.add_row(vec!["Marketplace".to_string(), a.market_title.clone()]);
    if let Some(url) = &a.base_url {
        t.add_row(vec!["API address".to_string(), url.clone()]);
    }
    if let Some(id) = a.business_id {
        t.add_row(vec!["Business id".to_string(), id.to_string()]);
    }
    if let Some(id) = a.campaign_id {
        t.add_row(vec!["Campaign id".to_string(), id.to_string()]);
    }
    t.add_row(vec![
        "Credentials".to_string(),
        if a.secret_set { "stored in the OS keyring" } else { "missing" }.into(),
    ]);
    t.add_row(vec![
        "Last check".to_string(),
        a.last_check.as_ref().map(check_line).unwrap_or_else(|| "never".into()),
    ]);
    print(t);
    if let Some(check) = &a.last_check {
        print(check_table(check));
    }
    Ok(())
}

fn check_line(c: &ConnectionCheckDto) -> String {
    let failed = c.groups.iter().filter(|g| g.outcome != "ok").count();
    match failed {
        0 => "works".into(),
        n => format!("{n} of {} groups fail", c.groups.len()),
    }
}

fn check_table(c: &ConnectionCheckDto) -> comfy_table::Table {
    let mut t = table(&["Group", "Result", "HTTP", "The marketplace says"]);
    for g in &c.groups {
        t.add_row(vec![
            g.group.clone(),
            g.outcome.clone(),
            g.status.map(|s| s.to_string()).unwrap_or_default(),
            g.message.clone(),
        ]);
    }
    for k in &c.campaigns {
        t.add_row(vec![
            "campaign".into(),
            k.id.to_string(),
            String::new(),
            format!("{} (business {})", k.domain, k.business_id.map(|b| b.to_string()).unwrap_or_default()),
        ]);
    }
    t
}
