//! The AI use cases end to end: providers with keys in a store of secrets, runs against the
//! fake LLM server (directly and as a job), the review of suggestions as catalog edits.

use std::path::Path;
use std::time::Duration;

use vitrina_ai::prompt::Task;
use vitrina_domain::{Attribute, Image, Money, Product, ProductDraft};
use vitrina_store::Catalog;
use vitrina_testkit::llm::{Behavior, FakeLlm, FakeLlmConfig};

use super::job::{RunPayload, queue_ai_run};
use crate::catalog::App;
use crate::ipc::{AiRunDto, AiRunRequest, NewAiProviderDto};
use crate::jobs::{Jobs, WorkerOptions};
use crate::secrets::{MemoryStore, Secrets};

const KEY: &str = "sk-app-test-0123456789";

fn catalog(path: &Path) {
    let mut c = Catalog::open(path).unwrap();
    let mut add = |sku: &str, name: &str, description: &str| {
        let mut p =
            Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(99_000) })
                .unwrap();
        p.brand = "Nordic".into();
        p.description = description.into();
        p.images = vec![Image { url: format!("https://cdn.example.ru/{sku}.jpg") }];
        p.attributes = vec![Attribute { name: "Цвет".into(), value: "белый".into(), unit: None }];
        c.create_product(&p).unwrap();
    };
    add("CAPS", "КЕДЫ ГОРОДСКИЕ NORDIC", "<p>Лёгкие кеды на каждый день.</p>");
    add("EMPTY", "Кроссовки беговые Nordic", "");
    add("FINE", "Ботинки зимние Nordic", "<p>Тёплые ботинки.</p>");
}

fn setup() -> (tempfile::TempDir, App, Secrets, FakeLlm) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    catalog(&path);
    (
        dir,
        App::open(&path).unwrap(),
        Secrets::new(Box::<MemoryStore>::default()),
        FakeLlm::start(FakeLlmConfig::with_key(KEY)),
    )
}

fn provider(app: &App, secrets: &Secrets, fake: &FakeLlm, key: &str) -> crate::ipc::AiProviderDto {
    app.add_ai_provider(
        &NewAiProviderDto {
            name: "Локальный".into(),
            kind: "openai".into(),
            base_url: Some(fake.openai_url()),
            model: "fake-model".into(),
            key: key.into(),
            price_input: Some("0,15".into()),
            price_output: Some("0,60".into()),
            currency: Some("USD".into()),
            ..Default::default()
        },
        secrets,
    )
    .unwrap()
}

fn moderate(app: &App, secrets: &Secrets, provider: &str) -> AiRunDto {
    let p = RunPayload { provider: provider.into(), target: "wb".into(), ..Default::default() };
    app.run_ai_now(Task::Moderate, &p, secrets, &|| false, &|_, _| {}).unwrap()
}

#[test]
fn a_provider_keeps_its_key_in_the_store_of_secrets_only() {
    let (_dir, app, secrets, fake) = setup();
    let p = provider(&app, &secrets, &fake, KEY);
    assert!(p.key_set && p.local);
    assert_eq!(p.price.as_ref().unwrap().input.text, "0,15");
    assert_eq!(secrets.ai_secret(&format!("ai.{}.key", p.id)).unwrap().as_deref(), Some(KEY));
    let json = serde_json::to_string(&app.ai_providers(Some(&secrets)).unwrap()).unwrap();
    assert!(!json.contains(KEY), "{json}");
    let file = std::fs::read(vitrina_ai::store::ai_path(app.path())).unwrap();
    assert!(!String::from_utf8_lossy(&file).contains(KEY));
    let check = app.check_ai_provider("Локальный", &secrets).unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(app.ai_provider("Локальный", None).unwrap().last_check.unwrap().outcome, "ok");
    // A remote provider needs a key.
    let e = app
        .add_ai_provider(
            &NewAiProviderDto {
                name: "OpenAI".into(),
                kind: "openai".into(),
                model: "gpt-4o-mini".into(),
                ..Default::default()
            },
            &secrets,
        )
        .unwrap_err();
    assert!(e.message.contains("needs an API key"), "{e}");
    let removed = app.remove_ai_provider("Локальный", &secrets).unwrap();
    assert_eq!(secrets.ai_secret(&format!("ai.{}.key", removed.id)).unwrap(), None);
    assert!(secrets.set_ai_secret("market.x.credentials", "v").is_err(), "only AI key names");
}

