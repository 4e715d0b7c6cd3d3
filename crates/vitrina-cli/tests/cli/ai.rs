//! `vitrina ai …` end to end against the fake LLM server: a provider's key goes from the
//! environment to the credentials store and never into output; rule checks; moderation and
//! generation as jobs; the review of suggestions as catalog edits; bad input said clearly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use vitrina_app::ipc::{AiCheckDto, AiDecisionDto, AiProviderDto, AiRunDto, AiSuggestionDto, RuleCheckDto};
use vitrina_domain::{Attribute, Image, Money, Product, ProductDraft};
use vitrina_testkit::llm::{Behavior, FakeLlm, FakeLlmConfig};

use crate::support::{Reaped, credentials, fails, ok_json, parse, run, vitrina};

const KEY: &str = "sk-cli-test-key-0123456789";

fn catalog(db: &Path) {
    let mut c = vitrina_store::Catalog::open(db).unwrap();
    for (sku, name, description) in [
        ("CAPS", "КЕДЫ ГОРОДСКИЕ NORDIC", "<p>Лёгкие кеды на каждый день.</p>"),
        ("EMPTY", "Кроссовки беговые Nordic", ""),
        ("PROSE", "Ботинки зимние Nordic", "<p>Тёплые ботинки.</p>"),
    ] {
        let mut p =
            Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(99_000) })
                .unwrap();
        p.brand = "Nordic".into();
        p.description = description.into();
        p.images = vec![Image { url: format!("https://cdn.example.ru/{sku}.jpg") }];
        p.attributes = vec![Attribute { name: "Цвет".into(), value: "белый".into(), unit: None }];
        c.create_product(&p).unwrap();
    }
}

/// A product's description as `products show --json` gives it.
fn description(product: &serde_json::Value) -> String {
    let fields = product["fields"].as_array().unwrap();
    let d = fields.iter().find(|f| f["field"] == "description").unwrap();
    d["text"].as_str().unwrap_or("").to_owned()
}

