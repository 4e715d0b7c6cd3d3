//! A supplier's import settings changed piece by piece, as `vitrina suppliers set` gives them
//! (the window saves its whole form instead: `SupplierSettingsDto::apply_to`): a markup with
//! rounding and a minimum margin for every product, what happens to offers gone from the feed,
//! exchange rates, brand aliases, the schedule, the priority and the stock policy, or the whole
//! settings document as JSON.

use vitrina_import::SupplierSettings;
use vitrina_import::pricing::{Markup, OldPrice, PriceRule, PriceRules, Rounding, Scope};
use vitrina_store::imports::GonePolicy;

use crate::catalog::App;
use crate::error::{AppError, AppResult};
use crate::imports::{SupplierSummary, sync_schedule};
use crate::jobs::Jobs;

/// What to change; `None` and empty lists keep what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierSettingsEdit {
    /// The whole settings document as JSON (as `suppliers show` reads it back), replacing the
    /// stored one before the other changes apply.
    pub settings_json: Option<String>,
    /// Markup on cost in percent (`30`, `12,5`): with `round` and `min_margin`, one rule for
    /// every product that replaces the price rules.
    pub markup: Option<String>,
    /// `none`, `1`, `10`, `100`, `9`, `90`, `99`.
    pub round: Option<String>,
    /// Minimum margin over cost, percent.
    pub min_margin: Option<String>,
    /// Offers gone from the feed: `keep`, `zero`, `archive`.
    pub gone: Option<String>,
    /// `CUR=RATE` (`USD=92.5`): added, or replacing the currency's rate.
    pub rates: Vec<String>,
    /// `ALIAS=BRAND` (`LG Electronics=LG`): added.
    pub aliases: Vec<String>,
    pub create_categories: Option<bool>,
    /// A cron expression; `off` removes the schedule.
    pub schedule: Option<String>,
    pub priority: Option<i32>,
    /// `cheapest_in_stock`, `priority` or `sum_of_stock`.
    pub policy: Option<String>,
}

/// Applies `edit` to the supplier `key` and, when the schedule changed, to its schedule in the
/// job queue.
pub fn edit_supplier_settings(
    app: &App,
    jobs: &Jobs,
    key: &str,
    edit: &SupplierSettingsEdit,
) -> AppResult<SupplierSummary> {
    let current = app.supplier(key)?;
    let mut settings = match &edit.settings_json {
        Some(text) => SupplierSettings::from_json(text)
            .map_err(|err| AppError::invalid(format!("the settings JSON is not valid: {err}")))?,
        None => current.settings.clone(),
    };
    if edit.markup.is_some() || edit.round.is_some() || edit.min_margin.is_some() {
        settings.price_rules =
            simple_rules(edit.markup.as_deref(), edit.round.as_deref(), edit.min_margin.as_deref())?;
    }
    if let Some(gone) = &edit.gone {
        settings.gone = match gone.trim().to_lowercase().as_str() {
            "keep" => GonePolicy::Keep,
            "zero" => GonePolicy::Zero,
            "archive" => GonePolicy::Archive,
            other => {
                return Err(AppError::invalid(format!(
                    "--gone must be keep, zero or archive, not \"{other}\""
                )));
            }
        };
    }
    for pair in &edit.rates {
        let (code, rate) = pair
            .split_once('=')
            .ok_or_else(|| AppError::invalid(format!("\"{pair}\" is not CUR=RATE (USD=92.5)")))?;
        settings.rates.retain(|(c, _)| !c.eq_ignore_ascii_case(code.trim()));
        settings.rates.push((code.trim().to_uppercase(), rate.trim().to_string()));
    }
    for pair in &edit.aliases {
        let (alias, brand) = pair
            .split_once('=')
            .ok_or_else(|| AppError::invalid(format!("\"{pair}\" is not ALIAS=BRAND")))?;
        settings.brand_aliases.push((alias.trim().to_string(), brand.trim().to_string()));
    }
    if let Some(flag) = edit.create_categories {
        settings.create_categories = flag;
    }
    if let Some(cron) = &edit.schedule {
        settings.schedule =
            if cron.trim().eq_ignore_ascii_case("off") { None } else { Some(cron.trim().to_string()) };
    }
    let key = current.id.to_string();
    let saved = app.set_supplier_settings(&key, edit.priority.unwrap_or(current.priority), &settings)?;
    let saved = match &edit.policy {
        Some(policy) => app.set_stock_policy(&key, policy)?,
        None => saved,
    };
    if edit.schedule.is_some() {
        sync_schedule(jobs, &saved)?;
    }
    Ok(saved)
}

/// Percent text ("30", "12,5") → basis points.
fn basis_points(text: &str, what: &str) -> AppResult<i64> {
    let value: f64 = text
        .trim()
        .trim_end_matches('%')
        .replace(',', ".")
        .parse()
        .map_err(|_| AppError::invalid(format!("{what} \"{text}\" is not a percentage")))?;
    if !(0.0..=10_000.0).contains(&value) {
        return Err(AppError::invalid(format!("{what} must be between 0 and 10000 %, not {text}")));
    }
    Ok((value * 100.0).round() as i64)
}

/// One rule for every product: markup on cost, rounding, minimum margin.
fn simple_rules(
    markup: Option<&str>,
    round: Option<&str>,
    min_margin: Option<&str>,
) -> AppResult<PriceRules> {
    let rounding = match round.map(|r| r.trim().to_lowercase()) {
        None => Rounding::None,
        Some(r) => match r.as_str() {
            "none" | "0" => Rounding::None,
            "1" => Rounding::To1,
            "10" => Rounding::To10,
            "100" => Rounding::To100,
            "9" => Rounding::EndIn9,
            "90" => Rounding::EndIn90,
            "99" => Rounding::EndIn99,
            other => {
                return Err(AppError::invalid(format!(
                    "--round must be none, 1, 10, 100, 9, 90 or 99, not \"{other}\""
                )));
            }
        },
    };
    let rule = PriceRule {
        scope: Scope::All,
        markup: match markup {
            Some(m) => Markup::Percent { bp: basis_points(m, "the markup")? },
            None => Markup::None,
        },
        rounding,
        min_margin_bp: min_margin.map(|m| basis_points(m, "the minimum margin")).transpose()?,
        old_price: OldPrice::Keep,
    };
    Ok(PriceRules { rules: vec![rule] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_rounding_are_read_as_typed() {
        assert_eq!(basis_points("12,5", "m").unwrap(), 1250);
        assert_eq!(basis_points("30%", "m").unwrap(), 3000);
        assert!(basis_points("ten", "the markup").unwrap_err().message.contains("the markup \"ten\""));
        assert!(basis_points("20000", "m").is_err());
        let rules = simple_rules(Some("30"), Some("9"), Some("5")).unwrap();
        let rule = &rules.rules[0];
        assert_eq!(
            (&rule.markup, rule.rounding, rule.min_margin_bp),
            (&Markup::Percent { bp: 3000 }, Rounding::EndIn9, Some(500))
        );
        assert!(simple_rules(None, Some("7"), None).unwrap_err().message.contains("--round"));
    }
}
