//! ozon: dictionaries, cards, prices, stocks and existing cards against the fake.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vitrina_market::api::{AwaitItem, CardContext, ExtIds, ItemResult, Link, OutItem, Outcome};
use vitrina_market::dict::{AttrKind, CategorySpec, ResolvedAttr, ResolvedValue};
use vitrina_market::ozon::OzonApi;
use vitrina_market::{Account, Client, Market, MarketApi, value_key};
use vitrina_store::export::ExportRow;
use vitrina_testkit::market::{Fake, FakeConfig, FakeLimits, FakeMarket, FakeToken};

use super::{CLIENT_ID, NEVER, TOKEN, account, client};

const WAREHOUSE: &str = "22142605386000";

fn ozon(config: FakeConfig) -> (FakeMarket, Account, Client) {
    let fake = FakeMarket::start(Fake::Ozon, config);
    let account = account(Market::Ozon, &fake);
    let (client, _) = client(&account, TOKEN);
    (fake, account, client.with_time_scale(100.0))
}

fn config() -> FakeConfig {
    FakeConfig::new(vec![FakeToken::ozon(CLIENT_ID, TOKEN)]).limits(FakeLimits::Scaled(100.0))
}

/// The fake's "Кроссовки" type with its attributes, fetched as the app would.
fn sneakers(client: &Client) -> CategorySpec {
    let tree = OzonApi.fetch_tree(client, &NEVER).unwrap();
    let category = tree.into_iter().find(|c| c.name == "Кроссовки").unwrap();
    let dict = OzonApi.fetch_category(client, &category, &NEVER).unwrap();
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
        name: format!("Кроссовки беговые Nike Air Max 90 #{i}"),
        description: "<p>Лёгкие беговые кроссовки.</p>".into(),
        brand: "Nike".into(),
        model: "Air Max 90".into(),
        currency: "RUB".into(),
        price: 599_000,
        old_price: Some(699_000),
        stock: 7,
        weight_g: Some(900),
        dimensions_mm: Some([320, 200, 120]),
        images: vec![format!("https://cdn.example.ru/run/{i}.jpg")],
        barcodes: vec!["4601234567893".into()],
        ..Default::default()
    }
}

/// The attributes a sneaker needs besides brand and description: model, colour, size.
fn attrs(spec: &CategorySpec, size: Option<&str>) -> Vec<ResolvedAttr> {
    let mut out =
        vec![resolved(spec, "Название модели", &["Air Max 90"]), resolved(spec, "Цвет товара", &["черный"])];
    out.extend(size.map(|s| resolved(spec, "Российский размер", &[s])));
    out
}

fn card(account: &Account, spec: &CategorySpec, row: &ExportRow, attributes: &[ResolvedAttr]) -> OutItem {
    let ctx = CardContext { account, category: spec, attributes, link: None, members: &[] };
    let payload = OzonApi.build_card(row, &ctx).unwrap();
    OutItem {
        offer_id: row.sku.clone(),
        payload,
        link: Link { offer_id: row.sku.clone(), ..Link::default() },
    }
}

/// Calls `f` until the request gets through, as the engine retries a failed batch.
fn through<T>(mut f: impl FnMut() -> Result<T, vitrina_market::MarketError>) -> T {
    for _ in 0..20 {
        match f() {
            Ok(t) => return t,
            Err(e) => assert!(e.is_transient(), "{e}"),
        }
    }
    panic!("never got through");
}

/// Sends `items` in batches and follows them up until none is pending.
fn publish(client: &Client, items: &[OutItem]) -> BTreeMap<String, Outcome> {
    let mut waiting = Vec::new();
    let mut done = BTreeMap::new();
    for batch in items.chunks(OzonApi.card_batch().items) {
        for r in through(|| OzonApi.send_cards(client, batch, &NEVER)) {
            let item = batch.iter().find(|i| i.offer_id == r.offer_id).unwrap();
            let Outcome::Pending { task, .. } = r.outcome else { panic!("{r:?}") };
            waiting.push(AwaitItem {
                offer_id: r.offer_id,
                task,
                sent_at_ms: 0,
                payload: item.payload.clone(),
                link: item.link.clone(),
            });
        }
    }
    for _ in 0..10 {
        if waiting.is_empty() {
            break;
        }
        let results: Vec<ItemResult> = through(|| OzonApi.follow_up(client, &waiting, &NEVER));
        assert_eq!(results.len(), waiting.len());
        let mut still = Vec::new();
        for (r, mut w) in results.into_iter().zip(waiting) {
            assert_eq!(r.offer_id, w.offer_id);
            match r.outcome {
                Outcome::Pending { ext, task, .. } => {
                    w.link.ext = ext;
                    w.task = task;
                    still.push(w);
                }
                other => {
                    done.insert(r.offer_id, other);
                }
            }
        }
        waiting = still;
    }
    assert!(waiting.is_empty(), "still pending: {waiting:?}");
    done
}

