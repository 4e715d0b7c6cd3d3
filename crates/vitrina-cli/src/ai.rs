//! `vitrina ai …`: AI moderation and descriptions. Providers (`ai providers list|add|check|
//! remove`: OpenAI and compatible local servers, Gemini), rule checks without a model
//! (`ai check`), runs as jobs (`ai moderate`, `ai generate`), the review of suggestions
//! (`ai review list|accept|reject`), prompt templates (`ai prompt`), the fake LLM server
//! (`ai fake-server`) and the benchmark (`ai bench`). A key is never a command-line argument:
//! it is read from `VITRINA_AI_KEY`, or with `--key-stdin` from standard input, or asked for on
//! a terminal, and goes to the OS keyring.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use clap::Subcommand;
use vitrina_app::ai::job::queue_ai_run;
use vitrina_app::ipc::{
    AiCheckDto, AiDecisionDto, AiRunDto, AiRunRequest, AiSuggestionDto, JobDto, NewAiProviderDto,
    RuleCheckDto,
};
use vitrina_app::jobs::Jobs;
use vitrina_app::secrets::Secrets;
use vitrina_app::{App, AppError, ErrorCode};

use crate::args::Cli;
use crate::output::{Outcome, json, print, table};

/// Where `ai providers add` reads the key when not from standard input.
pub const KEY_VAR: &str = "VITRINA_AI_KEY";

