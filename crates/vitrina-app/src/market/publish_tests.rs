//! Publishing end to end through the application API: the demo catalog, an account on a
//! marketplace fake, automatic mapping, publish, follow-up, prices and stocks, the error
//! inbox — against the fakes' real documented limits, scaled in time.

use std::time::Duration;

use vitrina_market::{Client, Credentials, MarketStore};
use vitrina_testkit::market::{Fake, FakeConfig, FakeLimits, FakeMarket, FakeToken};

use super::publish::RunHooks;
use crate::catalog::App;
use crate::ipc::{JobStage, NewMarketAccountDto};
use crate::secrets::{MemoryStore, Secrets};

/// The fakes' limits and the client's buckets both run this many times faster.
const SCALE: f64 = 100.0;
const DEMO: u64 = 120;

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    secrets: Secrets,
    fake: FakeMarket,
}

fn setup(kind: Fake, token: FakeToken, account: NewMarketAccountDto) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    crate::seed::build_demo(&path, DEMO, 7, false, &mut |_| {}).unwrap();
    let app = App::open(&path).unwrap();
    let secrets = Secrets::new(Box::new(MemoryStore::default()));
    let fake = FakeMarket::start(kind, FakeConfig::new(vec![token]).limits(FakeLimits::Scaled(SCALE)));
    let account = NewMarketAccountDto { base_url: Some(fake.url()), ..account };
    app.add_market_account(&account, &secrets).unwrap();
    Setup { _dir: dir, app, secrets, fake }
}

fn client(s: &Setup, key: &str) -> Client {
    let store = MarketStore::open(s.app.path()).unwrap();
    let account = store.account(key).unwrap();
    let json = s.secrets.market_secret(&vitrina_market::secret_name(account.id)).unwrap().unwrap();
    Client::new(&account, Credentials::from_json(account.market, &json).unwrap())
        .unwrap()
        .with_time_scale(SCALE)
}

fn hooks<'a>(
    cancel: &'a dyn Fn() -> bool,
    stage: &'a dyn Fn(JobStage),
    progress: &'a dyn Fn(u64, Option<u64>),
) -> RunHooks<'a> {
    RunHooks { cancel, stage, progress, follow_up_for: Duration::from_secs(30 * 60) }
}

fn ym() -> NewMarketAccountDto {
    NewMarketAccountDto {
        name: "Маркет".into(),
        market: "ym".into(),
        token: "ym-secret-key".into(),
        business_id: Some(11_000_001),
        campaign_id: Some(21_000_001),
        ..Default::default()
    }
}

#[test]
fn the_demo_catalog_is_mapped_published_and_priced_on_yandex_market() {
    let s = setup(Fake::Ym, FakeToken::ym("ym-secret-key"), ym());
    let never = || false;
    let stage = |_: JobStage| {};
    let progress = |_: u64, _: Option<u64>| {};
    let hooks = hooks(&never, &stage, &progress);

    let auto = s.app.auto_map_market("Маркет", &s.secrets, Some(client(&s, "Маркет"))).unwrap();
    assert!(auto.categories_mapped >= 8, "{auto:?}");
    assert!(auto.attributes_mapped > 0, "{auto:?}");
    let map = s.app.market_category_map("Маркет").unwrap();
    assert!(map.iter().filter(|c| c.ext_id.is_some()).count() as u64 >= auto.categories_mapped);

    let run =
        s.app.publish_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    assert_eq!(run.read, DEMO);
    assert_eq!(run.queued + run.precheck_failed, DEMO, "{run:?}");
    assert!(run.queued > 0, "{run:?}");
    // Batches of at most 100 offers: the write requests are ceil(queued / 100) plus re-sends.
    assert!(run.requests >= run.queued.div_ceil(100), "{run:?}");
    assert_eq!(run.done + run.rejected, run.queued, "every sent card reached a verdict: {run:?}");
    assert_eq!(s.fake.throttled(), 0, "the client's buckets kept under the fake's limits");

    let links = s.app.market_links("Маркет", &["live".into()], false, None, 500, 0).unwrap();
    assert_eq!(links.items.len() as u64, run.done);
    let live = &links.items[0];
    assert!(live.ext_id.is_some(), "the marketSku is kept: {live:?}");
    assert_eq!(live.ext_status.as_deref(), Some("HAS_CARD_CAN_UPDATE"), "Market's own status is shown");
    assert_eq!(s.fake.ym_market_sku(&live.sku).map(|m| m.to_string()), live.ext_id);

    // Products with problems are listed with their reasons, in the error inbox.
    let inbox = s.app.market_links("Маркет", &[], true, None, 500, 0).unwrap();
    assert_eq!(inbox.items.len() as u64, run.precheck_failed + run.rejected);
    assert!(inbox.items.iter().all(|l| !l.problems.is_empty() || !l.errors.is_empty()));

    // Nothing changed: nothing is sent again.
    let before = s.fake.requests().len();
    let again =
        s.app.publish_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    assert_eq!((again.queued, again.requests), (0, 0), "{again:?}");
    assert_eq!(again.unchanged, run.done + run.rejected);
    assert_eq!(s.fake.requests().len(), before);

    // Prices and stocks of the published products.
    let pushed =
        s.app.push_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    assert!(pushed.done >= 2 * run.done, "a price and a stock each: {pushed:?}");
    let product =
        s.app.catalog().unwrap().product(&vitrina_store::ProductKey::Sku(live.sku.clone())).unwrap();
    let price = s.fake.ym_price(&live.sku).unwrap();
    assert_eq!(price["value"].as_f64().unwrap(), product.price.minor as f64 / 100.0, "{price}");
    assert_eq!(s.fake.ym_stock(21_000_001, &live.sku), Some(product.stock.max(0)));
    let unchanged =
        s.app.push_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    assert_eq!((unchanged.queued, unchanged.requests), (0, 0), "{unchanged:?}");
}

