//! The team use cases on the test process's throwaway PostgreSQL.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use vitrina_domain::{Money, Product, ProductDraft};
use vitrina_import::{ImportRequest, run_import};
use vitrina_store::Catalog;
use vitrina_testkit::pg::Cluster;

use super::*;
use crate::secrets::{MemoryStore, NAMES};

static N: AtomicU32 = AtomicU32::new(0);

/// A server admin's URL for a new database and schema of its own.
fn server(tag: &str) -> (String, String, &'static Cluster) {
    let cluster = Cluster::shared();
    let n = N.fetch_add(1, Ordering::Relaxed);
    let db = format!("app_{tag}_{n}");
    let url = cluster.create_database(&db);
    (format!("{url}?sslmode=disable&schema=a{n}_{tag}"), db, cluster)
}

fn product(sku: &str) -> Product {
    Product::new(ProductDraft {
        sku: sku.into(), name: format!("Товар {sku}"), price: Money::rub(1_000)
    })
    .unwrap()
}

#[test]
fn init_invite_join_sync_members_set_role_and_leave() {
    let (url, _, _) = server("flow");
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.db");
    Catalog::open(&first).unwrap().create_product(&product("F-1")).unwrap();
    let store = MemoryStore::default();
    let (status, admin) = init(&first, &url, "Анна", &store).unwrap();
    assert!(status.joined && status.may_manage);
    assert_eq!(status.role.as_deref(), Some("admin"));
    assert!(!status.url.unwrap().contains(&admin.password), "the catalog keeps no password");
    let catalog = Catalog::open(&first).unwrap();
    assert_eq!(store.get(&password_secret(&catalog)).unwrap().as_deref(), Some(admin.password.as_str()));

    let invitation = invite(&first, &store, "Борис", "editor").unwrap();
    assert_eq!(invitation.role, "editor");
    assert_ne!(invitation.password, admin.password, "the member's own password");
    assert!(invitation.url.contains(&invitation.login));
    let other_store = MemoryStore::default();
    let second = dir.path().join("second.db");
    let joined = join(&second, &invitation.code, &other_store).unwrap();
    assert_eq!((joined.role.as_deref(), joined.member.as_deref()), (Some("editor"), Some("Борис")));
    assert!(Catalog::open(&second).unwrap().product(&vitrina_store::ProductKey::Sku("F-1".into())).is_ok());
    assert!(
        join(&second, &invitation.code, &other_store).is_err(),
        "a catalog in a team is not joined again"
    );

    Catalog::open(&second).unwrap().create_product(&product("S-1")).unwrap();
    assert_eq!(status_at(&second).unwrap().pending, 1);
    let done = sync_now(&second, &other_store).unwrap();
    assert_eq!((done.pushed, done.status.pending), (18, 0));
    assert!(done.status.last_sync.is_some() && done.status.error.is_none());
    sync_now(&first, &store).unwrap();
    assert!(Catalog::open(&first).unwrap().product(&vitrina_store::ProductKey::Sku("S-1".into())).is_ok());

    let e = invite(&second, &other_store, "Чужой", "admin").unwrap_err();
    assert_eq!(e.code, ErrorCode::TeamNotAllowed, "{}", e.message);
    let listed = set_role(&first, &store, "Борис", "viewer").unwrap();
    assert_eq!(listed.iter().find(|m| m.name == "Борис").unwrap().role, "viewer");
    let done = sync_now(&second, &other_store).unwrap();
    assert!(!done.status.may_edit);
    // A viewer hears at once that their device changes nothing, whatever the front end.
    let viewer = crate::catalog::App::open(&second).unwrap();
    let e = viewer.edit("S-1", &[crate::catalog::FieldEdit::parse("price=5").unwrap()]).unwrap_err();
    assert_eq!(e.code, ErrorCode::TeamNotAllowed, "{}", e.message);
    assert!(e.message.contains("viewer"), "{}", e.message);
    assert_eq!(viewer.undo("S-1").unwrap_err().code, ErrorCode::TeamNotAllowed);
    assert_eq!(status_at(&second).unwrap().pending, 0, "nothing was changed");

    let left = leave(&second, &other_store).unwrap();
    assert!(!left.joined);
    assert!(other_store.get(&password_secret(&Catalog::open(&second).unwrap())).unwrap().is_none());
    assert_eq!(sync_now(&second, &other_store).unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(members(&first, &store).unwrap()[0].name, "Анна");
}

#[test]
fn secrets_in_every_devices_store_never_reach_the_server() {
    let (url, db, cluster) = server("secrets");
    let dir = tempfile::tempdir().unwrap();
    let sentinel = |device: &str, name: &str| format!("SENTINEL-{device}-{name}-7f3a");
    let mut stores = Vec::new();
    let first = dir.path().join("first.db");
    let store = MemoryStore::default();
    for name in NAMES {
        store.set(name, &sentinel("a", name)).unwrap();
    }
    let mut catalog = Catalog::open(&first).unwrap();
    catalog.create_product(&product("K-1")).unwrap();
    let supplier = catalog.add_supplier("Поставщик", 0).unwrap();
    store.set(&crate::imports::source_secret_name(supplier, 0), &sentinel("a", "feed")).unwrap();
    // The synced settings: a feed that signs in (its password in the store of secrets), a feed
    // profile whose upload keys are there too.
    let profile = vitrina_store::FeedProfileRecord {
        id: vitrina_domain::FeedProfileId::new(),
        name: "Профиль-синк".into(),
        format: "yml".into(),
        enabled: true,
        settings: "{}".into(),
        last_result: None,
        created_at: 1,
        updated_at: 1,
    };
    catalog.add_feed_profile(&profile).unwrap();
    store.set(&crate::feeds::target_secret_name(profile.id), &sentinel("a", "target")).unwrap();
    drop(catalog);
    crate::App::open(&first)
        .unwrap()
        .set_source("Поставщик", 0, "https://feeds.example/p.xml", Some("basic:anna"), &Default::default())
        .unwrap();
    let (_, _) = init(&first, &url, "Анна", &store).unwrap();
    let invitation = invite(&first, &store, "Борис", "editor").unwrap();
    stores.push((first.clone(), store));
    let second = dir.path().join("second.db");
    let store = MemoryStore::default();
    for name in NAMES {
        store.set(name, &sentinel("b", name)).unwrap();
    }
    join(&second, &invitation.code, &store).unwrap();
    Catalog::open(&second)
        .unwrap()
        .update_product(
            &vitrina_store::ProductKey::Sku("K-1".into()),
            &[vitrina_domain::FieldValue::Stock(3)],
        )
        .unwrap();
    stores.push((second, store));
    for (path, store) in &stores {
        sync_now(path, store).unwrap();
    }
    let dump = cluster.dump(&db);
    let text = String::from_utf8_lossy(&dump);
    assert!(text.contains("K-1"), "the dump has the catalog");
    assert!(text.contains("feeds.example") && text.contains("Профиль-синк"), "and the settings that sync");
    for device in ["a", "b"] {
        for name in NAMES.iter().copied().chain(["feed", "target"]) {
            let s = sentinel(device, name);
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            for form in [s.clone(), hex, base64(s.as_bytes())] {
                assert!(!text.contains(&form), "{s} reached the server");
            }
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A YML feed of `n` offers in two categories.
fn feed(path: &Path, n: usize) {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<yml_catalog date=\"2026-01-01 00:00\"><shop><name>S</name>\
         <company>C</company><url>http://example.com</url><currencies><currency id=\"RUR\" rate=\"1\"/></currencies>\
         <categories><category id=\"1\">Обувь</category><category id=\"2\" parentId=\"1\">Кеды</category></categories><offers>",
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<offer id=\"FEED-{i}\" available=\"true\"><price>{}</price><currencyId>RUR</currencyId>\
             <categoryId>{}</categoryId><name>Кеды модель {i}</name><vendor>Nike</vendor></offer>",
            100 + i,
            1 + i % 2
        ));
    }
    xml.push_str("</offers></shop></yml_catalog>");
    std::fs::write(path, xml).unwrap();
}

fn import(path: &Path, feed: &Path) {
    let mut catalog = Catalog::open(path).unwrap();
    let supplier = catalog.add_supplier("Поставщик", 0).unwrap();
    let request = ImportRequest {
        supplier,
        main_override: Some(feed.display().to_string()),
        job_id: None,
        cache_dir: path.parent().unwrap().join("downloads"),
    };
    run_import(&mut catalog, &request, &|_, _| None, &|| false, &mut |_| {}).unwrap();
}

#[test]
fn two_devices_importing_the_same_feed_apart_end_with_one_product_per_sku() {
    let (url, _, _) = server("import");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.yml");
    feed(&file, 10_000);
    let first = dir.path().join("first.db");
    let store = MemoryStore::default();
    init(&first, &url, "Анна", &store).unwrap();
    let invitation = invite(&first, &store, "Борис", "editor").unwrap();
    let second = dir.path().join("second.db");
    let other = MemoryStore::default();
    join(&second, &invitation.code, &other).unwrap();
    // Both import the same feed while apart, then sync.
    import(&first, &file);
    import(&second, &file);
    for (path, store) in [(&first, &store), (&second, &other), (&first, &store)] {
        sync_now(path, store).unwrap();
    }
    let a = Catalog::open(&first).unwrap();
    let b = Catalog::open(&second).unwrap();
    for c in [&a, &b] {
        assert_eq!(c.product_count().unwrap(), 10_000);
        assert_eq!(c.sync_sku_clash_count().unwrap(), 0);
        let tree = c.category_tree().unwrap();
        assert_eq!(tree.iter().map(|n| n.path.as_str()).collect::<Vec<_>>(), ["Обувь", "Обувь / Кеды"]);
    }
    let key = vitrina_store::ProductKey::Sku("FEED-123".into());
    assert_eq!(a.product(&key).unwrap().id, b.product(&key).unwrap().id);
    assert_eq!(a.sync_digest().unwrap(), b.sync_digest().unwrap());
}

/// One device of a team sends to the marketplaces: the first editor whose background sync
/// runs holds the lease; another device is refused a turn with who has it, queues no
/// auto-push, and takes its turn once the first stops (the lease is released at once).
#[test]
fn only_the_device_owning_the_marketplaces_gets_a_turn_and_another_takes_over_when_it_stops() {
    let (url, _, _) = server("owner");
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.db");
    Catalog::open(&first).unwrap().create_product(&product("O-1")).unwrap();
    let store = MemoryStore::default();
    init(&first, &url, "Анна", &store).unwrap();
    let invitation = invite(&first, &store, "Борис", "editor").unwrap();
    let other_store = MemoryStore::default();
    let second = dir.path().join("second.db");
    join(&second, &invitation.code, &other_store).unwrap();

    // Outside a team no turn is needed.
    let alone = dir.path().join("alone.db");
    Catalog::open(&alone).unwrap();
    let turn = MarketTurn::take(&alone, &MemoryStore::default()).unwrap();
    assert_eq!(turn.epoch, None);
    assert_eq!(owns_marketplaces(&Catalog::open(&alone).unwrap(), &alone).unwrap(), None);

    let rt = runtime().unwrap();
    let sync = TeamSync::start(rt.handle(), &first, &store).unwrap().expect("in a team");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while owns_marketplaces(&Catalog::open(&first).unwrap(), &first).unwrap() != Some(true) {
        assert!(std::time::Instant::now() < deadline, "the first device never took the lease");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let turn = MarketTurn::take(&first, &store).unwrap();
    assert!(turn.epoch.is_some() && !turn.took_lease(), "the background sync's lease serves the turn");
    drop(turn);

    assert_eq!(owns_marketplaces(&Catalog::open(&second).unwrap(), &second).unwrap(), Some(false));
    let refused = MarketTurn::take(&second, &other_store).unwrap_err();
    assert_eq!(refused.code, ErrorCode::TeamNotAllowed);
    assert!(refused.message.contains("owns the marketplaces"), "{}", refused.message);
    let app = crate::catalog::App::open(&second).unwrap();
    let jobs = crate::jobs::Jobs::open(&second).unwrap();
    assert!(crate::market::auto_push::queue_auto_push(&app, &jobs, 0).unwrap().is_empty());

    rt.block_on(sync.stop());
    let taken = MarketTurn::take(&second, &other_store).unwrap();
    let epoch = taken.epoch.expect("the second device's turn");
    assert!(taken.took_lease());
    // While the second holds it, the first (no background sync now) is refused.
    let refused = MarketTurn::take(&first, &store).unwrap_err();
    assert_eq!(refused.code, ErrorCode::TeamNotAllowed, "{}", refused.message);
    drop(taken);
    let again = MarketTurn::take(&first, &store).unwrap();
    assert!(again.epoch.unwrap() > epoch, "a new turn has a new epoch");
}

#[test]
fn in_a_team_only_an_admin_changes_marketplace_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let app = crate::App::open(&path).unwrap();
    let secrets = crate::secrets::Secrets::new(Box::<MemoryStore>::default());
    let account = crate::ipc::NewMarketAccountDto {
        name: "Маркет".into(),
        market: "ym".into(),
        token: "ym-secret-key".into(),
        business_id: Some(1),
        campaign_id: Some(2),
        ..Default::default()
    };
    app.add_market_account(&account, &secrets).unwrap();
    app.catalog().unwrap().set_sync_meta(vitrina_sync::engine::keys::ROLE, Some("editor")).unwrap();
    let e = app.set_market_account_settings("Маркет", Some(false), &[], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::TeamNotAllowed, "{}", e.message);
    assert!(e.message.contains("admins"), "{}", e.message);
    let again = crate::ipc::NewMarketAccountDto { name: "Второй".into(), ..account };
    assert_eq!(app.add_market_account(&again, &secrets).unwrap_err().code, ErrorCode::TeamNotAllowed);
    assert_eq!(app.remove_market_account("Маркет", &secrets).unwrap_err().code, ErrorCode::TeamNotAllowed);
    app.catalog().unwrap().set_sync_meta(vitrina_sync::engine::keys::ROLE, Some("admin")).unwrap();
    assert!(!app.set_market_account_settings("Маркет", Some(false), &[], None).unwrap().auto_push);
}