#[derive(Debug, Subcommand)]
pub enum AiCmd {
    /// AI providers: `ai providers add NAME --kind openai|gemini --base-url URL --model MODEL`
    /// (key from VITRINA_AI_KEY), `ai providers check NAME`.
    #[command(subcommand)]
    Providers(ProvidersCmd),
    /// Rule checks without AI (title length, forbidden words, required characteristics,
    /// pictures, description, capitals, repeats, contacts and links): `ai check [SKU…]`.
    Check {
        skus: Vec<String>,
        /// wb, ozon, ym or any.
        #[arg(long, default_value = "any")]
        market: String,
        /// Every product in this category (its path or id) and below.
        #[arg(long)]
        category: Option<String>,
        /// More forbidden words of your own.
        #[arg(long = "forbid")]
        forbid: Vec<String>,
    },
    /// Check cards with rules and a model; suggestions go to `ai review`: `ai moderate [SKU…]`,
    /// `--category C`, `--inbox ACCOUNT` (a marketplace's error inbox); all products when none.
    Moderate {
        skus: Vec<String>,
        #[arg(long)]
        category: Option<String>,
        /// The products in this marketplace account's error inbox.
        #[arg(long)]
        inbox: Option<String>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Write descriptions (and with --title, titles) from the characteristics: `ai generate SKU…`.
    Generate {
        skus: Vec<String>,
        #[arg(long)]
        category: Option<String>,
        /// Propose a title too.
        #[arg(long)]
        title: bool,
        /// The language to write in (русский, English…).
        #[arg(long)]
        language: Option<String>,
        /// The tone (нейтральный, дружелюбный, экспертный…).
        #[arg(long)]
        tone: Option<String>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Suggestions to review: `ai review list`, `ai review accept ID…|--all`, `ai review reject ID…|--all`.
    #[command(subcommand)]
    Review(ReviewCmd),
    /// The prompt template of a task and marketplace: shown, or saved as a new version with
    /// `--set FILE` (`-` reads standard input).
    Prompt {
        /// moderate or generate.
        task: String,
        #[arg(long, default_value = "any")]
        market: String,
        #[arg(long)]
        set: Option<String>,
    },
    /// Runs the fake LLM server on 127.0.0.1 until stopped and prints its base URLs.
    FakeServer {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Each answer waits this long (a model thinking).
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// The key requests must carry (any when none).
        #[arg(long)]
        key: Option<String>,
    },
    /// Benchmarks: moderating N products against the fake server, and the rule checks over a
    /// catalog (`--rules-db`; the 1M demo catalog for the target).
    Bench {
        #[arg(long, default_value_t = 1000)]
        products: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: u32,
        #[arg(long, default_value_t = 50)]
        latency_ms: u64,
        /// A catalog to run the rule checks over (skipped when none).
        #[arg(long)]
        rules_db: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The provider's name (the only one when none).
    #[arg(long)]
    provider: Option<String>,
    /// wb, ozon, ym or any.
    #[arg(long, default_value = "any")]
    market: String,
    /// Requests at once (the provider's setting when none).
    #[arg(long)]
    concurrency: Option<u32>,
    /// Queue the job and return; `vitrina worker` runs it.
    #[arg(long)]
    detach: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProvidersCmd {
    List,
    /// Add a provider: `VITRINA_AI_KEY=sk-… vitrina ai providers add OpenAI --kind openai --model gpt-4o-mini`;
    /// a local server: `--base-url http://localhost:11434/v1` (no key).
    Add {
        name: String,
        /// openai (OpenAI, Ollama, LM Studio, llama.cpp) or gemini.
        #[arg(long)]
        kind: String,
        /// Up to the API version; the public service's when none.
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long)]
        model: String,
        #[arg(long)]
        concurrency: Option<u32>,
        /// Requests per minute (0: no limit).
        #[arg(long)]
        rpm: Option<u32>,
        /// Seconds one request may take.
        #[arg(long)]
        timeout: Option<u32>,
        /// schema, object or prompt: how JSON is asked for.
        #[arg(long)]
        json_mode: Option<String>,
        /// The price of a million input tokens (`0,15`).
        #[arg(long, requires = "price_out")]
        price_in: Option<String>,
        /// The price of a million output tokens.
        #[arg(long, requires = "price_in")]
        price_out: Option<String>,
        /// The prices' currency (USD when none).
        #[arg(long)]
        currency: Option<String>,
        /// Read the key from the first line of standard input instead of VITRINA_AI_KEY.
        #[arg(long)]
        key_stdin: bool,
    },
    /// Check the connection (no tokens spent).
    Check {
        name: String,
    },
    Remove {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// Suggestions waiting (or of `--status accepted|rejected|superseded`).
    List {
        skus: Vec<String>,
        #[arg(long = "status")]
        statuses: Vec<String>,
    },
    /// Accept suggestions: each is a normal edit (history, undo).
    Accept {
        ids: Vec<String>,
        /// Every pending suggestion (of `--sku` only, when given).
        #[arg(long)]
        all: bool,
        #[arg(long = "sku")]
        skus: Vec<String>,
    },
    Reject {
        ids: Vec<String>,
        #[arg(long)]
        all: bool,
        #[arg(long = "sku")]
        skus: Vec<String>,
    },
}

pub fn run(cmd: &AiCmd, db: &Path, cli: &Cli) -> Outcome {
    match cmd {
        AiCmd::FakeServer { port, latency_ms, key } => {
            return fake_server(*port, *latency_ms, key.as_deref(), cli);
        }
        AiCmd::Bench { products, concurrency, latency_ms, rules_db } => {
            return bench(*products, *concurrency, *latency_ms, rules_db.as_deref(), cli);
        }
        _ => {}
    }
    let app = App::open(db)?;
    let secrets = || Secrets::new(Box::new(vitrina_app::secrets::KeyringStore::new()));
    match cmd {
        AiCmd::Providers(p) => providers(&app, &secrets(), p, cli),
        AiCmd::Check { skus, market, category, forbid } => {
            let dto = app.ai_rule_check(market, skus, category.as_deref(), forbid)?;
            print_rules(&dto, cli)
        }
        AiCmd::Moderate { skus, category, inbox, run } => {
            let req = AiRunRequest {
                task: "moderate".into(),
                provider: run.provider.clone().unwrap_or_default(),
                target: run.market.clone(),
                skus: skus.clone(),
                category: category.clone(),
                inbox: inbox.clone(),
                concurrency: run.concurrency,
                ..Default::default()
            };
            start(&app, db, &req, run.detach, cli)
        }
        AiCmd::Generate { skus, category, title, language, tone, run } => {
            let req = AiRunRequest {
                task: "generate".into(),
                provider: run.provider.clone().unwrap_or_default(),
                target: run.market.clone(),
                skus: skus.clone(),
                category: category.clone(),
                language: language.clone(),
                tone: tone.clone(),
                with_name: *title,
                concurrency: run.concurrency,
                ..Default::default()
            };
            start(&app, db, &req, run.detach, cli)
        }
        AiCmd::Review(r) => review(&app, r, cli),
        AiCmd::Prompt { task, market, set } => {
            let dto = match set {
                Some(file) => {
                    let body = if file == "-" {
                        let mut s = String::new();
                        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s)
                            .map_err(|e| AppError::invalid(e.to_string()))?;
                        s
                    } else {
                        std::fs::read_to_string(file)
                            .map_err(|e| AppError::new(ErrorCode::Io, format!("{file}: {e}")))?
                    };
                    app.save_ai_prompt(task, market, &body)?
                }
                None => app.ai_prompt(task, market)?,
            };
            if cli.json {
                return json(&dto);
            }
            let version = if dto.version == 0 {
                "Vitrina's default".to_string()
            } else {
                format!("version {}", dto.version)
            };
            print(format!("{} / {} ({version}):\n\n{}", dto.task, dto.target, dto.body));
            print(format!("\nPlaceholders: {}", dto.placeholders.join(" ")));
            Ok(())
        }
        AiCmd::FakeServer { .. } | AiCmd::Bench { .. } => Ok(()),
    }
}

fn providers(app: &App, secrets: &Secrets, cmd: &ProvidersCmd, cli: &Cli) -> Outcome {
    match cmd {
        ProvidersCmd::List => {
            let all = app.ai_providers(Some(secrets))?;
            if cli.json {
                return json(&all);
            }
            if all.is_empty() {
                print(
                    "No AI provider yet: `VITRINA_AI_KEY=… vitrina ai providers add NAME --kind openai|gemini --model MODEL`.",
                );
                return Ok(());
            }
            let mut t = table(&["Name", "Kind", "Model", "Base URL", "Key", "Limits", "Last check"]);
            for p in &all {
                t.add_row(vec![
                    p.name.clone(),
                    p.kind.clone(),
                    p.model.clone(),
                    p.base_url.clone(),
                    if p.local {
                        "not needed".into()
                    } else if p.key_set {
                        "set".into()
                    } else {
                        "missing".into()
                    },
                    format!(
                        "{} at once, {}/min",
                        p.concurrency,
                        if p.rpm == 0 { "∞".into() } else { p.rpm.to_string() }
                    ),
                    p.last_check.as_ref().map(|c| c.outcome.clone()).unwrap_or_default(),
                ]);
            }
            print(t);
            Ok(())
        }
        ProvidersCmd::Add {
            name,
            kind,
            base_url,
            model,
            concurrency,
            rpm,
            timeout,
            json_mode,
            price_in,
            price_out,
            currency,
            key_stdin,
        } => {
            let input = NewAiProviderDto {
                name: name.clone(),
                kind: kind.clone(),
                base_url: base_url.clone(),
                model: model.clone(),
                key: read_key(*key_stdin, base_url.as_deref())?,
                concurrency: *concurrency,
                rpm: *rpm,
                timeout_secs: *timeout,
                max_attempts: None,
                json_mode: json_mode.clone(),
                price_input: price_in.clone(),
                price_output: price_out.clone(),
                currency: currency.clone(),
            };
            let p = app.add_ai_provider(&input, secrets)?;
            if cli.json {
                return json(&p);
            }
            print(format!(
                "Added {} ({} {}, {}). Check it: vitrina ai providers check {:?}",
                p.name, p.kind, p.model, p.base_url, p.name
            ));
            Ok(())
        }
        ProvidersCmd::Check { name } => {
            let c = app.check_ai_provider(name, secrets)?;
            if cli.json {
                json(&c)?;
            } else {
                print_check(name, &c);
            }
            if c.ok { Ok(()) } else { Err(AppError::invalid(format!("{name}: {}", c.detail))) }
        }
        ProvidersCmd::Remove { name } => {
            let p = app.remove_ai_provider(name, secrets)?;
            if cli.json {
                return json(&p);
            }
            print(format!("Removed {} and its key.", p.name));
            Ok(())
        }
    }
}

fn print_check(name: &str, c: &AiCheckDto) {
    let verdict = if c.ok { "works" } else { "does not work" };
    print(format!("{name} {verdict} ({}, {} ms): {}", c.outcome, c.millis, c.detail));
}

/// The key: `VITRINA_AI_KEY`, the first line of standard input, or asked on a terminal; a
/// local server needs none.
fn read_key(from_stdin: bool, base_url: Option<&str>) -> Result<String, AppError> {
    use std::io::IsTerminal;
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| AppError::invalid(e.to_string()))?;
        return Ok(line.trim().to_owned());
    }
    if let Ok(key) = std::env::var(KEY_VAR)
        && !key.trim().is_empty()
    {
        return Ok(key.trim().to_owned());
    }
    let local = base_url
        .is_some_and(|u| u.contains("://localhost") || u.contains("://127.") || u.contains("://[::1]"));
    if !local && std::io::stdin().is_terminal() {
        let key = rpassword::prompt_password("The provider's API key: ")
            .map_err(|e| AppError::invalid(format!("the key could not be read: {e}")))?;
        return Ok(key.trim().to_owned());
    }
    Ok(String::new())
}

