//! Bulk edit: one change applied to every selected product, each product in its own
//! transaction with its own history (so each can be undone), refused values reported per SKU.

use vitrina_domain::{Currency, Money, ProductField};

use crate::catalog::{App, FieldEdit};
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

impl App {
    /// Applies `req.change` to each selected product.
    pub fn bulk_edit(&self, req: &BulkEditRequest) -> AppResult<BulkReport> {
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
                Some(self.find_category(category)?.to_string())
            }
            _ => None,
        };
        let mut report = BulkReport { changed: 0, unchanged: 0, failed: Vec::new() };
        for id in &req.ids {
            let product = match self.product(id) {
                Ok(v) => v.product,
                Err(e) => {
                    report.failed.push(BulkFailure { sku: id.clone(), message: e.message });
                    continue;
                }
            };
            let (field, value) = match &req.change {
                BulkChange::PricePercent { .. } | BulkChange::PriceAmount { .. } => {
                    let price = new_price(&req.change, product.price)?.unwrap_or(product.price);
                    (ProductField::Price, format!("{} {}", price.minor, price.currency))
                }
                BulkChange::Status { status } => {
                    (ProductField::Status, vitrina_domain::ProductStatus::from(*status).code().to_string())
                }
                BulkChange::Category { .. } => (ProductField::Category, category.clone().unwrap_or_default()),
            };
            if product.field_value(field).unwrap_or_default() == value {
                report.unchanged += 1;
                continue;
            }
            match self.edit(id, &[FieldEdit { field: field.code().into(), value }]) {
                Ok(_) => report.changed += 1,
                Err(e) => report.failed.push(BulkFailure { sku: product.sku.clone(), message: e.message }),
            }
        }
        tracing::info!(changed = report.changed, failed = report.failed.len(), "bulk edit");
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
