//! Sending cards (`offer-mappings/update`) and asking what became of them (`offer-cards`).
//!
//! YM answers an update at once but applies it later, with no task id: a batch that is
//! accepted is pending until `offer-cards` shows a `cardStatus`. An update is all or nothing:
//! `status:"ERROR"` means no offer of the batch was applied, so the offers with `errors` are
//! rejected and the others go again at once.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Envelope, business_id};
use crate::api::{AwaitItem, Cancel, ExtIds, ItemResult, Link, MarketProblem, OutItem, Outcome};
use crate::error::{ErrorKind, MarketError};
use crate::http::{Client, Endpoint, Method};
use crate::market::Group;

/// Offers per `offer-mappings/update` (the schema allows 500; the docs warn it will shrink).
pub const CARD_BATCH: usize = 100;
/// Offer ids per `offer-cards` request.
pub const STATUS_BATCH: usize = 200;
/// YM applies an update "within a few minutes".
pub const POLL_AFTER: Duration = Duration::from_secs(60);

/// The answer of `offer-mappings/update`: `results` only for offers with errors or warnings.
#[derive(Debug, Clone, Deserialize)]
pub struct UpdateAnswer {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub results: Option<Vec<UpdateResult>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResult {
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    pub errors: Option<Vec<MappingError>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub parameter_id: Option<i64>,
    #[serde(default)]
    pub message: String,
}

pub fn send_cards(
    client: &Client,
    items: &[OutItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let business = business_id(client)?;
    let ep = Endpoint::new(
        Group::Ym,
        "ym.mappings.update",
        Method::POST,
        format!("/v2/businesses/{business}/offer-mappings/update"),
    );
    let mappings: Vec<&Value> = items.iter().map(|i| &i.payload).collect();
    let body = json!({ "offerMappings": mappings });
    let answer: UpdateAnswer = client.json(&ep, Some(&body), items.len() as u32, cancel)?;
    update_results(items, answer)
}

/// Each item's outcome under an update answer. Warnings never block, so only `errors` count.
pub fn update_results(items: &[OutItem], answer: UpdateAnswer) -> Result<Vec<ItemResult>, MarketError> {
    let mut errors: HashMap<String, Vec<MarketProblem>> = HashMap::new();
    for r in answer.results.unwrap_or_default() {
        let problems: Vec<MarketProblem> = r
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|e| MarketProblem {
                code: e.kind,
                field: e.parameter_id.map(|p| p.to_string()),
                attr_name: None,
                message: e.message,
            })
            .collect();
        if !problems.is_empty() {
            errors.entry(r.offer_id).or_default().extend(problems);
        }
    }
    let failed = answer.status == "ERROR";
    if failed && errors.is_empty() {
        return Err(MarketError::new(
            ErrorKind::BadResponse,
            "Yandex Market refused the offers without saying which ones were wrong",
        ));
    }
    Ok(items
        .iter()
        .map(|item| {
            let outcome = match errors.remove(item.offer_id.trim()) {
                Some(problems) => Outcome::Rejected(problems),
                None if failed || !errors.is_empty() => Outcome::Retry {
                    after: Duration::ZERO,
                    reason: MarketProblem::text(
                        "Yandex Market applied nothing of this batch because another offer in it had errors",
                    ),
                },
                None => Outcome::Pending { ext: item.link.ext.clone(), task: None, poll_after: POLL_AFTER },
            };
            ItemResult { offer_id: item.offer_id.clone(), outcome }
        })
        .collect())
}

/// `result` of `offer-cards`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferCards {
    #[serde(default)]
    pub offer_cards: Vec<OfferCard>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferCard {
    pub offer_id: String,
    #[serde(default)]
    pub mapping: Option<CardMapping>,
    #[serde(default)]
    pub card_status: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub errors: Option<Vec<CardError>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardMapping {
    #[serde(default)]
    pub market_sku: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CardError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub comment: Option<String>,
}

pub fn follow_up(
    client: &Client,
    items: &[AwaitItem],
    cancel: Cancel,
) -> Result<Vec<ItemResult>, MarketError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let business = business_id(client)?;
    let mut cards: HashMap<String, OfferCard> = HashMap::new();
    for chunk in items.chunks(STATUS_BATCH) {
        let ep = Endpoint::new(
            Group::Ym,
            "ym.cards.read",
            Method::POST,
            format!("/v2/businesses/{business}/offer-cards?limit={STATUS_BATCH}"),
        );
        let ids: Vec<&str> = chunk.iter().map(|i| i.offer_id.as_str()).collect();
        let answer: Envelope<OfferCards> = client.json(&ep, Some(&json!({ "offerIds": ids })), 1, cancel)?;
        for card in answer.into_result(&ep.path)?.offer_cards {
            cards.insert(card.offer_id.clone(), card);
        }
    }
    Ok(items
        .iter()
        .map(|item| ItemResult {
            offer_id: item.offer_id.clone(),
            outcome: card_outcome(&item.link, cards.remove(item.offer_id.trim())),
        })
        .collect())
}

/// What a `cardStatus` means for the link. A card not listed, or listed without a status, is
/// still being processed ("if `mapping` is absent, Market has not processed the offer yet").
pub fn card_outcome(link: &Link, card: Option<OfferCard>) -> Outcome {
    let Some(card) = card else {
        return Outcome::Pending { ext: link.ext.clone(), task: None, poll_after: POLL_AFTER };
    };
    let ext = link.ext.merged(&ExtIds {
        ext_id: card.mapping.as_ref().and_then(|m| m.market_sku).map(|s| s.to_string()),
        ext_group: card.group_id.clone().filter(|g| !g.is_empty()),
        ext_status: card.card_status.clone().filter(|s| !s.is_empty()),
        ..ExtIds::default()
    });
    let status = card.card_status.unwrap_or_default();
    match status.as_str() {
        // A card on Market (the seller's or Market's own); NO_CARD_ADD_TO_CAMPAIGN is a card in
        // the catalogue that no shop sells yet, which stocks take care of.
        "HAS_CARD_CAN_UPDATE" | "HAS_CARD_CAN_NOT_UPDATE" | "NO_CARD_ADD_TO_CAMPAIGN" => Outcome::Done(ext),
        "NO_CARD_ERRORS" | "HAS_CARD_CAN_UPDATE_ERRORS" | "NO_CARD_NEED_CONTENT" => {
            let mut problems: Vec<MarketProblem> = card
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(|e| MarketProblem {
                    code: Some(status.clone()),
                    message: match e.comment.filter(|c| !c.trim().is_empty()) {
                        Some(comment) => format!("{}: {comment}", e.message),
                        None => e.message,
                    },
                    ..MarketProblem::default()
                })
                .collect();
            if problems.is_empty() {
                problems.push(MarketProblem {
                    code: Some(status.clone()),
                    message: format!("Yandex Market did not create the card ({status})"),
                    ..MarketProblem::default()
                });
            }
            Outcome::Rejected(problems)
        }
        // *_PROCESSING, NO_CARD_MARKET_WILL_CREATE, none yet, or a status newer than this code.
        _ => Outcome::Pending { ext, task: None, poll_after: POLL_AFTER },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(offer: &str) -> OutItem {
        OutItem {
            offer_id: offer.into(),
            payload: json!({"offer": {"offerId": offer}}),
            link: Link { offer_id: offer.into(), ..Link::default() },
        }
    }

    fn answer(v: Value) -> UpdateAnswer {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn an_accepted_batch_is_pending_and_warnings_do_not_block() {
        let items = [item("A"), item("B")];
        let got = update_results(
            &items,
            answer(json!({"status": "OK", "results": [
                {"offerId": "A", "warnings": [{"type": "UNKNOWN_PARAMETER", "parameterId": 1, "message": "ignored"}]}
            ]})),
        )
        .unwrap();
        assert!(got.iter().all(|r| matches!(r.outcome, Outcome::Pending { task: None, .. })), "{got:?}");
    }

    #[test]
    fn an_error_rejects_its_offer_and_sends_the_others_again() {
        let items = [item("A"), item("B"), item("C")];
        let got = update_results(
            &items,
            answer(json!({"status": "ERROR", "results": [
                {"offerId": "B", "errors": [
                    {"type": "UNKNOWN_CATEGORY", "message": "Категория 1 не найдена"},
                    {"type": "UNKNOWN_PARAMETER", "parameterId": 42, "message": "Нет такой характеристики"}]},
                {"offerId": "C", "warnings": [{"type": "NUMBER_FORMAT", "message": "w"}]}
            ]})),
        )
        .unwrap();
        let Outcome::Rejected(problems) = &got[1].outcome else { panic!("{got:?}") };
        assert_eq!(problems[0].code.as_deref(), Some("UNKNOWN_CATEGORY"));
        assert_eq!(problems[0].message, "Категория 1 не найдена");
        assert_eq!(
            (problems[1].field.as_deref(), problems[1].message.as_str()),
            (Some("42"), "Нет такой характеристики")
        );
        for r in [&got[0], &got[2]] {
            assert!(matches!(r.outcome, Outcome::Retry { after: Duration::ZERO, .. }), "{r:?}");
        }
        let silent = update_results(&items, answer(json!({"status": "ERROR"}))).unwrap_err();
        assert_eq!(silent.kind, ErrorKind::BadResponse);
    }

    fn card(v: Value) -> Option<OfferCard> {
        Some(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn card_statuses_decide_the_outcome() {
        let link = Link { offer_id: "A".into(), ..Link::default() };
        let done = card_outcome(
            &link,
            card(json!({"offerId": "A", "cardStatus": "HAS_CARD_CAN_UPDATE", "groupId": "g1",
                        "mapping": {"marketSku": 101_000_000_123_i64}})),
        );
        assert_eq!(
            done,
            Outcome::Done(ExtIds {
                ext_id: Some("101000000123".into()),
                ext_group: Some("g1".into()),
                ext_status: Some("HAS_CARD_CAN_UPDATE".into()),
                ..ExtIds::default()
            })
        );
        for pending in ["NO_CARD_PROCESSING", "HAS_CARD_CAN_UPDATE_PROCESSING", "NO_CARD_MARKET_WILL_CREATE"]
        {
            let o = card_outcome(&link, card(json!({"offerId": "A", "cardStatus": pending})));
            assert!(matches!(o, Outcome::Pending { .. }), "{pending}: {o:?}");
        }
        assert!(matches!(card_outcome(&link, None), Outcome::Pending { .. }));
        let Outcome::Rejected(p) = card_outcome(
            &link,
            card(json!({"offerId": "A", "cardStatus": "NO_CARD_ERRORS",
                        "errors": [{"message": "Фото не загрузилось", "comment": "https://x.ru/1.jpg"}, {"message": "Нет цены"}]})),
        ) else {
            panic!()
        };
        let messages: Vec<_> = p.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["Фото не загрузилось: https://x.ru/1.jpg", "Нет цены"]);
        assert_eq!(p[0].code.as_deref(), Some("NO_CARD_ERRORS"));
        let Outcome::Rejected(p) =
            card_outcome(&link, card(json!({"offerId": "A", "cardStatus": "NO_CARD_NEED_CONTENT"})))
        else {
            panic!()
        };
        assert!(p[0].message.contains("NO_CARD_NEED_CONTENT"));
    }
}