#[test]
fn a_price_edit_reaches_the_marketplace_while_an_import_holds_the_catalog() {
    let s = setup(Fake::Ym, FakeToken::ym("ym-secret-key"), ym());
    let never = || false;
    let stage = |_: JobStage| {};
    let progress = |_: u64, _: Option<u64>| {};
    let hooks = hooks(&never, &stage, &progress);
    s.app.auto_map_market("Маркет", &s.secrets, Some(client(&s, "Маркет"))).unwrap();
    let run =
        s.app.publish_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    assert!(run.done > 0, "{run:?}");
    let live = s.app.market_links("Маркет", &["live".into()], false, None, 1, 0).unwrap().items.remove(0);
    s.app.push_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();

    // The seller changes the price; then a long import takes the catalog's write lock.
    {
        let catalog = s.app.catalog().unwrap();
        let conn = rusqlite::Connection::open(catalog.path()).unwrap();
        conn.execute(
            "UPDATE products SET price = 777700, updated_at = updated_at + 1 WHERE sku = ?1",
            [&live.sku],
        )
        .unwrap();
    }
    let import = rusqlite::Connection::open(s.app.path()).unwrap();
    import.execute_batch("BEGIN IMMEDIATE; UPDATE products SET stock = stock WHERE rowid = 1;").unwrap();
    let started = std::time::Instant::now();
    let pushed =
        s.app.push_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    let took = started.elapsed();
    import.execute_batch("ROLLBACK").unwrap();
    assert_eq!(pushed.queued, 1, "only the changed price: {pushed:?}");
    assert_eq!(s.fake.ym_price(&live.sku).unwrap()["value"].as_f64(), Some(7777.0));
    assert!(took < Duration::from_secs(2), "the push did not wait for the import: {took:?}");
}

/// Gives every required attribute that has no source a constant: its first dictionary value,
/// as a seller does once in the mapping screen.
fn fill_required(s: &Setup, key: &str) {
    for category in s.app.market_category_map(key).unwrap() {
        let Some(ext) = category.ext_id else { continue };
        for a in s.app.market_attributes(key, &ext).unwrap() {
            if a.required && a.source.is_none() {
                let value = a.sample_values.first().cloned().unwrap_or_else(|| "1".into());
                s.app
                    .set_market_attribute(
                        key,
                        &ext,
                        &a.attr_id,
                        Some(&format!("const:{value}")),
                        None,
                        &Default::default(),
                    )
                    .unwrap();
            }
        }
    }
}

