//! A run over many products: rule checks first, then the cache, then the model for what is
//! left, with bounded concurrency (worker threads, and the provider's own limits), token usage
//! and estimated cost, progress and cancel. Each product ends with a result of its own — a
//! product that cannot be sent, or whose answer cannot be read, fails alone and the run goes
//! on; only a failure every other product would share (no key, a refused key) stops it early,
//! marking the rest with the same reason.
//!
//! The catalog is read once (a snapshot that waits for no import); everything the run writes
//! goes to the AI file, from this thread only.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

use uuid::Uuid;
use vitrina_domain::ProductId;
use vitrina_store::Catalog;
use vitrina_store::export::{ExportOrder, Selection};

use crate::ask::{Answer, Asked, CurrentValues, GenerateOptions, ask, current, current_values, vars};
use crate::error::{AiError, ErrorKind, Result};
use crate::http::Client;
use crate::prompt::Task;
use crate::provider::{ChatRequest, Usage};
use crate::rules::{Checker, RequiredAttr, Rules, Target, strip_html};
use crate::store::{AiStore, CacheKey, ItemResult, ResultState, RunRecord, Suggestion, SuggestionStatus};

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub task: Option<Task>,
    pub target: Target,
    pub selection: Selection,
    pub generate: GenerateOptions,
    /// Required characteristics by category (the export's category id).
    pub required: HashMap<u64, Vec<RequiredAttr>>,
    pub extra_forbidden: Vec<String>,
    /// Worker threads; the provider's concurrency when `None`.
    pub concurrency: Option<u32>,
}

/// The caller's cancel and progress.
pub struct Hooks<'a> {
    pub cancel: &'a (dyn Fn() -> bool + Sync),
    /// (done, total)
    pub progress: &'a dyn Fn(u64, u64),
    pub now: &'a dyn Fn() -> i64,
}

impl std::fmt::Debug for Hooks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub record: RunRecord,
    pub suggestions: u64,
    /// The products that failed (at most [`FAILURES_KEPT`]), with why.
    pub failures: Vec<ItemResult>,
    /// The products with issues or suggestions (at most [`FAILURES_KEPT`]).
    pub flagged: Vec<ItemResult>,
}

pub const FAILURES_KEPT: usize = 200;

struct Item {
    product: ProductId,
    sku: String,
    current: CurrentValues,
    content: u64,
    /// The request, or why the product cannot be sent.
    request: std::result::Result<ChatRequest, AiError>,
}

