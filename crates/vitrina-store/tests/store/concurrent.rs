//! Two connections to one catalog file, as the window and the CLI or a job have: a write works
//! from the catalog as it is when the write begins, so another connection's commit just before
//! it is neither overwritten nor misattributed.

use std::sync::{Arc, Mutex};

use vitrina_domain::{ChangeOp, FieldValue, LinkKind, Money, StockPolicy};
use vitrina_store::{Catalog, OfferInput, ProductKey, StoreError};

use crate::common::{get, product, sku, temp_catalog};

const T0: u64 = 1_800_000_000_000;

type Change = Box<dyn FnOnce(&mut Catalog) + Send>;

/// A second connection `b` to the catalog of `a` whose change lands at the moment `a`'s next
/// write begins: after `a` was asked to write, before its write takes the catalog's lock. That
/// is the moment a write that had already read what it changes would be working from a stale
/// copy. (The moment is `a`'s clock, read once as each write begins.)
struct Meanwhile {
    pending: Arc<Mutex<Option<Change>>>,
}

impl Meanwhile {
    fn new(a: &mut Catalog) -> Self {
        let b = Catalog::open(a.path()).unwrap();
        // If `a` already held the lock here, `b` would wait for a write that waits for `b`.
        b.set_busy_wait(std::time::Duration::from_millis(200)).unwrap();
        let b = Mutex::new(b);
        let pending: Arc<Mutex<Option<Change>>> = Arc::default();
        let armed = pending.clone();
        a.set_clock(Arc::new(move || {
            let change = armed.lock().unwrap().take();
            if let Some(change) = change {
                change(&mut b.lock().unwrap());
            }
            T0
        }));
        Meanwhile { pending }
    }

    /// `change` runs on `b` when `a`'s next write begins.
    fn before_next_write(&self, change: impl FnOnce(&mut Catalog) + Send + 'static) {
        *self.pending.lock().unwrap() = Some(Box::new(change));
    }

    fn assert_ran(&self) {
        assert!(self.pending.lock().unwrap().is_none(), "the other connection's change never ran");
    }
}

#[test]
fn an_edit_keeps_what_another_connection_committed_meanwhile() {
    let (_dir, mut a) = temp_catalog();
    let mut p = product("A-1", "Чайник", 1000);
    p.stock = 5;
    a.create_product(&p).unwrap();
    let meanwhile = Meanwhile::new(&mut a);
    meanwhile.before_next_write(|b| {
        b.update_product(&sku("A-1"), &[FieldValue::Stock(7), FieldValue::Price(Money::rub(120_000))])
            .unwrap();
    });
    let edited = a.update_product(&sku("A-1"), &[FieldValue::Price(Money::rub(150_000))]).unwrap();
    meanwhile.assert_ran();

    let stored = get(&a, "A-1");
    assert_eq!(stored.stock, 7, "the other connection's stock is not put back");
    assert_eq!(stored.price, Money::rub(150_000), "1500 roubles");
    assert_eq!(edited, stored, "the edit returns the product as stored");
    let prices: Vec<_> = a
        .history(&sku("A-1"))
        .unwrap()
        .into_iter()
        .filter(|r| r.op == ChangeOp::Update && r.field == "price")
        .map(|r| (r.old, r.new))
        .collect();
    assert_eq!(prices.len(), 2, "{prices:?}");
    assert_eq!(prices[0].0, prices[1].1, "the edit's old price is the one the other connection set");
}

#[test]
fn an_edit_relative_to_the_current_value_starts_from_the_value_committed_meanwhile() {
    let (_dir, mut a) = temp_catalog();
    a.create_product(&product("A-1", "Чайник", 100_000)).unwrap();
    let meanwhile = Meanwhile::new(&mut a);
    meanwhile.before_next_write(|b| {
        b.update_product(&sku("A-1"), &[FieldValue::Price(Money::rub(120_000))]).unwrap();
    });
    let edited = a
        .update_product_with(&sku("A-1"), |p| {
            Ok::<_, StoreError>(vec![FieldValue::Price(Money::new(
                p.price.minor * 11 / 10,
                p.price.currency,
            ))])
        })
        .unwrap();
    meanwhile.assert_ran();
    assert_eq!(edited.price, Money::rub(132_000), "1200 roubles + 10 %, not 1000 + 10 %");
    assert_eq!(get(&a, "A-1").price, edited.price);
}

#[test]
fn an_edit_is_refused_when_the_field_became_derived_meanwhile() {
    let (_dir, mut a) = temp_catalog();
    a.create_product(&product("CUP", "Кружка", 300)).unwrap();
    a.create_product(&product("CUP-2", "Две кружки", 700)).unwrap();
    let meanwhile = Meanwhile::new(&mut a);
    meanwhile.before_next_write(|b| {
        b.link(&sku("CUP-2"), &sku("CUP"), LinkKind::Pack { units: 2, discount_bp: 0 }).unwrap();
    });
    let refused = a.update_product(&sku("CUP-2"), &[FieldValue::Price(Money::rub(65_000))]);
    meanwhile.assert_ran();

    assert!(matches!(refused, Err(StoreError::Link(_))), "{refused:?}");
    assert_eq!(get(&a, "CUP-2").price, Money::rub(600), "a pack's price follows its base");
}

