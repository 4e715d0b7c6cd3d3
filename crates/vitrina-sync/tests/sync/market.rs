//! The marketplace file's settings in team sync (issue 17): an account's non-secret settings
//! (admins only), its category and attribute maps, and each product's link with its external
//! ids; the publishing state stays on the device that publishes.

use std::collections::BTreeMap;

use vitrina_market::store::LinkRecord;
use vitrina_market::{Account, AttrRule, ExtIds, Link, LinkStatus, Market, MarketStore, MpCategory, Source};
use vitrina_store::ProductKey;
use vitrina_sync::MemberKind;

use crate::common::{Device, Team, product};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn market(d: &Device) -> MarketStore {
    MarketStore::open(&d.path).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accounts_settings_maps_and_links_reach_another_device_and_only_an_admins_settings_push() {
    let team = Team::new("market").await;
    let a = team.founder().await;
    let b = team.join(&team.invite("Борис", MemberKind::Editor).await).await;
    // Each device has its marketplace file (the app opens it at start).
    drop(market(&b));
    let (shoes, p1) = a.with(|c| {
        let shoes = c.ensure_category_path(&vitrina_domain::CategoryPath::parse("Обувь")).unwrap();
        c.create_product(&product("P-1", "Кеды", 250_000)).unwrap();
        (shoes, c.product(&ProductKey::Sku("P-1".into())).unwrap().id)
    });
    let mut m = market(&a);
    let mut account = Account::new("WB основной", Market::Wb, now());
    account.settings.auto_push = false;
    account.settings.warehouses.insert("Склад".into(), "507".into());
    m.add_account(&account).unwrap();
    let leaf = MpCategory {
        ext_id: "105".into(),
        parent_id: None,
        name: "Кеды".into(),
        path: "Обувь / Кеды".into(),
        leaf: true,
    };
    m.replace_tree(account.id, &[leaf], now()).unwrap();
    m.set_category_map(account.id, shoes, Some("105")).unwrap();
    let rule = AttrRule {
        attr_id: "12".into(),
        source: Source::Attr("Цвет".into()),
        unit_factor: Some(0.1),
        value_map: BTreeMap::from([("красный".to_string(), "77".to_string())]),
    };
    m.set_attr_rule(account.id, "105", "12", Some(&rule)).unwrap();
    let link = LinkRecord {
        product_id: p1,
        link: Link {
            offer_id: "P-1".into(),
            ext: ExtIds { ext_id: Some("123456".into()), ext_group: Some("999".into()), ..ExtIds::default() },
            status: LinkStatus::Live,
            errors: Vec::new(),
            ext_status: None,
        },
        problems: Vec::new(),
        sent_hash: Some(5),
        live_hash: Some(5),
        updated_at: now(),
        card_of: None,
    };
    m.put_link(account.id, &link).unwrap();
    // Publishing learns the same card's status again: nothing new to push.
    let pending = a.with(|c| c.sync_pending().unwrap());
    m.put_link(account.id, &LinkRecord { sent_hash: Some(6), ..link.clone() }).unwrap();
    assert_eq!(a.with(|c| c.sync_pending().unwrap()), pending);
    drop(m);
    a.sync().await;
    b.sync().await;

    let m = market(&b);
    let got = m.account("WB основной").unwrap();
    assert_eq!(got.id, account.id);
    assert!(!got.settings.auto_push);
    assert_eq!(got.settings.warehouses.get("Склад").map(String::as_str), Some("507"));
    assert_eq!(m.category_maps(account.id).unwrap().get(&shoes).map(String::as_str), Some("105"));
    let rules = m.attr_rules(account.id, "105").unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (rules[0].unit_factor, rules[0].value_map.get("красный").cloned()),
        (Some(0.1), Some("77".into()))
    );
    let linked = m.link(account.id, p1).unwrap().unwrap();
    assert_eq!(linked.link.ext.ext_id.as_deref(), Some("123456"));
    assert_eq!(linked.link.ext.ext_group.as_deref(), Some("999"));
    assert_eq!(linked.live_hash, None, "what was published stays on the device that published");
    drop(m);
    assert_eq!(a.digest(), b.digest());

    // The editor's change of the account's settings stays on its device (the server would
    // refuse it); its other changes still go.
    let mut m = market(&b);
    let mut mine = m.account("WB основной").unwrap();
    mine.settings.auto_push = true;
    m.update_account(&mine).unwrap();
    m.set_attr_rule(account.id, "105", "12", None).unwrap();
    drop(m);
    let report = b.sync().await;
    assert_eq!(report.pushed_sets, 1, "the attribute rule's removal, not the account");
    let device = b.engine.device().0;
    let refused = team
        .psql(&format!("SELECT count(*) FROM log WHERE device = '{device}' AND entity = 'market_account'"));
    assert_eq!(refused.trim(), "0");
    a.sync().await;
    assert!(market(&a).attr_rules(account.id, "105").unwrap().is_empty(), "a delete syncs");

    // The admin's change reaches the editor.
    let mut m = market(&a);
    let mut theirs = m.account("WB основной").unwrap();
    theirs.settings.warehouses.insert("Второй".into(), "508".into());
    m.update_account(&theirs).unwrap();
    drop(m);
    a.sync().await;
    b.sync().await;
    let got = market(&b).account("WB основной").unwrap();
    assert_eq!(got.settings.warehouses.get("Второй").map(String::as_str), Some("508"));

    // A device joining later keeps the marketplace rows until it has its marketplace file.
    let c = team.join(&team.invite("Вера", MemberKind::Editor).await).await;
    drop(market(&c));
    c.sync().await;
    let m = market(&c);
    assert_eq!(m.account("WB основной").unwrap().settings.warehouses.len(), 2);
    assert!(m.link(account.id, p1).unwrap().is_some());
    drop(m);
    assert_eq!(c.digest(), a.digest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_founders_settings_and_marketplace_rows_made_before_the_team_seed_it() {
    let team = Team::new("seedrows").await;
    let mut account = Account::new("Озон", Market::Ozon, now());
    account.settings.warehouses.insert("Склад".into(), "1".into());
    let a = team
        .founder_from(|path| {
            let mut c = vitrina_store::Catalog::open(path).unwrap();
            let supplier = c.add_supplier("Оптовик", 3).unwrap();
            c.map_category(supplier, "Shoes", None).unwrap();
            c.create_product(&product("K1", "Чашка", 100)).unwrap();
            c.create_product(&product("KIT", "Набор", 100)).unwrap();
            let kit = ProductKey::Sku("KIT".into());
            c.link(
                &kit,
                &ProductKey::Sku("K1".into()),
                vitrina_domain::LinkKind::KitComponent { quantity: 2 },
            )
            .unwrap();
            drop(c);
            MarketStore::open(path).unwrap().add_account(&account).unwrap();
        })
        .await;
    assert_eq!(a.with(|c| c.sync_pending().unwrap()), 0, "the seed carried everything");
    let b = team.join(&team.invite("Борис", MemberKind::Editor).await).await;
    drop(market(&b));
    b.sync().await;
    assert_eq!(b.with(|c| c.suppliers().unwrap()[0].priority), 3);
    assert_eq!(b.with(|c| c.links(&ProductKey::Sku("KIT".into())).unwrap().len()), 1);
    assert_eq!(market(&b).account("Озон").unwrap().id, account.id);
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn a_team_devices_marketplace_rows_from_before_they_synced_are_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let mut catalog = vitrina_store::Catalog::open(&path).unwrap();
    catalog.set_sync_meta(vitrina_store::sync_apply::PULL_CURSOR, Some("1:1")).unwrap();
    MarketStore::open(&path).unwrap().add_account(&Account::new("WB", Market::Wb, now())).unwrap();
    assert_eq!(catalog.sync_record_rows().unwrap(), 0, "recorded by the trigger already");
    // As before the marketplace file's migration 0005: the row without a record, and its mark.
    let raw = rusqlite::Connection::open(vitrina_market::market_path(&path)).unwrap();
    raw.execute_batch(
        "DELETE FROM sync_outbox; INSERT INTO sync_side (key, value) VALUES ('rows_to_record', '1');",
    )
    .unwrap();
    drop(raw);
    assert_eq!(catalog.sync_pending().unwrap(), 0);
    assert_eq!(catalog.sync_record_rows().unwrap(), 1);
    assert_eq!(catalog.sync_record_rows().unwrap(), 0, "once");
    let outbox = catalog.sync_outbox(10).unwrap();
    assert_eq!(outbox.sets.len(), 1);
    assert_eq!(outbox.sets[0].entity, vitrina_domain::EntityKind::MarketAccount);
}
