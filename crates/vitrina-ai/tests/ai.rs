//! vitrina-ai end to end: a real catalog, the AI file, and real HTTP against the fake LLM
//! server in both API shapes, with its valid, malformed, partial, prose, slow and 429 answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vitrina_ai::batch::{Hooks, RunSpec, RunSummary, run};
use vitrina_ai::prompt::Task;
use vitrina_ai::store::{AiStore, Price, ResultState, SuggestionFilter, SuggestionStatus};
use vitrina_ai::{Client, ErrorKind, Key, ProviderConfig, ProviderKind, RetryPolicy};
use vitrina_domain::{Attribute, Image, Money, Product, ProductDraft};
use vitrina_store::Catalog;
use vitrina_store::export::Selection;
use vitrina_testkit::llm::{Behavior, FakeLlm, FakeLlmConfig};

const KEY: &str = "sk-test-0123456789abcdef";

struct World {
    _dir: tempfile::TempDir,
    catalog: Catalog,
    store: AiStore,
}

fn product(sku: &str, name: &str, description: &str) -> Product {
    let mut p = Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(199_900) })
        .unwrap();
    p.brand = "Nordic".into();
    p.description = description.into();
    p.images = vec![Image { url: format!("https://cdn.example.ru/{sku}.jpg") }];
    p.attributes = vec![
        Attribute { name: "Цвет".into(), value: "чёрный".into(), unit: None },
        Attribute { name: "Размер".into(), value: "42".into(), unit: None },
    ];
    p
}

fn world(products: &[Product]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let mut catalog = Catalog::open(&path).unwrap();
    for p in products {
        catalog.create_product(p).unwrap();
    }
    let store = AiStore::open(&path).unwrap();
    World { _dir: dir, catalog, store }
}

fn client(kind: ProviderKind, base: &str, key: Option<&str>) -> Client {
    let mut config = ProviderConfig::new("Тест", kind, Some(base), "fake-model", 0);
    config.settings.rpm = 0;
    config.settings.concurrency = 4;
    config.settings.timeout_secs = 5;
    Client::new(&config, key.and_then(Key::new)).unwrap().with_policy(RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        max_hint: Duration::from_secs(5),
    })
}

fn moderate(w: &mut World, c: &Client) -> RunSummary {
    run_spec(w, c, RunSpec { task: Some(Task::Moderate), ..Default::default() }, &|| false).unwrap()
}

fn run_spec(
    w: &mut World,
    c: &Client,
    spec: RunSpec,
    cancel: &(dyn Fn() -> bool + Sync),
) -> vitrina_ai::Result<RunSummary> {
    let hooks = Hooks { cancel, progress: &|_, _| {}, now: &|| 1_000 };
    run(&w.catalog, &mut w.store, c, &spec, &hooks)
}

fn state_of(s: &RunSummary, w: &World, sku: &str) -> (ResultState, Option<String>, Option<String>) {
    let all = w.store.results(s.record.id).unwrap();
    let r = all.iter().find(|r| r.sku == sku).unwrap_or_else(|| panic!("no result for {sku}"));
    (r.state, r.error_code.clone(), r.raw.clone())
}

const DESC: &str = "<p>Лёгкие беговые кроссовки с дышащим верхом.</p>";