#[test]
fn a_wildberries_card_holds_every_size_of_a_product_and_each_size_gets_its_stock() {
    let wb = NewMarketAccountDto {
        name: "ВБ".into(),
        market: "wb".into(),
        token: "wb-secret-token".into(),
        ..Default::default()
    };
    let s = setup(Fake::Wb, FakeToken::wb("wb-secret-token"), wb);
    let never = || false;
    let stage = |_: JobStage| {};
    let progress = |_: u64, _: Option<u64>| {};
    let hooks = hooks(&never, &stage, &progress);
    s.app.auto_map_market("ВБ", &s.secrets, Some(client(&s, "ВБ"))).unwrap();
    fill_required(&s, "ВБ");
    let run = s.app.publish_market_now("ВБ", &[], &s.secrets, Some(client(&s, "ВБ")), &hooks).unwrap();
    assert!(run.done > 0 && run.done < run.read, "{run:?}");
    // No throttle count here: at a hundred times real speed a loaded machine bunches WB's 60 ms
    // spacing; `vitrina bench publish` checks it at the real limits.

    // A sneaker in several sizes is one card with a size each, not a card per size.
    let cards = s.fake.wb_cards();
    let multi = cards
        .iter()
        .find(|c| c["sizes"].as_array().is_some_and(|z| z.len() > 1))
        .unwrap_or_else(|| panic!("no card with several sizes among {} cards", cards.len()));
    let vendor = multi["vendorCode"].as_str().unwrap();
    let members = group_of(&s.app.catalog().unwrap(), vendor);
    assert_eq!(multi["sizes"].as_array().unwrap().len(), members.len(), "{multi}");
    let nm = multi["nmID"].as_i64().unwrap().to_string();
    let links = s.app.market_links("ВБ", &["live".into()], false, None, 500, 0).unwrap();
    for sku in &members {
        let link = links.items.iter().find(|l| &l.sku == sku).unwrap_or_else(|| panic!("{sku} is not live"));
        assert_eq!(link.ext_id.as_deref(), Some(nm.as_str()), "every size links to the one card");
    }
    assert_eq!(cards.iter().filter(|c| members.iter().any(|m| c["vendorCode"] == m.as_str())).count(), 1);

    // Stocks go per size (its chrtID) to the mapped warehouse; the price once per card.
    s.app.set_market_account_settings("ВБ", None, &[("Основной".into(), "1000001".into())], None).unwrap();
    let pushed = s.app.push_market_now("ВБ", &[], &s.secrets, Some(client(&s, "ВБ")), &hooks).unwrap();
    assert!(pushed.done > 0, "{pushed:?}");
    let c = s.app.catalog().unwrap();
    for size in multi["sizes"].as_array().unwrap() {
        let chrt = size["chrtID"].as_i64().unwrap();
        let barcode = size["skus"][0].as_str().unwrap();
        let sku = c.sku_by_barcode(barcode).unwrap().unwrap();
        let stock = c.product(&vitrina_store::ProductKey::Sku(sku)).unwrap().stock;
        assert_eq!(s.fake.wb_stock(1_000_001, chrt), Some(stock.max(0)), "size {size}");
    }
}

/// The SKUs of the variant group `sku` belongs to.
fn group_of(c: &vitrina_store::Catalog, sku: &str) -> Vec<String> {
    use vitrina_store::export::{ExportOrder, Selection};
    let mut rows = Vec::new();
    c.export_each::<crate::error::AppError>(&Selection::default(), ExportOrder::Storage, |r| {
        rows.push((r.sku.clone(), r.group));
        Ok(std::ops::ControlFlow::Continue(()))
    })
    .unwrap();
    let group = rows.iter().find(|(s, _)| s == sku).and_then(|(_, g)| *g).expect("a variant group");
    rows.into_iter().filter(|(_, g)| *g == Some(group)).map(|(s, _)| s).collect()
}

