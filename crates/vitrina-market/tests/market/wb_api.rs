//! wb: dictionaries, cards, prices, stocks and existing cards against the fake.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vitrina_market::{
    Account, AwaitItem, CardContext, CategorySpec, Client, ExtIds, Link, Market, MarketApi, MpCategory,
    OutItem, Outcome, ResolvedAttr, ResolvedValue, api,
};
use vitrina_store::export::ExportRow;
use vitrina_testkit::market::{Fake, FakeConfig, FakeLimits, FakeMarket, FakeToken};

use super::{NEVER, TOKEN, account, client, creds};

const WAREHOUSE: i64 = 1_000_001;

fn wb() -> &'static dyn MarketApi {
    api(Market::Wb)
}

/// A fake without limits and a client on a manual clock: nothing waits.
fn start(config: FakeConfig) -> (FakeMarket, Account, Client) {
    let fake = FakeMarket::start(Fake::Wb, config.limits(FakeLimits::Off));
    let account = account(Market::Wb, &fake);
    let (client, _) = client(&account, TOKEN);
    (fake, account, client)
}

fn tokens() -> FakeConfig {
    FakeConfig::new(vec![FakeToken::wb(TOKEN)])
}

fn subject(client: &Client, name: &str) -> CategorySpec {
    let tree = wb().fetch_tree(client, &NEVER).unwrap();
    let category: MpCategory = tree.into_iter().find(|c| c.name == name).unwrap();
    let dict = wb().fetch_category(client, &category, &NEVER).unwrap();
    CategorySpec { category, dict }
}

/// The attributes of `spec` named in `values`, with those texts.
fn resolved(spec: &CategorySpec, values: &[(&str, &str)]) -> Vec<ResolvedAttr> {
    values
        .iter()
        .map(|(name, text)| ResolvedAttr {
            attr: spec.dict.attributes.iter().find(|a| a.name == *name).unwrap().clone(),
            values: text.split('|').map(|t| ResolvedValue { value_id: None, text: t.into() }).collect(),
        })
        .collect()
}

fn shoe(n: u32, group: Option<u64>) -> ExportRow {
    ExportRow {
        sku: format!("RUN-{n}"),
        name: format!("Кроссовки беговые Ветер {n}"),
        description: "<p>Лёгкие &amp; быстрые.</p>".into(),
        brand: "Ветер".into(),
        group,
        price: 449_000,
        old_price: Some(599_000),
        stock: i64::from(n),
        weight_g: Some(900),
        dimensions_mm: Some([320, 200, 120]),
        barcodes: vec![format!("46012345{n:05}")],
        ..Default::default()
    }
}

fn shoe_attrs(spec: &CategorySpec, n: u32) -> Vec<ResolvedAttr> {
    let size = (36 + n % 10).to_string();
    resolved(
        spec,
        &[("Размер", &size), ("Цвет", "черный|белый"), ("Пол", "Мужской"), ("Материал верха", "сетка")],
    )
}

fn build(
    account: &Account,
    spec: &CategorySpec,
    row: &ExportRow,
    attrs: &[ResolvedAttr],
    link: Option<&Link>,
) -> Value {
    wb().build_card(row, &CardContext { account, category: spec, attributes: attrs, link, members: &[] })
        .unwrap()
}

fn item(payload: Value, link: Link) -> OutItem {
    OutItem { offer_id: link.offer_id.clone(), payload, link }
}

fn creates(account: &Account, spec: &CategorySpec, rows: &[ExportRow]) -> Vec<OutItem> {
    rows.iter()
        .map(|r| {
            let n: u32 = r.sku[4..].parse().unwrap();
            let link = Link { offer_id: r.sku.clone(), ..Link::default() };
            item(build(account, spec, r, &shoe_attrs(spec, n), None), link)
        })
        .collect()
}