#[test]
fn moderation_over_chat_completions_handles_every_kind_of_answer_and_a_second_run_sends_nothing() {
    let fake = FakeLlm::start(FakeLlmConfig::with_key(KEY));
    fake.when("PROSE-", Behavior::Prose);
    fake.when("BROKEN-", Behavior::Malformed);
    let huge = format!("<p>{}</p>", "очень длинное описание ".repeat(500_000));
    assert!(huge.len() > 10_000_000);
    let mut w = world(&[
        product("OK-1", "Кроссовки беговые Nordic Run", DESC),
        product("CAPS-1", "КРОССОВКИ БЕГОВЫЕ NORDIC", DESC),
        product("NODESC-1", "Кеды городские Nordic Street", ""),
        product("PROSE-1", "Кроссовки беговые Nordic Trail", DESC),
        product("BROKEN-1", "Кроссовки беговые Nordic Fast", DESC),
        product("HUGE-1", "Кроссовки беговые Nordic Huge", &huge),
    ]);
    w.store
        .set_price(&Price {
            model: "fake-model".into(),
            input_per_mtok: 15_00,
            output_per_mtok: 60_00,
            currency: "USD".into(),
        })
        .unwrap();
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), Some(KEY));
    let s = moderate(&mut w, &c);

    assert_eq!(s.record.products, 6);
    assert_eq!(state_of(&s, &w, "OK-1").0, ResultState::Ok);
    assert_eq!(state_of(&s, &w, "CAPS-1").0, ResultState::Issues);
    assert_eq!(state_of(&s, &w, "NODESC-1").0, ResultState::Issues);
    // Prose and broken JSON: asked twice each, then failed with the raw answer kept.
    let (state, code, raw) = state_of(&s, &w, "PROSE-1");
    assert_eq!((state, code.as_deref()), (ResultState::Failed, Some("malformed")));
    assert!(raw.unwrap().contains("Карточка в целом хорошая"));
    let (state, code, raw) = state_of(&s, &w, "BROKEN-1");
    assert_eq!((state, code.as_deref()), (ResultState::Failed, Some("malformed")));
    assert!(raw.unwrap().starts_with("{\"ok\": false"));
    // The 10 MB description is never sent.
    let (state, code, _) = state_of(&s, &w, "HUGE-1");
    assert_eq!((state, code.as_deref()), (ResultState::Failed, Some("too_large")));
    assert!(s.failures.iter().any(|f| f.error.as_deref().unwrap().contains("at most 30000")));
    assert!(!fake.requests().iter().any(|r| r.body.len() > 1_000_000));
    // OK, CAPS, NODESC once; PROSE and BROKEN twice.
    assert_eq!(fake.completions(), 7);
    assert_eq!((s.record.requests, s.record.failed, s.record.cached), (7, 3, 0));
    assert!(s.record.usage.input_tokens > 0 && s.record.usage.output_tokens > 0);
    assert!(s.record.cost_minor.unwrap() >= 1);
    assert_eq!(s.record.currency.as_deref(), Some("USD"));

    // Suggestions: a sentence-case title for CAPS, a description for NODESC.
    let pending = w
        .store
        .suggestions(&SuggestionFilter { statuses: vec![SuggestionStatus::Pending], ..Default::default() })
        .unwrap();
    let got: Vec<(&str, &str, &str)> =
        pending.iter().map(|p| (p.sku.as_str(), p.field.as_str(), p.new_value.as_str())).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.contains(&("CAPS-1", "name", "Кроссовки беговые nordic")));
    assert!(got.iter().any(|(sku, field, v)| *sku == "NODESC-1"
        && *field == "description"
        && v.contains("описание от модели")));
    let caps = pending.iter().find(|p| p.sku == "CAPS-1").unwrap();
    assert_eq!(caps.old_value, "КРОССОВКИ БЕГОВЫЕ NORDIC");
    assert_eq!(caps.reason.as_deref(), Some("Название написано капсом"));

    // The key went in the header and nowhere else.
    let r = &fake.requests()[0];
    assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["response_format"]["json_schema"]["name"], "verdict");
    assert!(!String::from_utf8_lossy(&r.body).contains(KEY));

    // Nothing changed: what was answered is not sent again (the two that failed are, and fail
    // again), and no suggestion is proposed twice.
    let again = moderate(&mut w, &c);
    assert_eq!(fake.completions(), 11, "a second run sends only what failed before");
    assert_eq!((again.record.requests, again.record.cached, again.record.failed), (4, 3, 3));
    assert_eq!(again.suggestions, 0);
    assert_eq!(w.store.pending_count().unwrap(), 2);
}

#[test]
fn a_change_to_the_product_or_the_prompt_sends_it_again() {
    let fake = FakeLlm::start(FakeLlmConfig::open());
    let mut w = world(&[
        product("A-1", "Кроссовки беговые Nordic Run", DESC),
        product("A-2", "Кеды городские Nordic", DESC),
    ]);
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), None);
    moderate(&mut w, &c);
    assert_eq!(fake.completions(), 2);
    w.catalog
        .update_product(
            &vitrina_store::ProductKey::parse("A-1"),
            &[vitrina_domain::FieldValue::Name("Кроссовки беговые Nordic Run 2".into())],
        )
        .unwrap();
    moderate(&mut w, &c);
    assert_eq!(fake.completions(), 3, "only the changed product");
    w.store
        .save_prompt(
            Task::Moderate,
            vitrina_ai::rules::Target::Any,
            "Проверь строже: {{name}}\n{{description}}",
            5,
        )
        .unwrap();
    moderate(&mut w, &c);
    assert_eq!(fake.completions(), 5, "a new prompt version sends every product");
}

