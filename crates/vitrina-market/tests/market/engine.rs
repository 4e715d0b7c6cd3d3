//! The publish engine (plan, outbox, follow-up, links, frequency guards) on a real catalog and
//! the Ozon fake: an interrupted run resumes without duplicates, faults end in the same states
//! as a clean run, the per-pair stock limit is waited for instead of refused.

use std::time::Duration;

use vitrina_domain::{
    Attribute, Barcode, CategoryPath, Dimensions, Image, Money, ProductDraft, ProductStatus,
};
use vitrina_market::plan::{PushOps, plan_cards, plan_push};
use vitrina_market::publish::{ClientClock, RunOptions, run_outbox};
use vitrina_market::store::{LinkFilter, Op};
use vitrina_market::{Account, AttrRule, Client, LinkStatus, Market, MarketStore, Source, api};
use vitrina_store::Catalog;
use vitrina_store::export::Selection;
use vitrina_testkit::market::{Fake, FakeConfig, FakeLimits, FakeMarket, FakeToken};

use super::{CLIENT_ID, NEVER, TOKEN, creds};

const SCALE: f64 = 100.0;
/// The fake's "Смартфоны" type.
const PHONES: &str = "15621031:7";
const WAREHOUSE: &str = "22142605386000";

struct Bench {
    _dir: tempfile::TempDir,
    catalog: Catalog,
    store: MarketStore,
    account: Account,
    fake: FakeMarket,
}

fn bench(products: usize, faults: f64) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let mut catalog = Catalog::open(&path).unwrap();
    let phones = catalog.ensure_category_path(&CategoryPath::parse("Электроника / Смартфоны")).unwrap();
    for i in 0..products {
        let mut p = vitrina_domain::Product::new(ProductDraft {
            sku: format!("PH-{i:04}"),
            name: format!("Смартфон Samsung Galaxy A{i}"),
            price: Money::rub(1_999_000 + i as i64 * 100),
        })
        .unwrap();
        p.category = Some(phones);
        p.brand = "Samsung".into();
        p.model = format!("Galaxy A{i}");
        p.stock = 5 + i as i64;
        p.status = ProductStatus::Active;
        p.weight_g = Some(220);
        p.dimensions = Some(Dimensions { length_mm: 170, width_mm: 90, height_mm: 50 });
        p.images = vec![Image { url: format!("https://cdn.example.ru/ph-{i}.jpg") }];
        p.barcodes = vec![Barcode::parse(&ean(i)).unwrap()];
        p.attributes = vec![Attribute { name: "Цвет".into(), value: "черный".into(), unit: None }];
        p.description = "<p>Смартфон с большим экраном.</p>".into();
        catalog.create_product(&p).unwrap();
    }
    let fake = FakeMarket::start(
        Fake::Ozon,
        FakeConfig::new(vec![FakeToken::ozon(CLIENT_ID, TOKEN)])
            .limits(FakeLimits::Scaled(SCALE))
            .faults(faults, 5),
    );
    let mut store = MarketStore::open(&path).unwrap();
    let mut account = Account::new("Ozon", Market::Ozon, 1);
    account.base_url = Some(fake.url());
    account.settings.warehouses.insert("Основной".into(), WAREHOUSE.into());
    store.add_account(&account).unwrap();
    let mut b = Bench { _dir: dir, catalog, store, account, fake };
    map(&mut b, phones);
    b
}

