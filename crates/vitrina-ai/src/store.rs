//! The AI file's typed handle: providers (never their keys), prices per model, prompt
//! versions, the answer cache, runs with each product's result, and suggestions until the
//! seller decides. The file is `vitrina-ai`'s alone; it sits next to the catalog so AI work
//! never waits for an import holding the catalog's write lock.

mod file;

use std::path::Path;

pub use file::{MIGRATIONS, ai_path};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vitrina_domain::ProductId;

use crate::error::{AiError, ErrorKind, Result};
use crate::prompt::{Prompt, Task, validate};
use crate::provider::{ProviderConfig, ProviderId, ProviderKind, ProviderSettings, Usage};
use crate::rules::Target;

/// An open AI file.
#[derive(Debug)]
pub struct AiStore {
    conn: Connection,
}

/// A model's price in minor units per million tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub model: String,
    pub input_per_mtok: i64,
    pub output_per_mtok: i64,
    pub currency: String,
}

impl Price {
    /// What `usage` costs, rounded up to a whole minor unit.
    pub fn cost(&self, usage: Usage) -> i64 {
        let micro = i128::from(usage.input_tokens) * i128::from(self.input_per_mtok)
            + i128::from(usage.output_tokens) * i128::from(self.output_per_mtok);
        i64::try_from((micro + 999_999) / 1_000_000).unwrap_or(i64::MAX)
    }
}

/// A saved prompt version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptVersion {
    pub prompt: Prompt,
    pub created_at: i64,
}

/// A cached answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    /// The parsed answer as JSON (a verdict or a generated text).
    pub answer: String,
    pub usage: Usage,
}

/// The cache key: (task, product content hash, prompt hash, model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey<'a> {
    pub task: Task,
    pub content: u64,
    pub prompt: u64,
    pub model: &'a str,
}

/// One run of moderation or generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: Uuid,
    pub task: Task,
    pub provider: String,
    pub model: String,
    pub target: Target,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub products: u64,
    pub requests: u64,
    pub cached: u64,
    pub failed: u64,
    pub usage: Usage,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultState {
    Ok,
    Issues,
    Failed,
}

impl ResultState {
    pub fn code(self) -> &'static str {
        match self {
            ResultState::Ok => "ok",
            ResultState::Issues => "issues",
            ResultState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> ResultState {
        match s {
            "ok" => ResultState::Ok,
            "issues" => ResultState::Issues,
            _ => ResultState::Failed,
        }
    }
}

/// What a run found for one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    pub run_id: Uuid,
    pub product_id: ProductId,
    pub sku: String,
    pub state: ResultState,
    pub cached: bool,
    /// The verdict or generated text as JSON.
    pub answer: Option<String>,
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// The model's raw answer when it could not be read.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Pending,
    Accepted,
    Rejected,
    /// A newer suggestion for the same field replaced it before anyone decided.
    Superseded,
}

impl SuggestionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SuggestionStatus::Pending => "pending",
            SuggestionStatus::Accepted => "accepted",
            SuggestionStatus::Rejected => "rejected",
            SuggestionStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "pending" => Ok(SuggestionStatus::Pending),
            "accepted" => Ok(SuggestionStatus::Accepted),
            "rejected" => Ok(SuggestionStatus::Rejected),
            "superseded" => Ok(SuggestionStatus::Superseded),
            other => Err(AiError::invalid(format!(
                "\"{other}\" is not a suggestion status: pending, accepted, rejected or superseded"
            ))),
        }
    }
}

/// One proposed change of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: Uuid,
    pub product_id: ProductId,
    pub sku: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    pub task: Task,
    /// Why (the model's issue for that field).
    pub reason: Option<String>,
    pub run_id: Option<Uuid>,
    pub model: String,
    pub status: SuggestionStatus,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// Which suggestions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestionFilter {
    pub statuses: Vec<SuggestionStatus>,
    pub skus: Vec<String>,
    pub limit: u32,
}

const PROVIDER_COLUMNS: &str =
    "id, name, kind, base_url, model, settings, last_check, created_at, updated_at";