#[test]
fn a_delete_does_not_reach_a_product_created_after_the_one_it_named_was_deleted() {
    let (_dir, mut a) = temp_catalog();
    let old = product("OLD", "Старый", 100);
    a.create_product(&old).unwrap();
    let meanwhile = Meanwhile::new(&mut a);
    meanwhile.before_next_write(move |b| {
        b.delete_product(&ProductKey::Id(old.id)).unwrap();
        b.create_product(&product("NEW", "Новый", 200)).unwrap();
    });
    let deleted = a.delete_product(&ProductKey::Id(old.id));
    meanwhile.assert_ran();

    assert!(matches!(deleted, Err(StoreError::ProductNotFound(_))), "{deleted:?}");
    assert_eq!(get(&a, "NEW").name, "Новый");
    assert_eq!(a.product_count().unwrap(), 1);
}

/// A catalog with the product `X` (stock 4), `PART` and a supplier, and another connection that will give
/// the SKU `X` to a new product (stock 1) as `a`'s next write begins: the old one becomes `X-OLD`.
fn x_about_to_move() -> (tempfile::TempDir, Catalog, Meanwhile) {
    let (dir, mut a) = temp_catalog();
    let mut old = product("X", "Старый", 100);
    old.stock = 4;
    a.create_product(&old).unwrap();
    a.create_product(&product("PART", "Деталь", 10)).unwrap();
    a.add_supplier("Опт", 0).unwrap();
    let meanwhile = Meanwhile::new(&mut a);
    meanwhile.before_next_write(|b| {
        b.update_product(&sku("X"), &[FieldValue::Sku("X-OLD".into())]).unwrap();
        let mut new = product("X", "Новый", 500);
        new.stock = 1;
        b.create_product(&new).unwrap();
    });
    (dir, a, meanwhile)
}

#[test]
fn an_edit_by_sku_changes_the_product_that_has_the_sku_when_the_write_begins() {
    let (_dir, mut a, meanwhile) = x_about_to_move();
    a.update_product(&sku("X"), &[FieldValue::Name("Переименован".into())]).unwrap();
    meanwhile.assert_ran();
    assert_eq!(get(&a, "X").name, "Переименован");
    assert_eq!(get(&a, "X-OLD").name, "Старый");
}

#[test]
fn a_link_by_sku_joins_the_products_that_have_the_skus_when_the_write_begins() {
    let (_dir, mut a, meanwhile) = x_about_to_move();
    a.link(&sku("X"), &sku("PART"), LinkKind::KitComponent { quantity: 1 }).unwrap();
    meanwhile.assert_ran();
    assert_eq!(a.links(&sku("X")).unwrap().len(), 1, "the new X is the kit");
    assert!(a.links(&sku("X-OLD")).unwrap().is_empty());
}

#[test]
fn an_offer_by_sku_goes_to_the_product_that_has_the_sku_when_the_write_begins() {
    let (_dir, mut a, meanwhile) = x_about_to_move();
    let supplier = a.find_supplier("Опт").unwrap();
    let offer =
        OfferInput { product: sku("X"), supplier_sku: "S-1".into(), cost: Some(Money::rub(50)), stock: 9 };
    a.upsert_offers(supplier, &[offer], StockPolicy::CheapestInStock).unwrap();
    meanwhile.assert_ran();
    let (new, old) = (get(&a, "X"), get(&a, "X-OLD"));
    assert_eq!((new.stock, new.cost), (9, Some(Money::rub(50))), "the new X has the offer");
    assert_eq!((old.stock, old.cost), (4, None));
}

#[test]
fn history_stamps_of_two_connections_never_repeat_or_go_back() {
    let (_dir, mut a) = temp_catalog();
    let mut b = Catalog::open(a.path()).unwrap();
    // One device, one millisecond: only the counter tells the stamps apart.
    a.set_clock(Arc::new(|| T0));
    b.set_clock(Arc::new(|| T0));
    a.create_product(&product("A-1", "Чайник", 1000)).unwrap();
    b.update_product(&sku("A-1"), &[FieldValue::Stock(1)]).unwrap();
    a.update_product(&sku("A-1"), &[FieldValue::Stock(2)]).unwrap();
    b.update_product(&sku("A-1"), &[FieldValue::Stock(3)]).unwrap();
    let history = a.history(&sku("A-1")).unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        history.windows(2).all(|w| w[0].hlc > w[1].hlc),
        "newest first, every stamp after the one before: {:?}",
        history.iter().map(|r| r.hlc).collect::<Vec<_>>()
    );
}
