//! AI moderation and descriptions as the front ends see them: providers (a key goes in and
//! never comes back: only whether it is set), rule checks, runs with their per-product results,
//! suggestions with per-field diffs, prompts.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::MoneyDto;

/// An AI provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiProviderDto {
    pub id: String,
    pub name: String,
    /// `openai` (OpenAI and compatible servers: Ollama, LM Studio, llama.cpp) or `gemini`.
    pub kind: String,
    pub base_url: String,
    pub model: String,
    /// A server on this computer (needs no key).
    pub local: bool,
    /// Whether a key is stored for it.
    pub key_set: bool,
    pub concurrency: u32,
    /// Requests per minute; 0 = no limit.
    pub rpm: u32,
    pub timeout_secs: u32,
    pub max_attempts: u32,
    /// `schema`, `object` or `prompt`.
    pub json_mode: String,
    /// The model's price, if set.
    pub price: Option<AiPriceDto>,
    pub last_check: Option<AiCheckDto>,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// A new provider, or changed settings of one. Empty texts keep the default (or the current
/// value when changing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NewAiProviderDto {
    pub name: String,
    /// `openai` or `gemini`.
    pub kind: String,
    /// Up to the API version: `https://api.openai.com/v1`, `http://localhost:11434/v1`.
    pub base_url: Option<String>,
    pub model: String,
    /// The API key (never stored outside the store of secrets); empty for a local server.
    pub key: String,
    pub concurrency: Option<u32>,
    pub rpm: Option<u32>,
    pub timeout_secs: Option<u32>,
    pub max_attempts: Option<u32>,
    /// `schema`, `object` or `prompt`.
    pub json_mode: Option<String>,
    /// The price of a million input tokens, as typed (`15,00`), in `currency`.
    pub price_input: Option<String>,
    /// The price of a million output tokens.
    pub price_output: Option<String>,
    /// `USD`, `RUB`…
    pub currency: Option<String>,
}

/// A model's price per million tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiPriceDto {
    pub model: String,
    pub input: MoneyDto,
    pub output: MoneyDto,
}

/// What "check connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiCheckDto {
    pub ok: bool,
    /// `ok`, `key_missing`, `unauthorized`, `forbidden`, `model_not_found`, `unreachable`,
    /// `timeout`, `rate_limited`, `server_error`, `rejected`.
    pub outcome: String,
    /// The provider's own words, for details.
    pub detail: String,
    #[ts(type = "number")]
    pub checked_at: i64,
    #[ts(type = "number")]
    pub millis: u64,
}

/// One thing the rule checks found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleIssueDto {
    /// `name_empty`, `name_too_long`, `description_too_short`, `forbidden_word`,
    /// `missing_attribute`, `shouting`, `repeated_word`, `contact_in_text`, `link_in_text`…
    pub code: String,
    /// `name`, `description`, `images`, `attributes`.
    pub field: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProductRuleIssuesDto {
    pub sku: String,
    pub name: String,
    pub issues: Vec<RuleIssueDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleCountDto {
    pub code: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// The rule checks over a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleCheckDto {
    /// `any`, `wb`, `ozon`, `ym`.
    pub target: String,
    #[ts(type = "number")]
    pub checked: u64,
    #[ts(type = "number")]
    pub with_issues: u64,
    /// Whether required characteristics came from a marketplace account's cached attributes.
    pub required_from_account: Option<String>,
    /// Products per code, most first.
    pub counts: Vec<RuleCountDto>,
    /// Products with issues (the first 500).
    pub products: Vec<ProductRuleIssuesDto>,
    #[ts(type = "number")]
    pub millis: u64,
}

/// One issue a model found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiIssueDto {
    pub field: String,
    pub severity: String,
    pub message: String,
}

/// What a run found for one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiItemDto {
    pub sku: String,
    /// `ok`, `issues` or `failed`.
    pub state: String,
    /// Answered from the cache (nothing was sent).
    pub cached: bool,
    pub issues: Vec<AiIssueDto>,
    /// Why it failed, as a code: `key_missing`, `unauthorized`, `unreachable`, `timeout`,
    /// `rate_limited`, `server_error`, `malformed`, `too_large`, `rejected`…
    pub error_code: Option<String>,
    /// The back end's sentence, for details.
    pub error: Option<String>,
    /// The model's own answer when it could not be read.
    pub raw: Option<String>,
}

/// A run of moderation or generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiRunDto {
    pub id: String,
    /// `moderate` or `generate`.
    pub task: String,
    pub provider: String,
    pub model: String,
    pub target: String,
    #[ts(type = "number")]
    pub products: u64,
    /// Requests sent (a malformed answer is asked again: two).
    #[ts(type = "number")]
    pub requests: u64,
    /// Products answered from the cache.
    #[ts(type = "number")]
    pub cached: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// New suggestions to review.
    #[ts(type = "number")]
    pub suggestions: u64,
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    /// Estimated from the model's price; none when no price is set.
    pub cost: Option<MoneyDto>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// The products that failed (the first 200).
    pub failures: Vec<AiItemDto>,
    /// The products with issues (the first 200).
    pub flagged: Vec<AiItemDto>,
}

/// A run the UI asks for (queued as a job).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AiRunRequest {
    /// `moderate` or `generate`.
    pub task: String,
    /// A provider's name or id; the only one when empty.
    pub provider: String,
    /// `any`, `wb`, `ozon`, `ym`.
    pub target: String,
    /// These products (a selection in the table, the product open in the editor).
    pub skus: Vec<String>,
    /// A category's path or id: every product in it and below.
    pub category: Option<String>,
    /// A marketplace account's name: the products in its error inbox.
    pub inbox: Option<String>,
    /// Generation: the language and tone, as words (`русский`, `дружелюбный`).
    pub language: Option<String>,
    pub tone: Option<String>,
    /// Generation: propose a title too.
    pub with_name: bool,
    /// Requests at once (the provider's setting when none).
    pub concurrency: Option<u32>,
}

/// A piece of a per-field diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiffPartDto {
    /// `same`, `added` or `removed`.
    pub op: String,
    pub text: String,
}

/// A suggestion waiting for review (or decided).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiSuggestionDto {
    pub id: String,
    pub product_id: String,
    pub sku: String,
    /// `name`, `description`, `brand`, `model`.
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    /// Word by word, old → new.
    pub diff: Vec<DiffPartDto>,
    /// `moderate` or `generate`.
    pub task: String,
    pub reason: Option<String>,
    pub model: String,
    /// `pending`, `accepted`, `rejected`, `superseded`.
    pub status: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub decided_at: Option<i64>,
}

/// A suggestion that could not be accepted or rejected, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiDecisionFailureDto {
    pub id: String,
    pub sku: String,
    /// `changed_since` (the field changed after the suggestion), `not_pending`, `not_found`,
    /// `refused` (the catalog refused the value), `busy`.
    pub code: String,
    pub message: String,
}

/// What accepting or rejecting did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct AiDecisionDto {
    pub accepted: Vec<String>,
    pub rejected: Vec<String>,
    pub failed: Vec<AiDecisionFailureDto>,
}

/// A prompt template in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AiPromptDto {
    /// `moderate` or `generate`.
    pub task: String,
    pub target: String,
    /// 0: Vitrina's default.
    pub version: u32,
    pub body: String,
    /// The placeholders a template may use: `{{name}}`…
    pub placeholders: Vec<String>,
}

/// The fake LLM server started for a person (`vitrina ai fake-server`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FakeLlmDto {
    pub url: String,
    pub openai_url: String,
    pub gemini_url: String,
    pub model: String,
    /// The command that adds a provider on it.
    pub add: String,
}
