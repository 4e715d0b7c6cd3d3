//! One product, one question: the request built from the prompt and the product's data, the
//! answer read strictly, and one more try when the model answers with something else than the
//! JSON asked for. A second bad answer fails the product with the raw answer kept.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use vitrina_store::export::ExportRow;

use crate::error::{AiError, ErrorKind, Result};
use crate::http::Client;
use crate::prompt::{Prompt, Task, Vars, render, system};
use crate::provider::{ChatRequest, Usage};
use crate::rules::{ContentLimits, RuleIssue, Target, strip_html};
use crate::verdict::{Generated, Verdict, generated_schema, parse_generated, parse_verdict, verdict_schema};

/// The longest description (as plain text) sent to a model; a longer one fails its product
/// with a sentence saying so rather than costing a fortune or being cut silently.
pub const MAX_INPUT_CHARS: usize = 30_000;

/// How to write a generated text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GenerateOptions {
    /// The language to write in, as words for the model (`русский`, `English`).
    pub language: String,
    /// `нейтральный`, `дружелюбный`, `экспертный`…
    pub tone: String,
    /// Propose a title too.
    pub with_name: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            language: "русский".into(),
            tone: "нейтральный, дружелюбный".into(),
            with_name: false,
        }
    }
}

impl GenerateOptions {
    /// What the options add to the prompt's side of the cache key.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.language, self.tone, self.with_name)
    }
}

/// A parsed answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    Verdict(Verdict),
    Generated(Generated),
}

impl Answer {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Option<Answer> {
        serde_json::from_str(s).ok()
    }
}

/// The placeholders' values for `row`, or why it cannot be sent.
pub fn vars(
    row: &ExportRow,
    category: &str,
    target: Target,
    options: &GenerateOptions,
    rule_issues: &[RuleIssue],
    plain: &mut String,
) -> Result<Vars> {
    strip_html(&row.description, plain);
    let chars = plain.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(AiError::new(
            ErrorKind::TooLarge,
            format!(
                "the description is {chars} characters ({:.1} MB); at most {MAX_INPUT_CHARS} are sent to a model: shorten it first",
                row.description.len() as f64 / 1_048_576.0
            ),
        ));
    }
    let limits = ContentLimits::of(target);
    let mut v = Vars::default();
    v.set("sku", row.sku.trim());
    v.set("name", row.name.trim());
    v.set("brand", row.brand.trim());
    v.set("model", row.model.trim());
    v.set("category", category);
    v.set("description", if plain.is_empty() { "(нет)" } else { plain.as_str() });
    let attrs: Vec<String> = row
        .attributes
        .iter()
        .filter(|a| !a.value.trim().is_empty())
        .map(|a| match &a.unit {
            Some(u) if !u.is_empty() => format!("- {}: {} {u}", a.name.trim(), a.value.trim()),
            _ => format!("- {}: {}", a.name.trim(), a.value.trim()),
        })
        .collect();
    v.set("attributes", if attrs.is_empty() { "(нет)".to_owned() } else { attrs.join("\n") });
    v.set("images", row.images.len().to_string());
    v.set("marketplace", target.title());
    v.set("name_max", limits.name_max.to_string());
    v.set("description_min", limits.description_min.to_string());
    v.set("description_max", limits.description_max.to_string());
    v.set("language", options.language.as_str());
    v.set("tone", options.tone.as_str());
    let issues: Vec<String> = rule_issues
        .iter()
        .map(|i| format!("- {} ({}): {} {}", i.field, i.severity.code(), i.code.code(), i.detail))
        .collect();
    v.set("rule_issues", if issues.is_empty() { "(ничего)".to_owned() } else { issues.join("\n") });
    Ok(v)
}

/// The request for one product.
pub fn request(prompt: &Prompt, vars: &Vars, options: &GenerateOptions) -> ChatRequest {
    let mut user = render(&prompt.body, vars);
    let (schema, max_tokens, temperature) = match prompt.task {
        Task::Moderate => (("verdict", verdict_schema()), 4096, 0.1),
        Task::Generate => {
            if options.with_name {
                user.push_str("\n\nПредложи и название (поле name).");
            } else {
                user.push_str("\n\nНазвание не нужно: name = null.");
            }
            let limit = vars.get("description_max").parse::<u32>().unwrap_or(6000);
            (("generated", generated_schema()), limit.max(1000), 0.6)
        }
    };
    ChatRequest {
        system: system(prompt.task).to_owned(),
        user,
        schema: Some(schema),
        max_output_tokens: max_tokens,
        temperature,
    }
}

/// What asking about one product came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub answer: Result<Answer>,
    pub usage: Usage,
    pub requests: u32,
}

/// Asks the model; a malformed answer is asked about once more, with the reason.
pub fn ask(
    client: &Client,
    task: Task,
    req: &ChatRequest,
    with_name: bool,
    cancel: &dyn Fn() -> bool,
) -> Asked {
    let mut usage = Usage::default();
    let mut req = req.clone();
    for requests in 1..=2 {
        let attempt = requests;
        let completion = match client.complete(&req, cancel) {
            Ok(c) => c,
            Err(e) => return Asked { answer: Err(e), usage, requests },
        };
        usage += completion.usage;
        let parsed = match task {
            Task::Moderate => parse_verdict(&completion.text).map(Answer::Verdict),
            Task::Generate => parse_generated(&completion.text, with_name).map(Answer::Generated),
        };
        let reason = match parsed {
            Ok(answer) => return Asked { answer: Ok(answer), usage, requests },
            Err(reason) if completion.truncated => format!("{reason} (the model stopped at its token limit)"),
            Err(reason) => reason,
        };
        if attempt == 2 {
            let e = AiError::new(
                ErrorKind::Malformed,
                format!("the model answered twice without the JSON asked for: {reason}"),
            )
            .with_raw(completion.text.chars().take(RAW_MAX).collect::<String>());
            return Asked { answer: Err(e), usage, requests };
        }
        tracing::debug!(reason = %reason, "a malformed answer; asking once more");
        req.user.push_str(&format!(
            "\n\nТвой прошлый ответ не подошёл: {reason}. Ответь ещё раз ТОЛЬКО JSON-объектом по схеме, без текста вокруг."
        ));
    }
    unreachable!("the loop returns")
}

/// The most of a raw answer kept for inspection.
pub const RAW_MAX: usize = 20_000;

/// The catalog's value of a suggestion's field.
pub fn current<'a>(row: &'a CurrentValues, field: &str) -> &'a str {
    row.get(field).map(String::as_str).unwrap_or("")
}

/// A product's values of the fields a suggestion may change, as they were read.
pub type CurrentValues = HashMap<String, String>;

/// `row`'s text fields.
pub fn current_values(row: &ExportRow) -> CurrentValues {
    [("name", &row.name), ("description", &row.description), ("brand", &row.brand), ("model", &row.model)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}
