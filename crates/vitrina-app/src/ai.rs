//! AI moderation and descriptions (issue 16): providers (settings in the AI file next to the
//! catalog, owned by `vitrina-ai`; keys in the store of secrets as `ai.<id>.key`), rule checks
//! that need no model, runs of moderation or generation (as jobs, `ai/job.rs`), the review of
//! suggestions — accepting one is a normal catalog edit, with history and undo — and prompts.
//!
//! The required characteristics for the rule checks come from a marketplace account's cached
//! attributes (`vitrina-market`), read here so that `vitrina-ai` never depends on it.

pub mod bench;
pub mod diff;
pub mod job;

use std::collections::HashMap;
use std::str::FromStr;

use uuid::Uuid;
use vitrina_ai::prompt::{PLACEHOLDERS, Task};
use vitrina_ai::rules::{AttrSource, Checker, RequiredAttr, Rules, Target};
use vitrina_ai::store::{
    AiStore, Price, ResultState, RunRecord, Suggestion, SuggestionFilter, SuggestionStatus,
};
use vitrina_ai::{AiError, ErrorKind, JsonMode, ProviderConfig, ProviderKind, secret_name};
use vitrina_domain::{Currency, Money, ProductField};
use vitrina_store::export::{ExportOrder, Selection};

use crate::catalog::{App, FieldEdit};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{
    AiCheckDto, AiDecisionDto, AiDecisionFailureDto, AiIssueDto, AiItemDto, AiPriceDto, AiPromptDto,
    AiProviderDto, AiRunDto, AiSuggestionDto, NewAiProviderDto, ProductRuleIssuesDto, RuleCheckDto,
    RuleCountDto, RuleIssueDto,
};
use crate::secrets::Secrets;

pub use vitrina_ai::rules::Target as AiTarget;
pub use vitrina_testkit::llm::{FakeLlm, FakeLlmConfig};

/// Products with issues a rule check lists (the counts cover every product).
pub const RULES_LIST_MAX: usize = 500;