#[test]
fn a_price_typed_during_an_import_reaches_the_marketplace_now_and_the_catalog_after() {
    let s = setup(Fake::Ym, FakeToken::ym("ym-secret-key"), ym());
    let never = || false;
    let stage = |_: JobStage| {};
    let progress = |_: u64, _: Option<u64>| {};
    let hooks = hooks(&never, &stage, &progress);
    s.app.auto_map_market("Маркет", &s.secrets, Some(client(&s, "Маркет"))).unwrap();
    s.app.publish_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    let live = s.app.market_links("Маркет", &["live".into()], false, None, 1, 0).unwrap().items.remove(0);
    s.app.push_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();
    let jobs = crate::jobs::Jobs::open(s.app.path()).unwrap();

    // An import holds the catalog; the seller types a new price and stock.
    let import = rusqlite::Connection::open(s.app.path()).unwrap();
    import
        .execute_batch(
            "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; UPDATE products SET stock = stock WHERE rowid = 1;",
        )
        .unwrap();
    let started = std::time::Instant::now();
    let edits =
        [crate::FieldEdit::parse("price=8 888").unwrap(), crate::FieldEdit::parse("stock=3").unwrap()];
    let outcome = s.app.edit_or_hold(&live.sku, &edits, &jobs).unwrap();
    let crate::held_edits::EditOutcome::Held { job, pushes } = outcome else {
        panic!("not held: {outcome:?}")
    };
    assert_eq!(pushes, 1);
    // The push the hold queued carries the typed values; run it as the worker would.
    let queued = jobs
        .list(&crate::jobs::JobFilter { kind: Some("market.push".into()), ..Default::default() })
        .unwrap();
    let payload: super::publish::PushPayload = serde_json::from_value(queued[0].payload.clone()).unwrap();
    assert_eq!(payload.held[0].price, Some(888_800));
    super::publish::push_now(
        s.app.path(),
        &payload.account,
        &payload.skus,
        payload.since,
        None,
        &payload.held,
        false,
        &s.secrets,
        Some(client(&s, "Маркет")),
        &hooks,
    )
    .unwrap();
    assert_eq!(s.fake.ym_price(&live.sku).unwrap()["value"].as_f64(), Some(8888.0));
    assert_eq!(s.fake.ym_stock(21_000_001, &live.sku), Some(3));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "the marketplace had it in {took:?}, during the import");
    let before = s.app.catalog().unwrap().product(&vitrina_store::ProductKey::Sku(live.sku.clone())).unwrap();
    assert_ne!(before.price.minor, 888_800, "the catalog has not taken it yet");

    // The import ends: the held edit is written as a normal edit, with its history.
    import.execute_batch("ROLLBACK").unwrap();
    let done = jobs.wait(&job.id.to_string(), &mut |_| {}).unwrap();
    assert_eq!(done.state, vitrina_jobs::JobState::Succeeded, "{:?}", done.error);
    let after = s.app.catalog().unwrap().product(&vitrina_store::ProductKey::Sku(live.sku.clone())).unwrap();
    assert_eq!((after.price.minor, after.stock), (888_800, 3));
    assert!(!s.app.history(&live.sku).unwrap().is_empty());
}

#[test]
fn a_demo_account_publishes_on_its_own_marketplace_and_comes_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    crate::seed::build_demo(&path, 40, 7, false, &mut |_| {}).unwrap();
    let app = App::open(&path).unwrap();
    let secrets = Secrets::new(Box::new(MemoryStore::default()));
    let demo = app.add_demo_market_account("ozon", &secrets).unwrap();
    assert!(demo.demo && demo.secret_set, "{demo:?}");
    assert_eq!(demo.warehouses.len(), 1, "stocks can go at once");
    let check = app.check_market_account(&demo.name, &secrets).unwrap();
    assert!(check.ok, "{check:?}");
    let mapped = app.auto_map_market(&demo.name, &secrets, None).unwrap();
    assert!(mapped.categories_mapped > 0, "{mapped:?}");
    // Another process pointed the account elsewhere: this one's demo marketplace takes it back.
    let mut store = MarketStore::open(&path).unwrap();
    let mut account = store.account(&demo.name).unwrap();
    account.base_url = Some("http://127.0.0.1:9".into());
    store.update_account(&account).unwrap();
    let again = app.check_market_account(&demo.name, &secrets).unwrap();
    assert!(again.ok, "{again:?}");
}

