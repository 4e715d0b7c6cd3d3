//! `vitrina mp …`: marketplaces (Wildberries, Ozon, Yandex Market): their accounts
//! (`mp accounts list|add|show|set|check|remove`), the local pre-check of products
//! (`mp check`), dictionaries and mapping (`mp categories`, `mp map`, in `mp/map.rs`),
//! publishing, prices, stocks, the error inbox and existing cards (`mp/send.rs`), and the demo
//! marketplaces (`mp fake-server`, `mp demo`, in `mp/fake.rs`). A token is never a command-line argument (it would
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

mod fake;
mod map;
mod send;
mod values;

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
    /// The marketplace's category tree: `mp categories ACCOUNT кроссовки`; `--refresh` fetches it
    /// (and the attributes of the mapped categories) again.
    Categories {
        account: String,
        /// Leaf categories whose path contains this.
        search: Option<String>,
        #[arg(long)]
        refresh: bool,
    },
    /// Map your categories and the marketplace's attributes: `mp map ACCOUNT --auto` accepts the
    /// sure suggestions; `--category PATH --to ID` maps one category; `--attributes ID` lists a
    /// category's attributes and `--set ATTR=field:brand` fills one.
    Map {
        account: String,
        #[arg(long)]
        auto: bool,
        /// Your category (its path, "Одежда и обувь / Кроссовки", or id).
        #[arg(long, requires = "to")]
        category: Option<String>,
        /// The marketplace category id (`none` removes the mapping).
        #[arg(long)]
        to: Option<String>,
        /// A marketplace category id whose attributes to show or set.
        #[arg(long)]
        attributes: Option<String>,
        /// ATTRIBUTE_ID=SOURCE: field:NAME, attr:NAME or const:TEXT (empty removes).
        #[arg(long, requires = "attributes")]
        set: Vec<String>,
        /// YOUR_VALUE=DICTIONARY_VALUE for the attribute set.
        #[arg(long = "value", requires = "set")]
        values: Vec<String>,
    },
    /// The value map of a dictionary attribute: `mp values ACCOUNT --category ID --attr ID` lists
    /// your values and what each becomes; `--map алый=красный` maps one, `--unmap алый` undoes it.
    Values {
        account: String,
        /// The marketplace category id.
        #[arg(long)]
        category: String,
        /// The attribute id.
        #[arg(long)]
        attr: String,
        /// YOUR_VALUE=DICTIONARY_VALUE (its text or id).
        #[arg(long)]
        map: Vec<String>,
        /// YOUR_VALUE: remove its mapping.
        #[arg(long)]
        unmap: Vec<String>,
    },
    /// Check and publish cards: `mp publish ACCOUNT --all` or `mp publish ACCOUNT SKU…`.
    Publish {
        account: String,
        skus: Vec<String>,
        #[arg(long)]
        all: bool,
        /// Queue the job and return; `vitrina worker` runs it.
        #[arg(long)]
        detach: bool,
    },
    /// Send changed prices of published products (all, or these SKUs).
    Prices {
        account: String,
        skus: Vec<String>,
        #[arg(long)]
        detach: bool,
    },
    /// Send changed stocks of published products (all, or these SKUs).
    Stocks {
        account: String,
        skus: Vec<String>,
        #[arg(long)]
        detach: bool,
    },
    /// The error inbox: products the marketplace rejected or Vitrina's check stopped, with why.
    Errors {
        account: String,
        /// Only this reason (`missing_required`, a marketplace's code…).
        #[arg(long)]
        reason: Option<String>,
        /// Links of these statuses instead (queued, sent, processing, live, rejected, precheck_failed).
        #[arg(long = "status")]
        statuses: Vec<String>,
    },
    /// The account's outbox: writes waiting, sent, awaiting the marketplace, done, failed.
    Outbox { account: String },
    /// Send again: these SKUs, or every rejected product.
    Retry {
        account: String,
        skus: Vec<String>,
        #[arg(long)]
        detach: bool,
    },
    /// Read the account's existing cards and link them to products by SKU or barcode;
    /// `--import` adds cards without a product as draft products.
    PullCards {
        account: String,
        #[arg(long)]
        import: bool,
    },
    /// Run a local fake of a marketplace's seller API until stopped (Ctrl-C), to try publishing
    /// without an account: `mp fake-server --market wb --port 18080`.
    FakeServer {
        #[arg(long)]
        market: String,
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Fail this share of requests (0..1) with 429/420 or 503, as a stressed marketplace does.
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountsCmd {
    /// Every account, with its last connection check.
    List,
    /// Add an account; its token (Ozon and Yandex Market: the Api-Key) comes from
    /// VITRINA_MP_TOKEN, or, with --token-stdin, from standard input; else it is asked for on the terminal.
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
    /// Change an account: `--auto-push off`, `--warehouse "Основной=1000001"` (the marketplace's
    /// warehouse id for stocks; `NAME=` removes it).
    Set {
        account: String,
        #[arg(long)]
        auto_push: Option<OnOff>,
        #[arg(long = "warehouse")]
        warehouses: Vec<String>,
    },
    /// Check an account's connection: each API group's answer; exits 1 unless all work.
    Check { account: String },
    /// Remove an account and its stored credentials.
    Remove { account: String },
}

/// On or off.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

pub fn run(cmd: &MpCmd, db: &Path, cli: &Cli) -> Outcome {
    if let MpCmd::FakeServer { market, port, faults } = cmd {
        return fake::serve_until_stopped(market, *port, *faults, cli);
    }
    let app = App::open(db)?;
    let secrets = Secrets::new(Box::new(vitrina_app::secrets::KeyringStore::new()));
    let jobs = || vitrina_app::jobs::Jobs::open(db);
    match cmd {
        MpCmd::Accounts(cmd) => accounts(cmd, &app, &secrets, cli),
        MpCmd::Check { market, skus } => precheck(&app.market_precheck(market, skus)?, cli),
        MpCmd::Categories { account, search, refresh } => {
            map::categories(&app, &secrets, account, search.as_deref().unwrap_or(""), *refresh, cli)
        }
        MpCmd::Map { account, auto, category, to, attributes, set, values } => {
            let args = map::MapArgs {
                auto: *auto,
                category: category.as_deref().zip(to.as_deref()),
                attributes_of: attributes.as_deref(),
                set,
                values,
            };
            map::map(&app, &secrets, account, &args, cli)
        }
        MpCmd::Values { account, category, attr, map, unmap } => {
            let args = values::ValuesArgs { ext: category, attr, map, unmap };
            values::values(&app, account, &args, cli)
        }
        MpCmd::Publish { account, skus, all, detach } => {
            send::publish(&app, &jobs()?, account, skus, *all, *detach, cli)
        }
        MpCmd::Prices { account, skus, detach } => {
            send::push(&app, &jobs()?, account, skus, Some("prices"), *detach, cli)
        }
        MpCmd::Stocks { account, skus, detach } => {
            send::push(&app, &jobs()?, account, skus, Some("stocks"), *detach, cli)
        }
        MpCmd::Errors { account, reason, statuses } => {
            send::errors(&app, account, statuses, reason.as_deref(), cli)
        }
        MpCmd::Outbox { account } => send::outbox(&app, account, cli),
        MpCmd::Retry { account, skus, detach } => send::retry(&app, &jobs()?, account, skus, *detach, cli),
        MpCmd::PullCards { account, import } => {
            send::pull_cards(&app, &jobs()?, &secrets, account, *import, cli)
        }
        MpCmd::FakeServer { .. } => unreachable!("served above"),
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
        AccountsCmd::Set { account, auto_push, warehouses } => {
            let pairs = warehouses
                .iter()
                .map(|w| {
                    w.split_once('=')
                        .map(|(a, b)| (a.to_owned(), b.to_owned()))
                        .ok_or_else(|| AppError::invalid(format!("{w:?}: write NAME=WAREHOUSE_ID")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let on = auto_push.map(|o| matches!(o, OnOff::On));
            show(&app.set_market_account_settings(account, on, &pairs, Some(secrets))?, cli)
        }
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
    use std::io::IsTerminal;
    let token = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| AppError::invalid(e.to_string()))?;
        line
    } else {
        match std::env::var(TOKEN_VAR) {
            Ok(token) if !token.trim().is_empty() => token,
            // A person at a terminal is asked, without the token showing on the screen.
            _ if std::io::stdin().is_terminal() => {
                rpassword::prompt_password("The account's token (Ozon, Yandex Market: the Api-Key): ")
                    .map_err(|e| AppError::invalid(format!("the token could not be read: {e}")))?
            }
            _ => String::new(),
        }
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