/// Sends and follows up until every item is settled, as the engine would: a failed request
/// is sent again, `Retry` items are sent again, `Pending` ones asked about again.
fn settle(client: &Client, items: Vec<OutItem>) -> BTreeMap<String, Outcome> {
    let mut out = BTreeMap::new();
    let mut to_send = items;
    let mut waiting: Vec<AwaitItem> = Vec::new();
    for _ in 0..60 {
        if !to_send.is_empty() {
            match wb().send_cards(client, &to_send, &NEVER) {
                Ok(results) => {
                    let mut again = Vec::new();
                    for (r, sent) in results.into_iter().map(|r| {
                        let sent = to_send.iter().find(|i| i.offer_id == r.offer_id).unwrap().clone();
                        (r, sent)
                    }) {
                        match r.outcome {
                            Outcome::Pending { ext, task, .. } => waiting.push(AwaitItem {
                                offer_id: r.offer_id,
                                task,
                                sent_at_ms: 0,
                                payload: sent.payload,
                                link: Link { ext, ..sent.link },
                            }),
                            Outcome::Retry { .. } => again.push(sent),
                            other => {
                                out.insert(r.offer_id, other);
                            }
                        }
                    }
                    to_send = again;
                }
                Err(e) => assert!(e.is_transient(), "{e}"),
            }
        }
        if !waiting.is_empty() {
            match wb().follow_up(client, &waiting, &NEVER) {
                Ok(results) => {
                    for r in results {
                        match r.outcome {
                            Outcome::Pending { .. } => {}
                            other => {
                                waiting.retain(|w| w.offer_id != r.offer_id);
                                out.insert(r.offer_id, other);
                            }
                        }
                    }
                }
                Err(e) => assert!(e.is_transient(), "{e}"),
            }
        }
        if to_send.is_empty() && waiting.is_empty() {
            return out;
        }
    }
    panic!("not settled: {to_send:?} {waiting:?}");
}

fn done(outcome: &Outcome) -> &ExtIds {
    match outcome {
        Outcome::Done(ext) => ext,
        other => panic!("not done: {other:?}"),
    }
}

fn linked(sku: &str, ext: &ExtIds) -> Link {
    Link { offer_id: sku.into(), ext: ext.clone(), ..Link::default() }
}

#[test]
fn wb_tree_and_subject_characteristics_come_with_their_directories() {
    let (_fake, _, client) = start(tokens());
    let tree = wb().fetch_tree(&client, &NEVER).unwrap();
    let first_leaf = tree.iter().position(|c| c.leaf).unwrap();
    assert!(tree[..first_leaf].iter().all(|c| !c.leaf && c.ext_id.starts_with("parent:")), "parents first");
    assert!(tree.iter().filter(|c| c.leaf).count() > 1000, "both pages of subjects");
    let shoes = tree.iter().find(|c| c.name == "Кроссовки").unwrap();
    assert_eq!(
        (shoes.ext_id.as_str(), shoes.parent_id.as_deref(), shoes.path.as_str()),
        ("105", Some("parent:8"), "Обувь / Кроссовки")
    );
    for name in ["Футболки", "Смартфоны", "Ноутбуки", "Холодильники", "Сковороды", "Шампуни"]
    {
        assert!(tree.iter().any(|c| c.name == name && c.leaf), "{name}");
    }

    let spec = subject(&client, "Кроссовки");
    let attr = |name: &str| spec.dict.attributes.iter().find(|a| a.name == name).unwrap();
    let colour = attr("Цвет");
    assert_eq!(
        (colour.required, colour.custom_ok, colour.dictionary.as_deref()),
        (true, false, Some("wb:colors"))
    );
    let colours: Vec<&str> = spec.dict.values["wb:colors"].iter().map(|v| v.value.as_str()).collect();
    assert!(
        ["черный", "белый", "серый", "синий", "красный", "зеленый", "бежевый"]
            .iter()
            .all(|c| colours.contains(c))
    );
    let size = attr("Размер");
    assert_eq!((size.required, size.variant, size.named_field.as_deref()), (true, true, Some("sizes")));
    assert_eq!(attr("Бренд").named_field.as_deref(), Some("brand"));
    assert_eq!(attr("Длина упаковки").named_field.as_deref(), Some("dimensions"));
    let country = attr("Страна производства");
    assert_eq!((country.multi, country.max_count, country.custom_ok), (false, Some(1), true));
    assert!(spec.dict.values["wb:countries"].iter().any(|v| v.value == "Китай" && v.value_id == "15000170"));
    assert_eq!(spec.dict.values["wb:tnved:105"][0].value, "6404110000");
    assert!(spec.dict.values.contains_key("wb:seasons") && spec.dict.values.contains_key("wb:vat"));

    let phones = subject(&client, "Смартфоны");
    let memory = phones.dict.attributes.iter().find(|a| a.name == "Встроенная память").unwrap();
    assert_eq!((memory.kind.code(), memory.unit.as_deref(), memory.required), ("number", Some("ГБ"), true));
}

