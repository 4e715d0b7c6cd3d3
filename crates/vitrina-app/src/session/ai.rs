//! The AI section of the session: providers (a key goes to the session's store of secrets and
//! never comes back), the rule checks, runs queued as jobs, the review queue and the prompts.
//! Nothing reaches the catalog without the seller accepting a suggestion.

use super::Session;
use crate::ai::job::queue_ai_run;
use crate::error::AppResult;
use crate::ipc::*;

/// The most suggestions, runs or results the window asks for at once.
const PAGE_MAX: u32 = 500;

impl Session {
    pub fn ai_providers(&self) -> AppResult<Vec<AiProviderDto>> {
        self.app()?.ai_providers(Some(&self.secrets))
    }

    /// Adds a provider; its key goes to the store of secrets.
    pub fn add_ai_provider(&self, input: &NewAiProviderDto) -> AppResult<AiProviderDto> {
        self.app()?.add_ai_provider(input, &self.secrets)
    }

    /// Changes a provider's settings (empty keeps); a new key when one is given.
    pub fn set_ai_provider(&self, key: &str, input: &NewAiProviderDto) -> AppResult<AiProviderDto> {
        self.app()?.set_ai_provider(key, input, &self.secrets)
    }

    pub fn remove_ai_provider(&self, key: &str) -> AppResult<AiProviderDto> {
        self.app()?.remove_ai_provider(key, &self.secrets)
    }

    pub fn check_ai_provider(&self, key: &str) -> AppResult<AiCheckDto> {
        self.app()?.check_ai_provider(key, &self.secrets)
    }

    /// The rule checks (no model, instant) over `skus`, a category or the whole catalog.
    pub fn ai_rule_check(
        &self,
        target: &str,
        skus: &[String],
        category: Option<&str>,
        extra_forbidden: &[String],
    ) -> AppResult<RuleCheckDto> {
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        self.app()?.ai_rule_check(target, skus, category, extra_forbidden)
    }

    /// Queues `ai.moderate` or `ai.generate`; its progress arrives with the jobs pulse.
    pub fn ai_run(&self, req: &AiRunRequest) -> AppResult<JobDto> {
        Ok(JobDto::from(&queue_ai_run(self.app()?, self.jobs()?, req)?))
    }

    /// What a finished AI job did; `None` while it runs, when it failed, or for another kind.
    pub fn ai_job_result(&self, id: &str) -> AppResult<Option<AiRunDto>> {
        let detail = crate::views::job_detail(self.jobs()?, id)?;
        if !detail.job.kind.starts_with("ai.") {
            return Ok(None);
        }
        Ok(detail.result.and_then(|v| serde_json::from_value(v).ok()))
    }

    pub fn ai_runs(&self, limit: u32) -> AppResult<Vec<AiRunDto>> {
        self.app()?.ai_runs(limit.clamp(1, PAGE_MAX))
    }

    pub fn ai_product_results(&self, sku: &str, limit: u32) -> AppResult<Vec<AiItemDto>> {
        self.app()?.ai_product_results(sku, limit.clamp(1, PAGE_MAX))
    }

    /// A page of suggestions (`statuses` empty: pending ones) of `skus` (all when empty).
    pub fn ai_suggestions(
        &self,
        statuses: &[String],
        skus: &[String],
        limit: u32,
        offset: u32,
    ) -> AppResult<Vec<AiSuggestionDto>> {
        let limit = limit.clamp(1, PAGE_MAX);
        let all = self.app()?.ai_suggestions(statuses, skus, offset.saturating_add(limit))?;
        Ok(all.into_iter().skip(offset as usize).take(limit as usize).collect())
    }

    /// How many suggestions of `skus` (all when empty) wait for review.
    pub fn ai_pending_count(&self, skus: &[String]) -> AppResult<u64> {
        Ok(self.app()?.pending_ai_suggestion_ids(skus)?.len() as u64)
    }

    /// Accepts suggestions (`ids`; every pending one of `skus` with `all`): each is a normal
    /// catalog edit with history and undo.
    pub fn accept_ai_suggestions(
        &self,
        ids: &[String],
        all: bool,
        skus: &[String],
    ) -> AppResult<AiDecisionDto> {
        let app = self.app()?;
        let ids = if all { app.pending_ai_suggestion_ids(skus)? } else { ids.to_vec() };
        let decision = app.accept_ai_suggestions(&ids)?;
        if !decision.accepted.is_empty() {
            self.table.forget_rows()?;
            self.auto_push();
        }
        Ok(decision)
    }

    /// Rejects suggestions (`ids`; every pending one of `skus` with `all`); the catalog stays.
    pub fn reject_ai_suggestions(
        &self,
        ids: &[String],
        all: bool,
        skus: &[String],
    ) -> AppResult<AiDecisionDto> {
        let app = self.app()?;
        let ids = if all { app.pending_ai_suggestion_ids(skus)? } else { ids.to_vec() };
        app.reject_ai_suggestions(&ids)
    }

    pub fn ai_prompt(&self, task: &str, target: &str) -> AppResult<AiPromptDto> {
        self.app()?.ai_prompt(task, target)
    }

    pub fn save_ai_prompt(&self, task: &str, target: &str, body: &str) -> AppResult<AiPromptDto> {
        self.app()?.save_ai_prompt(task, target, body)
    }
}