#[test]
fn generation_over_gemini_proposes_a_description_and_a_title() {
    let fake = FakeLlm::start(FakeLlmConfig::with_key(KEY));
    let mut w = world(&[product("G-1", "Кеды городские Nordic", "")]);
    let c = client(ProviderKind::Gemini, &fake.gemini_url(), Some(KEY));
    let mut spec = RunSpec { task: Some(Task::Generate), ..Default::default() };
    spec.generate.with_name = true;
    spec.target = vitrina_ai::rules::Target::Wb;
    let s = run_spec(&mut w, &c, spec, &|| false).unwrap();
    assert_eq!((s.record.requests, s.record.failed), (1, 0));
    let r = &fake.requests()[0];
    assert!(r.path.ends_with("/models/fake-model:generateContent"), "{}", r.path);
    assert_eq!(r.header("x-goog-api-key"), Some(KEY));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["generationConfig"]["responseMimeType"], "application/json");
    assert_eq!(body["generationConfig"]["responseSchema"]["type"], "OBJECT");
    assert!(body["contents"][0]["parts"][0]["text"].as_str().unwrap().contains("Wildberries"));
    let all = w.store.suggestions(&SuggestionFilter::default()).unwrap();
    let fields: Vec<&str> = all.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, ["description", "name"]);
    assert_eq!(
        all[0].new_value,
        "Кеды городские Nordic. Написано моделью по характеристикам: Цвет: чёрный; Размер: 42."
    );
    assert_eq!(all[1].new_value, "Кеды городские Nordic — новое название");
}

#[test]
fn rate_limits_and_server_errors_are_retried_honouring_retry_after() {
    let fake = FakeLlm::start(FakeLlmConfig::open());
    fake.script([Behavior::RateLimited("0.3".into()), Behavior::ServerError(503)]);
    let mut w = world(&[product("R-1", "Кроссовки беговые Nordic Run", DESC)]);
    let c = client(ProviderKind::Gemini, &fake.gemini_url(), None);
    let started = Instant::now();
    let s = moderate(&mut w, &c);
    assert!(started.elapsed() >= Duration::from_millis(300), "Retry-After was honoured");
    assert_eq!(fake.completions(), 3);
    assert_eq!((s.record.failed, state_of(&s, &w, "R-1").0), (0, ResultState::Ok));
    // A provider that keeps refusing: the product fails with the reason, after the attempts.
    fake.script([
        Behavior::RateLimited("0".into()),
        Behavior::RateLimited("0".into()),
        Behavior::RateLimited("0".into()),
    ]);
    let mut w2 = world(&[product("R-2", "Кроссовки беговые Nordic Trail", DESC)]);
    let s = moderate(&mut w2, &c);
    assert_eq!(state_of(&s, &w2, "R-2").1.as_deref(), Some("rate_limited"));
    assert!(s.failures[0].error.as_deref().unwrap().contains("429"));
}

#[test]
fn a_partial_or_fenced_answer_is_asked_again_or_read() {
    let fake = FakeLlm::start(FakeLlmConfig::open());
    fake.script([
        Behavior::Partial,
        Behavior::Valid,
        Behavior::Fenced,
        Behavior::WrongShape,
        Behavior::WrongShape,
    ]);
    let mut w = world(&[
        product("P-1", "Кроссовки беговые Nordic Run", DESC),
        product("P-2", "Кеды городские Nordic", DESC),
        product("P-3", "Ботинки зимние Nordic", DESC),
    ]);
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), None);
    let s = run_spec(
        &mut w,
        &c,
        RunSpec { task: Some(Task::Moderate), concurrency: Some(1), ..Default::default() },
        &|| false,
    )
    .unwrap();
    assert_eq!(s.record.requests, 5);
    assert_eq!(s.record.failed, 1, "{:?}", s.failures);
    assert!(s.failures[0].error.as_deref().unwrap().contains("unexpected key \"result\""));
}

#[test]
fn a_refused_key_stops_the_run_and_never_shows() {
    let fake = FakeLlm::start(FakeLlmConfig::with_key(KEY));
    let products: Vec<_> =
        (0..20).map(|i| product(&format!("K-{i}"), "Кроссовки беговые Nordic Run", DESC)).collect();
    let mut w = world(&products);
    let wrong = "sk-wrong-key-abcdef123456";
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), Some(wrong));
    let s = moderate(&mut w, &c);
    assert_eq!(s.record.failed, 20);
    assert!(fake.completions() <= 4, "stopped after the first refusals: {}", fake.completions());
    let results = w.store.results(s.record.id).unwrap();
    assert!(results.iter().all(|r| r.error_code.as_deref() == Some("unauthorized")));
    for r in &results {
        let e = r.error.as_deref().unwrap();
        assert!(!e.contains(wrong), "{e}");
    }
    assert!(results.iter().any(|r| r.error.as_deref().unwrap().contains("***")), "the echoed key is blanked");
    assert!(results.iter().any(|r| r.error.as_deref().unwrap().starts_with("not sent")));
}

#[test]
fn an_unreachable_provider_fails_each_product_with_the_reason() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut w = world(&[
        product("U-1", "Кроссовки беговые Nordic Run", DESC),
        product("U-2", "Кеды городские Nordic", DESC),
    ]);
    let c = client(ProviderKind::OpenAi, &format!("http://127.0.0.1:{port}/v1"), None);
    let s = moderate(&mut w, &c);
    assert_eq!(s.record.failed, 2);
    for f in &s.failures {
        assert_eq!(f.error_code.as_deref(), Some("unreachable"));
        assert!(f.error.as_deref().unwrap().contains("could not be reached"), "{:?}", f.error);
    }
}

