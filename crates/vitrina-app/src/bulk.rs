//! Bulk edit: one change applied to every selected product, each product in its own
//! transaction with its own history (so each can be undone), refused values reported per SKU.
//! A new price is worked out from the product as it is inside its write, after any other
//! connection's commit, and handed to the store as a [`Money`], never as text.

use vitrina_domain::{CategoryId, Currency, FieldValue, Money, Product, ProductStatus};

use crate::ProductKey;
use crate::catalog::App;
use crate::error::{AppError, AppResult};
use crate::ipc::{BulkChange, BulkEditRequest, BulkFailure, BulkReport};

/// More than this at once is a job (`catalog.reprice`), not a click.
pub const MAX_SELECTION: usize = 10_000;

/// The new price after `change`, or `None` when the change is not about price.
fn new_price(change: &BulkChange, price: Money) -> AppResult<Option<Money>> {
    Ok(match change {
        BulkChange::PricePercent { percent } => {
            if !percent.is_finite() || *percent <= -100.0 || *percent > 1000.0 {
                return Err(AppError::invalid(format!(
                    "the percentage must be above -100 and at most 1000, not {percent}"
                )));
            }
            let minor = (price.minor as f64 * (1.0 + percent / 100.0)).round() as i64;
            Some(Money::new(minor, price.currency))
        }
        BulkChange::PriceAmount { amount } => {
            let text = amount.trim();
            let (sign, digits) = match text.strip_prefix('-').or_else(|| text.strip_prefix('−')) {
                Some(rest) => (-1, rest),
                None => (1, text.strip_prefix('+').unwrap_or(text)),
            };
            let delta = Money::parse(digits, price.currency)
                .map_err(|e| AppError::invalid(format!("amount \"{text}\": {e}")))?;
            Some(Money::new(price.minor + sign * delta.minor, price.currency))
        }
        _ => None,
    })
}

/// The value `change` gives `product`; `category` is the change's category, found once.
fn new_value(change: &BulkChange, category: Option<CategoryId>, product: &Product) -> AppResult<FieldValue> {
    Ok(match change {
        BulkChange::PricePercent { .. } | BulkChange::PriceAmount { .. } => {
            FieldValue::Price(new_price(change, product.price)?.unwrap_or(product.price))
        }
        BulkChange::Status { status } => FieldValue::Status(ProductStatus::from(*status)),
        BulkChange::Category { .. } => FieldValue::Category(category),
    })
}

