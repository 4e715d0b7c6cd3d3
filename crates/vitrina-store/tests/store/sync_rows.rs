//! The settings tables' rows in team sync, between catalogs (the server's log stood in for by a
//! list, as in `sync.rs`).

use rusqlite::Connection;
use vitrina_domain::{ChangeSet, EntityKind, LinkKind};
use vitrina_store::Catalog;

use crate::common::{product, sku, temp_catalog};

/// Everything `c` has to push, marked pushed.
fn push(c: &mut Catalog) -> Vec<ChangeSet> {
    let mut out = Vec::new();
    loop {
        let outbox = c.sync_outbox(10_000).unwrap();
        if outbox.is_empty() {
            return out;
        }
        out.extend(outbox.sets.iter().cloned());
        c.sync_mark_pushed(&outbox).unwrap();
    }
}

#[test]
fn a_link_that_arrives_before_its_products_waits_and_is_written_when_they_come() {
    let (_a_dir, mut a) = temp_catalog();
    let mut k1 = product("K1", "Чашка", 100_000);
    k1.stock = 9;
    a.create_product(&k1).unwrap();
    a.create_product(&product("KIT", "Набор", 1)).unwrap();
    a.link(&sku("KIT"), &sku("K1"), LinkKind::KitComponent { quantity: 3 }).unwrap();
    let sets = push(&mut a);
    let (links, products): (Vec<_>, Vec<_>) =
        sets.into_iter().partition(|s| s.entity == EntityKind::ProductLink);
    assert_eq!(links.len(), 1);

    let (_b_dir, mut b) = temp_catalog();
    // The link alone: nothing to link yet, and the page is not refused.
    b.sync_apply(&links, "1").unwrap();
    assert!(b.product(&sku("KIT")).is_err());
    assert_eq!(b.sync_pending().unwrap(), 0, "applying is not this device's edit");
    // The products come: the link is written, the kit's stock recomputed here.
    b.sync_apply(&products, "2").unwrap();
    assert_eq!(b.links(&sku("KIT")).unwrap().len(), 1);
    assert_eq!(b.product(&sku("KIT")).unwrap().stock, 3);
    assert_eq!(b.sync_pending().unwrap(), 0, "recomputed values are not pushed");
    assert_eq!(a.sync_digest().unwrap(), b.sync_digest().unwrap());
    // Applying the same page again changes nothing.
    b.sync_apply(&links, "3").unwrap();
    assert_eq!(a.sync_digest().unwrap(), b.sync_digest().unwrap());
}

#[test]
fn every_write_to_a_synced_table_is_recorded_and_a_foreign_connection_cannot_write_unseen() {
    let (dir, mut c) = temp_catalog();
    let supplier = c.add_supplier("Оптовик", 1).unwrap();
    c.save_supplier_settings(supplier, 1, "priority", "{}").unwrap();
    c.save_source_validators(supplier, 0, Some("etag"), None).unwrap();
    let before = c.sync_pending().unwrap();
    assert_eq!(before, 2, "the supplier's creation and its settings");
    // A cache column is not a field: nothing recorded.
    c.save_source(
        supplier,
        &vitrina_store::imports::SourceRow {
            position: 0,
            spec: r#"{"file":{"path":"/x.xml"}}"#.into(),
            read_options: "{}".into(),
            mapping: None,
            etag: None,
            last_modified: None,
        },
    )
    .unwrap();
    c.save_source_validators(supplier, 0, Some("W/\"1\""), None).unwrap();
    assert_eq!(c.sync_pending().unwrap(), before + 1, "the source, not its validators");
    let path = c.path().to_path_buf();
    drop(c);
    let raw = Connection::open(&path).unwrap();
    let e = raw.execute("UPDATE suppliers SET priority = 9", []).unwrap_err();
    assert!(e.to_string().contains("no such function"), "{e}");
    drop(dir);
}

#[test]
fn a_waiting_row_changed_again_still_waits_and_comes_whole() {
    let (_a_dir, mut a) = temp_catalog();
    a.create_product(&product("K1", "Чашка", 100)).unwrap();
    a.create_product(&product("KIT", "Набор", 100)).unwrap();
    a.link(&sku("KIT"), &sku("K1"), LinkKind::KitComponent { quantity: 3 }).unwrap();
    let first = push(&mut a);
    a.link(&sku("KIT"), &sku("K1"), LinkKind::KitComponent { quantity: 5 }).unwrap();
    let second = push(&mut a);
    let (link_sets, products): (Vec<_>, Vec<_>) =
        first.into_iter().chain(second).partition(|s| s.entity == EntityKind::ProductLink);
    assert_eq!(link_sets.len(), 2, "created, then its quantity changed");
    let (_b_dir, mut b) = temp_catalog();
    b.sync_apply(&link_sets[..1], "1").unwrap();
    b.sync_apply(&link_sets[1..], "2").unwrap();
    b.sync_apply(&products, "3").unwrap();
    let links = b.links(&sku("KIT")).unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].kind, LinkKind::KitComponent { quantity: 5 });
    assert_eq!(a.sync_digest().unwrap(), b.sync_digest().unwrap());
}

