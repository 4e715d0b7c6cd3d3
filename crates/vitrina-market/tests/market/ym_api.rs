//! ym: dictionaries, cards, prices, stocks and existing cards against the fake.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use vitrina_market::api::{AwaitItem, CardContext, ItemResult, Link, OutItem, Outcome};
use vitrina_market::dict::{AttrKind, CategorySpec, ResolvedAttr, ResolvedValue};
use vitrina_market::ym::YmApi;
use vitrina_market::{Account, Client, ErrorKind, Market, MarketApi, value_key};
use vitrina_store::export::ExportRow;
use vitrina_testkit::market::{Fake, FakeConfig, FakeMarket, FakeToken};

use super::{NEVER, TOKEN, account, client, fake};

const CAMPAIGN: i64 = 21_000_001;

fn ym() -> (FakeMarket, Account, Client) {
    let fake = fake(Fake::Ym, vec![FakeToken::ym(TOKEN)]);
    let account = account(Market::Ym, &fake);
    let (client, _) = client(&account, TOKEN);
    (fake, account, client)
}

/// The fake's "Кроссовки" with its parameters, fetched as the app would.
fn sneakers(client: &Client) -> CategorySpec {
    let tree = YmApi.fetch_tree(client, &NEVER).unwrap();
    let category = tree.into_iter().find(|c| c.name == "Кроссовки").unwrap();
    let dict = YmApi.fetch_category(client, &category, &NEVER).unwrap();
    CategorySpec { category, dict }
}

/// The attribute `name` of `spec` with `texts`, dictionary ids looked up as the resolver does.
fn resolved(spec: &CategorySpec, name: &str, texts: &[&str]) -> ResolvedAttr {
    let attr = spec.dict.attributes.iter().find(|a| a.name == name).unwrap().clone();
    let dictionary = attr.dictionary.as_ref().map(|d| &spec.dict.values[d]);
    let values = texts
        .iter()
        .map(|t| ResolvedValue {
            value_id: dictionary
                .and_then(|vs| vs.iter().find(|v| value_key(&v.value) == value_key(t)))
                .map(|v| v.value_id.clone()),
            text: (*t).to_owned(),
        })
        .collect();
    ResolvedAttr { attr, values }
}

fn row(i: usize) -> ExportRow {
    ExportRow {
        sku: format!("RUN-{i:03}"),
        name: format!("Кроссовки беговые Ветер V-{i}"),
        description: "<p>Лёгкие <b>беговые</b> кроссовки.</p>".into(),
        brand: "Ветер".into(),
        model: format!("V-{i}"),
        currency: "RUB".into(),
        price: 599_000 + i as i64 * 100,
        old_price: Some(699_000),
        stock: i as i64 - 2,
        weight_g: Some(900),
        dimensions_mm: Some([320, 200, 120]),
        images: vec![format!("https://cdn.example.ru/run-{i}.jpg")],
        barcodes: vec!["4601234567893".into()],
        ..ExportRow::default()
    }
}

fn attrs(spec: &CategorySpec) -> Vec<ResolvedAttr> {
    vec![
        resolved(spec, "Цвет товара", &["Черный", "белый"]),
        resolved(spec, "Размер", &["42"]),
        resolved(spec, "Пол", &["мужской"]),
        resolved(spec, "Материал", &["сетка"]),
    ]
}

fn build(account: &Account, spec: &CategorySpec, row: &ExportRow, attrs: &[ResolvedAttr]) -> Value {
    YmApi
        .build_card(
            row,
            &CardContext { account, category: spec, attributes: attrs, link: None, members: &[] },
        )
        .unwrap()
}

fn out(offer_id: &str, payload: Value) -> OutItem {
    OutItem {
        offer_id: offer_id.into(),
        payload,
        link: Link { offer_id: offer_id.into(), ..Link::default() },
    }
}

fn cards(account: &Account, spec: &CategorySpec, n: usize) -> Vec<OutItem> {
    (0..n).map(|i| out(&row(i).sku, build(account, spec, &row(i), &attrs(spec)))).collect()
}