fn start(app: &App, db: &Path, req: &AiRunRequest, detach: bool, cli: &Cli) -> Outcome {
    let jobs = Jobs::open(db)?;
    let job = JobDto::from(&queue_ai_run(app, &jobs, req)?);
    if detach {
        return crate::jobs::queued(&job, cli.json);
    }
    let done = crate::jobs::follow(&jobs, &job.id, cli.json)?;
    if let Some(run) = done.result.as_ref().and_then(|r| serde_json::from_value::<AiRunDto>(r.clone()).ok()) {
        if cli.json {
            json(&run)?;
        } else {
            print_run(&run);
        }
    }
    crate::jobs::ended(&done)
}

fn print_run(r: &AiRunDto) {
    let cost = r.cost.as_ref().map(|c| format!(", about {} {}", c.text, c.currency)).unwrap_or_default();
    print(format!(
        "{} products with {} ({}): {} requests, {} from the cache, {} failed; {} new suggestions; {} + {} tokens{cost}.",
        r.products,
        r.provider,
        r.model,
        r.requests,
        r.cached,
        r.failed,
        r.suggestions,
        r.input_tokens,
        r.output_tokens
    ));
    if !r.flagged.is_empty() {
        let mut t = table(&["SKU", "Field", "Severity", "What"]);
        for item in r.flagged.iter().take(50) {
            for i in &item.issues {
                t.add_row(vec![item.sku.clone(), i.field.clone(), i.severity.clone(), i.message.clone()]);
            }
        }
        print(t);
    }
    if !r.failures.is_empty() {
        let mut t = table(&["SKU", "Failed", "Why"]);
        for f in r.failures.iter().take(50) {
            t.add_row(vec![
                f.sku.clone(),
                f.error_code.clone().unwrap_or_default(),
                f.error.clone().unwrap_or_default(),
            ]);
        }
        print(t);
    }
    if r.suggestions > 0 {
        print("Review the suggestions: vitrina ai review list");
    }
}