#[test]
fn suggestions_are_reviewed_one_by_one_and_accepting_is_an_edit_with_undo() {
    let (_dir, app, secrets, fake) = setup();
    let p = provider(&app, &secrets, &fake, KEY);
    let run = moderate(&app, &secrets, &p.id);
    assert_eq!((run.products, run.requests, run.failed), (3, 3, 0));
    assert!(run.cost.is_some() && run.input_tokens > 0);
    let pending = app.ai_suggestions(&[], &[], 0).unwrap();
    let fields: Vec<(&str, &str)> = pending.iter().map(|s| (s.sku.as_str(), s.field.as_str())).collect();
    assert_eq!(fields, [("CAPS", "name"), ("EMPTY", "description")]);
    let caps = &pending[0];
    assert_eq!(caps.new_value, "Кеды городские nordic");
    assert!(caps.diff.iter().any(|d| d.op == "removed" && d.text.contains("КЕДЫ")));
    assert!(caps.diff.iter().any(|d| d.op == "added" && d.text.contains("Кеды")));

    let done = app.accept_ai_suggestions(std::slice::from_ref(&caps.id)).unwrap();
    assert_eq!(done.accepted, std::slice::from_ref(&caps.id));
    assert_eq!(app.product("CAPS").unwrap().product.name, "Кеды городские nordic");
    assert!(
        app.history("CAPS")
            .unwrap()
            .iter()
            .any(|h| h.new.as_deref().is_some_and(|n| n.contains("Кеды городские nordic")))
    );
    app.undo("CAPS").unwrap();
    assert_eq!(app.product("CAPS").unwrap().product.name, "КЕДЫ ГОРОДСКИЕ NORDIC");
    // Decided once only.
    assert_eq!(
        app.accept_ai_suggestions(std::slice::from_ref(&caps.id)).unwrap().failed[0].code,
        "not_pending"
    );

    // A description written as HTML paragraphs; rejecting changes nothing.
    let empty = &pending[1];
    let before = app.product("FINE").unwrap().product;
    app.accept_ai_suggestions(std::slice::from_ref(&empty.id)).unwrap();
    assert!(
        app.product("EMPTY")
            .unwrap()
            .product
            .description
            .starts_with("<p>Кроссовки беговые nordic — описание")
    );
    assert_eq!(app.product("FINE").unwrap().product, before);
    assert!(app.ai_suggestions(&[], &[], 0).unwrap().is_empty());
    assert_eq!(app.ai_suggestions(&["accepted".into()], &[], 0).unwrap().len(), 2);
}

#[test]
fn a_suggestion_whose_field_changed_since_is_not_applied() {
    let (_dir, app, secrets, fake) = setup();
    let p = provider(&app, &secrets, &fake, KEY);
    moderate(&app, &secrets, &p.id);
    let caps = app.ai_suggestions(&[], &["CAPS".into()], 0).unwrap().remove(0);
    app.edit("CAPS", &[crate::FieldEdit::parse("name=Кеды городские Nordic Street").unwrap()]).unwrap();
    let out = app.accept_ai_suggestions(&[caps.id.clone(), "not-an-id".into()]).unwrap();
    assert_eq!(
        out.failed.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        ["changed_since", "not_found"]
    );
    assert_eq!(app.product("CAPS").unwrap().product.name, "Кеды городские Nordic Street");
    let out = app.reject_ai_suggestions(std::slice::from_ref(&caps.id)).unwrap();
    assert_eq!(out.rejected, [caps.id]);
}