fn ext_of(outcome: &Outcome) -> &ExtIds {
    match outcome {
        Outcome::Done(ext) | Outcome::Unchanged(ext) => ext,
        other => panic!("{other:?}"),
    }
}

#[test]
fn ozon_tree_and_a_types_attributes_with_every_page_of_values() {
    let (fake, _, client) = ozon(config());
    let tree = OzonApi.fetch_tree(&client, &NEVER).unwrap();
    let leaves: Vec<_> = tree.iter().filter(|c| c.leaf).map(|c| c.name.as_str()).collect();
    assert_eq!(
        leaves,
        [
            "Кроссовки",
            "Футболки",
            "Смартфоны",
            "Ноутбуки",
            "Холодильники",
            "Сковороды",
            "Дрели",
            "Шампуни",
            "Шины"
        ]
    );
    let sneakers = tree.iter().find(|c| c.name == "Кроссовки").unwrap();
    assert_eq!(
        (sneakers.ext_id.as_str(), sneakers.parent_id.as_deref(), sneakers.path.as_str()),
        ("17028973:91248", Some("17028973"), "Обувь / Кроссовки и кеды / Кроссовки")
    );
    for (i, c) in tree.iter().enumerate() {
        if let Some(parent) = &c.parent_id {
            assert!(tree[..i].iter().any(|p| &p.ext_id == parent && !p.leaf), "{c:?} before its parent");
        }
    }

    let spec = CategorySpec {
        category: sneakers.clone(),
        dict: OzonApi.fetch_category(&client, sneakers, &NEVER).unwrap(),
    };
    let attr = |id: &str| spec.dict.attributes.iter().find(|a| a.attr_id == id).unwrap();
    let brand = attr("85");
    assert_eq!(
        (brand.kind, brand.required, brand.dictionary.as_deref(), brand.custom_ok),
        (AttrKind::Enum, true, Some("ozon:28732849"), false)
    );
    let colour = attr("10096");
    assert!(colour.multi && colour.variant && colour.required && colour.max_count == Some(30));
    assert_eq!((attr("4191").kind, attr("4191").dictionary.as_deref()), (AttrKind::Text, None));
    assert!(
        spec.dict.attributes.iter().all(|a| a.attr_id != "21841"),
        "a complex attribute's part is left out"
    );
    // 4 500 brands on three pages of 2 000; colours, countries and sizes one page each.
    let brands = &spec.dict.values["ozon:28732849"];
    assert_eq!(brands.len(), 4500);
    assert!(brands.iter().any(|v| v.value == "Nike") && brands.last().unwrap().value == "Бренд 4499");
    assert_eq!(spec.dict.values["ozon:1447"].len(), 8);
    assert_eq!(fake.count("POST", "/v1/description-category/attribute/values"), 6);
    let pages: Vec<Value> = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/description-category/attribute/values")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .filter(|b: &Value| b["attribute_id"] == 85)
        .collect();
    let lasts: Vec<_> = pages.iter().map(|b| b["last_value_id"].as_i64().unwrap()).collect();
    assert_eq!(lasts, [0, 5_046_999, 5_048_999]);
    assert!(pages.iter().all(|b| b["limit"] == 2000 && b["type_id"] == 91_248));
}

#[test]
fn ozon_a_card_built_from_the_fetched_type_is_exactly_what_the_fake_takes() {
    let (fake, mut account, client) = ozon(config());
    account.settings.other.insert("vat".into(), json!("0.2"));
    let spec = sneakers(&client);
    let item = card(&account, &spec, &row(1), &attrs(&spec, Some("42")));
    assert_eq!(
        item.payload,
        json!({
            "offer_id": "RUN-001",
            "name": "Кроссовки беговые Nike Air Max 90 #1",
            "barcode": "4601234567893",
            "description_category_id": 17_028_973,
            "type_id": 91_248,
            "price": "5990",
            "old_price": "6990",
            "currency_code": "RUB",
            "vat": "0.2",
            "depth": 320, "width": 200, "height": 120, "dimension_unit": "mm",
            "weight": 900, "weight_unit": "g",
            "images": ["https://cdn.example.ru/run/1.jpg"],
            "attributes": [
                {"complex_id": 0, "id": 85, "values": [{"dictionary_value_id": 5_045_001, "value": "Nike"}]},
                {"complex_id": 0, "id": 4191, "values": [{"value": "<p>Лёгкие беговые кроссовки.</p>"}]},
                {"complex_id": 0, "id": 4295, "values": [{"dictionary_value_id": 970_006, "value": "42"}]},
                {"complex_id": 0, "id": 9048, "values": [{"value": "Air Max 90"}]},
                {"complex_id": 0, "id": 10096, "values": [{"dictionary_value_id": 61_570, "value": "черный"}]}
            ]
        })
    );
    let done = publish(&client, std::slice::from_ref(&item));
    assert!(matches!(done["RUN-001"], Outcome::Done(_)), "{done:?}");
    assert_eq!(fake.ozon_item("RUN-001"), Some(item.payload));
}

