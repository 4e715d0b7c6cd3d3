//! The value map: the seller's own words for a dictionary attribute ("алый", "т.-синий") matched
//! to the marketplace's values. The window lists every distinct value the products of a mapped
//! category give the attribute with what the card would carry, and the seller maps the ones the
//! card check refuses (or corrects a guess); the CLI's `mp map --value mine=theirs` does the same.

use vitrina_market::values::{ValueOutcome, ValueTally, find_values};
use vitrina_market::{AttrRule, CategorySpec, MarketStore, MpValue, Source, value_key};
use vitrina_store::export::{ExportOrder, Selection};

use super::market_error;
use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{AttrValuesDto, MpValueDto, ProblemDto, SellerValueDto};

/// At most this many dictionary values answer one search.
pub const FIND_MAX: usize = 50;

impl App {
    /// The seller's values of attribute `attr_id` of the marketplace category `ext_id`, over
    /// the products of the seller's categories mapped to it.
    pub fn market_attribute_values(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
    ) -> AppResult<AttrValuesDto> {
        let attr_dto = self
            .market_attributes(key, ext_id)?
            .into_iter()
            .find(|a| a.attr_id == attr_id)
            .ok_or_else(|| no_attribute(ext_id, attr_id))?;
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let (spec, rules) = spec_and_rules(&store, account.id, ext_id)?;
        let mapped: Vec<_> = store
            .category_maps(account.id)
            .map_err(market_error)?
            .into_iter()
            .filter(|(_, e)| e == ext_id)
            .collect();
        drop(store);
        let attr = spec
            .dict
            .attributes
            .iter()
            .find(|a| a.attr_id == attr_id)
            .ok_or_else(|| no_attribute(ext_id, attr_id))?;
        let dictionary = dictionary_of(&spec, attr_id);
        let mut tally = ValueTally::new(attr, &rules, dictionary);
        let mut products = 0;
        if !mapped.is_empty() {
            let catalog = self.catalog()?;
            // The selection takes each category with everything below it; the card builder maps
            // a product by its own category only, so the rows are filtered to those.
            let own: std::collections::HashSet<u64> = catalog
                .export_categories()?
                .into_iter()
                .filter(|c| mapped.iter().any(|(id, _)| *id == c.uuid))
                .map(|c| c.id)
                .collect();
            let selection =
                Selection { categories: mapped.iter().map(|(id, _)| *id).collect(), ..Default::default() };
            catalog.export_each::<AppError>(&selection, ExportOrder::Storage, |row| {
                if row.category.is_some_and(|c| own.contains(&c)) {
                    products += 1;
                    tally.add(row);
                }
                Ok(std::ops::ControlFlow::Continue(()))
            })?;
        }
        let rule_source = rules.iter().find(|r| r.attr_id == attr_id).map(|r| r.source.code());
        let source =
            rule_source.or_else(|| attr_dto.suggestion.clone().filter(|_| attr_dto.suggestion_confident));
        Ok(AttrValuesDto {
            attr: attr_dto,
            source,
            products,
            values: tally.finish().into_iter().map(seller_value_dto).collect(),
        })
    }