#[test]
fn a_missing_key_fails_every_product_with_its_reason_and_keys_stay_out_of_the_answers() {
    let (_dir, app, secrets, fake) = setup();
    let p = provider(&app, &secrets, &fake, "sk-wrong-but-long-enough");
    let run = moderate(&app, &secrets, &p.id);
    assert_eq!(run.failed, 3);
    assert!(run.failures.iter().all(|f| f.error_code.as_deref() == Some("unauthorized")));
    let json = serde_json::to_string(&run).unwrap();
    assert!(!json.contains("sk-wrong-but-long-enough"), "{json}");
}

#[test]
fn a_template_with_an_unknown_placeholder_is_refused_when_saved() {
    let (_dir, app, _secrets, _fake) = setup();
    let e = app.save_ai_prompt("moderate", "wb", "Проверь {{name}} по цене {{price}}").unwrap_err();
    assert!(e.message.contains("{{price}}") && e.message.contains("{{description}}"), "{e}");
    assert_eq!(app.ai_prompt("moderate", "wb").unwrap().version, 0);
    let saved = app.save_ai_prompt("moderate", "wb", "Проверь {{name}}: {{description}}").unwrap();
    assert_eq!((saved.version, app.ai_prompt("moderate", "wb").unwrap().version), (1, 1));
}

#[test]
fn rule_checks_need_no_provider() {
    let (_dir, app, _secrets, _fake) = setup();
    let dto = app.ai_rule_check("wb", &[], None, &[]).unwrap();
    assert_eq!(dto.checked, 3);
    let caps = dto.products.iter().find(|p| p.sku == "CAPS").unwrap();
    assert!(caps.issues.iter().any(|i| i.code == "shouting"));
    let empty = dto.products.iter().find(|p| p.sku == "EMPTY").unwrap();
    assert!(empty.issues.iter().any(|i| i.code == "description_empty"));
    assert!(dto.counts.iter().any(|c| c.code == "description_too_short"));
    assert_eq!(
        app.ai_rule_check("any", &["NOPE".into()], None, &[]).unwrap_err().code,
        crate::ErrorCode::NotFound
    );
}

#[test]
fn a_run_as_a_job_reports_progress_and_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    catalog(&path);
    let app = App::open(&path).unwrap();
    // A server on this computer needs no key, so the job's store of secrets is not involved.
    let fake = FakeLlm::start(FakeLlmConfig::open());
    fake.when("Ботинки", Behavior::Prose);
    let secrets = Secrets::new(Box::<MemoryStore>::default());
    provider(&app, &secrets, &fake, "");
    let jobs = Jobs::open(&path).unwrap();
    let req = AiRunRequest { task: "moderate".into(), target: "ozon".into(), ..Default::default() };
    let job = queue_ai_run(&app, &jobs, &req).unwrap();
    assert_eq!(job.kind, "ai.moderate");
    let mut worker = jobs.start_worker(&WorkerOptions { schedules: false, ..Default::default() }).unwrap();
    worker.run(true, &mut |_| {}).unwrap();
    worker.stop(Duration::from_secs(1));
    let done = jobs.get(&job.id.to_string()).unwrap();
    assert_eq!(done.state, vitrina_jobs::JobState::Succeeded, "{:?}", done.error);
    let run: AiRunDto = serde_json::from_value(done.result.clone().unwrap()).unwrap();
    assert_eq!((run.products, run.failed, run.target.as_str()), (3, 1, "ozon"));
    assert_eq!(run.failures[0].error_code.as_deref(), Some("malformed"));
    assert!(run.failures[0].raw.as_deref().unwrap().contains("Карточка"));
    assert_eq!(fake.completions(), 4);
    assert_eq!(done.progress.done, 3);
    // No provider named: an error at once, not a failed job.
    let e = queue_ai_run(&app, &jobs, &AiRunRequest { provider: "Нет такого".into(), ..Default::default() })
        .unwrap_err();
    assert_eq!(e.code, crate::ErrorCode::NotFound);
    let e = queue_ai_run(&app, &jobs, &AiRunRequest { task: "generate".into(), ..Default::default() })
        .unwrap_err();
    assert!(e.message.contains("name the products"), "{e}");
}