/// A valid EAN-13 for `i`.
fn ean(i: usize) -> String {
    let body = format!("460{:09}", i);
    let sum: u32 =
        body.chars().enumerate().map(|(k, c)| c.to_digit(10).unwrap() * if k % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn client(b: &Bench) -> Client {
    Client::new(&b.account, creds(Market::Ozon, TOKEN)).unwrap().with_time_scale(SCALE)
}

fn map(b: &mut Bench, phones: vitrina_domain::CategoryId) {
    let client = client(b);
    let ozon = api(Market::Ozon);
    let tree = ozon.fetch_tree(&client, &NEVER).unwrap();
    b.store.replace_tree(b.account.id, &tree, 1).unwrap();
    let leaf = tree.iter().find(|c| c.ext_id == PHONES).unwrap().clone();
    let dict = ozon.fetch_category(&client, &leaf, &NEVER).unwrap();
    b.store.save_category_dict(b.account.id, PHONES, &dict, 1).unwrap();
    b.store.set_category_map(b.account.id, phones, Some(PHONES)).unwrap();
    let colour = dict.attributes.iter().find(|a| a.name == "Цвет товара").unwrap();
    let rule = AttrRule {
        attr_id: colour.attr_id.clone(),
        source: Source::Attr("Цвет".into()),
        unit_factor: None,
        value_map: Default::default(),
    };
    b.store.set_attr_rule(b.account.id, PHONES, &colour.attr_id, Some(&rule)).unwrap();
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Plans and sends every card; a run that gives up on a request (every retry refused) is run
/// again, as the job runner does.
fn publish(b: &mut Bench) {
    let plan =
        plan_cards(&b.catalog, &mut b.store, &b.account, &Selection::default(), now(), &NEVER, &mut |_| {})
            .unwrap();
    assert_eq!(plan.precheck_failed, 0, "{plan:?}");
    drain(b);
}

fn drain(b: &mut Bench) {
    let client = client(b);
    for _ in 0..5 {
        let clock = ClientClock::new(&client);
        let run =
            run_outbox(&mut b.store, &b.account, &client, &clock, RunOptions::default(), &NEVER, &mut |_| {});
        if run.is_ok() {
            return;
        }
    }
    panic!("the outbox did not drain in five runs");
}

fn statuses(b: &Bench) -> Vec<(String, LinkStatus, Option<String>)> {
    let mut all: Vec<_> = b
        .store
        .links(b.account.id, &LinkFilter::default())
        .unwrap()
        .into_iter()
        .map(|l| (l.link.offer_id, l.link.status, l.link.ext.ext_id))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn a_run_interrupted_after_marking_a_batch_sending_resends_it_without_duplicates() {
    let mut b = bench(30, 0.0);
    plan_cards(&b.catalog, &mut b.store, &b.account, &Selection::default(), now(), &NEVER, &mut |_| {})
        .unwrap();
    // The app closed right after marking the first batch as sent, before any answer.
    let due = b.store.due(b.account.id, Op::Card, None, i64::MAX, 100).unwrap();
    b.store.mark_sending(&due.iter().map(|r| r.seq).collect::<Vec<_>>(), now()).unwrap();
    drain(&mut b);
    let links = statuses(&b);
    assert_eq!(links.len(), 30);
    assert!(links.iter().all(|(_, s, id)| *s == LinkStatus::Live && id.is_some()), "{links:?}");
    assert_eq!(b.fake.ozon_products().len(), 30, "one product per SKU on the marketplace");
}

#[test]
fn thirty_percent_faults_end_in_the_same_states_as_a_clean_run() {
    let mut clean = bench(40, 0.0);
    publish(&mut clean);
    let mut faulty = bench(40, 0.3);
    publish(&mut faulty);
    assert!(faulty.fake.faulted() >= 3, "faults were injected: {}", faulty.fake.faulted());
    let strip = |v: Vec<(String, LinkStatus, Option<String>)>| {
        v.into_iter().map(|(o, s, id)| (o, s, id.is_some())).collect::<Vec<_>>()
    };
    assert_eq!(strip(statuses(&faulty)), strip(statuses(&clean)));
    assert_eq!(faulty.fake.ozon_products().len(), 40);
    assert_eq!(faulty.fake.throttled(), 0, "no 429 of the client's own making");
}

#[test]
fn a_second_stock_change_within_30_seconds_waits_for_the_pair_limit() {
    let mut b = bench(3, 0.0);
    publish(&mut b);
    let ops = PushOps { prices: true, stocks: true };
    plan_push(&b.catalog, &mut b.store, &b.account, &Selection::default(), ops, &[], now(), &NEVER).unwrap();
    drain(&mut b);
    assert_eq!(b.fake.ozon_stock("PH-0000", WAREHOUSE.parse().unwrap()), Some(5));

    // A stock change right after: Ozon takes one update per pair per 30 s (0.3 s here).
    let conn = rusqlite::Connection::open(b.catalog.path()).unwrap();
    conn.execute("UPDATE products SET stock = 42, updated_at = updated_at + 1 WHERE sku = 'PH-0000'", [])
        .unwrap();
    let started = std::time::Instant::now();
    let plan =
        plan_push(&b.catalog, &mut b.store, &b.account, &Selection::default(), ops, &[], now(), &NEVER)
            .unwrap();
    assert_eq!(plan.queued, 1, "only the changed stock: {plan:?}");
    drain(&mut b);
    assert_eq!(b.fake.ozon_stock("PH-0000", WAREHOUSE.parse().unwrap()), Some(42));
    let link = b.store.link_by_offer(b.account.id, "PH-0000").unwrap().unwrap();
    assert!(link.link.errors.is_empty(), "not refused by the marketplace: {:?}", link.link.errors);
    assert!(started.elapsed() >= Duration::from_millis(100), "it waited for the window");
    // Sent once when allowed, not refused with TOO_MANY_REQUESTS and sent again.
    assert_eq!(b.fake.count("POST", "/v2/products/stocks"), 2);
}

#[test]
fn while_the_planner_still_queues_only_full_batches_go() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut b = bench(150, 0.0);
    let path = b.catalog.path().to_path_buf();
    let client = client(&b);
    let queuing = AtomicBool::new(true);
    let before = b.fake.requests().len();
    std::thread::scope(|scope| {
        let account = b.account.clone();
        let queuing = &queuing;
        let path = &path;
        scope.spawn(move || {
            // The planner: three slices of 50 with pauses, on its own connections.
            let catalog = Catalog::open(path).unwrap();
            let mut store = MarketStore::open(path).unwrap();
            for part in 0..3 {
                let skus = (part * 50..part * 50 + 50).map(|i| format!("PH-{i:04}")).collect();
                let selection = Selection { skus, ..Selection::default() };
                plan_cards(&catalog, &mut store, &account, &selection, now(), &NEVER, &mut |_| {}).unwrap();
                std::thread::sleep(Duration::from_millis(150));
            }
            queuing.store(false, Ordering::Release);
        });
        let clock = ClientClock::new(&client);
        let options = RunOptions { still_queuing: Some(queuing), ..RunOptions::default() };
        run_outbox(&mut b.store, &b.account, &client, &clock, options, &NEVER, &mut |_| {}).unwrap();
    });
    let imports: Vec<usize> = b.fake.requests()[before..]
        .iter()
        .filter(|r| r.path == "/v3/product/import")
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["items"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(imports, [100, 50], "a full batch while queuing, the rest at the end");
    assert!(statuses(&b).iter().all(|(_, s, _)| *s == LinkStatus::Live), "every card settled");
}