/// An AI error for the front ends.
pub(crate) fn ai_error(e: AiError) -> AppError {
    let code = match e.kind {
        ErrorKind::NotFound => ErrorCode::NotFound,
        ErrorKind::Conflict => ErrorCode::Conflict,
        ErrorKind::Storage => ErrorCode::Io,
        ErrorKind::Invalid | ErrorKind::KeyMissing | ErrorKind::TooLarge => ErrorCode::Invalid,
        _ => ErrorCode::Invalid,
    };
    AppError::new(code, e.message)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl App {
    pub(crate) fn ai_store(&self) -> AppResult<AiStore> {
        AiStore::open(self.path()).map_err(ai_error)
    }

    /// Every AI provider, by name (`secrets`: whether each one's key is stored).
    pub fn ai_providers(&self, secrets: Option<&Secrets>) -> AppResult<Vec<AiProviderDto>> {
        let store = self.ai_store()?;
        let all = store.providers().map_err(ai_error)?;
        all.iter().map(|p| provider_dto(&store, p, secrets)).collect()
    }

    pub fn ai_provider(&self, key: &str, secrets: Option<&Secrets>) -> AppResult<AiProviderDto> {
        let store = self.ai_store()?;
        let p = store.provider(key).map_err(ai_error)?;
        provider_dto(&store, &p, secrets)
    }

    /// Adds a provider and stores its key; if the key cannot be stored, the provider is not
    /// added either. A remote provider without a key is refused.
    pub fn add_ai_provider(&self, input: &NewAiProviderDto, secrets: &Secrets) -> AppResult<AiProviderDto> {
        let kind: ProviderKind = input.kind.parse().map_err(ai_error)?;
        let mut p = ProviderConfig::new(&input.name, kind, input.base_url.as_deref(), &input.model, now_ms());
        apply_settings(&mut p, input)?;
        p.validate().map_err(ai_error)?;
        if p.key_required() && input.key.trim().is_empty() {
            return Err(AppError::invalid(format!(
                "{} needs an API key (a server on this computer needs none): give it in VITRINA_AI_KEY or in the form",
                p.name
            )));
        }
        let mut store = self.ai_store()?;
        store.add_provider(&p).map_err(ai_error)?;
        let saved = (|| {
            if !input.key.trim().is_empty() {
                secrets.set_ai_secret(&secret_name(p.id), &input.key)?;
            }
            set_price(&mut store, &p.model, input)
        })();
        if let Err(e) = saved {
            let _ = store.remove_provider(p.id);
            return Err(e);
        }
        tracing::info!(provider = %p.name, kind = %kind, model = %p.model, "AI provider added");
        provider_dto(&store, &p, Some(secrets))
    }

    /// Changes a provider: what `input` gives (empty keeps), a new key when given.
    pub fn set_ai_provider(
        &self,
        key: &str,
        input: &NewAiProviderDto,
        secrets: &Secrets,
    ) -> AppResult<AiProviderDto> {
        let mut store = self.ai_store()?;
        let mut p = store.provider(key).map_err(ai_error)?;
        if !input.name.trim().is_empty() {
            p.name = input.name.trim().to_owned();
        }
        if !input.model.trim().is_empty() {
            p.model = input.model.trim().to_owned();
        }
        if let Some(url) = input.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            p.base_url = url.trim_end_matches('/').to_owned();
        }
        apply_settings(&mut p, input)?;
        p.updated_at = now_ms();
        store.update_provider(&p).map_err(ai_error)?;
        if !input.key.trim().is_empty() {
            secrets.set_ai_secret(&secret_name(p.id), &input.key)?;
        }
        set_price(&mut store, &p.model, input)?;
        provider_dto(&store, &p, Some(secrets))
    }

    /// Removes a provider and its key; returns what was removed.
    pub fn remove_ai_provider(&self, key: &str, secrets: &Secrets) -> AppResult<AiProviderDto> {
        let mut store = self.ai_store()?;
        let p = store.provider(key).map_err(ai_error)?;
        let dto = provider_dto(&store, &p, Some(secrets))?;
        store.remove_provider(p.id).map_err(ai_error)?;
        if let Err(e) = secrets.set_ai_secret(&secret_name(p.id), "") {
            tracing::warn!(provider = %p.name, error = %e, "the provider's key could not be removed");
        }
        Ok(dto)
    }

    /// "Check connection": the provider's cheapest read, no tokens spent; kept with the provider.
    pub fn check_ai_provider(&self, key: &str, secrets: &Secrets) -> AppResult<AiCheckDto> {
        let mut store = self.ai_store()?;
        let mut p = store.provider(key).map_err(ai_error)?;
        let check = match client(&p, secrets) {
            Ok(c) => c.with_policy(vitrina_ai::RetryPolicy::new(2)).check(now_ms()),
            Err(e) => vitrina_ai::ProviderCheck {
                ok: false,
                outcome: e.code().into(),
                detail: e.message,
                checked_at: now_ms(),
                millis: 0,
            },
        };
        p.last_check = Some(check.clone());
        store.update_provider(&p).map_err(ai_error)?;
        tracing::info!(provider = %p.name, ok = check.ok, outcome = %check.outcome, "AI provider checked");
        Ok(check_dto(&check))
    }

    /// The rule checks (no model, no network) over `skus`, a category, or the whole catalog,
    /// for `target` (`any`, `wb`, `ozon`, `ym`). Required characteristics come from the first
    /// account of that marketplace, when there is one and its attributes are cached.
    pub fn ai_rule_check(
        &self,
        target: &str,
        skus: &[String],
        category: Option<&str>,
        extra_forbidden: &[String],
    ) -> AppResult<RuleCheckDto> {
        let started = std::time::Instant::now();
        let target: Target = target.parse().map_err(ai_error)?;
        let selection = self.ai_selection(skus, category, None)?;
        let (required, account) = required_attrs(self, target)?;
        let rules = Rules::new(target, extra_forbidden);
        let mut dto = RuleCheckDto {
            target: target.code().into(),
            checked: 0,
            with_issues: 0,
            required_from_account: account,
            counts: Vec::new(),
            products: Vec::new(),
            millis: 0,
        };
        let mut counts: HashMap<&'static str, u64> = HashMap::new();
        // Two threads: this one reads rows (SQLite, the characteristics' JSON), the other
        // checks them, each about half of the work. Rows travel in batches and come back for
        // reuse, so the reader keeps refilling buffers that have already grown.
        const BATCH: usize = 512;
        let (to_check, batches) = std::sync::mpsc::sync_channel::<Vec<vitrina_store::export::ExportRow>>(4);
        let (give_back, returned) = std::sync::mpsc::channel::<Vec<vitrina_store::export::ExportRow>>();
        let catalog = self.catalog()?;
        std::thread::scope(|scope| -> AppResult<()> {
            let (dto, counts, rules, required) = (&mut dto, &mut counts, &rules, &required);
            // Owned here, so that a failed read drops it and the checker ends before the join.
            let to_check = to_check;
            scope.spawn(move || {
                let mut checker = Checker::new(rules);
                let mut issues = Vec::new();
                for batch in batches {
                    for row in &batch {
                        dto.checked += 1;
                        issues.clear();
                        let req =
                            row.category.and_then(|c| required.get(&c)).map(Vec::as_slice).unwrap_or(&[]);
                        checker.check(row, req, &mut issues);
                        if issues.is_empty() {
                            continue;
                        }
                        dto.with_issues += 1;
                        let mut seen: Vec<&'static str> = Vec::new();
                        for i in &issues {
                            if !seen.contains(&i.code.code()) {
                                seen.push(i.code.code());
                                *counts.entry(i.code.code()).or_default() += 1;
                            }
                        }
                        if dto.products.len() < RULES_LIST_MAX {
                            dto.products.push(ProductRuleIssuesDto {
                                sku: row.sku.clone(),
                                name: row.name.clone(),
                                issues: issues.iter().map(rule_issue_dto).collect(),
                            });
                        }
                    }
                    let _ = give_back.send(batch);
                }
            });
            let mut batch = Vec::with_capacity(BATCH);
            let mut spare: Vec<vitrina_store::export::ExportRow> = Vec::new();
            catalog.export_each::<AppError>(&selection, ExportOrder::Storage, |row| {
                let mut slot = spare.pop().unwrap_or_default();
                std::mem::swap(row, &mut slot);
                batch.push(slot);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if to_check.send(full).is_err() {
                        return Ok(std::ops::ControlFlow::Break(()));
                    }
                    while let Ok(mut back) = returned.try_recv() {
                        spare.append(&mut back);
                    }
                }
                Ok(std::ops::ControlFlow::Continue(()))
            })?;
            if !batch.is_empty() {
                let _ = to_check.send(batch);
            }
            drop(to_check);
            Ok(())
        })?;
        if !skus.is_empty() && dto.checked == 0 {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("no product with SKU {}", skus.join(", ")),
            ));
        }
        dto.counts =
            counts.into_iter().map(|(code, count)| RuleCountDto { code: code.into(), count }).collect();
        dto.counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
        dto.millis = started.elapsed().as_millis() as u64;
        Ok(dto)
    }

    /// Which products a run or a check covers: SKUs, a category (with everything below it),
    /// or a marketplace account's error inbox; the whole catalog when none is given.
    pub(crate) fn ai_selection(
        &self,
        skus: &[String],
        category: Option<&str>,
        inbox: Option<&str>,
    ) -> AppResult<Selection> {
        let mut selection = Selection { skus: self.skus_of(skus)?, ..Default::default() };
        if let Some(c) = category.map(str::trim).filter(|c| !c.is_empty()) {
            selection.categories.push(self.find_category(c)?);
        }
        if let Some(account) = inbox.map(str::trim).filter(|a| !a.is_empty()) {
            let links =
                self.market_links(account, &[], true, None, crate::market::inbox::LINKS_PAGE_MAX, 0)?;
            if links.items.is_empty() {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("the error inbox of {account} is empty"),
                ));
            }
            selection.skus.extend(links.items.into_iter().map(|l| l.sku));
        }
        Ok(selection)
    }

    /// The template in use for a task and marketplace.
    pub fn ai_prompt(&self, task: &str, target: &str) -> AppResult<AiPromptDto> {
        let task: Task = task.parse().map_err(ai_error)?;
        let target: Target = target.parse().map_err(ai_error)?;
        Ok(prompt_dto(&self.ai_store()?.prompt(task, target).map_err(ai_error)?))
    }

    /// Saves a new version of a template; one with an unknown placeholder is refused with the
    /// list of known ones. Products are sent again under the new version.
    pub fn save_ai_prompt(&self, task: &str, target: &str, body: &str) -> AppResult<AiPromptDto> {
        let task: Task = task.parse().map_err(ai_error)?;
        let target: Target = target.parse().map_err(ai_error)?;
        let p = self.ai_store()?.save_prompt(task, target, body, now_ms()).map_err(ai_error)?;
        tracing::info!(task = %task, target = %target, version = p.version, "AI prompt saved");
        Ok(prompt_dto(&p))
    }

    /// Suggestions (`statuses` empty: pending ones), of `skus` (all when empty).
    pub fn ai_suggestions(
        &self,
        statuses: &[String],
        skus: &[String],
        limit: u32,
    ) -> AppResult<Vec<AiSuggestionDto>> {
        let statuses = if statuses.is_empty() {
            vec![SuggestionStatus::Pending]
        } else {
            statuses.iter().map(|s| SuggestionStatus::parse(s)).collect::<Result<_, _>>().map_err(ai_error)?
        };
        let filter = SuggestionFilter { statuses, skus: skus.to_vec(), limit };
        let all = self.ai_store()?.suggestions(&filter).map_err(ai_error)?;
        Ok(all.iter().map(suggestion_dto).collect())
    }

    /// The pending suggestions' ids of `skus` (all when empty), for "accept all" and the CLI.
    pub fn pending_ai_suggestion_ids(&self, skus: &[String]) -> AppResult<Vec<String>> {
        Ok(self.ai_suggestions(&[], skus, 0)?.into_iter().map(|s| s.id).collect())
    }

    /// Accepts suggestions: each one is a normal catalog edit (history, undo). One whose field
    /// changed since it was made is not applied (the seller's newer text wins) and is reported.
    pub fn accept_ai_suggestions(&self, ids: &[String]) -> AppResult<AiDecisionDto> {
        let mut store = self.ai_store()?;
        let mut out = AiDecisionDto::default();
        for id in ids {
            let fail = |out: &mut AiDecisionDto, sku: &str, code: &str, message: String| {
                out.failed.push(AiDecisionFailureDto {
                    id: id.clone(),
                    sku: sku.into(),
                    code: code.into(),
                    message,
                })
            };
            let Some(s) = Uuid::parse_str(id.trim()).ok().and_then(|u| store.suggestion(u).ok()) else {
                fail(&mut out, "", "not_found", format!("no suggestion {id}"));
                continue;
            };
            if s.status != SuggestionStatus::Pending {
                fail(
                    &mut out,
                    &s.sku,
                    "not_pending",
                    format!("the suggestion is {} already", s.status.code()),
                );
                continue;
            }
            let field: ProductField = match s.field.parse() {
                Ok(f) => f,
                Err(e) => {
                    fail(&mut out, &s.sku, "refused", e);
                    continue;
                }
            };
            let key = s.product_id.to_string();
            let current = match self.product(&key) {
                Ok(view) => field_text(&view.product, field),
                Err(e) => {
                    fail(&mut out, &s.sku, "not_found", e.message);
                    continue;
                }
            };
            if current.trim() != s.old_value.trim() {
                fail(
                    &mut out,
                    &s.sku,
                    "changed_since",
                    format!(
                        "{} of {} changed after the suggestion was made; run the check again",
                        s.field, s.sku
                    ),
                );
                continue;
            }
            let text =
                if field == ProductField::Description { to_html(&s.new_value) } else { s.new_value.clone() };
            match self.edit(&key, &[FieldEdit { field, text }]) {
                Ok(_) => {
                    store.decide(s.id, SuggestionStatus::Accepted, now_ms()).map_err(ai_error)?;
                    out.accepted.push(id.clone());
                }
                Err(e) if e.code == ErrorCode::Busy => fail(&mut out, &s.sku, "busy", e.message),
                Err(e) => fail(&mut out, &s.sku, "refused", e.message),
            }
        }
        tracing::info!(accepted = out.accepted.len(), failed = out.failed.len(), "AI suggestions accepted");
        Ok(out)
    }

    /// Rejects suggestions; nothing in the catalog changes.
    pub fn reject_ai_suggestions(&self, ids: &[String]) -> AppResult<AiDecisionDto> {
        let mut store = self.ai_store()?;
        let mut out = AiDecisionDto::default();
        for id in ids {
            let parsed = Uuid::parse_str(id.trim()).ok();
            let found = parsed.and_then(|u| store.suggestion(u).ok());
            match found {
                None => out.failed.push(AiDecisionFailureDto {
                    id: id.clone(),
                    sku: String::new(),
                    code: "not_found".into(),
                    message: format!("no suggestion {id}"),
                }),
                Some(s) => {
                    if store.decide(s.id, SuggestionStatus::Rejected, now_ms()).map_err(ai_error)? {
                        out.rejected.push(id.clone());
                    } else {
                        out.failed.push(AiDecisionFailureDto {
                            id: id.clone(),
                            sku: s.sku,
                            code: "not_pending".into(),
                            message: format!("the suggestion is {} already", s.status.code()),
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// The latest runs, newest first (without their per-product lists).
    pub fn ai_runs(&self, limit: u32) -> AppResult<Vec<AiRunDto>> {
        let runs = self.ai_store()?.runs(limit).map_err(ai_error)?;
        Ok(runs.iter().map(|r| run_dto(r, 0, &[], &[])).collect())
    }

    /// A product's latest AI results (the editor's "check now" shows the newest).
    pub fn ai_product_results(&self, sku: &str, limit: u32) -> AppResult<Vec<AiItemDto>> {
        let id = self.product(sku)?.product.id;
        let results = self.ai_store()?.product_results(id, limit).map_err(ai_error)?;
        Ok(results.iter().map(item_dto).collect())
    }
}

/// A client for `p` with its key from `secrets`.
pub(crate) fn client(p: &ProviderConfig, secrets: &Secrets) -> Result<vitrina_ai::Client, AiError> {
    let key = match secrets.ai_secret(&secret_name(p.id)) {
        Ok(key) => key,
        // A server on this computer works without a key: an unreadable store is no reason to
        // stop it.
        Err(_) if !p.key_required() => None,
        Err(e) => {
            return Err(AiError::new(
                ErrorKind::KeyMissing,
                format!("the key of {} could not be read: {}", p.name, e.message),
            ));
        }
    };
    vitrina_ai::Client::new(p, key.and_then(vitrina_ai::Key::new))
}

/// Required characteristics by the export's category id.
pub(crate) type RequiredByCategory = HashMap<u64, Vec<RequiredAttr>>;

/// Required characteristics per catalog category (the export's category id) from the first
/// account of `target`'s marketplace, and that account's name.
pub(crate) fn required_attrs(app: &App, target: Target) -> AppResult<(RequiredByCategory, Option<String>)> {
    let market = match target {
        Target::Any => return Ok((HashMap::new(), None)),
        Target::Wb => vitrina_market::Market::Wb,
        Target::Ozon => vitrina_market::Market::Ozon,
        Target::Ym => vitrina_market::Market::Ym,
    };
    if !vitrina_market::market_path(app.path()).exists() {
        return Ok((HashMap::new(), None));
    }
    let store = app.market_store()?;
    let accounts = store.accounts().map_err(crate::market::market_error)?;
    let Some(account) = accounts.into_iter().find(|a| a.market == market) else {
        return Ok((HashMap::new(), None));
    };
    let maps = store.category_maps(account.id).map_err(crate::market::market_error)?;
    let cats = app.catalog()?.export_categories()?;
    let mut out = HashMap::new();
    for c in cats {
        let Some(ext) = maps.get(&c.uuid) else { continue };
        let Some(spec) = store.category_spec(account.id, ext).map_err(crate::market::market_error)? else {
            continue;
        };
        let rules = store.attr_rules(account.id, ext).map_err(crate::market::market_error)?;
        let required: Vec<RequiredAttr> = spec
            .dict
            .attributes
            .iter()
            .filter(|a| a.required && a.named_field.is_none())
            .map(|a| {
                let sources = rules
                    .iter()
                    .filter(|r| r.attr_id == a.attr_id)
                    .map(|r| match &r.source {
                        vitrina_market::dict::Source::Field(f) => AttrSource::Field(f.clone()),
                        vitrina_market::dict::Source::Attr(n) => AttrSource::Attribute(n.clone()),
                        vitrina_market::dict::Source::Const(_) => AttrSource::Always,
                    })
                    .collect();
                RequiredAttr { label: a.name.clone(), sources }
            })
            .collect();
        if !required.is_empty() {
            out.insert(c.id, required);
        }
    }
    Ok((out, Some(account.name)))
}

fn apply_settings(p: &mut ProviderConfig, input: &NewAiProviderDto) -> AppResult<()> {
    if let Some(n) = input.concurrency {
        p.settings.concurrency = n;
    }
    if let Some(n) = input.rpm {
        p.settings.rpm = n;
    }
    if let Some(n) = input.timeout_secs {
        p.settings.timeout_secs = n;
    }
    if let Some(n) = input.max_attempts {
        p.settings.max_attempts = n;
    }
    if let Some(m) = input.json_mode.as_deref().filter(|m| !m.trim().is_empty()) {
        p.settings.json_mode = JsonMode::from_str(m).map_err(ai_error)?;
    }
    // A local server: no rate limit unless one is asked for.
    if p.is_local() && input.rpm.is_none() {
        p.settings.rpm = 0;
    }
    Ok(())
}

fn set_price(store: &mut AiStore, model: &str, input: &NewAiProviderDto) -> AppResult<()> {
    let (Some(i), Some(o)) = (input.price_input.as_deref(), input.price_output.as_deref()) else {
        if input.price_input.is_some() || input.price_output.is_some() {
            return Err(AppError::invalid(
                "give both prices: per million input tokens and per million output tokens",
            ));
        }
        return Ok(());
    };
    let currency: Currency = input
        .currency
        .as_deref()
        .unwrap_or("USD")
        .trim()
        .parse()
        .map_err(|e| AppError::invalid(format!("{e}")))?;
    let parse = |t: &str| {
        Money::parse(t, currency)
            .map(|m| m.minor)
            .map_err(|e| AppError::invalid(format!("price \"{t}\": {e}")))
    };
    let price = Price {
        model: model.to_owned(),
        input_per_mtok: parse(i)?,
        output_per_mtok: parse(o)?,
        currency: currency.to_string(),
    };
    store.set_price(&price).map_err(ai_error)
}

fn provider_dto(store: &AiStore, p: &ProviderConfig, secrets: Option<&Secrets>) -> AppResult<AiProviderDto> {
    let key_set = match secrets {
        Some(s) => s.ai_secret_set(&secret_name(p.id))?,
        None => false,
    };
    let price = store.price(&p.model).map_err(ai_error)?.and_then(|pr| price_dto(&pr));
    Ok(AiProviderDto {
        id: p.id.to_string(),
        name: p.name.clone(),
        kind: p.kind.code().into(),
        base_url: p.base_url.clone(),
        model: p.model.clone(),
        local: p.is_local(),
        key_set,
        concurrency: p.settings.concurrency,
        rpm: p.settings.rpm,
        timeout_secs: p.settings.timeout_secs,
        max_attempts: p.settings.max_attempts,
        json_mode: serde_json::to_value(p.settings.json_mode)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        price,
        last_check: p.last_check.as_ref().map(check_dto),
        created_at: p.created_at,
    })
}

fn price_dto(p: &Price) -> Option<AiPriceDto> {
    let currency: Currency = p.currency.parse().ok()?;
    Some(AiPriceDto {
        model: p.model.clone(),
        input: Money::new(p.input_per_mtok, currency).into(),
        output: Money::new(p.output_per_mtok, currency).into(),
    })
}

fn check_dto(c: &vitrina_ai::ProviderCheck) -> AiCheckDto {
    AiCheckDto {
        ok: c.ok,
        outcome: c.outcome.clone(),
        detail: c.detail.clone(),
        checked_at: c.checked_at,
        millis: c.millis,
    }
}

fn rule_issue_dto(i: &vitrina_ai::rules::RuleIssue) -> RuleIssueDto {
    RuleIssueDto {
        code: i.code.code().into(),
        field: i.field.clone(),
        severity: i.severity.code().into(),
        detail: i.detail.clone(),
    }
}

fn prompt_dto(p: &vitrina_ai::prompt::Prompt) -> AiPromptDto {
    AiPromptDto {
        task: p.task.code().into(),
        target: p.target.code().into(),
        version: p.version,
        body: p.body.clone(),
        placeholders: PLACEHOLDERS.iter().map(|(n, _)| format!("{{{{{n}}}}}")).collect(),
    }
}

pub(crate) fn item_dto(r: &vitrina_ai::store::ItemResult) -> AiItemDto {
    let issues = r
        .answer
        .as_deref()
        .and_then(vitrina_ai::ask::Answer::from_json)
        .map(|a| match a {
            vitrina_ai::ask::Answer::Verdict(v) => v
                .issues
                .into_iter()
                .map(|i| AiIssueDto {
                    field: i.field,
                    severity: i.severity.code().into(),
                    message: i.message,
                })
                .collect(),
            vitrina_ai::ask::Answer::Generated(_) => Vec::new(),
        })
        .unwrap_or_default();
    AiItemDto {
        sku: r.sku.clone(),
        state: match r.state {
            ResultState::Ok => "ok",
            ResultState::Issues => "issues",
            ResultState::Failed => "failed",
        }
        .into(),
        cached: r.cached,
        issues,
        error_code: r.error_code.clone(),
        error: r.error.clone(),
        raw: r.raw.clone(),
    }
}

pub(crate) fn run_dto(
    r: &RunRecord,
    suggestions: u64,
    failures: &[vitrina_ai::store::ItemResult],
    flagged: &[vitrina_ai::store::ItemResult],
) -> AiRunDto {
    let cost = match (r.cost_minor, r.currency.as_deref().and_then(|c| c.parse::<Currency>().ok())) {
        (Some(minor), Some(currency)) => Some(Money::new(minor, currency).into()),
        _ => None,
    };
    AiRunDto {
        id: r.id.to_string(),
        task: r.task.code().into(),
        provider: r.provider.clone(),
        model: r.model.clone(),
        target: r.target.code().into(),
        products: r.products,
        requests: r.requests,
        cached: r.cached,
        failed: r.failed,
        suggestions,
        input_tokens: r.usage.input_tokens,
        output_tokens: r.usage.output_tokens,
        cost,
        started_at: r.started_at,
        finished_at: r.finished_at,
        failures: failures.iter().map(item_dto).collect(),
        flagged: flagged.iter().map(item_dto).collect(),
    }
}

fn suggestion_dto(s: &Suggestion) -> AiSuggestionDto {
    let old = if s.field == "description" {
        let mut plain = String::new();
        vitrina_ai::rules::strip_html(&s.old_value, &mut plain);
        plain
    } else {
        s.old_value.clone()
    };
    AiSuggestionDto {
        id: s.id.to_string(),
        product_id: s.product_id.to_string(),
        sku: s.sku.clone(),
        field: s.field.clone(),
        old_value: s.old_value.clone(),
        new_value: s.new_value.clone(),
        diff: diff::diff(&old, &s.new_value),
        task: s.task.code().into(),
        reason: s.reason.clone(),
        model: s.model.clone(),
        status: s.status.code().into(),
        created_at: s.created_at,
        decided_at: s.decided_at,
    }
}

/// A product field's text as the catalog holds it.
fn field_text(p: &vitrina_domain::Product, field: ProductField) -> String {
    match field {
        ProductField::Name => p.name.clone(),
        ProductField::Description => p.description.clone(),
        ProductField::Brand => p.brand.clone(),
        ProductField::Model => p.model.clone(),
        _ => String::new(),
    }
}

/// Plain text as the catalog's HTML: paragraphs at blank lines, line breaks kept, escaped.
fn to_html(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

#[cfg(test)]
mod tests;

/// Starts the fake LLM server on 127.0.0.1:`port` (0: any free port), answering after
/// `latency`, asking for `key` when one is given; it runs while the handle lives.
pub fn serve_fake_llm(
    port: u16,
    latency: std::time::Duration,
    key: Option<&str>,
) -> AppResult<(FakeLlm, crate::ipc::FakeLlmDto)> {
    let mut config = match key {
        Some(k) => FakeLlmConfig::with_key(k),
        None => FakeLlmConfig::open(),
    };
    config.latency = latency;
    let fake = FakeLlm::start_at(&format!("127.0.0.1:{port}"), config)
        .map_err(|e| crate::error::AppError::new(crate::error::ErrorCode::Io, format!("port {port}: {e}")))?;
    let model = "fake-model".to_owned();
    let add = format!(
        "vitrina ai providers add Тест --kind openai --base-url {} --model {model}",
        fake.openai_url()
    );
    let dto = crate::ipc::FakeLlmDto {
        url: fake.url(),
        openai_url: fake.openai_url(),
        gemini_url: fake.gemini_url(),
        model,
        add,
    };
    Ok((fake, dto))
}