    /// Maps the seller's value `mine` to the dictionary value `theirs` (its id, or its text);
    /// `None` removes the mapping. The attribute keeps its source; one without a rule of the
    /// seller's takes the confident suggestion in use as its rule first.
    pub fn set_market_value(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        mine: &str,
        theirs: Option<&str>,
    ) -> AppResult<AttrValuesDto> {
        if mine.trim().is_empty() {
            return Err(AppError::invalid("which of your values: it is empty"));
        }
        let suggested = self
            .market_attributes(key, ext_id)?
            .into_iter()
            .find(|a| a.attr_id == attr_id)
            .ok_or_else(|| no_attribute(ext_id, attr_id))?;
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let (spec, rules) = spec_and_rules(&store, account.id, ext_id)?;
        let mut rule = match rules.into_iter().find(|r| r.attr_id == attr_id) {
            Some(rule) => rule,
            None => {
                let source = suggested
                    .suggestion
                    .filter(|_| suggested.suggestion_confident)
                    .and_then(|code| Source::parse(&code))
                    .ok_or_else(|| {
                        AppError::invalid(format!(
                            "{}: choose what fills it (a field, a characteristic or one value) first",
                            suggested.name
                        ))
                    })?;
                AttrRule {
                    attr_id: attr_id.to_owned(),
                    source,
                    unit_factor: suggested.unit_factor,
                    value_map: Default::default(),
                }
            }
        };
        let mine_key = value_key(mine);
        match theirs.map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                rule.value_map.retain(|k, _| value_key(k) != mine_key);
            }
            Some(theirs) => {
                let found = dictionary_of(&spec, attr_id)
                    .iter()
                    .find(|v| v.value_id == theirs || value_key(&v.value) == value_key(theirs))
                    .ok_or_else(|| {
                        AppError::invalid(format!("\"{theirs}\" is not a value of {}", suggested.name))
                    })?;
                rule.value_map.retain(|k, _| value_key(k) != mine_key);
                rule.value_map.insert(mine_key, found.value_id.clone());
            }
        }
        store.set_attr_rule(account.id, ext_id, attr_id, Some(&rule)).map_err(market_error)?;
        drop(store);
        self.market_attribute_values(key, ext_id, attr_id)
    }

    /// The dictionary values of an attribute that contain `query`, exact and starting matches
    /// first (every value up to the limit when `query` is empty).
    pub fn market_dictionary_values(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        query: &str,
        limit: usize,
    ) -> AppResult<Vec<MpValueDto>> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let (spec, _) = spec_and_rules(&store, account.id, ext_id)?;
        if !spec.dict.attributes.iter().any(|a| a.attr_id == attr_id) {
            return Err(no_attribute(ext_id, attr_id));
        }
        let limit = limit.clamp(1, FIND_MAX);
        Ok(find_values(dictionary_of(&spec, attr_id), query, limit).into_iter().map(value_dto).collect())
    }
}

fn spec_and_rules(
    store: &MarketStore,
    account: vitrina_market::MarketAccountId,
    ext_id: &str,
) -> AppResult<(CategorySpec, Vec<AttrRule>)> {
    let spec = store.category_spec(account, ext_id).map_err(market_error)?.ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, format!("the attributes of category {ext_id} are not loaded"))
    })?;
    let rules = store.attr_rules(account, ext_id).map_err(market_error)?;
    Ok((spec, rules))
}

/// The cached dictionary of the attribute (empty when it has none or it is not cached).
fn dictionary_of<'a>(spec: &'a CategorySpec, attr_id: &str) -> &'a [MpValue] {
    spec.dict
        .attributes
        .iter()
        .find(|a| a.attr_id == attr_id)
        .and_then(|a| a.dictionary.as_ref())
        .and_then(|d| spec.dict.values.get(d))
        .map_or(&[], Vec::as_slice)
}

fn no_attribute(ext_id: &str, attr_id: &str) -> AppError {
    AppError::new(ErrorCode::NotFound, format!("category {ext_id} has no attribute {attr_id}"))
}

fn value_dto(v: &MpValue) -> MpValueDto {
    MpValueDto { value_id: v.value_id.clone(), value: v.value.clone() }
}

fn seller_value_dto(v: vitrina_market::values::SellerValue) -> SellerValueDto {
    let (state, value, problem) = match v.outcome {
        ValueOutcome::Mapped { value_id, value } => ("mapped", Some(MpValueDto { value_id, value }), None),
        ValueOutcome::Found { value_id, value } => ("found", Some(MpValueDto { value_id, value }), None),
        ValueOutcome::AsIs { .. } => ("as_is", None, None),
        ValueOutcome::Refused { code, detail } => {
            ("refused", None, Some(ProblemDto { code, field: "attributes".into(), detail }))
        }
    };
    SellerValueDto {
        text: v.text,
        products: v.products,
        state: state.into(),
        value,
        problem,
        suggestion: v.suggestion.as_ref().map(value_dto),
        suggestion_confident: v.suggestion_confident,
    }
}