#[test]
fn wb_cards_are_sent_followed_up_linked_and_a_resend_makes_no_second_card() {
    let (fake, account, client) = start(tokens());
    let spec = subject(&client, "Кроссовки");
    let rows = [shoe(1, Some(1)), shoe(2, Some(1)), shoe(3, None)];
    let items = creates(&account, &spec, &rows);
    let sent = wb().send_cards(&client, &items, &NEVER).unwrap();
    assert!(sent.iter().all(|r| matches!(r.outcome, Outcome::Pending { task: Some(_), .. })), "{sent:?}");
    assert_eq!(fake.count("POST", "/content/v2/cards/upload"), 1);
    let upload = &fake.requests().into_iter().find(|r| r.path == "/content/v2/cards/upload").unwrap();
    let body: Value = serde_json::from_slice(&upload.body).unwrap();
    assert_eq!(body.as_array().unwrap().len(), 2, "one group's variants share an entry");
    assert_eq!(body[0]["variants"].as_array().unwrap().len(), 2);
    assert!(body[0].get("group").is_none());

    let outcomes = settle(&client, items.clone());
    let cards = fake.wb_cards();
    for row in &rows {
        let ext = done(&outcomes[&row.sku]);
        let card = cards.iter().find(|c| c["vendorCode"] == row.sku.as_str()).unwrap();
        assert_eq!(ext.ext_id, Some(card["nmID"].to_string()));
        assert_eq!(ext.ext_group, Some(card["imtID"].to_string()));
        assert_eq!(ext.sizes.as_ref().unwrap()[0]["chrtID"], card["sizes"][0]["chrtID"]);
    }
    assert_eq!(cards[0]["imtID"], cards[1]["imtID"], "a merged card");
    assert_ne!(cards[0]["imtID"], cards[2]["imtID"]);

    // The same creates again (an answer lost, a crash): linked to the cards, none created.
    let again = wb().send_cards(&client, &items, &NEVER).unwrap();
    for r in &again {
        assert_eq!(done(&r.outcome), done(&outcomes[&r.offer_id]));
    }
    assert_eq!(fake.wb_cards().len(), 3);
}

#[test]
fn wb_update_is_the_whole_card_with_its_ids_and_building_is_deterministic() {
    let (fake, account, client) = start(tokens());
    fake.set_wb_card_delay(0);
    let spec = subject(&client, "Кроссовки");
    let row = shoe(4, None);
    let outcomes = settle(&client, creates(&account, &spec, std::slice::from_ref(&row)));
    let ext = done(&outcomes["RUN-4"]).clone();
    let link = linked("RUN-4", &ext);
    let card = fake.wb_card("RUN-4").unwrap();
    let chrt = card["sizes"][0]["chrtID"].clone();
    let generated = card["sizes"][0]["skus"].clone();

    let changed = ExportRow {
        name: "Кроссовки беговые Ветер 4 Pro".into(),
        barcodes: vec!["4601234567893".into()],
        ..row
    };
    let attrs = shoe_attrs(&spec, 4);
    let update = build(&account, &spec, &changed, &attrs, Some(&link));
    let id = |name: &str| {
        spec.dict.attributes.iter().find(|a| a.name == name).unwrap().attr_id.parse::<i64>().unwrap()
    };
    assert_eq!(
        update,
        json!({
            "nmID": card["nmID"],
            "vendorCode": "RUN-4",
            "title": "Кроссовки беговые Ветер 4 Pro",
            "description": "Лёгкие & быстрые.",
            "brand": "Ветер",
            "dimensions": {"length": 32, "width": 20, "height": 12, "weightBrutto": 0.9},
            "characteristics": [
                {"id": id("Пол"), "value": ["Мужской"]},
                {"id": id("Материал верха"), "value": ["сетка"]},
                {"id": id("Цвет"), "value": ["черный", "белый"]},
            ],
            "sizes": [{"chrtID": chrt, "techSize": "40", "skus": [generated[0], "4601234567893"]}],
        })
    );
    // The same input gives the same bytes; any field changes them.
    let bytes =
        |r: &ExportRow| serde_json::to_string(&build(&account, &spec, r, &attrs, Some(&link))).unwrap();
    assert_eq!(bytes(&changed), serde_json::to_string(&update).unwrap());
    assert_ne!(bytes(&changed), bytes(&ExportRow { brand: "Ветер+".into(), ..changed.clone() }));

    let outcomes = settle(&client, vec![item(update, link)]);
    assert_eq!(done(&outcomes["RUN-4"]).ext_id, ext.ext_id);
    let card = fake.wb_card("RUN-4").unwrap();
    assert_eq!(card["title"], "Кроссовки беговые Ветер 4 Pro");
    assert_eq!(card["sizes"][0]["chrtID"], chrt);
    assert_eq!(card["characteristics"].as_array().unwrap().len(), 3);
}