#[test]
fn providers_moderation_generation_and_review_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    catalog(&db);
    let fake = FakeLlm::start(FakeLlmConfig::with_key(KEY));
    fake.when("Ботинки", Behavior::Prose);

    // Before any provider: rule checks work, runs say what to do.
    let rules: RuleCheckDto =
        serde_json::from_value(ok_json(&db, &["ai", "check", "--market", "wb"])).unwrap();
    assert_eq!(rules.checked, 3);
    assert!(rules.products.iter().any(|p| p.sku == "CAPS" && p.issues.iter().any(|i| i.code == "shouting")));
    let e = fails(&db, &["ai", "moderate"]);
    assert!(e.contains("no AI provider yet"), "{e}");

    // The key from the environment, into the credentials store only.
    let out = vitrina(&db)
        .env("VITRINA_AI_KEY", KEY)
        .args([
            "ai",
            "providers",
            "add",
            "Тест",
            "--kind",
            "openai",
            "--base-url",
            &fake.openai_url(),
            "--model",
            "fake-model",
        ])
        .args(["--price-in", "0,15", "--price-out", "0,60", "--json"])
        .output()
        .unwrap();
    let added: AiProviderDto = serde_json::from_value(parse(&["ai", "providers", "add"], &out)).unwrap();
    assert!(added.key_set && added.local);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(KEY));
    assert!(std::fs::read_to_string(credentials(&db)).unwrap().contains(KEY));
    let check: AiCheckDto =
        serde_json::from_value(ok_json(&db, &["ai", "providers", "check", "Тест"])).unwrap();
    assert!(check.ok, "{check:?}");
    let listed = run(&db, &["ai", "providers", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("Тест") && text.contains("fake-model") && !text.contains(KEY), "{text}");

    // Moderation as a job: one product answers in prose twice and fails alone.
    let first: AiRunDto =
        serde_json::from_value(ok_json(&db, &["ai", "moderate", "--market", "wb"])).unwrap();
    assert_eq!((first.products, first.requests, first.failed), (3, 4, 1));
    assert_eq!(first.failures[0].error_code.as_deref(), Some("malformed"));
    assert!(first.cost.is_some());
    let again: AiRunDto =
        serde_json::from_value(ok_json(&db, &["ai", "moderate", "--market", "wb", "CAPS", "EMPTY"])).unwrap();
    assert_eq!((again.requests, again.cached), (0, 2), "nothing changed, nothing sent");

    // Review: list with diffs, accept one, reject the rest.
    let pending: Vec<AiSuggestionDto> =
        serde_json::from_value(ok_json(&db, &["ai", "review", "list"])).unwrap();
    assert_eq!(pending.len(), 2);
    let caps = pending.iter().find(|s| s.sku == "CAPS").unwrap();
    let shown = run(&db, &["ai", "review", "list"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("[-КЕДЫ"));
    let done: AiDecisionDto =
        serde_json::from_value(ok_json(&db, &["ai", "review", "accept", &caps.id])).unwrap();
    assert_eq!(done.accepted, std::slice::from_ref(&caps.id));
    assert_eq!(ok_json(&db, &["products", "show", "CAPS"])["name"], "Кеды городские nordic");
    let rejected: AiDecisionDto =
        serde_json::from_value(ok_json(&db, &["ai", "review", "reject", "--all"])).unwrap();
    assert_eq!(rejected.rejected.len(), 1);
    assert_eq!(description(&ok_json(&db, &["products", "show", "EMPTY"])), "");

    // Generation with a title, accepted in bulk.
    let generated: AiRunDto =
        serde_json::from_value(ok_json(&db, &["ai", "generate", "EMPTY", "--title", "--market", "ozon"]))
            .unwrap();
    assert_eq!((generated.task.as_str(), generated.suggestions), ("generate", 2));
    let accepted: AiDecisionDto =
        serde_json::from_value(ok_json(&db, &["ai", "review", "accept", "--all", "--sku", "EMPTY"])).unwrap();
    assert_eq!(accepted.accepted.len(), 2);
    let empty = ok_json(&db, &["products", "show", "EMPTY"]);
    assert_eq!(empty["name"], "Кроссовки беговые Nordic — новое название");
    assert!(description(&empty).contains("Написано моделью"), "{empty}");

    // A template with an unknown placeholder is refused when saved.
    let template = dir.path().join("prompt.txt");
    std::fs::write(&template, "Проверь {{name}} и {{цена}}").unwrap();
    let e = fails(&db, &["ai", "prompt", "moderate", "--market", "wb", "--set", template.to_str().unwrap()]);
    assert!(e.contains("{{цена}}") && e.contains("{{description}}"), "{e}");

    let removed: AiProviderDto =
        serde_json::from_value(ok_json(&db, &["ai", "providers", "remove", "Тест"])).unwrap();
    assert_eq!(removed.name, "Тест");
    assert!(!std::fs::read_to_string(credentials(&db)).unwrap().contains(KEY));
}

#[test]
fn a_remote_provider_without_a_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let e = fails(&db, &["ai", "providers", "add", "OpenAI", "--kind", "openai", "--model", "gpt-4o-mini"]);
    assert!(e.contains("needs an API key") && e.contains("VITRINA_AI_KEY"), "{e}");
    let e = fails(&db, &["ai", "providers", "add", "X", "--kind", "claude", "--model", "m"]);
    assert!(e.contains("openai") && e.contains("gemini"), "{e}");
}

#[test]
fn the_fake_server_prints_its_urls_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let child = vitrina(&db).args(["ai", "fake-server", "--json"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut child = Reaped(child);
    let mut text = String::new();
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        text.push_str(&line);
        if line == "}" {
            break;
        }
    }
    let info: serde_json::Value = serde_json::from_str(&text).unwrap();
    let openai = info["openai_url"].as_str().unwrap();
    assert!(openai.starts_with("http://127.0.0.1:") && openai.ends_with("/v1"));
    let out = run(
        &db,
        &[
            "ai",
            "providers",
            "add",
            "Демо",
            "--kind",
            "openai",
            "--base-url",
            openai,
            "--model",
            "fake-model",
            "--json",
        ],
    );
    let added: AiProviderDto = serde_json::from_value(parse(&["ai", "providers", "add"], &out)).unwrap();
    assert!(!added.key_set);
    let check: AiCheckDto =
        serde_json::from_value(ok_json(&db, &["ai", "providers", "check", "Демо"])).unwrap();
    assert!(check.ok, "{check:?}");
}
