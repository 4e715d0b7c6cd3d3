//! The cabinet's existing cards (`POST /v2/businesses/{b}/offer-mappings`), a page at a time,
//! for linking and importing.

use serde::Deserialize;
use serde_json::json;

use super::{Envelope, business_id, encode};
use crate::api::{Cancel, ExtIds, RemoteCard};
use crate::error::MarketError;
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Offers per page (the most the method gives).
pub const PAGE: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingsPage {
    #[serde(default)]
    pub paging: Option<super::Paging>,
    #[serde(default)]
    pub offer_mappings: Vec<OfferMapping>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OfferMapping {
    pub offer: Offer,
    #[serde(default)]
    pub mapping: Option<Mapping>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Offer {
    pub offer_id: String,
    pub name: String,
    pub vendor: String,
    pub description: String,
    pub barcodes: Vec<String>,
    pub pictures: Vec<String>,
    pub market_category_id: Option<i64>,
    pub group_id: Option<String>,
    pub parameter_values: Vec<ParameterValue>,
    pub basic_price: Option<Price>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ParameterValue {
    pub parameter_id: i64,
    pub value_id: Option<i64>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Price {
    pub value: f64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Mapping {
    pub market_sku: Option<i64>,
    pub market_category_id: Option<i64>,
    pub market_category_name: Option<String>,
}

pub fn pull_cards(
    client: &Client,
    cursor: Option<&str>,
    cancel: Cancel,
) -> Result<(Vec<RemoteCard>, Option<String>), MarketError> {
    let business = business_id(client)?;
    let mut path = format!("/v2/businesses/{business}/offer-mappings?limit={PAGE}");
    if let Some(token) = cursor.filter(|t| !t.is_empty()) {
        path.push_str(&format!("&pageToken={}", encode(token)));
    }
    let ep = Endpoint::new(Group::Ym, "ym.mappings.read", Method::POST, path);
    let answer: Envelope<MappingsPage> = client.json(&ep, Some(&json!({})), 1, cancel)?;
    let page = answer.into_result(&ep.path)?;
    let next = page.paging.and_then(|p| p.next_page_token).filter(|t| !t.is_empty());
    Ok((page.offer_mappings.into_iter().map(remote_card).collect(), next))
}

/// A card as Vitrina keeps it: Market's category when it placed the offer, else the seller's;
/// the price in kopecks; parameters by id (the answer carries no names).
pub fn remote_card(m: OfferMapping) -> RemoteCard {
    let mapping = m.mapping.unwrap_or_default();
    let o = m.offer;
    RemoteCard {
        ext: ExtIds {
            ext_id: mapping.market_sku.map(|s| s.to_string()),
            ext_group: o.group_id.filter(|g| !g.is_empty()),
            ..ExtIds::default()
        },
        offer_id: o.offer_id,
        name: o.name,
        brand: o.vendor,
        description: o.description,
        barcodes: o.barcodes,
        images: o.pictures,
        category_id: mapping.market_category_id.or(o.market_category_id).map(|c| c.to_string()),
        category_name: mapping.market_category_name,
        price: o.basic_price.map(|p| (p.value * 100.0).round() as i64),
        attributes: o
            .parameter_values
            .into_iter()
            .map(|p| {
                let value = p.value.or_else(|| p.value_id.map(|v| v.to_string())).unwrap_or_default();
                (p.parameter_id.to_string(), value)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_mapping_becomes_a_remote_card() {
        let m: OfferMapping = serde_json::from_value(json!({
            "offer": {"offerId": "RUN-42", "name": "Кроссовки", "vendor": "Ветер", "description": "<p>x</p>",
                      "barcodes": ["4601234567893"], "pictures": ["https://x.ru/1.jpg"], "marketCategoryId": 7811901,
                      "parameterValues": [{"parameterId": 14871214, "valueId": 14871220}, {"parameterId": 7351771, "value": "42"}],
                      "basicPrice": {"value": 5990.5, "currencyId": "RUR"}, "cardStatus": "HAS_CARD_CAN_UPDATE"},
            "mapping": {"marketSku": 101_000_000_001_i64, "marketCategoryId": 7811901, "marketCategoryName": "Кроссовки"}
        }))
        .unwrap();
        let c = remote_card(m);
        assert_eq!((c.offer_id.as_str(), c.brand.as_str()), ("RUN-42", "Ветер"));
        assert_eq!(c.ext.ext_id.as_deref(), Some("101000000001"));
        assert_eq!(
            (c.category_id.as_deref(), c.category_name.as_deref()),
            (Some("7811901"), Some("Кроссовки"))
        );
        assert_eq!(c.price, Some(599_050));
        assert_eq!(
            c.attributes,
            [("14871214".to_owned(), "14871220".to_owned()), ("7351771".into(), "42".into())]
        );
        let bare: OfferMapping = serde_json::from_value(json!({"offer": {"offerId": "X"}})).unwrap();
        assert_eq!(remote_card(bare), RemoteCard { offer_id: "X".into(), ..RemoteCard::default() });
    }
}