const SUGGESTION_COLUMNS: &str = "id, product_id, sku, field, old_value, new_value, task, reason, run_id, model, status, created_at, decided_at";

impl AiStore {
    /// Opens (creating and migrating if needed) the AI file of the catalog at `catalog`.
    pub fn open(catalog: &Path) -> Result<Self> {
        Self::open_file(&ai_path(catalog))
    }

    pub fn open_file(path: &Path) -> Result<Self> {
        Ok(AiStore { conn: file::open(path)? })
    }

    /// Runs `f` in one write transaction.
    pub fn in_tx<T>(&mut self, f: impl FnOnce(&mut AiStore) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    // Providers.

    pub fn providers(&self) -> Result<Vec<ProviderConfig>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {PROVIDER_COLUMNS} FROM providers ORDER BY name, id"))?;
        let rows = stmt.query_map([], read_provider)?;
        rows.map(|r| r.map_err(AiError::from).and_then(|r| r)).collect()
    }

    /// The provider whose id or name is `key`.
    pub fn provider(&self, key: &str) -> Result<ProviderConfig> {
        let by_id = key.parse::<ProviderId>().ok();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PROVIDER_COLUMNS} FROM providers WHERE id = ?1 OR name = ?2"
        ))?;
        let id_bytes = by_id.map(|i| i.as_bytes().to_vec()).unwrap_or_default();
        let found = stmt.query_row(params![id_bytes, key.trim()], read_provider).optional()?.transpose()?;
        found.ok_or_else(|| {
            AiError::new(
                ErrorKind::NotFound,
                format!("no AI provider \"{key}\"; add one with `vitrina ai providers add`"),
            )
        })
    }

    pub fn add_provider(&mut self, p: &ProviderConfig) -> Result<()> {
        p.validate()?;
        let settings = serde_json::to_string(&p.settings).map_err(|e| AiError::invalid(e.to_string()))?;
        let check = p.last_check.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default());
        self.conn
            .execute(
                &format!(
                    "INSERT INTO providers ({PROVIDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    p.id.as_bytes().as_slice(),
                    p.name,
                    p.kind.code(),
                    p.base_url,
                    p.model,
                    settings,
                    check,
                    p.created_at,
                    p.updated_at
                ],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => AiError::new(
                    ErrorKind::Conflict,
                    format!("an AI provider named \"{}\" already exists", p.name),
                ),
                _ => e.into(),
            })?;
        Ok(())
    }

    /// Saves everything but the id and the creation time; `false` when it does not exist.
    pub fn update_provider(&mut self, p: &ProviderConfig) -> Result<bool> {
        p.validate()?;
        let settings = serde_json::to_string(&p.settings).map_err(|e| AiError::invalid(e.to_string()))?;
        let check = p.last_check.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default());
        let n = self.conn.execute(
            "UPDATE providers SET name = ?2, kind = ?3, base_url = ?4, model = ?5, settings = ?6, last_check = ?7, updated_at = ?8 WHERE id = ?1",
            params![p.id.as_bytes().as_slice(), p.name, p.kind.code(), p.base_url, p.model, settings, check, p.updated_at],
        )?;
        Ok(n == 1)
    }

    pub fn remove_provider(&mut self, id: ProviderId) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM providers WHERE id = ?1", [id.as_bytes().as_slice()])? == 1)
    }

    // Prices.

    pub fn set_price(&mut self, price: &Price) -> Result<()> {
        if price.input_per_mtok < 0 || price.output_per_mtok < 0 {
            return Err(AiError::invalid("a price cannot be negative"));
        }
        self.conn.execute(
            "INSERT INTO model_prices (model, input_per_mtok, output_per_mtok, currency) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (model) DO UPDATE SET input_per_mtok = ?2, output_per_mtok = ?3, currency = ?4",
            params![price.model, price.input_per_mtok, price.output_per_mtok, price.currency],
        )?;
        Ok(())
    }

    pub fn price(&self, model: &str) -> Result<Option<Price>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT model, input_per_mtok, output_per_mtok, currency FROM model_prices WHERE model = ?1",
        )?;
        Ok(stmt
            .query_row([model], |r| {
                Ok(Price {
                    model: r.get(0)?,
                    input_per_mtok: r.get(1)?,
                    output_per_mtok: r.get(2)?,
                    currency: r.get(3)?,
                })
            })
            .optional()?)
    }

    pub fn prices(&self) -> Result<Vec<Price>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT model, input_per_mtok, output_per_mtok, currency FROM model_prices ORDER BY model",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Price {
                model: r.get(0)?,
                input_per_mtok: r.get(1)?,
                output_per_mtok: r.get(2)?,
                currency: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // Prompts.

    /// The template in use for (task, target): the newest saved version, or the default.
    pub fn prompt(&self, task: Task, target: Target) -> Result<Prompt> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, body FROM prompts WHERE task = ?1 AND target = ?2 ORDER BY version DESC LIMIT 1",
        )?;
        let found = stmt
            .query_row(params![task.code(), target.code()], |r| {
                Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        Ok(match found {
            Some((version, body)) => Prompt { task, target, version, body },
            None => Prompt::default_for(task, target),
        })
    }

    /// Saves a new version of a template; a template with an unknown placeholder is refused.
    pub fn save_prompt(&mut self, task: Task, target: Target, body: &str, now: i64) -> Result<Prompt> {
        validate(body)?;
        self.in_tx(|s| {
            let last: u32 = s.conn.query_row(
                "SELECT coalesce(max(version), 0) FROM prompts WHERE task = ?1 AND target = ?2",
                params![task.code(), target.code()],
                |r| r.get(0),
            )?;
            let version = last + 1;
            s.conn.execute(
                "INSERT INTO prompts (id, task, target, version, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![Uuid::now_v7().as_bytes().as_slice(), task.code(), target.code(), version, body, now],
            )?;
            Ok(Prompt { task, target, version, body: body.to_owned() })
        })
    }

    /// Every saved version of (task, target), newest first.
    pub fn prompt_versions(&self, task: Task, target: Target) -> Result<Vec<PromptVersion>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, body, created_at FROM prompts WHERE task = ?1 AND target = ?2 ORDER BY version DESC",
        )?;
        let rows = stmt.query_map(params![task.code(), target.code()], |r| {
            Ok(PromptVersion {
                prompt: Prompt { task, target, version: r.get(0)?, body: r.get(1)? },
                created_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // The cache.

    pub fn cached(&self, key: &CacheKey<'_>) -> Result<Option<Cached>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT answer, input_tokens, output_tokens FROM cache
             WHERE task = ?1 AND content_hash = ?2 AND prompt_hash = ?3 AND model = ?4",
        )?;
        Ok(stmt
            .query_row(params![key.task.code(), key.content as i64, key.prompt as i64, key.model], |r| {
                Ok(Cached {
                    answer: r.get(0)?,
                    usage: Usage {
                        input_tokens: r.get::<_, i64>(1)? as u64,
                        output_tokens: r.get::<_, i64>(2)? as u64,
                    },
                })
            })
            .optional()?)
    }

    pub fn put_cached(&mut self, key: &CacheKey<'_>, answer: &str, usage: Usage, now: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO cache (task, content_hash, prompt_hash, model, answer, input_tokens, output_tokens, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![key.task.code(), key.content as i64, key.prompt as i64, key.model, answer, usage.input_tokens as i64, usage.output_tokens as i64, now])?;
        Ok(())
    }

    /// Forgets every cached answer (a seller who wants everything sent again).
    pub fn clear_cache(&mut self) -> Result<u64> {
        Ok(self.conn.execute("DELETE FROM cache", [])? as u64)
    }

    // Runs and results.

    pub fn save_run(&mut self, r: &RunRecord) -> Result<()> {
        self.conn.execute(
            // An upsert, not REPLACE: replacing the row would delete its results (ON DELETE CASCADE).
            "INSERT INTO runs (id, task, provider, model, target, started_at, finished_at, products, requests, cached, failed,
               input_tokens, output_tokens, cost_minor, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (id) DO UPDATE SET finished_at = ?7, products = ?8, requests = ?9, cached = ?10, failed = ?11,
               input_tokens = ?12, output_tokens = ?13, cost_minor = ?14, currency = ?15",
            params![
                r.id.as_bytes().as_slice(), r.task.code(), r.provider, r.model, r.target.code(), r.started_at, r.finished_at,
                r.products as i64, r.requests as i64, r.cached as i64, r.failed as i64, r.usage.input_tokens as i64,
                r.usage.output_tokens as i64, r.cost_minor, r.currency
            ],
        )?;
        Ok(())
    }

    pub fn put_result(&mut self, r: &ItemResult) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO results (run_id, product_id, sku, state, cached, verdict, error_code, error, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                r.run_id.as_bytes().as_slice(), r.product_id.as_bytes().as_slice(), r.sku, r.state.code(), r.cached,
                r.answer, r.error_code, r.error, r.raw
            ])?;
        Ok(())
    }

    /// A run's results, failures first, then by SKU.
    pub fn results(&self, run: Uuid) -> Result<Vec<ItemResult>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT run_id, product_id, sku, state, cached, verdict, error_code, error, raw FROM results WHERE run_id = ?1
             ORDER BY state = 'failed' DESC, sku",
        )?;
        let rows = stmt.query_map([run.as_bytes().as_slice()], read_result)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest result of each of a product's runs, newest first.
    pub fn product_results(&self, product: ProductId, limit: u32) -> Result<Vec<ItemResult>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT run_id, product_id, sku, state, cached, verdict, error_code, error, raw FROM results WHERE product_id = ?1
             ORDER BY run_id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![product.as_bytes().as_slice(), limit], read_result)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn runs(&self, limit: u32) -> Result<Vec<RunRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, task, provider, model, target, started_at, finished_at, products, requests, cached, failed,
                    input_tokens, output_tokens, cost_minor, currency FROM runs ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(RunRecord {
                id: Uuid::from_bytes(r.get(0)?),
                task: r.get::<_, String>(1)?.parse().unwrap_or(Task::Moderate),
                provider: r.get(2)?,
                model: r.get(3)?,
                target: r.get::<_, String>(4)?.parse().unwrap_or_default(),
                started_at: r.get(5)?,
                finished_at: r.get(6)?,
                products: r.get::<_, i64>(7)? as u64,
                requests: r.get::<_, i64>(8)? as u64,
                cached: r.get::<_, i64>(9)? as u64,
                failed: r.get::<_, i64>(10)? as u64,
                usage: Usage {
                    input_tokens: r.get::<_, i64>(11)? as u64,
                    output_tokens: r.get::<_, i64>(12)? as u64,
                },
                cost_minor: r.get(13)?,
                currency: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // Suggestions.

    /// Adds a suggestion; a pending one for the same product and field is superseded.
    pub fn add_suggestion(&mut self, s: &Suggestion) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE suggestions SET status = 'superseded', decided_at = ?3
                 WHERE product_id = ?1 AND field = ?2 AND status = 'pending'",
            )?
            .execute(params![s.product_id.as_bytes().as_slice(), s.field, s.created_at])?;
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO suggestions ({SUGGESTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ))?
            .execute(params![
                s.id.as_bytes().as_slice(), s.product_id.as_bytes().as_slice(), s.sku, s.field, s.old_value, s.new_value,
                s.task.code(), s.reason, s.run_id.map(|r| r.as_bytes().to_vec()), s.model, s.status.code(), s.created_at,
                s.decided_at
            ])?;
        Ok(())
    }

    pub fn suggestions(&self, f: &SuggestionFilter) -> Result<Vec<Suggestion>> {
        let mut sql = format!("SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE 1 = 1");
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if !f.statuses.is_empty() {
            let marks: Vec<String> = f
                .statuses
                .iter()
                .map(|s| {
                    args.push(Box::new(s.code()));
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
        }
        if !f.skus.is_empty() {
            let marks: Vec<String> = f
                .skus
                .iter()
                .map(|s| {
                    args.push(Box::new(s.trim().to_owned()));
                    format!("?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND sku IN ({})", marks.join(", ")));
        }
        args.push(Box::new(if f.limit == 0 { u32::MAX } else { f.limit }));
        sql.push_str(&format!(" ORDER BY sku, field, created_at DESC LIMIT ?{}", args.len()));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows =
            stmt.query_map(rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())), read_suggestion)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn suggestion(&self, id: Uuid) -> Result<Suggestion> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {SUGGESTION_COLUMNS} FROM suggestions WHERE id = ?1"))?;
        stmt.query_row([id.as_bytes().as_slice()], read_suggestion)
            .optional()?
            .ok_or_else(|| AiError::new(ErrorKind::NotFound, format!("no suggestion {id}")))
    }

    /// Records the seller's decision on a pending suggestion; `false` when it was not pending.
    pub fn decide(&mut self, id: Uuid, status: SuggestionStatus, now: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE suggestions SET status = ?2, decided_at = ?3 WHERE id = ?1 AND status = 'pending'",
            params![id.as_bytes().as_slice(), status.code(), now],
        )?;
        Ok(n == 1)
    }

    /// Whether `value` was already proposed for this product's field (pending, accepted or
    /// rejected): a cached answer does not propose it again.
    pub fn has_suggestion(&self, product: ProductId, field: &str, value: &str) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM suggestions WHERE product_id = ?1 AND field = ?2 AND new_value = ?3 AND status != 'superseded' LIMIT 1",
        )?;
        Ok(stmt.exists(params![product.as_bytes().as_slice(), field, value])?)
    }

    /// How many suggestions wait for a decision.
    pub fn pending_count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM suggestions WHERE status = 'pending'", [], |r| {
            r.get::<_, i64>(0)
        })? as u64)
    }
}