#[test]
fn the_sellers_values_of_a_dictionary_attribute_are_listed_and_mapped_one_by_one() {
    let s = setup(Fake::Ym, FakeToken::ym("ym-secret-key"), ym());
    s.app.auto_map_market("Маркет", &s.secrets, Some(client(&s, "Маркет"))).unwrap();
    // An attribute with a dictionary that the demo's products fill.
    let (ext, listed) = s
        .app
        .market_category_map("Маркет")
        .unwrap()
        .into_iter()
        .filter_map(|c| c.ext_id)
        .flat_map(|ext| {
            let attrs = s.app.market_attributes("Маркет", &ext).unwrap();
            attrs
                .into_iter()
                .filter(|a| a.dictionary_size > 1)
                .map(|a| (ext.clone(), s.app.market_attribute_values("Маркет", &ext, &a.attr_id).unwrap()))
                .collect::<Vec<_>>()
        })
        .find(|(_, v)| !v.values.is_empty())
        .expect("the demo fills some dictionary attribute");
    let attr = listed.attr.attr_id.clone();
    assert!(listed.products > 0 && listed.source.is_some(), "{listed:?}");
    let said: u64 = listed.values.iter().map(|v| v.products).sum();
    assert!(said >= listed.values.len() as u64);
    let mine = listed.values[0].text.clone();
    let before = listed.values[0].state.clone();
    // Mapped to a dictionary value other than the one it becomes now.
    let other = s
        .app
        .market_dictionary_values("Маркет", &ext, &attr, "", 50)
        .unwrap()
        .into_iter()
        .find(|v| Some(&v.value_id) != listed.values[0].value.as_ref().map(|x| &x.value_id))
        .unwrap();
    let mapped = s.app.set_market_value("Маркет", &ext, &attr, &mine, Some(&other.value_id)).unwrap();
    let row = mapped.values.iter().find(|v| v.text == mine).unwrap();
    assert_eq!((row.state.as_str(), row.value.as_ref()), ("mapped", Some(&other)));
    // The card builder sees the same: the rule now carries the pair.
    let store = MarketStore::open(s.app.path()).unwrap();
    let account = store.account("Маркет").unwrap();
    let rule = store.attr_rules(account.id, &ext).unwrap().into_iter().find(|r| r.attr_id == attr).unwrap();
    assert_eq!(rule.value_map.get(&vitrina_market::value_key(&mine)), Some(&other.value_id));
    // Removing the pair gives the value back its own outcome.
    let unmapped = s.app.set_market_value("Маркет", &ext, &attr, &mine, None).unwrap();
    assert_eq!(unmapped.values.iter().find(|v| v.text == mine).unwrap().state, before);
    // A value that is not in the dictionary is refused with its name.
    let e = s.app.set_market_value("Маркет", &ext, &attr, &mine, Some("нет такого значения")).unwrap_err();
    assert!(e.message.contains("нет такого значения"), "{e}");
}

#[test]
fn cards_pulled_for_import_during_an_import_are_held_and_become_products_after_it() {
    let s = setup(Fake::Ym, FakeToken::ym("ym-secret-key"), ym());
    let never = || false;
    let stage = |_: JobStage| {};
    let progress = |_: u64, _: Option<u64>| {};
    let hooks = hooks(&never, &stage, &progress);
    s.app.auto_map_market("Маркет", &s.secrets, Some(client(&s, "Маркет"))).unwrap();
    s.app.publish_market_now("Маркет", &[], &s.secrets, Some(client(&s, "Маркет")), &hooks).unwrap();

    // A second, empty catalog whose seller already has those cards.
    let dir = tempfile::tempdir().unwrap();
    let other = App::open(dir.path().join("catalog.db")).unwrap();
    other
        .add_market_account(&NewMarketAccountDto { base_url: Some(s.fake.url()), ..ym() }, &s.secrets)
        .unwrap();
    let jobs = crate::jobs::Jobs::open(other.path()).unwrap();
    let pulled_client = || {
        let store = MarketStore::open(other.path()).unwrap();
        let account = store.account("Маркет").unwrap();
        let json = s.secrets.market_secret(&vitrina_market::secret_name(account.id)).unwrap().unwrap();
        Client::new(&account, Credentials::from_json(account.market, &json).unwrap())
            .unwrap()
            .with_time_scale(SCALE)
    };

    // An import holds that catalog: the cards wait in a job instead of failing.
    let import = rusqlite::Connection::open(other.path()).unwrap();
    import
        .execute_batch("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; UPDATE products SET stock = stock WHERE 0;")
        .unwrap();
    let started = std::time::Instant::now();
    let pulled =
        other.pull_market_cards("Маркет", true, &s.secrets, Some(pulled_client()), &jobs, &never).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it did not wait for the import: {:?}",
        started.elapsed()
    );
    assert!(pulled.cards > 0, "{pulled:?}");
    assert_eq!(
        (pulled.imported, pulled.held, pulled.failed.len() as u64),
        (0, pulled.cards, 0),
        "{pulled:?}"
    );
    let queued = jobs
        .list(&crate::jobs::JobFilter { kind: Some("market.import_cards".into()), ..Default::default() })
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(other.stats().unwrap().products, 0, "nothing landed during the import");

    // The import ends: the job makes them products and links them.
    import.execute_batch("ROLLBACK").unwrap();
    let done = jobs.wait(&queued[0].id.to_string(), &mut |_| {}).unwrap();
    assert_eq!(done.state, vitrina_jobs::JobState::Succeeded, "{:?}", done.error);
    assert_eq!(other.stats().unwrap().products, pulled.cards);
    let links = other.market_links("Маркет", &[], false, None, 1000, 0).unwrap();
    assert_eq!(links.items.len() as u64, pulled.cards, "every card is linked to its new product");
}
