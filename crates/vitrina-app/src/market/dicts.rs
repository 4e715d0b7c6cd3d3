//! Dictionaries and mapping: fetch a marketplace's category tree and the attributes of the
//! categories in use, map the seller's categories onto its leaves, and fill each attribute
//! from a product field, a characteristic or a constant — with suggestions, and an automatic
//! mode that accepts the confident ones.

use std::collections::{BTreeMap, HashMap};

use vitrina_domain::CategoryId;
use vitrina_market::mapping::{self, CONFIDENT};
use vitrina_market::{Account, AttrRule, Client, MarketStore, MpCategory, Source, api};
use vitrina_store::Catalog;

use super::market_error;
use super::publish::client_or;
use crate::catalog::App;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{AttrMapDto, AutoMapDto, CategoryMapDto, DictRefreshDto, MpCategoryDto, SuggestionDto};
use crate::secrets::Secrets;

/// Sample product names per seller category used as extra evidence for suggestions.
const SAMPLE_NAMES: usize = 5;

/// A seller's category with what it holds.
struct SellerCategory {
    id: CategoryId,
    path: String,
    products: u64,
    names: Vec<String>,
}

impl App {
    /// Fetches the account's category tree, then the attributes of every mapped category.
    pub fn refresh_market_dictionaries(
        &self,
        key: &str,
        secrets: &Secrets,
        client: Option<Client>,
        cancel: &dyn Fn() -> bool,
    ) -> AppResult<DictRefreshDto> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let client = client_or(&account, secrets, client)?;
        let api = api(account.market);
        let now = self.catalog()?.now_ms() as i64;
        let tree = api.fetch_tree(&client, cancel).map_err(market_error)?;
        store.replace_tree(account.id, &tree, now).map_err(market_error)?;
        let mapped: Vec<String> = {
            let mut v: Vec<String> =
                store.category_maps(account.id).map_err(market_error)?.into_values().collect();
            v.sort();
            v.dedup();
            v
        };
        let loaded = load_categories(&mut store, &account, &client, &mapped, now, cancel)?;
        let stats = store.dict_stats(account.id).map_err(market_error)?;
        Ok(DictRefreshDto {
            account: account.name.clone(),
            categories: stats.categories,
            leaves: stats.leaves,
            loaded: stats.loaded,
            refreshed: loaded,
            fetched_at: stats.fetched_at,
        })
    }

    /// The account's cached categories whose path contains `search` (all when empty), leaves
    /// only when `leaves_only`, at most `limit`.
    pub fn market_categories(
        &self,
        key: &str,
        search: &str,
        leaves_only: bool,
        limit: usize,
    ) -> AppResult<Vec<MpCategoryDto>> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let needle = vitrina_market::value_key(search);
        let tree = store.tree(account.id).map_err(market_error)?;
        Ok(tree
            .iter()
            .filter(|c| !leaves_only || c.leaf)
            .filter(|c| needle.is_empty() || vitrina_market::value_key(&c.path).contains(&needle))
            .take(if limit == 0 { usize::MAX } else { limit })
            .map(category_dto)
            .collect())
    }

    /// Every seller category that holds products, with its mapping and the best suggestion.
    pub fn market_category_map(&self, key: &str) -> AppResult<Vec<CategoryMapDto>> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let seller = {
            let catalog = self.catalog()?;
            seller_categories(&catalog)?
        };
        let tree = store.tree(account.id).map_err(market_error)?;
        let maps = store.category_maps(account.id).map_err(market_error)?;
        let by_id: HashMap<&str, &MpCategory> = tree.iter().map(|c| (c.ext_id.as_str(), c)).collect();
        Ok(seller
            .iter()
            .map(|s| {
                let mapped = maps.get(&s.id).and_then(|e| by_id.get(e.as_str())).copied();
                let names: Vec<&str> = s.names.iter().map(String::as_str).collect();
                let best =
                    mapping::suggest_categories_with_names(&s.path, &names, &tree, 1).into_iter().next();
                CategoryMapDto {
                    category_id: s.id.to_string(),
                    path: s.path.clone(),
                    products: s.products,
                    ext_id: mapped.map(|c| c.ext_id.clone()),
                    ext_path: mapped.map(|c| c.path.clone()),
                    suggestion: best.map(|b| SuggestionDto {
                        ext_id: b.item.ext_id.clone(),
                        path: b.item.path.clone(),
                        score: b.score,
                        confident: b.confident(),
                    }),
                }
            })
            .collect())
    }

    /// Maps the seller's category (`category`: its path or id) to the marketplace category
    /// `ext_id`, or removes the mapping when `ext_id` is `None`; fetches the category's
    /// attributes when they are not cached yet.
    pub fn set_market_category(
        &self,
        key: &str,
        category: &str,
        ext_id: Option<&str>,
        secrets: &Secrets,
        client: Option<Client>,
    ) -> AppResult<CategoryMapDto> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let seller = {
            let catalog = self.catalog()?;
            seller_categories(&catalog)?
        };
        let wanted = vitrina_market::value_key(category);
        let found = seller
            .iter()
            .find(|s| s.id.to_string() == category.trim() || vitrina_market::value_key(&s.path) == wanted)
            .ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, format!("no category {category:?} with products"))
            })?;
        store.set_category_map(account.id, found.id, ext_id).map_err(market_error)?;
        if let Some(ext) = ext_id
            && store.category_spec(account.id, ext).map_err(market_error)?.is_none()
        {
            let client = client_or(&account, secrets, client)?;
            let now = self.catalog()?.now_ms() as i64;
            load_categories(&mut store, &account, &client, &[ext.to_owned()], now, &|| false)?;
        }
        drop(store);
        self.market_category_map(key)?
            .into_iter()
            .find(|c| c.category_id == found.id.to_string())
            .ok_or_else(|| AppError::new(ErrorCode::Internal, "the mapped category vanished"))
    }

    /// Accepts every confident suggestion: categories, then the attributes of each mapped
    /// category (fetched when needed). What is mapped already is left as the seller set it.
    pub fn auto_map_market(
        &self,
        key: &str,
        secrets: &Secrets,
        client: Option<Client>,
    ) -> AppResult<AutoMapDto> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let catalog = self.catalog()?;
        let seller = seller_categories(&catalog)?;
        let mut tree = store.tree(account.id).map_err(market_error)?;
        let client = client_or(&account, secrets, client)?;
        let now = catalog.now_ms() as i64;
        if tree.is_empty() {
            tree = api(account.market).fetch_tree(&client, &|| false).map_err(market_error)?;
            store.replace_tree(account.id, &tree, now).map_err(market_error)?;
        }
        let mut maps = store.category_maps(account.id).map_err(market_error)?;
        let mut dto = AutoMapDto { account: account.name.clone(), ..AutoMapDto::default() };
        for s in &seller {
            if maps.contains_key(&s.id) {
                dto.categories_kept += 1;
                continue;
            }
            let names: Vec<&str> = s.names.iter().map(String::as_str).collect();
            match mapping::suggest_categories_with_names(&s.path, &names, &tree, 1).into_iter().next() {
                Some(best) if best.confident() => {
                    store
                        .set_category_map(account.id, s.id, Some(&best.item.ext_id))
                        .map_err(market_error)?;
                    maps.insert(s.id, best.item.ext_id.clone());
                    dto.categories_mapped += 1;
                }
                _ => dto.categories_unmapped.push(s.path.clone()),
            }
        }
        let mut wanted: Vec<String> = maps.values().cloned().collect();
        wanted.sort();
        wanted.dedup();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|e| matches!(store.category_spec(account.id, e), Ok(None)))
            .cloned()
            .collect();
        load_categories(&mut store, &account, &client, &missing, now, &|| false)?;
        let names = characteristic_names(&catalog)?;
        for ext in &wanted {
            let Some(spec) = store.category_spec(account.id, ext).map_err(market_error)? else { continue };
            let rules = store.attr_rules(account.id, ext).map_err(market_error)?;
            for attr in &spec.dict.attributes {
                if rules.iter().any(|r| r.attr_id == attr.attr_id) {
                    continue;
                }
                match mapping::suggest_rule(attr, &names) {
                    Some(s) if s.confident() => {
                        store
                            .set_attr_rule(account.id, ext, &attr.attr_id, Some(&s.item))
                            .map_err(market_error)?;
                        dto.attributes_mapped += 1;
                    }
                    _ if attr.required => dto.required_unmapped += 1,
                    _ => {}
                }
            }
        }
        Ok(dto)
    }

    /// The attributes of the marketplace category `ext_id` with their rules and suggestions.
    pub fn market_attributes(&self, key: &str, ext_id: &str) -> AppResult<Vec<AttrMapDto>> {
        let store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let spec = store.category_spec(account.id, ext_id).map_err(market_error)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("the attributes of category {ext_id} are not loaded: map a category to it first"),
            )
        })?;
        let rules = store.attr_rules(account.id, ext_id).map_err(market_error)?;
        let names = {
            let catalog = self.catalog()?;
            characteristic_names(&catalog)?
        };
        Ok(spec
            .dict
            .attributes
            .iter()
            .map(|a| {
                let rule = rules.iter().find(|r| r.attr_id == a.attr_id);
                let suggestion = mapping::suggest_rule(a, &names);
                let values = a.dictionary.as_ref().and_then(|d| spec.dict.values.get(d));
                AttrMapDto {
                    attr_id: a.attr_id.clone(),
                    name: a.name.clone(),
                    kind: a.kind.code().into(),
                    required: a.required,
                    multi: a.multi,
                    unit: a.unit.clone(),
                    dictionary_size: values.map_or(0, |v| v.len() as u64),
                    closed: a.dictionary.is_some() && !a.custom_ok,
                    source: rule.map(|r| r.source.code()),
                    unit_factor: rule.and_then(|r| r.unit_factor),
                    suggestion: suggestion.as_ref().map(|s| s.item.source.code()),
                    suggestion_confident: suggestion.as_ref().is_some_and(|s| s.score >= CONFIDENT),
                    sample_values: values
                        .map(|v| v.iter().take(8).map(|x| x.value.clone()).collect())
                        .unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Sets how an attribute is filled: `source` is `field:brand`, `attr:Цвет` or
    /// `const:Россия`; `None` removes the rule. `values` maps the seller's own words to
    /// dictionary values (by the value's text or id).
    pub fn set_market_attribute(
        &self,
        key: &str,
        ext_id: &str,
        attr_id: &str,
        source: Option<&str>,
        unit_factor: Option<f64>,
        values: &BTreeMap<String, String>,
    ) -> AppResult<Vec<AttrMapDto>> {
        let mut store = self.market_store()?;
        let account = store.account(key).map_err(market_error)?;
        let spec = store
            .category_spec(account.id, ext_id)
            .map_err(market_error)?
            .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("category {ext_id} is not loaded")))?;
        let attr = spec.dict.attributes.iter().find(|a| a.attr_id == attr_id).ok_or_else(|| {
            AppError::new(ErrorCode::NotFound, format!("category {ext_id} has no attribute {attr_id}"))
        })?;
        let rule = match source {
            None => None,
            Some(code) => {
                let source = Source::parse(code).ok_or_else(|| {
                    AppError::invalid(format!(
                        "{code:?} is not a source: write field:NAME, attr:NAME or const:TEXT"
                    ))
                })?;
                let dictionary = attr.dictionary.as_ref().and_then(|d| spec.dict.values.get(d));
                let mut value_map = BTreeMap::new();
                for (mine, theirs) in values {
                    let found = dictionary.and_then(|vals| {
                        vals.iter().find(|v| {
                            v.value_id == theirs.trim()
                                || vitrina_market::value_key(&v.value) == vitrina_market::value_key(theirs)
                        })
                    });
                    let Some(found) = found else {
                        return Err(AppError::invalid(format!("{theirs:?} is not a value of {}", attr.name)));
                    };
                    value_map.insert(vitrina_market::value_key(mine), found.value_id.clone());
                }
                Some(AttrRule { attr_id: attr_id.to_owned(), source, unit_factor, value_map })
            }
        };
        store.set_attr_rule(account.id, ext_id, attr_id, rule.as_ref()).map_err(market_error)?;
        drop(store);
        self.market_attributes(key, ext_id)
    }
}

/// Fetches and stores the attributes of `ext_ids`; returns how many were loaded.
fn load_categories(
    store: &mut MarketStore,
    account: &Account,
    client: &Client,
    ext_ids: &[String],
    now: i64,
    cancel: &dyn Fn() -> bool,
) -> AppResult<u64> {
    let api = api(account.market);
    let mut loaded = 0;
    for ext in ext_ids {
        let Some(category) = store.mp_category(account.id, ext).map_err(market_error)? else { continue };
        let dict = api.fetch_category(client, &category, cancel).map_err(market_error)?;
        store.save_category_dict(account.id, ext, &dict, now).map_err(market_error)?;
        loaded += 1;
    }
    Ok(loaded)
}

/// The seller's categories that hold products (directly), with a few product names each.
fn seller_categories(catalog: &Catalog) -> AppResult<Vec<SellerCategory>> {
    let tree = catalog.export_categories()?;
    let by_rid: HashMap<u64, &vitrina_store::export::ExportCategory> =
        tree.iter().map(|c| (c.id, c)).collect();
    let path_of = |rid: u64| {
        let mut parts = Vec::new();
        let mut at = by_rid.get(&rid).copied();
        while let Some(c) = at {
            parts.push(c.name.clone());
            at = c.parent.and_then(|p| by_rid.get(&p).copied());
        }
        parts.reverse();
        parts.join(" / ")
    };
    let mut out: BTreeMap<u64, SellerCategory> = BTreeMap::new();
    catalog.export_each::<AppError>(
        &vitrina_store::export::Selection::default(),
        vitrina_store::export::ExportOrder::Storage,
        |row| {
            if let Some(rid) = row.category
                && let Some(c) = by_rid.get(&rid)
            {
                let entry = out.entry(rid).or_insert_with(|| SellerCategory {
                    id: c.uuid,
                    path: path_of(rid),
                    products: 0,
                    names: Vec::new(),
                });
                entry.products += 1;
                if entry.names.len() < SAMPLE_NAMES {
                    entry.names.push(row.name.clone());
                }
            }
            Ok(std::ops::ControlFlow::Continue(()))
        },
    )?;
    let mut list: Vec<SellerCategory> = out.into_values().collect();
    list.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(list)
}

/// The characteristic names (with their units) the catalog's products use.
fn characteristic_names(catalog: &Catalog) -> AppResult<Vec<(String, Option<String>)>> {
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    catalog.export_each::<AppError>(
        &vitrina_store::export::Selection::default(),
        vitrina_store::export::ExportOrder::Storage,
        |row| {
            for a in &row.attributes {
                seen.entry(a.name.clone()).or_insert_with(|| a.unit.clone());
            }
            Ok(std::ops::ControlFlow::Continue(()))
        },
    )?;
    Ok(seen.into_iter().collect())
}

fn category_dto(c: &MpCategory) -> MpCategoryDto {
    MpCategoryDto {
        ext_id: c.ext_id.clone(),
        parent_id: c.parent_id.clone(),
        name: c.name.clone(),
        path: c.path.clone(),
        leaf: c.leaf,
    }
}