#[test]
fn wb_a_rejected_card_carries_the_fakes_words_verbatim() {
    let (fake, account, client) = start(tokens());
    let spec = subject(&client, "Кроссовки");
    fake.wb_reject("RUN-6", "Запрещено использовать E-Mail в поле Наименование");
    let mut items = creates(&account, &spec, &[shoe(5, None), shoe(6, None)]);
    let no_kind = resolved(&spec, &[("Размер", "42"), ("Цвет", "черный")]);
    let row = shoe(7, None);
    items.push(item(
        build(&account, &spec, &row, &no_kind, None),
        Link { offer_id: row.sku, ..Link::default() },
    ));
    let outcomes = settle(&client, items);
    done(&outcomes["RUN-5"]);
    let words = |sku: &str| match &outcomes[sku] {
        Outcome::Rejected(problems) => problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
        other => panic!("{sku}: {other:?}"),
    };
    assert_eq!(words("RUN-6"), ["Запрещено использовать E-Mail в поле Наименование"]);
    let kind = spec.dict.attributes.iter().find(|a| a.name == "Пол").unwrap();
    assert_eq!(words("RUN-7"), [format!("missing required characteristics with ids: {}", kind.attr_id)]);
    assert!(fake.wb_card("RUN-6").is_none());
}

#[test]
fn wb_an_unknown_subject_is_rejected_and_the_others_go_again() {
    let (fake, account, client) = start(tokens());
    let spec = subject(&client, "Кроссовки");
    let mut items = creates(&account, &spec, &[shoe(8, None), shoe(9, None)]);
    items[1].payload["subjectID"] = json!(342_342);
    let results = wb().send_cards(&client, &items, &NEVER).unwrap();
    let by: BTreeMap<_, _> = results.into_iter().map(|r| (r.offer_id, r.outcome)).collect();
    assert!(
        matches!(&by["RUN-9"], Outcome::Rejected(p) if p[0].message == "This category does not exist"),
        "{by:?}"
    );
    assert!(matches!(by["RUN-8"], Outcome::Retry { .. }), "{by:?}");
    assert!(fake.wb_cards().is_empty());
}

/// The cards as far as the seller made them (ids and times left out).
fn content(fake: &FakeMarket) -> Vec<Value> {
    let mut cards: Vec<Value> = fake
        .wb_cards()
        .into_iter()
        .map(|c| {
            json!([
                c["vendorCode"],
                c["title"],
                c["characteristics"],
                c["sizes"][0]["techSize"],
                c["dimensions"]
            ])
        })
        .collect();
    cards.sort_by_key(|c| c[0].as_str().map(str::to_owned));
    cards
}

#[test]
fn wb_random_faults_end_in_the_same_state_as_a_clean_run() {
    let run = |config: FakeConfig| {
        let (fake, account, client) = start(config);
        let spec = subject(&client, "Кроссовки");
        fake.wb_reject("RUN-12", "Фото не соответствует товару");
        let rows: Vec<ExportRow> = (10..24).map(|n| shoe(n, Some(u64::from(n / 3)))).collect();
        let outcomes = settle(&client, creates(&account, &spec, &rows));
        let kinds: Vec<(String, &str)> = outcomes
            .iter()
            .map(|(k, o)| (k.clone(), if matches!(o, Outcome::Done(_)) { "done" } else { "rejected" }))
            .collect();
        (kinds, content(&fake), fake.faulted())
    };
    let (clean, clean_cards, _) = run(tokens());
    let (faulty, faulty_cards, faulted) = run(tokens().faults(0.3, 11));
    assert!(faulted >= 2, "faults were injected: {faulted}");
    assert_eq!(clean, faulty);
    assert_eq!(clean_cards, faulty_cards);
    assert_eq!(clean_cards.len(), 13);
}

