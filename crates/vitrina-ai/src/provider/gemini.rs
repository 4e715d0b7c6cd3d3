//! Gemini's `POST {base}/models/{model}:generateContent`. Its `responseSchema` is an OpenAPI
//! subset (upper-case types, no `additionalProperties`), so the schema is translated.

use serde_json::{Map, Value, json};

use super::{ChatRequest, Completion, JsonMode, Usage};
use crate::error::{AiError, ErrorKind, Result};

pub(crate) fn body(mode: JsonMode, req: &ChatRequest) -> Value {
    let mut config = json!({"maxOutputTokens": req.max_output_tokens, "temperature": req.temperature});
    match (mode, &req.schema) {
        (JsonMode::Schema, Some((_, schema))) => {
            config["responseMimeType"] = json!("application/json");
            config["responseSchema"] = openapi(schema);
        }
        (JsonMode::Schema | JsonMode::Object, _) => config["responseMimeType"] = json!("application/json"),
        (JsonMode::Prompt, _) => {}
    }
    json!({
        "systemInstruction": {"parts": [{"text": req.system}]},
        "contents": [{"role": "user", "parts": [{"text": req.user}]}],
        "generationConfig": config,
    })
}

/// A JSON schema as Gemini's `Schema`: `type` upper case, `["string","null"]` as `nullable`,
/// `additionalProperties` and `strict` dropped.
pub(crate) fn openapi(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else { return schema.clone() };
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "additionalProperties" | "$schema" => {}
            "type" => match v {
                Value::String(t) => {
                    out.insert("type".into(), json!(t.to_uppercase()));
                }
                Value::Array(ts) => {
                    if let Some(t) = ts.iter().filter_map(Value::as_str).find(|t| *t != "null") {
                        out.insert("type".into(), json!(t.to_uppercase()));
                    }
                    if ts.iter().any(|t| t == "null") {
                        out.insert("nullable".into(), json!(true));
                    }
                }
                _ => {}
            },
            "properties" => {
                let props: Map<String, Value> =
                    v.as_object().into_iter().flatten().map(|(n, s)| (n.clone(), openapi(s))).collect();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" => {
                out.insert(k.clone(), openapi(v));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

pub(crate) fn parse(v: &Value) -> Result<Completion> {
    if let Some(reason) = v.pointer("/promptFeedback/blockReason").and_then(Value::as_str) {
        return Err(AiError::new(ErrorKind::Malformed, format!("Gemini blocked the request: {reason}"))
            .with_raw(v.to_string()));
    }
    let candidate = v.pointer("/candidates/0").ok_or_else(|| bad(v, "it has no candidates"))?;
    let text: String = candidate
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("text").and_then(Value::as_str))
        .collect();
    let count = |k: &str| v.pointer(&format!("/usageMetadata/{k}")).and_then(Value::as_u64).unwrap_or(0);
    Ok(Completion {
        text,
        usage: Usage {
            input_tokens: count("promptTokenCount"),
            output_tokens: count("candidatesTokenCount"),
        },
        truncated: candidate.get("finishReason").and_then(Value::as_str) == Some("MAX_TOKENS"),
    })
}

fn bad(v: &Value, what: &str) -> AiError {
    AiError::new(ErrorKind::BadResponse, format!("the answer is not Gemini's generateContent: {what}"))
        .with_raw(v.to_string().chars().take(4096).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_becomes_geminis_subset() {
        let schema = json!({"type":"object","additionalProperties":false,"required":["ok"],
            "properties":{"ok":{"type":"boolean"},"name":{"type":["string","null"]},
            "issues":{"type":"array","items":{"type":"object","properties":{"m":{"type":"string"}}}}}});
        let g = openapi(&schema);
        assert_eq!(g["type"], "OBJECT");
        assert!(g.get("additionalProperties").is_none());
        assert_eq!(g["properties"]["name"], json!({"type":"STRING","nullable":true}));
        assert_eq!(g["properties"]["issues"]["items"]["properties"]["m"]["type"], "STRING");
        assert_eq!(g["required"], json!(["ok"]));
    }

    #[test]
    fn the_body_and_the_answer_have_geminis_shape() {
        let req = ChatRequest {
            system: "s".into(),
            user: "u".into(),
            schema: Some(("verdict", json!({"type":"object"}))),
            max_output_tokens: 10,
            temperature: 0.0,
        };
        let b = body(JsonMode::Schema, &req);
        assert_eq!(b["systemInstruction"]["parts"][0]["text"], "s");
        assert_eq!(b["contents"][0]["parts"][0]["text"], "u");
        assert_eq!(b["generationConfig"]["responseMimeType"], "application/json");
        assert_eq!(b["generationConfig"]["responseSchema"]["type"], "OBJECT");
        let v = json!({"candidates":[{"content":{"parts":[{"text":"{\"a\":"},{"text":"1}"}]},"finishReason":"STOP"}],
                       "usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":2}});
        let c = parse(&v).unwrap();
        assert_eq!((c.text.as_str(), c.usage.input_tokens, c.truncated), ("{\"a\":1}", 7, false));
        assert_eq!(
            parse(&json!({"promptFeedback":{"blockReason":"SAFETY"}})).unwrap_err().kind,
            ErrorKind::Malformed
        );
    }
}