#[test]
fn the_two_thread_rule_check_sees_every_row_once_as_a_plain_walk_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    crate::build_demo(&path, 1_300, 3, true, &mut |_| {}).unwrap();
    let app = App::open(&path).unwrap();
    let dto = app.ai_rule_check("wb", &[], None, &[]).unwrap();
    // The same check, one row at a time.
    let rules = vitrina_ai::rules::Rules::new(vitrina_ai::rules::Target::Wb, &[]);
    let mut checker = vitrina_ai::rules::Checker::new(&rules);
    let (mut checked, mut with_issues, mut first) = (0u64, 0u64, Vec::new());
    let catalog = Catalog::open(&path).unwrap();
    catalog
        .export_each::<vitrina_store::StoreError>(
            &Default::default(),
            vitrina_store::export::ExportOrder::Storage,
            |row| {
                checked += 1;
                let mut issues = Vec::new();
                checker.check(row, &[], &mut issues);
                if !issues.is_empty() {
                    with_issues += 1;
                    if first.len() < 500 {
                        first.push((row.sku.clone(), issues.len()));
                    }
                }
                Ok(std::ops::ControlFlow::Continue(()))
            },
        )
        .unwrap();
    assert_eq!((dto.checked, dto.with_issues), (checked, with_issues));
    let listed: Vec<(String, usize)> = dto.products.iter().map(|p| (p.sku.clone(), p.issues.len())).collect();
    assert_eq!(listed, first);
}