#[test]
fn ozon_250_cards_go_in_three_imports_and_are_followed_up_until_live() {
    let (fake, account, client) = ozon(config());
    let spec = sneakers(&client);
    let items: Vec<_> = (0..250).map(|i| card(&account, &spec, &row(i), &attrs(&spec, Some("42")))).collect();
    let done = publish(&client, &items);
    assert_eq!(fake.count("POST", "/v3/product/import"), 3);
    // One pending poll per task, then the settled answer.
    assert_eq!(fake.count("POST", "/v1/product/import/info"), 6);
    assert_eq!(done.len(), 250);
    let products = fake.ozon_products();
    assert_eq!(products.len(), 250);
    for p in &products {
        let offer = p["offer_id"].as_str().unwrap();
        let ext = match &done[offer] {
            Outcome::Done(ext) => ext,
            other => panic!("{offer}: {other:?}"),
        };
        assert_eq!(ext.ext_id, Some(p["id"].to_string()));
        assert_eq!(ext.ext_sku, Some(p["sku"].to_string()));
        assert_eq!(ext.ext_group, Some(p["model_info"]["model_id"].to_string()));
    }
    // Equal model names of one type make one card on Ozon.
    assert_eq!(products[249]["model_info"], json!({"model_id": products[0]["id"], "count": 250}));
}

#[test]
fn ozon_a_refused_card_carries_the_fakes_words_and_an_unchanged_resend_is_skipped() {
    let (fake, account, client) = ozon(config());
    let spec = sneakers(&client);
    let good = card(&account, &spec, &row(1), &attrs(&spec, Some("42")));
    let no_size = card(&account, &spec, &row(2), &attrs(&spec, None));
    let done = publish(&client, &[good.clone(), no_size]);
    let Outcome::Rejected(problems) = &done["RUN-002"] else { panic!("{done:?}") };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].message, "Не заполнен обязательный атрибут «Российский размер»");
    assert_eq!(problems[0].code.as_deref(), Some("required_attribute_missing"));
    assert_eq!(
        (problems[0].field.as_deref(), problems[0].attr_name.as_deref()),
        (Some("4295"), Some("Российский размер"))
    );
    let first = ext_of(&done["RUN-001"]).clone();
    assert!(first.ext_id.is_some());

    let again =
        publish(&client, &[OutItem { link: Link { ext: first.clone(), ..good.link.clone() }, ..good }]);
    assert_eq!(again["RUN-001"], Outcome::Unchanged(first.clone()));
    assert_eq!(fake.ozon_products().len(), 1);
}

#[test]
fn ozon_moderation_keeps_a_card_pending_and_a_decline_is_a_rejection_in_its_words() {
    let (fake, account, client) = ozon(config());
    fake.set_ozon_moderation_polls(2);
    fake.ozon_reject("RUN-002", "Изображение не соответствует товару");
    let spec = sneakers(&client);
    let items: Vec<_> = (1..=2).map(|i| card(&account, &spec, &row(i), &attrs(&spec, Some("41")))).collect();
    let done = publish(&client, &items);
    assert!(matches!(done["RUN-001"], Outcome::Done(_)), "{done:?}");
    let Outcome::Rejected(problems) = &done["RUN-002"] else { panic!("{done:?}") };
    assert_eq!(problems[0].message, "Изображение не соответствует товару");
    // Poll 1 pending; poll 2 imported, moderating; poll 3 moderating; poll 4 approved.
    assert_eq!(fake.count("POST", "/v3/product/info/list"), 3);
}

