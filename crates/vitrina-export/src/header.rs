//! The header of a profile's file: the seller's shop as the profile names it, the category
//! tree, delivery options.

use std::sync::Arc;

use vitrina_formats::write::{DeliveryOption, FeedCategory, FeedHeader};

use crate::profile::{FeedFormat, FeedProfile};
use crate::run::RunOptions;

/// The category YML offers without one of their own go to (YML requires a `categoryId`; a
/// supplier's price list often has no categories): one more root, numbered after the others.
pub(crate) fn fallback_category(profile: &FeedProfile, categories: &[FeedCategory]) -> Option<FeedCategory> {
    (profile.format == FeedFormat::Yml).then(|| FeedCategory {
        id: categories.iter().map(|c| c.id).max().unwrap_or(0) + 1,
        parent: None,
        name: if profile.settings.lang == "en" { "Other".into() } else { "Прочее".into() },
    })
}

pub(crate) fn header_for(
    profile: &FeedProfile,
    categories: &Arc<Vec<FeedCategory>>,
    options: &RunOptions,
) -> FeedHeader {
    let shop = &profile.settings.shop;
    let or = |s: &str, fallback: &str| {
        if s.trim().is_empty() { fallback.to_string() } else { s.trim().to_string() }
    };
    FeedHeader {
        shop_name: or(&shop.name, &profile.name),
        company: or(&shop.company, &or(&shop.name, &profile.name)),
        url: shop.url.trim().to_string(),
        email: shop.email.trim().to_string(),
        platform: options.platform.clone(),
        version: options.version.clone(),
        currency: or(&shop.currency, "RUB").to_ascii_uppercase(),
        generated_at_ms: options.now_ms,
        utc_offset_minutes: options.utc_offset_minutes,
        categories: categories.iter().cloned().chain(fallback_category(profile, categories)).collect(),
        delivery_options: profile
            .settings
            .yml
            .delivery
            .iter()
            .map(|d| DeliveryOption {
                cost_minor: d.cost,
                days: d.days.clone(),
                order_before: d.order_before,
            })
            .collect(),
    }
}