#[test]
fn required_characteristics_come_from_a_marketplace_accounts_cached_attributes() {
    use vitrina_market::dict::{AttrKind, AttrRule, CategoryDict, MpAttribute, MpCategory, Source};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let mut c = Catalog::open(&path).unwrap();
    let shoes = c.ensure_category_path(&vitrina_domain::CategoryPath::parse("Обувь / Кеды")).unwrap();
    for (sku, material) in [("WITH", Some("хлопок")), ("WITHOUT", None)] {
        let mut p = Product::new(ProductDraft {
            sku: sku.into(),
            name: "Кеды городские Nordic".into(),
            price: Money::rub(99_000),
        })
        .unwrap();
        p.category = Some(shoes);
        p.attributes = vec![Attribute { name: "Цвет".into(), value: "белый".into(), unit: None }];
        if let Some(m) = material {
            p.attributes
                .push(Attribute { name: "Материал верха".into(), value: m.into(), unit: None });
        }
        c.create_product(&p).unwrap();
    }
    drop(c);
    let mut store = vitrina_market::MarketStore::open(&path).unwrap();
    let account = vitrina_market::Account::new("Мой WB", vitrina_market::Market::Wb, 0);
    store.add_account(&account).unwrap();
    let leaf = MpCategory {
        ext_id: "105".into(),
        parent_id: None,
        name: "Кеды".into(),
        path: "Кеды".into(),
        leaf: true,
    };
    store.replace_tree(account.id, &[leaf], 0).unwrap();
    let attr = |id: &str, name: &str| MpAttribute {
        category_id: "105".into(),
        attr_id: id.into(),
        name: name.into(),
        kind: AttrKind::Text,
        required: true,
        multi: false,
        max_count: None,
        max_length: None,
        min_value: None,
        max_value: None,
        unit: None,
        dictionary: None,
        custom_ok: true,
        variant: false,
        named_field: None,
    };
    let dict = CategoryDict {
        // "Состав" is filled from the seller's "Материал верха"; "Страна" by a constant;
        // "Цвет" by its own name; "Сезон" by nothing.
        attributes: vec![
            attr("1", "Состав"),
            attr("2", "Страна производства"),
            attr("3", "Цвет"),
            attr("4", "Сезон"),
        ],
        values: Default::default(),
    };
    store.save_category_dict(account.id, "105", &dict, 0).unwrap();
    store.set_category_map(account.id, shoes, Some("105")).unwrap();
    let rule = |id: &str, source: Source| AttrRule {
        attr_id: id.into(),
        source,
        unit_factor: None,
        value_map: Default::default(),
    };
    store
        .set_attr_rule(account.id, "105", "1", Some(&rule("1", Source::Attr("Материал верха".into()))))
        .unwrap();
    store.set_attr_rule(account.id, "105", "2", Some(&rule("2", Source::Const("Россия".into())))).unwrap();
    drop(store);

    let app = App::open(&path).unwrap();
    let dto = app.ai_rule_check("wb", &[], None, &[]).unwrap();
    assert_eq!(dto.required_from_account.as_deref(), Some("Мой WB"));
    let missing = |sku: &str| -> Vec<String> {
        dto.products
            .iter()
            .find(|p| p.sku == sku)
            .map(|p| {
                p.issues.iter().filter(|i| i.code == "missing_attribute").map(|i| i.detail.clone()).collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(missing("WITH").len(), 1, "{:?}", missing("WITH"));
    assert!(missing("WITH")[0].contains("Сезон"));
    let without = missing("WITHOUT");
    assert_eq!(without.len(), 2, "{without:?}");
    assert!(without.iter().any(|d| d.contains("Состав")));
    // A category (with everything below it) limits the check.
    assert_eq!(app.ai_rule_check("wb", &[], Some("Обувь"), &[]).unwrap().checked, 2);
    assert!(app.ai_rule_check("wb", &[], Some("Нет такой"), &[]).is_err());
    // Another marketplace has no account: no required characteristics.
    assert_eq!(app.ai_rule_check("ozon", &[], None, &[]).unwrap().required_from_account, None);
}

#[test]
fn a_run_over_an_accounts_error_inbox_checks_exactly_the_products_with_marketplace_problems() {
    use vitrina_market::api::{Link, LinkStatus};
    use vitrina_market::store::LinkRecord;
    use vitrina_market::{Problem, ProblemCode};
    let (dir, app, secrets, _) = setup();
    let path = dir.path().join("catalog.db");
    let fake = FakeLlm::start(FakeLlmConfig::open());
    provider(&app, &secrets, &fake, "");
    // One product the marketplace's check stopped, one on sale: only the first is in the inbox.
    let mut store = vitrina_market::MarketStore::open(&path).unwrap();
    let account = vitrina_market::Account::new("Мой WB", vitrina_market::Market::Wb, 0);
    store.add_account(&account).unwrap();
    for (sku, status) in [("CAPS", LinkStatus::PrecheckFailed), ("FINE", LinkStatus::Live)] {
        let product = app.catalog().unwrap().product(&vitrina_store::ProductKey::Sku(sku.into())).unwrap();
        let problems = if status == LinkStatus::PrecheckFailed {
            vec![Problem::new(ProblemCode::NameTooLong, "name", "CAPS")]
        } else {
            Vec::new()
        };
        let record = LinkRecord {
            product_id: product.id,
            link: Link { offer_id: sku.into(), status, ..Link::default() },
            problems,
            sent_hash: None,
            live_hash: None,
            updated_at: 0,
            card_of: None,
        };
        store.put_link(account.id, &record).unwrap();
    }
    drop(store);
    let jobs = Jobs::open(&path).unwrap();
    let req = AiRunRequest { task: "moderate".into(), inbox: Some("Мой WB".into()), ..Default::default() };
    let job = queue_ai_run(&app, &jobs, &req).unwrap();
    let mut worker = jobs.start_worker(&WorkerOptions { schedules: false, ..Default::default() }).unwrap();
    worker.run(true, &mut |_| {}).unwrap();
    worker.stop(Duration::from_secs(1));
    let done = jobs.get(&job.id.to_string()).unwrap();
    assert_eq!(done.state, vitrina_jobs::JobState::Succeeded, "{:?}", done.error);
    let run: AiRunDto = serde_json::from_value(done.result.clone().unwrap()).unwrap();
    assert_eq!(run.products, 1, "only the inbox's product: {run:?}");
    assert_eq!(fake.completions(), 1);
    let asked = app.ai_product_results("CAPS", 10).unwrap();
    assert_eq!(asked.len(), 1, "CAPS was checked");
    assert!(app.ai_product_results("FINE", 10).unwrap().is_empty(), "FINE is on sale, not in the inbox");
    // An empty inbox is said at once.
    let e =
        queue_ai_run(&app, &jobs, &AiRunRequest { inbox: Some("Нет такого".into()), ..Default::default() });
    assert!(e.is_err());
}
