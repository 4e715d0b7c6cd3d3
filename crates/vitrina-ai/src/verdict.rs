//! The answers asked of a model, read strictly: a moderation verdict `{ok, issues: [{field,
//! severity, message}], suggestions: {field: value}}` and a generated `{description, name}`.
//! Prose, broken JSON, an answer cut off at the token limit, unknown keys, wrong types or
//! values outside the allowed sets are all refused with the reason, so the caller can ask
//! once more and then fail that product keeping the raw answer.
//!
//! The one leniency: a JSON object wrapped in a Markdown code fence (local models add one
//! even when told not to) is read; anything else around the object is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::rules::Severity;

/// Fields a verdict's issue may name.
pub const ISSUE_FIELDS: &[&str] =
    &["name", "description", "brand", "model", "attributes", "images", "category", "other"];
/// Fields a suggestion may change: what a catalog edit of text can take.
pub const SUGGESTION_FIELDS: &[&str] = &["name", "description", "brand", "model"];
/// The longest suggested value accepted.
pub const MAX_VALUE: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub field: String,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Verdict {
    pub ok: bool,
    pub issues: Vec<Issue>,
    /// Field → the value the model proposes (never an empty one).
    pub suggestions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Generated {
    pub description: String,
    pub name: Option<String>,
}

/// The verdict's JSON schema (OpenAI strict mode: every property required, nulls for "no
/// suggestion", no other properties).
pub fn verdict_schema() -> Value {
    let nullable = json!({"type": ["string", "null"]});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["ok", "issues", "suggestions"],
        "properties": {
            "ok": {"type": "boolean"},
            "issues": {"type": "array", "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["field", "severity", "message"],
                "properties": {
                    "field": {"type": "string", "enum": ISSUE_FIELDS},
                    "severity": {"type": "string", "enum": ["error", "warning", "info"]},
                    "message": {"type": "string"},
                },
            }},
            "suggestions": {
                "type": "object",
                "additionalProperties": false,
                "required": SUGGESTION_FIELDS,
                "properties": {"name": nullable, "description": nullable, "brand": nullable, "model": nullable},
            },
        },
    })
}

pub fn generated_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["description", "name"],
        "properties": {"description": {"type": "string"}, "name": {"type": ["string", "null"]}},
    })
}

/// The JSON object of an answer: the whole text, or a fenced block that is the whole text.
fn object(text: &str) -> Result<serde_json::Map<String, Value>, String> {
    let mut t = text.trim();
    if let Some(inner) = t.strip_prefix("```") {
        let inner = inner.strip_prefix("json").unwrap_or(inner);
        t = inner.strip_suffix("```").ok_or("the answer opens a code block and never closes it")?.trim();
    }
    if t.is_empty() {
        return Err("the answer is empty".into());
    }
    if !t.starts_with('{') {
        return Err(format!("the answer is text, not JSON: «{}»", t.chars().take(80).collect::<String>()));
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the answer is JSON but not an object".into()),
        Err(e) if e.is_eof() => Err("the answer's JSON is cut off".into()),
        Err(e) => Err(format!("the answer's JSON is broken: {e}")),
    }
}

fn only_keys(map: &serde_json::Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{what} has an unexpected key \"{k}\"")),
        None => Ok(()),
    }
}

fn text(v: &Value, what: &str) -> Result<String, String> {
    let s = v.as_str().ok_or_else(|| format!("{what} is not a string"))?.trim();
    if s.chars().count() > MAX_VALUE {
        return Err(format!("{what} is longer than {MAX_VALUE} characters"));
    }
    Ok(s.to_owned())
}

/// Reads a moderation verdict.
pub fn parse_verdict(answer: &str) -> Result<Verdict, String> {
    let map = object(answer)?;
    only_keys(&map, &["ok", "issues", "suggestions"], "the verdict")?;
    let ok =
        map.get("ok").ok_or("the verdict has no \"ok\"")?.as_bool().ok_or("\"ok\" is not true or false")?;
    let issues = map
        .get("issues")
        .ok_or("the verdict has no \"issues\"")?
        .as_array()
        .ok_or("\"issues\" is not a list")?;
    let mut verdict = Verdict { ok, ..Default::default() };
    for (i, issue) in issues.iter().enumerate() {
        let what = format!("issue {}", i + 1);
        let m = issue.as_object().ok_or_else(|| format!("{what} is not an object"))?;
        only_keys(m, &["field", "severity", "message"], &what)?;
        let field =
            text(m.get("field").ok_or_else(|| format!("{what} has no field"))?, &format!("{what}'s field"))?;
        if !ISSUE_FIELDS.contains(&field.as_str()) {
            return Err(format!(
                "{what} names the field \"{field}\", not one of {}",
                ISSUE_FIELDS.join(", ")
            ));
        }
        let severity = match m.get("severity").and_then(Value::as_str) {
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some("info") => Severity::Info,
            other => return Err(format!("{what}'s severity {other:?} is not error, warning or info")),
        };
        let message = text(
            m.get("message").ok_or_else(|| format!("{what} has no message"))?,
            &format!("{what}'s message"),
        )?;
        if message.is_empty() {
            return Err(format!("{what} has an empty message"));
        }
        verdict.issues.push(Issue { field, severity, message });
    }
    let suggestions = map.get("suggestions").ok_or("the verdict has no \"suggestions\"")?;
    let suggestions = suggestions.as_object().ok_or("\"suggestions\" is not an object")?;
    only_keys(suggestions, SUGGESTION_FIELDS, "\"suggestions\"")?;
    for (field, value) in suggestions {
        if value.is_null() {
            continue;
        }
        let value = text(value, &format!("the suggested {field}"))?;
        if !value.is_empty() {
            verdict.suggestions.insert(field.clone(), value);
        }
    }
    if verdict.ok && verdict.issues.iter().any(|i| i.severity == Severity::Error) {
        return Err("the verdict says ok but lists errors".into());
    }
    Ok(verdict)
}

