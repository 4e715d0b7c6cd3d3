//! Printing: tables for people, JSON for scripts, errors on stderr.
//!
//! Every `--json` output is a DTO of `vitrina_app::ipc`, the types the window receives (their
//! TypeScript is `ui/src/lib/ipc/types.ts`), and the table of the same command reads the same
//! value. An error is one line on stderr, `vitrina: <sentence>`, or with `--json` the error as
//! the window receives it, `{"code": "not_found", "message": "…"}`; the exit code is 1 either
//! way (clap's own usage errors exit with 2 and are never JSON).

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use vitrina_app::AppError;
use vitrina_app::ipc::MoneyDto;

/// What a command ends with.
pub type Outcome = Result<(), AppError>;

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

pub fn json<T: Serialize>(value: &T) -> Outcome {
    let text = serde_json::to_string_pretty(value).map_err(internal)?;
    print(text);
    Ok(())
}

/// How a command's error reaches the person or the script (see the module's docs).
pub fn error(e: &AppError, as_json: bool) {
    let text = match as_json {
        true => serde_json::to_string(e).unwrap_or_else(|_| e.message.clone()),
        false => format!("vitrina: {}", e.message),
    };
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A failure of the CLI itself (a progress bar's template, JSON that cannot be written).
pub fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(vitrina_app::ErrorCode::Internal, e.to_string())
}

/// The code a DTO's enum value is written as in JSON (`succeeded`, `already_finished`).
pub fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `1 299,50 ₽`
pub fn money(m: &MoneyDto) -> String {
    let sign = if m.currency == "RUB" { "₽" } else { m.currency.as_str() };
    format!("{} {sign}", m.text)
}

pub fn opt_money(m: Option<&MoneyDto>) -> String {
    m.map(money).unwrap_or_default()
}

/// UTC milliseconds → `2026-11-22 14:05 UTC`.
pub fn utc(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}