fn awaiting(items: &[OutItem]) -> Vec<AwaitItem> {
    items
        .iter()
        .map(|i| AwaitItem {
            offer_id: i.offer_id.clone(),
            task: None,
            sent_at_ms: 0,
            payload: i.payload.clone(),
            link: i.link.clone(),
        })
        .collect()
}

fn codes(results: &[ItemResult]) -> BTreeMap<&'static str, usize> {
    let mut n = BTreeMap::new();
    for r in results {
        let code = match r.outcome {
            Outcome::Done(_) => "done",
            Outcome::Pending { .. } => "pending",
            Outcome::Rejected(_) => "rejected",
            Outcome::Retry { .. } => "retry",
            Outcome::Unchanged(_) => "unchanged",
        };
        *n.entry(code).or_default() += 1;
    }
    n
}

#[test]
fn ym_tree_and_parameters_come_from_the_fake() {
    let (fake, _, client) = ym();
    let tree = YmApi.fetch_tree(&client, &NEVER).unwrap();
    assert!(tree.iter().all(|c| c.name != "Все товары"), "the root is not a category");
    let leaves: Vec<_> = tree.iter().filter(|c| c.leaf).map(|c| c.name.as_str()).collect();
    assert_eq!(
        leaves,
        [
            "Смартфоны",
            "Ноутбуки",
            "Холодильники",
            "Кроссовки",
            "Футболки",
            "Сковороды",
            "Дрели",
            "Шампуни",
            "Шины"
        ]
    );
    let sneakers = tree.iter().find(|c| c.name == "Кроссовки").unwrap();
    assert_eq!(sneakers.path, "Одежда, обувь и аксессуары / Обувь / Кроссовки");
    let parent = tree.iter().position(|c| Some(&c.ext_id) == sneakers.parent_id.as_ref()).unwrap();
    assert!(parent < tree.iter().position(|c| c == sneakers).unwrap(), "parents first");

    let phones = tree.iter().find(|c| c.name == "Смартфоны").unwrap();
    let dict = YmApi.fetch_category(&client, phones, &NEVER).unwrap();
    let ram = dict.attributes.iter().find(|a| a.name == "Оперативная память").unwrap();
    assert_eq!((ram.kind, ram.unit.as_deref(), ram.required), (AttrKind::Number, Some("ГБ"), true));
    assert_eq!((ram.min_value, ram.max_value), (Some(1.0), Some(256.0)));
    let color = dict.attributes.iter().find(|a| a.name == "Цвет товара").unwrap();
    assert!(color.variant && color.multi && !color.custom_ok);
    let colors: Vec<_> =
        dict.values[color.dictionary.as_ref().unwrap()].iter().map(|v| v.value.as_str()).collect();
    assert_eq!(colors, ["черный", "белый", "серый", "синий", "красный", "зеленый", "бежевый"]);
    let last = fake.requests().pop().unwrap();
    assert_eq!(last.path, format!("/v2/category/{}/parameters?businessId=11000001", phones.ext_id));
    assert_eq!(last.header("Api-Key"), Some(TOKEN));
}

#[test]
fn ym_builder_gives_the_documented_offer_mapping() {
    let (_fake, account, client) = ym();
    let spec = sneakers(&client);
    let card = build(&account, &spec, &row(7), &attrs(&spec));
    let golden = json!({"offer": {
        "offerId": "RUN-007",
        "name": "Кроссовки беговые Ветер V-7",
        "marketCategoryId": 7811901,
        "pictures": ["https://cdn.example.ru/run-7.jpg"],
        "vendor": "Ветер",
        "vendorCode": "V-7",
        "barcodes": ["4601234567893"],
        "description": "<p>Лёгкие беговые кроссовки.</p>",
        "weightDimensions": {"length": 32, "width": 20, "height": 12, "weight": 0.9},
        "parameterValues": [
            {"parameterId": 7351771, "value": "42"},
            {"parameterId": 14871214, "valueId": 14871220},
            {"parameterId": 14871214, "valueId": 14871221},
            {"parameterId": 15341921, "value": "сетка"},
            {"parameterId": 16395395, "valueId": 16395400},
        ],
        "basicPrice": {"value": 5997, "currencyId": "RUR", "discountBase": 6990},
    }});
    assert_eq!(card, golden);
    assert_eq!(
        serde_json::to_string(&card).unwrap(),
        serde_json::to_string(&build(&account, &spec, &row(7), &attrs(&spec))).unwrap()
    );
}