#[test]
fn a_slow_answer_times_out_alone_and_concurrency_is_bounded() {
    let mut config = FakeLlmConfig::open();
    config.latency = Duration::from_millis(50);
    let fake = FakeLlm::start(config);
    fake.when("SLOW-", Behavior::Slow(Duration::from_secs(3)));
    let mut products: Vec<_> =
        (0..12).map(|i| product(&format!("C-{i}"), "Кроссовки беговые Nordic Run", DESC)).collect();
    products.push(product("SLOW-1", "Кроссовки беговые Nordic Slow", DESC));
    let mut w = world(&products);
    let mut config =
        ProviderConfig::new("Тест", ProviderKind::OpenAi, Some(&fake.openai_url()), "fake-model", 0);
    config.settings = vitrina_ai::ProviderSettings {
        concurrency: 3,
        rpm: 0,
        timeout_secs: 1,
        max_attempts: 1,
        ..Default::default()
    };
    let c = Client::new(&config, None).unwrap();
    let s = run_spec(
        &mut w,
        &c,
        RunSpec { task: Some(Task::Moderate), concurrency: Some(8), ..Default::default() },
        &|| false,
    )
    .unwrap();
    assert!(fake.max_in_flight() <= 3, "{}", fake.max_in_flight());
    assert_eq!(s.record.failed, 1);
    assert_eq!(state_of(&s, &w, "SLOW-1").1.as_deref(), Some("timeout"));
}

#[test]
fn a_cancel_stops_the_run_and_keeps_what_was_done() {
    let mut config = FakeLlmConfig::open();
    config.latency = Duration::from_millis(30);
    let fake = FakeLlm::start(config);
    let products: Vec<_> =
        (0..40).map(|i| product(&format!("X-{i}"), "Кроссовки беговые Nordic Run", DESC)).collect();
    let mut w = world(&products);
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), None);
    let stop = AtomicBool::new(false);
    let hooks_cancel = || stop.load(Ordering::Relaxed);
    let progress = |done: u64, _total: u64| {
        if done >= 5 {
            stop.store(true, Ordering::Relaxed);
        }
    };
    let hooks = Hooks { cancel: &hooks_cancel, progress: &progress, now: &|| 1 };
    let e = run(
        &w.catalog,
        &mut w.store,
        &c,
        &RunSpec { task: Some(Task::Moderate), concurrency: Some(2), ..Default::default() },
        &hooks,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert!(fake.completions() < 40);
    let runs = w.store.runs(1).unwrap();
    assert!(runs[0].finished_at.is_some() && runs[0].requests >= 5);
    // What was answered is cached: the next run sends only the rest.
    let before = fake.completions();
    let s = moderate(&mut w, &c);
    assert_eq!(fake.completions() - before, 40 - s.record.cached as usize);
    assert!(s.record.cached >= 5);
}

#[test]
fn a_selection_limits_the_run() {
    let fake = FakeLlm::start(FakeLlmConfig::open());
    let mut w = world(&[
        product("S-1", "Кроссовки беговые Nordic Run", DESC),
        product("S-2", "Кеды городские Nordic", DESC),
    ]);
    let c = client(ProviderKind::OpenAi, &fake.openai_url(), None);
    let spec = RunSpec {
        task: Some(Task::Moderate),
        selection: Selection { skus: vec!["S-2".into()], ..Default::default() },
        ..Default::default()
    };
    let s = run_spec(&mut w, &c, spec, &|| false).unwrap();
    assert_eq!((s.record.products, fake.completions()), (1, 1));
}

#[test]
fn check_connection_says_what_works() {
    let fake = FakeLlm::start(FakeLlmConfig::with_key(KEY));
    for kind in [ProviderKind::OpenAi, ProviderKind::Gemini] {
        let base = if kind == ProviderKind::OpenAi { fake.openai_url() } else { fake.gemini_url() };
        let ok = client(kind, &base, Some(KEY)).check(5);
        assert!(ok.ok, "{kind}: {ok:?}");
        let bad = client(kind, &base, Some("sk-wrong-key-xxxxxxxx")).check(5);
        assert_eq!(bad.outcome, "unauthorized", "{kind}: {bad:?}");
        assert!(!bad.detail.contains("sk-wrong-key-xxxxxxxx"));
        let mut config = ProviderConfig::new("Тест", kind, Some(&base), "no-such-model", 0);
        config.settings.max_attempts = 1;
        let missing = Client::new(&config, Key::new(KEY)).unwrap().check(5);
        assert_eq!(missing.outcome, "model_not_found", "{kind}: {missing:?}");
    }
    assert_eq!(fake.completions(), 0, "a check costs no tokens");
}