/// Reads a generated description (and title, when `with_name`).
pub fn parse_generated(answer: &str, with_name: bool) -> Result<Generated, String> {
    let map = object(answer)?;
    only_keys(&map, &["description", "name"], "the answer")?;
    let description =
        text(map.get("description").ok_or("the answer has no \"description\"")?, "the description")?;
    if description.is_empty() {
        return Err("the description is empty".into());
    }
    let name = match map.get("name") {
        None | Some(Value::Null) => None,
        Some(v) => Some(text(v, "the name")?).filter(|n| !n.is_empty()),
    };
    if with_name && name.is_none() {
        return Err("a title was asked for and the answer has none".into());
    }
    Ok(Generated { description, name: if with_name { name } else { None } })
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn a_valid_verdict_is_read_with_its_suggestions() {
        let v = parse_verdict(
            r#"{"ok":false,"issues":[{"field":"name","severity":"error","message":"КАПС"}],
            "suggestions":{"name":"Кроссовки беговые","description":null,"brand":null,"model":""}}"#,
        )
        .unwrap();
        assert!(!v.ok);
        assert_eq!(v.issues[0].severity, Severity::Error);
        assert_eq!(v.suggestions.len(), 1);
        assert_eq!(v.suggestions["name"], "Кроссовки беговые");
        let fenced = "```json\n{\"ok\":true,\"issues\":[],\"suggestions\":{}}\n```";
        assert!(parse_verdict(fenced).unwrap().ok);
    }

    #[rstest]
    #[case::prose("Карточка хорошая, замечаний нет.", "text, not JSON")]
    #[case::prose_before("Вот ответ: {\"ok\":true,\"issues\":[],\"suggestions\":{}}", "text, not JSON")]
    #[case::cut_off(r#"{"ok":false,"issues":[{"field":"name","#, "cut off")]
    #[case::broken(r#"{"ok":false,,}"#, "broken")]
    #[case::array("[1,2]", "text, not JSON")]
    #[case::empty("  ", "empty")]
    #[case::no_ok(r#"{"issues":[],"suggestions":{}}"#, "no \"ok\"")]
    #[case::ok_text(r#"{"ok":"yes","issues":[],"suggestions":{}}"#, "not true or false")]
    #[case::extra_key(r#"{"ok":true,"issues":[],"suggestions":{},"score":5}"#, "unexpected key \"score\"")]
    #[case::bad_field(
        r#"{"ok":false,"issues":[{"field":"price","severity":"error","message":"x"}],"suggestions":{}}"#,
        "\"price\""
    )]
    #[case::bad_severity(
        r#"{"ok":false,"issues":[{"field":"name","severity":"fatal","message":"x"}],"suggestions":{}}"#,
        "severity"
    )]
    #[case::empty_message(
        r#"{"ok":false,"issues":[{"field":"name","severity":"info","message":" "}],"suggestions":{}}"#,
        "empty message"
    )]
    #[case::bad_suggestion(
        r#"{"ok":true,"issues":[],"suggestions":{"price":"1"}}"#,
        "unexpected key \"price\""
    )]
    #[case::number_suggestion(r#"{"ok":true,"issues":[],"suggestions":{"name":5}}"#, "not a string")]
    #[case::ok_with_errors(
        r#"{"ok":true,"issues":[{"field":"name","severity":"error","message":"x"}],"suggestions":{}}"#,
        "says ok"
    )]
    #[case::unclosed_fence("```json\n{\"ok\":true}", "never closes")]
    fn everything_else_is_refused_with_the_reason(#[case] answer: &str, #[case] reason: &str) {
        let e = parse_verdict(answer).unwrap_err();
        assert!(e.contains(reason), "{answer}: {e}");
    }

    #[test]
    fn generated_text_is_read_strictly() {
        let g = parse_generated(r#"{"description":"Лёгкие кроссовки.","name":"Кроссовки Nordic"}"#, true)
            .unwrap();
        assert_eq!(g.name.as_deref(), Some("Кроссовки Nordic"));
        assert_eq!(parse_generated(r#"{"description":"Текст","name":"X"}"#, false).unwrap().name, None);
        assert!(
            parse_generated(r#"{"description":"Текст","name":null}"#, true).unwrap_err().contains("title")
        );
        assert!(parse_generated(r#"{"description":""}"#, false).unwrap_err().contains("empty"));
        assert!(parse_generated("Описание: лёгкие кроссовки", false).unwrap_err().contains("not JSON"));
    }

    #[test]
    fn schemas_list_the_allowed_values() {
        let s = verdict_schema();
        assert_eq!(
            s["properties"]["issues"]["items"]["properties"]["severity"]["enum"],
            json!(["error", "warning", "info"])
        );
        assert_eq!(s["properties"]["suggestions"]["required"], json!(SUGGESTION_FIELDS));
        assert_eq!(generated_schema()["required"], json!(["description", "name"]));
    }
}