/// Three live cards and their links.
fn live(fake: &FakeMarket, account: &Account, client: &Client) -> Vec<(ExportRow, Link)> {
    fake.set_wb_card_delay(0);
    let spec = subject(client, "Кроссовки");
    let rows = [shoe(31, None), shoe(32, None), shoe(33, None)];
    let outcomes = settle(client, creates(account, &spec, &rows));
    rows.into_iter()
        .map(|r| {
            let link = linked(&r.sku, done(&outcomes[&r.sku]));
            (r, link)
        })
        .collect()
}

fn nm(link: &Link) -> i64 {
    link.ext.ext_id.as_deref().unwrap().parse().unwrap()
}

#[test]
fn wb_prices_follow_their_task_and_failed_items_keep_wbs_words() {
    let (fake, account, client) = start(tokens());
    let cards = live(&fake, &account, &client);
    fake.wb_reject_price(nm(&cards[1].1), "Цена не может быть ниже себестоимости");
    fake.set_wb_price_delay(1);
    let items: Vec<OutItem> =
        cards.iter().map(|(r, l)| item(wb().price_item(r, l).unwrap(), l.clone())).collect();
    assert_eq!(items[0].payload, json!({"nmID": nm(&cards[0].1), "price": 5990, "discount": 25}));
    let sent = wb().send_prices(&client, &items, &NEVER).unwrap();
    let task = match &sent[0].outcome {
        Outcome::Pending { task: Some(task), .. } => task.clone(),
        other => panic!("{other:?}"),
    };
    assert!(task.starts_with("price:"), "{task}");
    let waiting: Vec<AwaitItem> = items
        .iter()
        .map(|i| AwaitItem {
            offer_id: i.offer_id.clone(),
            task: Some(task.clone()),
            sent_at_ms: 0,
            payload: i.payload.clone(),
            link: i.link.clone(),
        })
        .collect();
    let results = wb().follow_up(&client, &waiting, &NEVER).unwrap();
    let by: BTreeMap<_, _> = results.into_iter().map(|r| (r.offer_id, r.outcome)).collect();
    done(&by["RUN-31"]);
    done(&by["RUN-33"]);
    assert!(
        matches!(&by["RUN-32"], Outcome::Rejected(p) if p[0].message == "Цена не может быть ниже себестоимости"),
        "{by:?}"
    );
    assert_eq!(fake.wb_price(nm(&cards[0].1)), Some((5990, 25)));
    assert_eq!(fake.wb_price(nm(&cards[1].1)), None);

    // The same upload again is 208: taken before, so done.
    fake.set_wb_price_delay(0);
    let again = wb().send_prices(&client, &items, &NEVER).unwrap();
    assert!(again.iter().all(|r| matches!(r.outcome, Outcome::Done(_))), "{again:?}");
    // A card without nmID has no price item.
    let problem = wb().price_item(&cards[0].0, &Link::default()).unwrap_err();
    assert_eq!(problem.code.code(), "not_published");
}