#[test]
fn two_products_linked_each_to_the_other_apart_keep_the_same_one_link_everywhere() {
    let (_a_dir, mut a) = temp_catalog();
    let (_b_dir, mut b) = temp_catalog();
    for c in [&mut a, &mut b] {
        let mut p = product("X", "Икс", 100);
        p.id = vitrina_domain::ProductId::for_sku("X");
        c.create_product(&p).unwrap();
        let mut p = product("Y", "Игрек", 100);
        p.id = vitrina_domain::ProductId::for_sku("Y");
        c.create_product(&p).unwrap();
    }
    a.link(&sku("X"), &sku("Y"), LinkKind::KitComponent { quantity: 1 }).unwrap();
    b.link(&sku("Y"), &sku("X"), LinkKind::KitComponent { quantity: 1 }).unwrap();
    let from_a = push(&mut a);
    let from_b = push(&mut b);
    a.sync_apply(&from_b, "1").unwrap();
    b.sync_apply(&from_a, "1").unwrap();
    let kept = |c: &Catalog| {
        (
            c.links(&sku("X")).unwrap().iter().filter(|l| l.outgoing).count(),
            c.links(&sku("Y")).unwrap().iter().filter(|l| l.outgoing).count(),
        )
    };
    assert_eq!(kept(&a), kept(&b), "the same link on both");
    assert_eq!(kept(&a).0 + kept(&a).1, 1, "one of the two, never a cycle");
    assert_eq!(a.sync_digest().unwrap(), b.sync_digest().unwrap());
}

#[test]
fn a_settings_change_is_stamped_after_every_stamp_the_catalog_has_seen() {
    let (_a_dir, mut a) = temp_catalog();
    a.create_product(&product("P1", "Один", 100)).unwrap();
    a.create_product(&product("P2", "Два", 100)).unwrap();
    let mut sets = push(&mut a);
    // The first arrives stamped an hour ahead, the second (applied after it) with an old stamp:
    // the latest record is not the latest stamp.
    let ahead = vitrina_domain::Hlc { wall_ms: a.now_ms() + 3_600_000, counter: 0 };
    let old = vitrina_domain::Hlc { wall_ms: 1_000, counter: 0 };
    for f in &mut sets[0].fields {
        f.hlc = ahead;
    }
    for f in &mut sets[1].fields {
        f.hlc = old;
    }
    let (_b_dir, mut b) = temp_catalog();
    b.sync_apply(&sets[..1], "1").unwrap();
    b.sync_apply(&sets[1..], "2").unwrap();
    b.add_supplier("Оптовик", 0).unwrap();
    let outbox = b.sync_outbox(100).unwrap();
    let supplier = outbox.sets.iter().find(|s| s.entity == EntityKind::Supplier).unwrap();
    assert!(supplier.max_hlc() > ahead, "{:?} after {ahead:?}", supplier.max_hlc());
}

#[test]
fn a_team_catalogs_rows_from_before_they_synced_are_recorded_once() {
    let (dir, mut c) = temp_catalog();
    let supplier = c.add_supplier("Оптовик", 1).unwrap();
    c.map_category(supplier, "Shoes", None).unwrap();
    // As a catalog in a team before migration 0010: rows without records, and the mark the
    // migration leaves.
    let path = c.path().to_path_buf();
    c.set_sync_meta("pull_cursor", Some("1:1")).unwrap();
    drop(c);
    let raw = Connection::open(&path).unwrap();
    raw.execute_batch(
        "DELETE FROM history WHERE entity <> 'product';
         INSERT INTO sync_meta (key, value) VALUES ('rows_to_record', '1');",
    )
    .unwrap();
    drop(raw);
    let mut c = Catalog::open(&path).unwrap();
    assert_eq!(c.sync_record_rows().unwrap(), 2);
    assert_eq!(c.sync_record_rows().unwrap(), 0, "once");
    let outbox = c.sync_outbox(100).unwrap();
    let kinds: Vec<EntityKind> = outbox.sets.iter().map(|s| s.entity).collect();
    assert_eq!(kinds, vec![EntityKind::Supplier, EntityKind::SupplierCategory]);
    assert!(outbox.sets.iter().all(|s| s.fields.iter().any(|f| f.field == "alive")));
    drop(dir);
}

#[test]
fn migration_0010_marks_a_team_catalogs_rows_for_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    let raw = Connection::open(&path).unwrap();
    for (_, sql) in &vitrina_store::MIGRATIONS[..9] {
        raw.execute_batch(sql).unwrap();
    }
    raw.execute_batch(
        "PRAGMA user_version = 9;
         INSERT INTO sync_meta (key, value) VALUES ('pull_cursor', '5:1');
         INSERT INTO suppliers (id, name, created_at) VALUES (randomblob(16), 'Старый', 1);",
    )
    .unwrap();
    drop(raw);
    let mut c = Catalog::open(&path).unwrap();
    assert_eq!(c.sync_record_rows().unwrap(), 1);
    assert_eq!(c.sync_outbox(10).unwrap().sets[0].entity, EntityKind::Supplier);
}
