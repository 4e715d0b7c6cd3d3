//! Chat Completions (`POST {base}/chat/completions`), as OpenAI and the local servers that copy
//! it (Ollama, LM Studio, llama.cpp's server) speak it.

use serde_json::{Value, json};

use super::{ChatRequest, Completion, JsonMode, Usage};
use crate::error::{AiError, ErrorKind, Result};

pub(crate) fn body(model: &str, mode: JsonMode, req: &ChatRequest) -> Value {
    let mut body = json!({
        "model": model,
        "messages": [
            {"role": "system", "content": req.system},
            {"role": "user", "content": req.user},
        ],
        "max_tokens": req.max_output_tokens,
        "temperature": req.temperature,
    });
    let format = match (mode, &req.schema) {
        (JsonMode::Schema, Some((name, schema))) => Some(
            json!({"type": "json_schema", "json_schema": {"name": name, "strict": true, "schema": schema}}),
        ),
        (JsonMode::Schema | JsonMode::Object, _) => Some(json!({"type": "json_object"})),
        (JsonMode::Prompt, _) => None,
    };
    if let Some(f) = format {
        body["response_format"] = f;
    }
    body
}

pub(crate) fn parse(v: &Value) -> Result<Completion> {
    let choice = v.pointer("/choices/0").ok_or_else(|| bad(v, "it has no choices"))?;
    let message = choice.get("message").ok_or_else(|| bad(v, "its choice has no message"))?;
    if let Some(refusal) = message.get("refusal").and_then(Value::as_str).filter(|r| !r.is_empty()) {
        return Err(
            AiError::new(ErrorKind::Malformed, format!("the model refused: {refusal}")).with_raw(refusal)
        );
    }
    let text = message.get("content").and_then(Value::as_str).unwrap_or_default().to_owned();
    let count = |k: &str| v.pointer(&format!("/usage/{k}")).and_then(Value::as_u64).unwrap_or(0);
    Ok(Completion {
        text,
        usage: Usage { input_tokens: count("prompt_tokens"), output_tokens: count("completion_tokens") },
        truncated: choice.get("finish_reason").and_then(Value::as_str) == Some("length"),
    })
}

fn bad(v: &Value, what: &str) -> AiError {
    let raw = v.to_string();
    AiError::new(ErrorKind::BadResponse, format!("the provider's answer is not a chat completion: {what}"))
        .with_raw(raw.chars().take(4096).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(schema: bool) -> ChatRequest {
        ChatRequest {
            system: "s".into(),
            user: "u".into(),
            schema: schema.then(|| ("verdict", json!({"type": "object"}))),
            max_output_tokens: 100,
            temperature: 0.2,
        }
    }

    #[test]
    fn the_body_asks_for_json_as_the_mode_says() {
        let b = body("gpt-4o-mini", JsonMode::Schema, &req(true));
        assert_eq!(b["model"], "gpt-4o-mini");
        assert_eq!(b["messages"][0]["role"], "system");
        assert_eq!(b["response_format"]["type"], "json_schema");
        assert_eq!(b["response_format"]["json_schema"]["name"], "verdict");
        assert_eq!(b["response_format"]["json_schema"]["strict"], true);
        assert_eq!(body("m", JsonMode::Object, &req(true))["response_format"]["type"], "json_object");
        assert!(body("m", JsonMode::Prompt, &req(true)).get("response_format").is_none());
    }

    #[test]
    fn an_answer_gives_text_usage_and_truncation() {
        let v = json!({"choices":[{"message":{"role":"assistant","content":"{}"},"finish_reason":"length"}],
                       "usage":{"prompt_tokens":12,"completion_tokens":3}});
        let c = parse(&v).unwrap();
        assert_eq!(
            (c.text.as_str(), c.usage.input_tokens, c.usage.output_tokens, c.truncated),
            ("{}", 12, 3, true)
        );
        assert_eq!(parse(&json!({"object":"list"})).unwrap_err().kind, ErrorKind::BadResponse);
        let refused = json!({"choices":[{"message":{"content":null,"refusal":"I can't"}}]});
        assert_eq!(parse(&refused).unwrap_err().kind, ErrorKind::Malformed);
    }
}