fn print_rules(d: &RuleCheckDto, cli: &Cli) -> Outcome {
    if cli.json {
        return json(d);
    }
    let from = d
        .required_from_account
        .as_ref()
        .map(|a| format!("; required characteristics from {a}"))
        .unwrap_or_default();
    print(format!(
        "{} products checked for {}: {} with issues ({} ms{from}).",
        d.checked, d.target, d.with_issues, d.millis
    ));
    if d.products.is_empty() {
        return Ok(());
    }
    let mut t = table(&["SKU", "Field", "Severity", "Issue", "Detail"]);
    for p in d.products.iter().take(50) {
        for i in &p.issues {
            t.add_row(vec![
                p.sku.clone(),
                i.field.clone(),
                i.severity.clone(),
                i.code.clone(),
                i.detail.clone(),
            ]);
        }
    }
    print(t);
    Ok(())
}

fn review(app: &App, cmd: &ReviewCmd, cli: &Cli) -> Outcome {
    let ids = |ids: &[String], all: bool, skus: &[String]| -> Result<Vec<String>, AppError> {
        match (all, ids.is_empty()) {
            (true, true) => app.pending_ai_suggestion_ids(skus),
            (false, false) => Ok(ids.to_vec()),
            (true, false) => Err(AppError::invalid("give suggestion ids or --all, not both")),
            (false, true) => {
                Err(AppError::invalid("name the suggestions (their ids from `ai review list`), or --all"))
            }
        }
    };
    match cmd {
        ReviewCmd::List { skus, statuses } => {
            let all = app.ai_suggestions(statuses, skus, 0)?;
            if cli.json {
                return json(&all);
            }
            print_suggestions(&all);
            Ok(())
        }
        ReviewCmd::Accept { ids: given, all, skus } => {
            let out = app.accept_ai_suggestions(&ids(given, *all, skus)?)?;
            decided(&out, cli)
        }
        ReviewCmd::Reject { ids: given, all, skus } => {
            let out = app.reject_ai_suggestions(&ids(given, *all, skus)?)?;
            decided(&out, cli)
        }
    }
}