#[test]
fn ym_one_bad_offer_sends_nothing_then_the_rest_go_again_and_become_cards() {
    let (fake, account, client) = ym();
    let spec = sneakers(&client);
    let mut items = cards(&account, &spec, 100);
    // A colour Market does not list, and "Цвет товара" takes no custom values.
    items[42].payload["offer"]["parameterValues"][1] = json!({"parameterId": 14871214, "valueId": 1});
    let results = YmApi.send_cards(&client, &items, &NEVER).unwrap();
    assert_eq!(codes(&results), BTreeMap::from([("rejected", 1), ("retry", 99)]));
    let Outcome::Rejected(problems) = &results[42].outcome else { panic!("{:?}", results[42]) };
    assert_eq!(problems[0].code.as_deref(), Some("INVALID_VALUE"));
    assert_eq!(problems[0].field.as_deref(), Some("14871214"));
    assert_eq!(problems[0].message, "Значения 1 нет среди значений характеристики «Цвет товара»");
    assert!(matches!(results[0].outcome, Outcome::Retry { after: Duration::ZERO, .. }));
    assert!(fake.ym_offers().is_empty(), "nothing of the batch was applied");

    let again: Vec<OutItem> = items
        .iter()
        .zip(&results)
        .filter(|(_, r)| matches!(r.outcome, Outcome::Retry { .. }))
        .map(|(i, _)| i.clone())
        .collect();
    let sent = YmApi.send_cards(&client, &again, &NEVER).unwrap();
    assert_eq!(codes(&sent), BTreeMap::from([("pending", 99)]));
    assert_eq!(fake.ym_offers().len(), 99);
    assert_eq!(fake.ym_offer("RUN-000").unwrap()["vendor"], "Ветер");

    let waiting = awaiting(&again);
    let first = YmApi.follow_up(&client, &waiting, &NEVER).unwrap();
    assert_eq!(codes(&first), BTreeMap::from([("pending", 99)]), "processing for one poll");
    let done = YmApi.follow_up(&client, &waiting, &NEVER).unwrap();
    assert_eq!(codes(&done), BTreeMap::from([("done", 99)]));
    for r in &done {
        let Outcome::Done(ext) = &r.outcome else { unreachable!() };
        assert_eq!(ext.ext_id, fake.ym_market_sku(&r.offer_id).map(|s| s.to_string()), "{}", r.offer_id);
    }
    assert_eq!(fake.count("POST", "/v2/businesses/11000001/offer-cards"), 2, "99 ids fit one request");

    // Moderation refusing a card afterwards shows up on the next follow-up, verbatim.
    fake.ym_reject("RUN-005", "Фото не соответствует товару");
    let refused = YmApi.follow_up(&client, &waiting[5..6], &NEVER).unwrap();
    let Outcome::Rejected(p) = &refused[0].outcome else { panic!("{refused:?}") };
    assert_eq!(
        (p[0].code.as_deref(), p[0].message.as_str()),
        (Some("HAS_CARD_CAN_UPDATE_ERRORS"), "Фото не соответствует товару")
    );
}

#[test]
fn ym_a_card_without_required_content_is_rejected_on_follow_up() {
    let (fake, account, client) = ym();
    let spec = sneakers(&client);
    fake.set_ym_processing_polls(0);
    let without_gender: Vec<_> = attrs(&spec).into_iter().filter(|a| a.attr.name != "Пол").collect();
    let item = out("RUN-001", build(&account, &spec, &row(1), &without_gender));
    assert_eq!(
        codes(&YmApi.send_cards(&client, std::slice::from_ref(&item), &NEVER).unwrap()),
        BTreeMap::from([("pending", 1)])
    );
    let results = YmApi.follow_up(&client, &awaiting(&[item]), &NEVER).unwrap();
    let Outcome::Rejected(p) = &results[0].outcome else { panic!("{results:?}") };
    assert_eq!(p[0].code.as_deref(), Some("NO_CARD_NEED_CONTENT"));
    assert_eq!(p[0].message, "Не заполнена обязательная характеристика «Пол»");
}

