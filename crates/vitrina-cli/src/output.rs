//! Printing: tables for people, JSON for scripts.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use vitrina_domain::Money;
use vitrina_domain::money::format_minor;

pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// Writes to stdout; a closed pipe (`vitrina … | head`) is not an error worth reporting.
pub fn print(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

pub fn json<T: Serialize>(value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    print(text);
    Ok(())
}

/// `1 299,50 ₽`
pub fn money(m: &Money) -> String {
    let sign = if m.currency.as_str() == "RUB" { "₽".to_string() } else { m.currency.to_string() };
    format!("{} {sign}", format_minor(m.minor, m.currency.exponent()))
}

pub fn opt_money(m: &Option<Money>) -> String {
    m.as_ref().map(money).unwrap_or_default()
}

/// UTC milliseconds → `2026-11-22 14:05 UTC`.
pub fn utc(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}