fn print_suggestions(all: &[AiSuggestionDto]) {
    if all.is_empty() {
        print("No suggestions to review.");
        return;
    }
    for s in all {
        let diff: String = s
            .diff
            .iter()
            .map(|d| match d.op.as_str() {
                "added" => format!("[+{}]", d.text),
                "removed" => format!("[-{}]", d.text),
                _ => d.text.clone(),
            })
            .collect();
        let reason = s.reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default();
        print(format!("{} {} {} ({}){reason}\n  {diff}", s.id, s.sku, s.field, s.status));
    }
}

fn decided(out: &AiDecisionDto, cli: &Cli) -> Outcome {
    if cli.json {
        json(out)?;
    } else {
        print(format!(
            "{} accepted, {} rejected, {} not done.",
            out.accepted.len(),
            out.rejected.len(),
            out.failed.len()
        ));
        for f in &out.failed {
            print(format!("  {} {}: {} ({})", f.id, f.sku, f.message, f.code));
        }
    }
    if out.failed.is_empty() || !(out.accepted.is_empty() && out.rejected.is_empty()) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Conflict, "no suggestion was decided"))
    }
}

fn fake_server(port: u16, latency_ms: u64, key: Option<&str>, cli: &Cli) -> Outcome {
    let (_fake, dto) = vitrina_app::ai::serve_fake_llm(port, Duration::from_millis(latency_ms), key)?;
    if cli.json {
        json(&dto)?;
    } else {
        print(format!("A fake LLM server listens on {} (Ctrl-C stops it).", dto.url));
        print(format!(
            "  OpenAI-compatible: {}\n  Gemini:            {}\n  model: {}",
            dto.openai_url, dto.gemini_url, dto.model
        ));
        print(format!("Try it:\n  {}\n  vitrina ai moderate", dto.add));
    }
    loop {
        std::thread::park();
    }
}

fn bench(products: u64, concurrency: u32, latency_ms: u64, rules_db: Option<&Path>, cli: &Cli) -> Outcome {
    let dir = tempfile_dir()?;
    let m =
        vitrina_app::ai::bench::moderation(&dir, products, concurrency, Duration::from_millis(latency_ms))?;
    let _ = std::fs::remove_dir_all(&dir);
    let rules = rules_db.map(vitrina_app::ai::bench::rules).transpose()?;
    if cli.json {
        return json(&vitrina_app::ai::bench::AiBench { moderation: m, rules });
    }
    let mut t = table(&["Case", "Figure"]);
    t.add_row(vec![
        format!(
            "moderate {} products, concurrency {}, fake latency {} ms",
            m.products, m.concurrency, m.latency_ms
        ),
        format!(
            "{:.2} s ({} requests; latency floor {:.2} s; Vitrina's overhead {:.2} s; {} at once at most)",
            m.first_secs, m.first_requests, m.latency_floor_secs, m.overhead_secs, m.max_in_flight
        ),
    ]);
    t.add_row(vec![
        "the same again, nothing changed".to_string(),
        format!(
            "{:.2} s ({} requests, {} from the cache)",
            m.second_secs, m.second_requests, m.second_cached
        ),
    ]);
    if let Some(r) = rules {
        t.add_row(vec![
            format!("rule checks over {} products", r.products),
            format!("{:.2} s ({} with issues)", r.secs, r.with_issues),
        ]);
    }
    print(t);
    Ok(())
}

/// A fresh folder for the benchmark's catalog, in the system's temporary folder.
fn tempfile_dir() -> Result<std::path::PathBuf, AppError> {
    let dir = std::env::temp_dir().join(format!("vitrina-ai-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", dir.display())))?;
    Ok(dir)
}