#[test]
fn ym_prices_go_business_wide_and_stocks_per_campaign() {
    let (fake, _, client) = ym();
    let prices: Vec<OutItem> = (0..3)
        .map(|i| {
            let r = row(i);
            out(&r.sku, YmApi.price_item(&r, &Link::default()).unwrap())
        })
        .collect();
    assert_eq!(codes(&YmApi.send_prices(&client, &prices, &NEVER).unwrap()), BTreeMap::from([("done", 3)]));
    let price = fake.ym_price("RUN-001").unwrap();
    assert_eq!((price["value"].as_f64(), price["currencyId"].as_str()), (Some(5991.0), Some("RUR")));
    assert_eq!(price["discountBase"], 6990);

    let stocks: Vec<OutItem> = (0..3)
        .map(|i| {
            let r = row(i);
            out(&r.sku, YmApi.stock_item(&r, &Link::default(), "").unwrap())
        })
        .collect();
    assert_eq!(
        codes(&YmApi.send_stocks(&client, "", &stocks, &NEVER).unwrap()),
        BTreeMap::from([("done", 3)])
    );
    assert_eq!(fake.ym_stock(CAMPAIGN, "RUN-000"), Some(0), "a negative stock is sent as 0");
    assert_eq!(fake.ym_stock(CAMPAIGN, "RUN-002"), Some(0));
    let at = fake.ym_stock_updated_at(CAMPAIGN, "RUN-001").unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok() && at.ends_with('Z'), "{at}");
    let request = fake.requests().pop().unwrap();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PUT", "/v2/campaigns/21000001/offers/stocks")
    );
    let more = out("RUN-009", YmApi.stock_item(&row(9), &Link::default(), "").unwrap());
    YmApi.send_stocks(&client, "", &[more], &NEVER).unwrap();
    assert_eq!(fake.ym_stock(CAMPAIGN, "RUN-009"), Some(7));
}

#[test]
fn ym_another_business_is_refused_and_missing_ids_are_named() {
    let (fake, mut account, _) = ym();
    account.business_id = Some(99);
    let (other, _) = client(&account, TOKEN);
    let e = YmApi.send_prices(&other, &[out("A", json!({"offerId": "A"}))], &NEVER).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Forbidden, Some(403)));
    (account.business_id, account.campaign_id) = (None, None);
    account.name = "no ids".into();
    let (bare, _) = client(&account, TOKEN);
    let e = YmApi.pull_cards(&bare, None, &NEVER).unwrap_err();
    assert!(e.kind == ErrorKind::Invalid && e.message.contains("business id"), "{e}");
    let e = YmApi.send_stocks(&bare, "", &[out("A", json!({}))], &NEVER).unwrap_err();
    assert!(e.message.contains("campaign id"), "{e}");
    assert_eq!(fake.requests().len(), 1, "nothing sent without the ids");
}

/// What the fake holds after a run.
#[derive(Debug, PartialEq)]
struct Final {
    offers: BTreeMap<String, Value>,
    statuses: Vec<Option<&'static str>>,
    /// Without `updatedAt`.
    prices: Vec<Value>,
    stocks: Vec<Option<i64>>,
}

