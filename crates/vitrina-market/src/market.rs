//! The three marketplaces and the API groups (hosts) of each.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A marketplace Vitrina publishes to. Its code (`wb`, `ozon`, `ym`) is what the market file,
/// the CLI and the IPC use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Market {
    Wb,
    Ozon,
    Ym,
}

impl Market {
    pub const ALL: [Market; 3] = [Market::Wb, Market::Ozon, Market::Ym];

    pub fn code(self) -> &'static str {
        match self {
            Market::Wb => "wb",
            Market::Ozon => "ozon",
            Market::Ym => "ym",
        }
    }

    /// The name a seller knows it by, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Market::Wb => "Wildberries",
            Market::Ozon => "Ozon",
            Market::Ym => "Yandex Market",
        }
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A marketplace code that is none of `wb`, `ozon`, `ym`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown marketplace {0:?}: use wb, ozon or ym")]
pub struct UnknownMarket(pub String);

impl FromStr for Market {
    type Err = UnknownMarket;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wb" | "wildberries" => Ok(Market::Wb),
            "ozon" => Ok(Market::Ozon),
            "ym" | "yandex" | "yandex-market" | "yandex_market" => Ok(Market::Ym),
            _ => Err(UnknownMarket(s.to_owned())),
        }
    }
}

/// Which host a request goes to. Wildberries has one host per token category; Ozon and Yandex
/// Market have one host each. Rate limits are finer than this: see [`crate::limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    WbContent,
    WbPrices,
    /// Seller warehouses and stocks (and FBS orders).
    WbMarketplace,
    WbCommon,
    Ozon,
    Ym,
}

impl Group {
    pub fn market(self) -> Market {
        match self {
            Group::WbContent | Group::WbPrices | Group::WbMarketplace | Group::WbCommon => Market::Wb,
            Group::Ozon => Market::Ozon,
            Group::Ym => Market::Ym,
        }
    }

    /// The production host (WB `servers` per path item; Ozon's swagger server with a scheme; YM's
    /// server). An account's `base_url` replaces every group's host at once.
    pub fn default_base(self) -> &'static str {
        match self {
            Group::WbContent => "https://content-api.wildberries.ru",
            Group::WbPrices => "https://discounts-prices-api.wildberries.ru",
            Group::WbMarketplace => "https://marketplace-api.wildberries.ru",
            Group::WbCommon => "https://common-api.wildberries.ru",
            Group::Ozon => "https://api-seller.ozon.ru",
            Group::Ym => "https://api.partner.market.yandex.ru",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for m in Market::ALL {
            assert_eq!(m.code().parse::<Market>().unwrap(), m);
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.code()));
        }
        assert_eq!(" Wildberries ".parse::<Market>().unwrap(), Market::Wb);
        assert!("avito".parse::<Market>().unwrap_err().to_string().contains("wb, ozon or ym"));
    }

    #[test]
    fn every_group_belongs_to_its_marketplace_and_uses_https() {
        for g in
            [Group::WbContent, Group::WbPrices, Group::WbMarketplace, Group::WbCommon, Group::Ozon, Group::Ym]
        {
            assert!(g.default_base().starts_with("https://"));
            assert_eq!(g.market() == Market::Wb, g.default_base().ends_with("wildberries.ru"));
        }
    }
}