#[test]
fn ozon_prices_apply_per_item_and_a_refusal_keeps_ozons_words() {
    let (fake, account, client) = ozon(config());
    let spec = sneakers(&client);
    let cards: Vec<_> = (1..=2).map(|i| card(&account, &spec, &row(i), &attrs(&spec, Some("42")))).collect();
    let done = publish(&client, &cards);
    let good = OzonApi.price_item(&row(1), &Link::default()).unwrap();
    assert_eq!(
        good,
        json!({"offer_id": "RUN-001", "price": "5990", "old_price": "6990", "currency_code": "RUB"})
    );
    let items = [
        OutItem {
            offer_id: "RUN-001".into(),
            payload: good,
            link: Link { ext: ext_of(&done["RUN-001"]).clone(), ..Link::default() },
        },
        // Built by hand: the builder itself refuses an old price this close.
        OutItem {
            offer_id: "RUN-002".into(),
            payload: json!({"offer_id": "RUN-002", "price": "5990", "old_price": "6000", "currency_code": "RUB"}),
            link: Link::default(),
        },
        OutItem {
            offer_id: "NOPE".into(),
            payload: json!({"offer_id": "NOPE", "price": "10", "old_price": "0", "currency_code": "RUB"}),
            link: Link::default(),
        },
    ];
    let results = OzonApi.send_prices(&client, &items, &NEVER).unwrap();
    assert_eq!(results[0].outcome, Outcome::Done(ext_of(&done["RUN-001"]).clone()));
    let Outcome::Rejected(p) = &results[1].outcome else { panic!("{results:?}") };
    assert_eq!(p[0].code.as_deref(), Some("INVALID_OLD_PRICE"));
    assert!(p[0].message.starts_with("Цена до скидки должна быть выше цены"), "{p:?}");
    assert!(
        matches!(&results[2].outcome, Outcome::Rejected(p) if p[0].code.as_deref() == Some("PRODUCT_NOT_FOUND"))
    );
    assert_eq!(fake.ozon_price("RUN-001"), Some(("5990".into(), "6990".into())));
    assert_eq!(fake.ozon_price("RUN-002"), None);
    assert_eq!(OzonApi.price_guard().map(|g| (g.max, g.per.as_secs())), Some((10, 3600)));
}

#[test]
fn ozon_a_stock_waits_for_the_price_then_applies_and_a_pair_takes_one_update_per_30_seconds() {
    // The real time scale, so the fake's 30 s window is real.
    let (fake, account, client) =
        ozon(FakeConfig::new(vec![FakeToken::ozon(CLIENT_ID, TOKEN)]).limits(FakeLimits::Real));
    let spec = sneakers(&client);
    let done = publish(&client, &[card(&account, &spec, &row(1), &attrs(&spec, Some("42")))]);
    let link = Link { offer_id: "RUN-001".into(), ext: ext_of(&done["RUN-001"]).clone(), ..Link::default() };
    let stock = |n: i64| {
        let row = ExportRow { stock: n, ..row(1) };
        let payload = OzonApi.stock_item(&row, &link, WAREHOUSE).unwrap();
        OzonApi
            .send_stocks(
                &client,
                WAREHOUSE,
                &[OutItem { offer_id: "RUN-001".into(), payload, link: link.clone() }],
                &NEVER,
            )
            .unwrap()
            .remove(0)
            .outcome
    };
    let Outcome::Retry { reason, .. } = stock(5) else { panic!("a stock before the price goes again") };
    assert_eq!(reason.code.as_deref(), Some("PRICE_IS_NOT_SENT"));
    assert_eq!(fake.ozon_stock("RUN-001", 22_142_605_386_000), None);

    let price = OzonApi.price_item(&row(1), &link).unwrap();
    OzonApi
        .send_prices(
            &client,
            &[OutItem { offer_id: "RUN-001".into(), payload: price, link: link.clone() }],
            &NEVER,
        )
        .unwrap();
    assert_eq!(stock(5), Outcome::Done(link.ext.clone()));
    assert_eq!(fake.ozon_stock("RUN-001", 22_142_605_386_000), Some(5));
    let Outcome::Retry { after, reason } = stock(6) else { panic!("the same pair within 30 s") };
    assert_eq!((reason.code.as_deref(), after.as_secs()), (Some("TOO_MANY_REQUESTS"), 30));
    assert_eq!(fake.ozon_stock("RUN-001", 22_142_605_386_000), Some(5));
    let sent: Value = serde_json::from_slice(&fake.requests().last().unwrap().body).unwrap();
    let product_id: i64 = link.ext.ext_id.as_deref().unwrap().parse().unwrap();
    assert_eq!(
        sent,
        json!({"stocks": [{"offer_id": "RUN-001", "product_id": product_id, "stock": 6, "warehouse_id": 22_142_605_386_000_i64}]})
    );
    assert_eq!(OzonApi.stock_guard().map(|g| (g.max, g.per.as_secs())), Some((1, 30)));
}

type Final = (BTreeMap<String, String>, Vec<(String, String, Option<(String, String)>, Option<i64>)>);