#[test]
fn wb_stocks_go_by_chrt_id_and_a_refused_item_is_found_alone() {
    let (fake, account, client) = start(tokens());
    let cards = live(&fake, &account, &client);
    let warehouse = WAREHOUSE.to_string();
    let mut items: Vec<OutItem> =
        cards.iter().map(|(r, l)| item(wb().stock_item(r, l, &warehouse).unwrap(), l.clone())).collect();
    let chrt = |l: &Link| l.ext.sizes.as_ref().unwrap()[0]["chrtID"].as_i64().unwrap();
    assert_eq!(items[0].payload, json!({"stocks": [{"chrtId": chrt(&cards[0].1), "amount": 31}]}));
    let results = wb().send_stocks(&client, &warehouse, &items, &NEVER).unwrap();
    assert!(results.iter().all(|r| matches!(r.outcome, Outcome::Done(_))), "{results:?}");
    assert_eq!(fake.wb_stock(WAREHOUSE, chrt(&cards[2].1)), Some(33));
    assert_eq!(fake.count("PUT", &format!("/api/v3/stocks/{WAREHOUSE}")), 1);

    // A size WB does not know: its item is rejected with WB's words, the others are applied.
    let stale = Link {
        ext: ExtIds { sizes: Some(json!([{"chrtID": 1}])), ..cards[1].1.ext.clone() },
        ..cards[1].1.clone()
    };
    items[1] = item(wb().stock_item(&cards[1].0, &stale, &warehouse).unwrap(), stale);
    items[0].payload["stocks"][0]["amount"] = json!(5);
    let results = wb().send_stocks(&client, &warehouse, &items, &NEVER).unwrap();
    let by: BTreeMap<_, _> = results.into_iter().map(|r| (r.offer_id, r.outcome)).collect();
    assert!(
        matches!(&by["RUN-32"], Outcome::Rejected(p) if p[0].code.as_deref() == Some("NotFound") && p[0].message == "Item not found"),
        "{by:?}"
    );
    done(&by["RUN-31"]);
    done(&by["RUN-33"]);
    assert_eq!(fake.wb_stock(WAREHOUSE, chrt(&cards[0].1)), Some(5));
    assert_eq!(
        wb().stock_item(&cards[0].0, &Link::default(), &warehouse).unwrap_err().code.code(),
        "not_published"
    );
}

#[test]
fn wb_250_creates_take_three_uploads_and_pull_cards_pages_through_them() {
    const SCALE: f64 = 100.0;
    let fake = FakeMarket::start(Fake::Wb, tokens().limits(FakeLimits::Scaled(SCALE)));
    fake.set_wb_card_delay(0);
    let account = account(Market::Wb, &fake);
    let client = Client::new(&account, creds(Market::Wb, TOKEN)).unwrap().with_time_scale(SCALE);
    let spec = subject(&client, "Кроссовки");
    let rows: Vec<ExportRow> = (1000..1250).map(|n| shoe(n, None)).collect();
    let items = creates(&account, &spec, &rows);
    for batch in items.chunks(wb().card_batch().items) {
        let results = wb().send_cards(&client, batch, &NEVER).unwrap();
        assert!(results.iter().all(|r| matches!(r.outcome, Outcome::Pending { .. })));
    }
    assert_eq!(fake.count("POST", "/content/v2/cards/upload"), 3);
    assert_eq!(fake.wb_cards().len(), 250);
    fake.wb_set_photos("RUN-1000", &["https://basket-10.wbbasket.ru/vol1/part1/1/images/big/1.webp"]);

    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    let mut all = Vec::new();
    loop {
        let (cards, next) = wb().pull_cards(&client, cursor.as_deref(), &NEVER).unwrap();
        pages.push(cards.len());
        all.extend(cards);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, [100, 100, 50]);
    let mut skus: Vec<&str> = all.iter().map(|c| c.offer_id.as_str()).collect();
    skus.dedup();
    assert_eq!(skus.len(), 250);
    let first = all.iter().find(|c| c.offer_id == "RUN-1000").unwrap();
    assert_eq!(
        (first.category_id.as_deref(), first.category_name.as_deref()),
        (Some("105"), Some("Кроссовки"))
    );
    assert_eq!(first.barcodes, ["4601234501000"]);
    assert_eq!(first.images, ["https://basket-10.wbbasket.ru/vol1/part1/1/images/big/1.webp"]);
    assert!(first.attributes.contains(&("Цвет".into(), "черный, белый".into())));
    assert_eq!(fake.throttled(), 0, "the client's buckets kept within the fake's limits");

    // A follow-up of many items reads the changed cards in one pass.
    let waiting: Vec<AwaitItem> = items
        .iter()
        .map(|i| AwaitItem {
            offer_id: i.offer_id.clone(),
            task: Some("0".into()),
            sent_at_ms: 0,
            payload: i.payload.clone(),
            link: i.link.clone(),
        })
        .collect();
    let before = fake.count("POST", "/content/v2/get/cards/list");
    let results = wb().follow_up(&client, &waiting, &NEVER).unwrap();
    assert!(results.iter().all(|r| matches!(r.outcome, Outcome::Done(_))));
    assert_eq!(fake.count("POST", "/content/v2/get/cards/list") - before, 3);
}