/// Cards, their follow-ups until settled, prices and stocks; the fake's state afterwards.
fn publish_everything(fake: &FakeMarket) -> Final {
    let account = account(Market::Ym, fake);
    let (client, _) = client(&account, TOKEN);
    let spec = sneakers(&client);
    let mut items = cards(&account, &spec, 120);
    items[3].payload["offer"]["marketCategoryId"] = json!(7811879);
    let mut pending = Vec::new();
    // Small batches: more requests for the faults to hit.
    for batch in items.chunks(20) {
        let mut batch = batch.to_vec();
        while !batch.is_empty() {
            let results = YmApi.send_cards(&client, &batch, &NEVER).unwrap();
            let retry: Vec<&str> = results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Retry { .. }))
                .map(|r| r.offer_id.as_str())
                .collect();
            pending.extend(
                batch
                    .iter()
                    .zip(&results)
                    .filter(|(_, r)| matches!(r.outcome, Outcome::Pending { .. }))
                    .map(|(i, _)| i.clone()),
            );
            batch.retain(|i| retry.contains(&i.offer_id.as_str()));
        }
    }
    let mut waiting = awaiting(&pending);
    for _ in 0..5 {
        let results = YmApi.follow_up(&client, &waiting, &NEVER).unwrap();
        waiting.retain(|w| {
            results.iter().any(|r| r.offer_id == w.offer_id && matches!(r.outcome, Outcome::Pending { .. }))
        });
    }
    assert!(waiting.is_empty());
    let rows: Vec<ExportRow> = (0..120).map(row).collect();
    let prices: Vec<_> =
        rows.iter().map(|r| out(&r.sku, YmApi.price_item(r, &Link::default()).unwrap())).collect();
    YmApi.send_prices(&client, &prices, &NEVER).unwrap();
    let stocks: Vec<_> =
        rows.iter().map(|r| out(&r.sku, YmApi.stock_item(r, &Link::default(), "").unwrap())).collect();
    YmApi.send_stocks(&client, "", &stocks, &NEVER).unwrap();
    let statuses = rows.iter().map(|r| fake.ym_card_status(&r.sku)).collect();
    let prices = rows
        .iter()
        .map(|r| {
            let mut p = fake.ym_price(&r.sku).unwrap();
            p.as_object_mut().unwrap().remove("updatedAt");
            p
        })
        .collect();
    let stocks = rows.iter().map(|r| fake.ym_stock(CAMPAIGN, &r.sku)).collect();
    Final { offers: fake.ym_offers(), statuses, prices, stocks }
}

#[test]
fn ym_injected_faults_give_the_same_final_state() {
    let clean = fake(Fake::Ym, vec![FakeToken::ym(TOKEN)]);
    let expected = publish_everything(&clean);
    assert_eq!(expected.offers.len(), 119, "the offer in a non-leaf category is not stored");
    assert_eq!(expected.statuses[3], None);
    assert!(expected.statuses.iter().filter(|s| s.is_some()).all(|s| *s == Some("HAS_CARD_CAN_UPDATE")));
    let faulty = FakeMarket::start(Fake::Ym, FakeConfig::new(vec![FakeToken::ym(TOKEN)]).faults(0.3, 11));
    let got = publish_everything(&faulty);
    assert!(faulty.faulted() > 0 && faulty.requests().len() > clean.requests().len());
    assert_eq!(got, expected);
}

#[test]
fn ym_existing_cards_come_page_by_page() {
    let (fake, account, client) = ym();
    let spec = sneakers(&client);
    fake.set_ym_processing_polls(0);
    let items = cards(&account, &spec, 250);
    for batch in items.chunks(100) {
        YmApi.send_cards(&client, batch, &NEVER).unwrap();
    }
    YmApi.follow_up(&client, &awaiting(&items[..200]), &NEVER).unwrap();
    let prices: Vec<_> = (0..1)
        .map(|i| {
            out(&row(i).sku, json!({"offerId": row(i).sku, "price": {"value": 4990.5, "currencyId": "RUR"}}))
        })
        .collect();
    YmApi.send_prices(&client, &prices, &NEVER).unwrap();

    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let (page, next) = YmApi.pull_cards(&client, cursor.as_deref(), &NEVER).unwrap();
        pages += 1;
        all.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!((pages, all.len()), (3, 250));
    let paths: Vec<_> =
        fake.requests().into_iter().filter(|r| r.path.contains("/offer-mappings?")).map(|r| r.path).collect();
    assert_eq!(paths[1], "/v2/businesses/11000001/offer-mappings?limit=100&pageToken=from%3D100");
    let first = &all[0];
    assert_eq!((first.offer_id.as_str(), first.brand.as_str()), ("RUN-000", "Ветер"));
    assert_eq!(first.price, Some(499_050), "the business price, in kopecks");
    assert_eq!(
        (first.category_id.as_deref(), first.category_name.as_deref()),
        (Some("7811901"), Some("Кроссовки"))
    );
    assert_eq!(first.ext.ext_id, fake.ym_market_sku("RUN-000").map(|s| s.to_string()));
    assert_eq!(all[1].price, Some(599_100), "the card's own basicPrice");
    assert_eq!(all[249].ext.ext_id, None, "no card yet: never followed up");
    assert_eq!(all[249].category_id.as_deref(), Some("7811901"));
}