/// Cards, then prices, then stocks for 120 products (every tenth without its size); what the
/// fake ends with, by offer, and how many faults it answered.
fn run(config: FakeConfig) -> (Final, u64) {
    let (fake, account, client) = ozon(config);
    let spec = through(|| {
        let tree = OzonApi.fetch_tree(&client, &NEVER)?;
        let category = tree.into_iter().find(|c| c.name == "Кроссовки").unwrap();
        Ok(CategorySpec { dict: OzonApi.fetch_category(&client, &category, &NEVER)?, category })
    });
    let items: Vec<_> = (0..120)
        .map(|i| card(&account, &spec, &row(i), &attrs(&spec, (i % 10 != 3).then_some("43"))))
        .collect();
    let done = publish(&client, &items);
    let outcomes = done
        .iter()
        .map(|(k, o)| {
            (
                k.clone(),
                match o {
                    Outcome::Done(_) => "done",
                    Outcome::Rejected(_) => "rejected",
                    _ => "other",
                }
                .to_owned(),
            )
        })
        .collect();
    let live: Vec<_> = (0..120).filter(|i| i % 10 != 3).map(row).collect();
    let prices: Vec<_> = live
        .iter()
        .map(|r| OutItem {
            offer_id: r.sku.clone(),
            payload: OzonApi.price_item(r, &Link::default()).unwrap(),
            link: Link::default(),
        })
        .collect();
    for batch in prices.chunks(OzonApi.price_batch().items) {
        let results = through(|| OzonApi.send_prices(&client, batch, &NEVER));
        assert!(results.iter().all(|r| matches!(r.outcome, Outcome::Done(_))), "{results:?}");
    }
    let stocks: Vec<_> = live
        .iter()
        .map(|r| OutItem {
            offer_id: r.sku.clone(),
            payload: OzonApi.stock_item(r, &Link::default(), WAREHOUSE).unwrap(),
            link: Link::default(),
        })
        .collect();
    for batch in stocks.chunks(OzonApi.stock_batch().items) {
        let results = through(|| OzonApi.send_stocks(&client, WAREHOUSE, batch, &NEVER));
        assert!(results.iter().all(|r| matches!(r.outcome, Outcome::Done(_))), "{results:?}");
    }
    // By offer: the order the fake created them in follows the order its tasks were read in.
    let mut state: Vec<_> = fake
        .ozon_products()
        .iter()
        .map(|p| {
            let offer = p["offer_id"].as_str().unwrap().to_owned();
            let status = p["statuses"]["status"].as_str().unwrap().to_owned();
            (offer.clone(), status, fake.ozon_price(&offer), fake.ozon_stock(&offer, 22_142_605_386_000))
        })
        .collect();
    state.sort();
    ((outcomes, state), fake.faulted())
}

#[test]
fn ozon_30_percent_faults_give_the_same_final_state_as_a_clean_run() {
    let (clean, clean_faults) = run(config());
    let (faulty, faults) = run(config().faults(0.3, 7));
    assert_eq!((clean_faults, faults >= 5), (0, true), "{faults} faults");
    assert_eq!(clean, faulty);
    assert_eq!(clean.0.values().filter(|o| *o == "rejected").count(), 12);
    assert_eq!(clean.1.len(), 108);
    assert!(
        clean
            .1
            .iter()
            .all(|(_, status, price, stock)| status == "price_sent" && price.is_some() && *stock == Some(7))
    );
}

#[test]
fn ozon_existing_cards_come_page_by_page() {
    let (fake, _, client) = ozon(config());
    fake.ozon_seed(2500);
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    let mut cards = Vec::new();
    loop {
        let (page, next) = OzonApi.pull_cards(&client, cursor.as_deref(), &NEVER).unwrap();
        sizes.push(page.len());
        cards.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!((fake.count("POST", "/v3/product/list"), fake.count("POST", "/v3/product/info/list")), (3, 3));
    let first = &cards[0];
    assert_eq!(first.offer_id, "SEED-00001");
    assert_eq!(first.name, "Кроссовки 1");
    assert_eq!(first.category_id.as_deref(), Some("17028973:91248"));
    assert_eq!(first.price, Some(499_000));
    assert_eq!(first.barcodes, ["4600000000001"]);
    assert_eq!(first.images, ["https://cdn.example.ru/seed/1.jpg"]);
    assert!(first.ext.ext_id.is_some() && first.ext.ext_sku.is_some());
    let offers: std::collections::BTreeSet<_> = cards.iter().map(|c| c.offer_id.as_str()).collect();
    assert_eq!(offers.len(), 2500);
}