impl App {
    /// Applies `req.change` to each selected product.
    pub fn bulk_edit(&self, req: &BulkEditRequest) -> AppResult<BulkReport> {
        self.may_change()?;
        if req.ids.len() > MAX_SELECTION {
            return Err(AppError::invalid(format!(
                "{} products selected; at most {MAX_SELECTION} can be edited at once — narrow the filter or use a job",
                req.ids.len()
            )));
        }
        // Validate the change once, before touching anything.
        new_price(&req.change, Money::new(0, Currency::RUB))?;
        let category = match &req.change {
            BulkChange::Category { category } if !category.trim().is_empty() => {
                Some(self.find_category(category)?)
            }
            _ => None,
        };
        let mut report = BulkReport { changed: 0, unchanged: 0, failed: Vec::new() };
        for id in &req.ids {
            // What the product is when its write begins: its SKU for the report, and whether
            // the change leaves it as it is.
            let mut seen: Option<(String, bool)> = None;
            let written = self.catalog()?.update_product_with(&ProductKey::parse(id), |product| {
                let value = new_value(&req.change, category, product)?;
                let unchanged = product.value(value.field()) == value;
                seen = Some((product.sku.clone(), unchanged));
                Ok::<_, AppError>(if unchanged { Vec::new() } else { vec![value] })
            });
            match (written, seen) {
                (Ok(_), Some((_, true))) => report.unchanged += 1,
                (Ok(_), _) => report.changed += 1,
                (Err(e), seen) => report.failed.push(BulkFailure {
                    sku: seen.map_or_else(|| id.clone(), |(sku, _)| sku),
                    message: e.message,
                }),
            }
        }
        tracing::info!(changed = report.changed, failed = report.failed.len(), "bulk edit");
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::FieldEdit;
    use crate::ipc::StatusDto;
    use vitrina_domain::{Product, ProductDraft};

    #[test]
    fn price_changes_by_percent_and_amount_and_refusals_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path().join("c.db")).unwrap();
        let mut ids = Vec::new();
        {
            let mut c = app.catalog().unwrap();
            for (i, price) in [100_000i64, 2_000].into_iter().enumerate() {
                let p = Product::new(ProductDraft {
                    sku: format!("B-{i}"),
                    name: format!("Товар {i}"),
                    price: Money::rub(price),
                })
                .unwrap();
                ids.push(c.create_product(&p).unwrap().to_string());
            }
        }
        let report = app
            .bulk_edit(&BulkEditRequest {
                ids: ids.clone(),
                change: BulkChange::PricePercent { percent: 10.0 },
            })
            .unwrap();
        assert_eq!((report.changed, report.failed.len()), (2, 0));
        assert_eq!(app.product(&ids[0]).unwrap().product.price, Money::rub(110_000));
        let report = app
            .bulk_edit(&BulkEditRequest {
                ids: ids.clone(),
                change: BulkChange::PriceAmount { amount: "-50".into() },
            })
            .unwrap();
        // 22,00 − 50,00 would be negative: refused for that product only.
        assert_eq!((report.changed, report.failed.len()), (1, 1));
        assert_eq!(report.failed[0].sku, "B-1");
        assert_eq!(app.product(&ids[0]).unwrap().product.price, Money::rub(105_000));
        let report = app
            .bulk_edit(&BulkEditRequest {
                ids: ids.clone(),
                change: BulkChange::Status { status: StatusDto::Active },
            })
            .unwrap();
        assert_eq!(report.changed, 2);
        assert!(
            app.bulk_edit(&BulkEditRequest { ids, change: BulkChange::PricePercent { percent: -100.0 } })
                .is_err()
        );
    }

    #[test]
    fn a_price_change_starts_from_the_price_another_connection_committed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let app = App::open(&path).unwrap();
        let p = Product::new(ProductDraft {
            sku: "A-1".into(),
            name: "Чайник".into(),
            price: Money::rub(100_000),
        })
        .unwrap();
        let id = app.catalog().unwrap().create_product(&p).unwrap().to_string();
        // Another connection (the CLI, a job) sets 1 200 roubles as this one's write begins:
        // after the bulk edit was asked for, before its write takes the catalog's lock.
        let other = App::open(&path).unwrap();
        other.set_busy_wait(std::time::Duration::from_millis(200)).unwrap();
        let pending = std::sync::Mutex::new(Some((other, id.clone())));
        app.catalog().unwrap().set_clock(std::sync::Arc::new(move || {
            if let Some((other, id)) = pending.lock().unwrap().take() {
                other.edit(&id, &[FieldEdit::parse("price=1200").unwrap()]).unwrap();
            }
            1_800_000_000_000
        }));
        let report = app
            .bulk_edit(&BulkEditRequest {
                ids: vec![id.clone()],
                change: BulkChange::PricePercent { percent: 10.0 },
            })
            .unwrap();
        assert_eq!((report.changed, report.failed.len()), (1, 0));
        let history = app.history(&id).unwrap();
        assert_eq!(history[1].new.as_deref(), Some("120000 RUB"), "the other connection's change ran first");
        assert_eq!(
            app.product(&id).unwrap().product.price,
            Money::rub(132_000),
            "1 200 + 10 %, not 1 000 + 10 %"
        );
        assert_eq!(history[0].old.as_deref(), Some("120000 RUB"));
    }

    #[test]
    fn a_category_or_status_the_product_already_has_counts_as_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path().join("c.db")).unwrap();
        let path = vitrina_domain::CategoryPath::parse("Посуда / Чайники");
        let kettles = app.catalog().unwrap().ensure_category_path(&path).unwrap();
        let mut ids = Vec::new();
        for (sku, category) in [("K-1", Some(kettles)), ("K-2", None)] {
            let mut p =
                Product::new(ProductDraft {
                    sku: sku.into(), name: "Чайник".into(), price: Money::rub(100)
                })
                .unwrap();
            p.category = category;
            ids.push(app.catalog().unwrap().create_product(&p).unwrap().to_string());
        }
        ids.push("NO-SUCH".into());
        let change = BulkChange::Category { category: "чайники".into() };
        let report = app.bulk_edit(&BulkEditRequest { ids: ids.clone(), change }).unwrap();
        assert_eq!((report.changed, report.unchanged), (1, 1));
        assert_eq!(report.failed[0].sku, "NO-SUCH");
        assert_eq!(app.product(&ids[1]).unwrap().product.category, Some(kettles));
        let change = BulkChange::Status { status: StatusDto::Draft };
        let report = app.bulk_edit(&BulkEditRequest { ids: ids[..2].to_vec(), change }).unwrap();
        assert_eq!((report.changed, report.unchanged, report.failed.len()), (0, 2, 0));
        assert_eq!(app.history(&ids[0]).unwrap().len(), 1, "nothing written for an unchanged product");
    }
}