/// Runs `spec` with `client`, writing results, cache and suggestions to `store`.
pub fn run(
    catalog: &Catalog,
    store: &mut AiStore,
    client: &Client,
    spec: &RunSpec,
    hooks: &Hooks<'_>,
) -> Result<RunSummary> {
    let task = spec.task.unwrap_or(Task::Moderate);
    let config = client.config();
    let prompt = store.prompt(task, spec.target)?;
    let prompt_hash = prompt.hash(&match task {
        Task::Moderate => String::new(),
        Task::Generate => spec.generate.key(),
    });
    let categories = category_paths(catalog)?;
    let rules = Rules::new(spec.target, &spec.extra_forbidden);
    let mut checker = Checker::new(&rules);
    let (mut plain, mut issues) = (String::new(), Vec::new());
    let mut items = Vec::new();
    catalog.export_each::<AiError>(&spec.selection, ExportOrder::Storage, |row| {
        if (hooks.cancel)() {
            return Ok(ControlFlow::Break(()));
        }
        issues.clear();
        let required = row.category.and_then(|c| spec.required.get(&c)).map(Vec::as_slice).unwrap_or(&[]);
        checker.check(row, required, &mut issues);
        let category = row.category.and_then(|c| categories.get(&c)).map(String::as_str).unwrap_or("");
        let request = vars(row, category, spec.target, &spec.generate, &issues, &mut plain);
        let content = request.as_ref().map(|v| v.hash()).unwrap_or(0);
        items.push(Item {
            product: row.id,
            sku: row.sku.clone(),
            current: current_values(row),
            content,
            request: request.map(|v| crate::ask::request(&prompt, &v, &spec.generate)),
        });
        Ok(ControlFlow::Continue(()))
    })?;
    if (hooks.cancel)() {
        return Err(AiError::new(ErrorKind::Cancelled, "cancelled"));
    }

    let now = hooks.now;
    let record = RunRecord {
        id: Uuid::now_v7(),
        task,
        provider: config.name.clone(),
        model: config.model.clone(),
        target: spec.target,
        started_at: now(),
        finished_at: None,
        products: items.len() as u64,
        requests: 0,
        cached: 0,
        failed: 0,
        usage: Usage::default(),
        cost_minor: None,
        currency: None,
    };
    store.save_run(&record)?;
    let mut out = Output {
        record,
        task,
        model: &config.model,
        with_name: spec.generate.with_name,
        suggestions: 0,
        failures: Vec::new(),
        flagged: Vec::new(),
        now,
    };
    let total = items.len() as u64;
    let mut done = 0u64;
    (hooks.progress)(0, total);

    // Products that cannot be sent, and those the cache answers, in one transaction.
    let mut to_send = VecDeque::new();
    store.in_tx(|store| {
        for (i, item) in items.iter().enumerate() {
            match &item.request {
                Err(e) => out.failed(store, item, e, None)?,
                Ok(_) => {
                    let key =
                        CacheKey { task, content: item.content, prompt: prompt_hash, model: &config.model };
                    match store.cached(&key)?.and_then(|c| Answer::from_json(&c.answer)) {
                        Some(answer) => out.answered(store, item, &answer, true)?,
                        None => {
                            to_send.push_back(i);
                            continue;
                        }
                    }
                }
            }
            done += 1;
        }
        Ok(())
    })?;
    (hooks.progress)(done, total);

    // The model, for the rest.
    let workers = spec.concurrency.unwrap_or(config.settings.concurrency).clamp(1, 64) as usize;
    let queue = Mutex::new(to_send);
    let stop = AtomicBool::new(false);
    let mut stopped_by: Option<AiError> = None;
    let cancel = || (hooks.cancel)() || stop.load(Ordering::Relaxed);
    let (tx, rx) = mpsc::channel::<(usize, Asked)>();
    let mut outcome: Result<()> = Ok(());
    std::thread::scope(|s| {
        for _ in 0..workers.min(queue_len(&queue)).max(1) {
            let tx = tx.clone();
            let (queue, items, cancel) = (&queue, &items, &cancel);
            s.spawn(move || {
                loop {
                    if cancel() {
                        break;
                    }
                    let Some(i) = queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front() else {
                        break;
                    };
                    let Ok(req) = &items[i].request else { continue };
                    let asked = ask(client, task, req, spec.generate.with_name, cancel);
                    if tx.send((i, asked)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, asked) in rx {
            let item = &items[i];
            out.record.requests += u64::from(asked.requests);
            out.record.usage += asked.usage;
            let wrote = match asked.answer {
                Ok(answer) => {
                    let key =
                        CacheKey { task, content: item.content, prompt: prompt_hash, model: &config.model };
                    store
                        .put_cached(&key, &answer.to_json(), asked.usage, now())
                        .and_then(|_| out.answered(store, item, &answer, false))
                }
                Err(e) if e.kind == ErrorKind::Cancelled => {
                    // Not sent after all: it goes back with the rest.
                    queue.lock().unwrap_or_else(PoisonError::into_inner).push_back(i);
                    continue;
                }
                Err(e) => {
                    if e.kind.stops_a_batch() && !stop.swap(true, Ordering::Relaxed) {
                        stopped_by = Some(e.clone());
                    }
                    let raw = e.raw.clone();
                    out.failed(store, item, &e, raw)
                }
            };
            if let Err(e) = wrote {
                stop.store(true, Ordering::Relaxed);
                outcome = Err(e);
            }
            done += 1;
            (hooks.progress)(done, total);
        }
    });
    outcome?;

    // What was never sent because a failure every product shares stopped the run.
    let left: Vec<usize> = queue.into_inner().unwrap_or_else(PoisonError::into_inner).into_iter().collect();
    if let Some(e) = &stopped_by {
        let e = AiError::new(e.kind, format!("not sent: {}", e.message));
        store.in_tx(|store| {
            for &i in &left {
                out.failed(store, &items[i], &e, None)?;
            }
            Ok(())
        })?;
        done += left.len() as u64;
        (hooks.progress)(done, total);
    }
    let price = store.price(&config.model)?;
    out.record.cost_minor = price.as_ref().map(|p| p.cost(out.record.usage));
    out.record.currency = price.map(|p| p.currency);
    out.record.finished_at = Some(now());
    store.save_run(&out.record)?;
    let Output { record, suggestions, failures, flagged, .. } = out;
    if (hooks.cancel)() && stopped_by.is_none() && done < total {
        return Err(AiError::new(
            ErrorKind::Cancelled,
            format!("cancelled after {done} of {total} products"),
        ));
    }
    Ok(RunSummary { record, suggestions, failures, flagged })
}

fn queue_len(q: &Mutex<VecDeque<usize>>) -> usize {
    q.lock().unwrap_or_else(PoisonError::into_inner).len()
}

/// Where a run's findings go.
struct Output<'a> {
    record: RunRecord,
    task: Task,
    model: &'a str,
    with_name: bool,
    suggestions: u64,
    failures: Vec<ItemResult>,
    flagged: Vec<ItemResult>,
    now: &'a dyn Fn() -> i64,
}

impl Output<'_> {
    fn failed(&mut self, store: &mut AiStore, item: &Item, e: &AiError, raw: Option<String>) -> Result<()> {
        self.record.failed += 1;
        let r = ItemResult {
            run_id: self.record.id,
            product_id: item.product,
            sku: item.sku.clone(),
            state: ResultState::Failed,
            cached: false,
            answer: None,
            error_code: Some(e.code().to_owned()),
            error: Some(e.message.clone()),
            raw,
        };
        store.put_result(&r)?;
        if self.failures.len() < FAILURES_KEPT {
            self.failures.push(r);
        }
        Ok(())
    }

    fn answered(&mut self, store: &mut AiStore, item: &Item, answer: &Answer, cached: bool) -> Result<()> {
        if cached {
            self.record.cached += 1;
        }
        let now = (self.now)();
        let mut proposals: Vec<(String, String, Option<String>)> = Vec::new();
        let state = match answer {
            Answer::Verdict(v) => {
                for (field, value) in &v.suggestions {
                    let reason = v.issues.iter().find(|i| &i.field == field).map(|i| i.message.clone());
                    proposals.push((field.clone(), value.clone(), reason));
                }
                if v.ok && v.issues.is_empty() && v.suggestions.is_empty() {
                    ResultState::Ok
                } else {
                    ResultState::Issues
                }
            }
            Answer::Generated(g) => {
                proposals.push(("description".into(), g.description.clone(), None));
                if let (true, Some(name)) = (self.with_name, &g.name) {
                    proposals.push(("name".into(), name.clone(), None));
                }
                ResultState::Ok
            }
        };
        let mut plain = String::new();
        for (field, value, reason) in proposals {
            let old = current(&item.current, &field);
            let same = if field == "description" {
                strip_html(old, &mut plain);
                plain.trim() == value.trim() || old.trim() == value.trim()
            } else {
                old.trim() == value.trim()
            };
            if same {
                continue;
            }
            // A cached answer already proposed this: keep the seller's earlier decision.
            if cached && store.has_suggestion(item.product, &field, &value)? {
                continue;
            }
            store.add_suggestion(&Suggestion {
                id: Uuid::now_v7(),
                product_id: item.product,
                sku: item.sku.clone(),
                field,
                old_value: old.to_owned(),
                new_value: value,
                task: self.task,
                reason,
                run_id: Some(self.record.id),
                model: self.model.to_owned(),
                status: SuggestionStatus::Pending,
                created_at: now,
                decided_at: None,
            })?;
            self.suggestions += 1;
        }
        let r = ItemResult {
            run_id: self.record.id,
            product_id: item.product,
            sku: item.sku.clone(),
            state,
            cached,
            answer: Some(answer.to_json()),
            error_code: None,
            error: None,
            raw: None,
        };
        store.put_result(&r)?;
        if state != ResultState::Ok && self.flagged.len() < FAILURES_KEPT {
            self.flagged.push(r);
        }
        Ok(())
    }
}

/// Category id → "Parent / Child".
fn category_paths(catalog: &Catalog) -> Result<HashMap<u64, String>> {
    let cats = catalog.export_categories()?;
    let by_id: HashMap<u64, (Option<u64>, String)> =
        cats.iter().map(|c| (c.id, (c.parent, c.name.clone()))).collect();
    let mut out = HashMap::with_capacity(cats.len());
    for c in &cats {
        let mut parts = vec![c.name.clone()];
        let mut parent = c.parent;
        let mut guard = 0;
        while let Some(p) = parent.and_then(|p| by_id.get(&p)) {
            parts.push(p.1.clone());
            parent = p.0;
            guard += 1;
            if guard > 64 {
                break;
            }
        }
        parts.reverse();
        out.insert(c.id, parts.join(" / "));
    }
    Ok(out)
}