fn read_provider(r: &Row<'_>) -> rusqlite::Result<Result<ProviderConfig>> {
    let kind: String = r.get(2)?;
    let settings: String = r.get(5)?;
    let check: Option<String> = r.get(6)?;
    Ok((|| {
        let kind: ProviderKind = kind.parse()?;
        Ok(ProviderConfig {
            id: ProviderId::from_bytes(r.get(0)?),
            name: r.get(1)?,
            kind,
            base_url: r.get(3)?,
            model: r.get(4)?,
            settings: serde_json::from_str::<ProviderSettings>(&settings).unwrap_or_default(),
            last_check: check.and_then(|c| serde_json::from_str(&c).ok()),
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
        })
    })())
}

fn read_result(r: &Row<'_>) -> rusqlite::Result<ItemResult> {
    Ok(ItemResult {
        run_id: Uuid::from_bytes(r.get(0)?),
        product_id: ProductId::from_bytes(r.get(1)?),
        sku: r.get(2)?,
        state: ResultState::parse(&r.get::<_, String>(3)?),
        cached: r.get(4)?,
        answer: r.get(5)?,
        error_code: r.get(6)?,
        error: r.get(7)?,
        raw: r.get(8)?,
    })
}

fn read_suggestion(r: &Row<'_>) -> rusqlite::Result<Suggestion> {
    Ok(Suggestion {
        id: Uuid::from_bytes(r.get(0)?),
        product_id: ProductId::from_bytes(r.get(1)?),
        sku: r.get(2)?,
        field: r.get(3)?,
        old_value: r.get(4)?,
        new_value: r.get(5)?,
        task: r.get::<_, String>(6)?.parse().unwrap_or(Task::Moderate),
        reason: r.get(7)?,
        run_id: r.get::<_, Option<[u8; 16]>>(8)?.map(Uuid::from_bytes),
        model: r.get(9)?,
        status: SuggestionStatus::parse(&r.get::<_, String>(10)?).unwrap_or(SuggestionStatus::Pending),
        created_at: r.get(11)?,
        decided_at: r.get(12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, AiStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = AiStore::open(&dir.path().join("c.db")).unwrap();
        (dir, s)
    }

    #[test]
    fn providers_round_trip_without_keys_and_names_are_unique() {
        let (_d, mut s) = store();
        let mut p = ProviderConfig::new("OpenAI", ProviderKind::OpenAi, None, "gpt-4o-mini", 5);
        p.settings.rpm = 500;
        s.add_provider(&p).unwrap();
        assert_eq!(s.provider("OpenAI").unwrap(), p);
        assert_eq!(s.provider(&p.id.to_string()).unwrap(), p);
        let dup = ProviderConfig::new("OpenAI", ProviderKind::Gemini, None, "gemini-2.5-flash", 6);
        assert_eq!(s.add_provider(&dup).unwrap_err().kind, ErrorKind::Conflict);
        assert_eq!(s.provider("nope").unwrap_err().kind, ErrorKind::NotFound);
        assert!(s.remove_provider(p.id).unwrap());
        assert!(s.providers().unwrap().is_empty());
    }

    #[test]
    fn prompts_are_versioned_and_checked_when_saved() {
        let (_d, mut s) = store();
        assert_eq!(s.prompt(Task::Moderate, Target::Wb).unwrap().version, 0);
        assert!(s.save_prompt(Task::Moderate, Target::Wb, "Проверь {{name}} и {{цена}}", 1).is_err());
        assert_eq!(s.save_prompt(Task::Moderate, Target::Wb, "Проверь {{name}}", 1).unwrap().version, 1);
        assert_eq!(
            s.save_prompt(Task::Moderate, Target::Wb, "Проверь {{name}} строже", 2).unwrap().version,
            2
        );
        assert_eq!(s.prompt(Task::Moderate, Target::Wb).unwrap().body, "Проверь {{name}} строже");
        assert_eq!(s.prompt(Task::Moderate, Target::Ozon).unwrap().version, 0);
        assert_eq!(s.prompt_versions(Task::Moderate, Target::Wb).unwrap().len(), 2);
    }

    #[test]
    fn the_cache_is_keyed_by_content_prompt_and_model() {
        let (_d, mut s) = store();
        let key = CacheKey { task: Task::Moderate, content: u64::MAX, prompt: 7, model: "m" };
        s.put_cached(&key, "{\"ok\":true}", Usage { input_tokens: 10, output_tokens: 2 }, 1).unwrap();
        assert_eq!(s.cached(&key).unwrap().unwrap().usage.input_tokens, 10);
        assert!(s.cached(&CacheKey { model: "other", ..key }).unwrap().is_none());
        assert!(s.cached(&CacheKey { prompt: 8, ..key }).unwrap().is_none());
        assert!(s.cached(&CacheKey { task: Task::Generate, ..key }).unwrap().is_none());
    }

    #[test]
    fn a_newer_suggestion_supersedes_and_a_decision_is_taken_once() {
        let (_d, mut s) = store();
        let product = ProductId::new();
        let sug = |v: &str, at: i64| Suggestion {
            id: Uuid::now_v7(),
            product_id: product,
            sku: "A".into(),
            field: "name".into(),
            old_value: "old".into(),
            new_value: v.into(),
            task: Task::Moderate,
            reason: None,
            run_id: None,
            model: "m".into(),
            status: SuggestionStatus::Pending,
            created_at: at,
            decided_at: None,
        };
        let (a, b) = (sug("one", 1), sug("two", 2));
        s.add_suggestion(&a).unwrap();
        s.add_suggestion(&b).unwrap();
        assert_eq!(s.suggestion(a.id).unwrap().status, SuggestionStatus::Superseded);
        let pending = s
            .suggestions(&SuggestionFilter {
                statuses: vec![SuggestionStatus::Pending],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(pending.iter().map(|p| p.new_value.as_str()).collect::<Vec<_>>(), ["two"]);
        assert!(s.decide(b.id, SuggestionStatus::Accepted, 3).unwrap());
        assert!(!s.decide(b.id, SuggestionStatus::Rejected, 4).unwrap());
        assert_eq!(s.pending_count().unwrap(), 0);
    }

    #[test]
    fn costs_round_up_to_a_minor_unit() {
        let p = Price {
            model: "m".into(),
            input_per_mtok: 15_00,
            output_per_mtok: 60_00,
            currency: "USD".into(),
        };
        assert_eq!(p.cost(Usage { input_tokens: 1_000_000, output_tokens: 0 }), 1500);
        assert_eq!(p.cost(Usage { input_tokens: 1, output_tokens: 1 }), 1);
        assert_eq!(p.cost(Usage::default()), 0);
    }
}
