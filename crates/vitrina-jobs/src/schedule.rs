//! When schedules fire: fixed intervals and cron expressions (croner), and the rule that missed
//! ticks are skipped — after a sleep or a day switched off, a schedule fires once and moves
//! to its next future tick instead of replaying every tick it missed.

use std::str::FromStr;
use std::time::Duration;

use crate::store::Cadence;
use chrono::{DateTime, Local, TimeZone, Utc};
use croner::Cron;

use crate::error::{JobsError, Result};

/// The clock cron expressions are read in. People write "0 3 * * *" meaning 03:00 where they
/// are, so the runner uses local time; tests use UTC to be deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CronZone {
    #[default]
    Local,
    Utc,
}

/// `30s`, `15m`, `2h`, `1d`, `1h 30m` → milliseconds (at least one second).
pub fn parse_interval(text: &str) -> Result<u64> {
    let d = humantime::parse_duration(text.trim()).map_err(|_| JobsError::BadInterval(text.into()))?;
    if d < Duration::from_secs(1) {
        return Err(JobsError::BadInterval(text.into()));
    }
    Ok(d.as_millis().min(u128::from(u64::MAX)) as u64)
}

/// Parses a cron expression (5 fields, or 6 with seconds first; `@daily` and friends), refusing
/// one that does not parse or can never fire, with the reason.
pub fn parse_cron(expr: &str) -> Result<Cron> {
    let bad = |reason: String| JobsError::BadCron { expr: expr.to_string(), reason };
    let cron = Cron::from_str(expr).map_err(|e| bad(explain(expr, &e)))?;
    cron.find_next_occurrence(&Utc::now(), false)
        .map_err(|_| bad("it never matches a real date and time".to_string()))?;
    Ok(cron)
}

/// croner's reason names no field ("Number out of bounds"): find the field that fails on its
/// own and say which it is and what it allows.
fn explain(expr: &str, err: &croner::errors::CronError) -> String {
    const FIELDS: [(&str, &str); 6] = [
        ("second", "0-59"),
        ("minute", "0-59"),
        ("hour", "0-23"),
        ("day-of-month", "1-31"),
        ("month", "1-12 or JAN-DEC"),
        ("day-of-week", "0-7 or SUN-SAT"),
    ];
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let names = match fields.len() {
        5 => &FIELDS[1..],
        6 => &FIELDS[..],
        _ if expr.trim_start().starts_with('@') => return err.to_string(),
        n => {
            return format!(
                "it has {n} fields; write 5 — minute hour day-of-month month day-of-week — like \"0 3 * * *\" \
                 for 03:00 every day"
            );
        }
    };
    for (i, ((name, allowed), field)) in names.iter().zip(&fields).enumerate() {
        let probe: Vec<&str> =
            fields.iter().enumerate().map(|(j, f)| if i == j { *f } else { "*" }).collect();
        if Cron::from_str(&probe.join(" ")).is_err() {
            let reason = err.to_string();
            let reason = reason.trim_end_matches('.');
            return format!("the {name} field \"{field}\" is not valid ({reason}); it takes {allowed}");
        }
    }
    err.to_string()
}

/// Checks a cadence before it is stored.
pub fn validate(cadence: &Cadence) -> Result<()> {
    match cadence {
        Cadence::Every(ms) if *ms < 1000 => Err(JobsError::BadInterval(format!("{ms} ms"))),
        Cadence::Every(_) => Ok(()),
        Cadence::Cron(expr) => parse_cron(expr).map(|_| ()),
    }
}

fn next_cron_in<Tz: TimeZone>(cron: &Cron, now: DateTime<Tz>) -> Option<u64> {
    cron.find_next_occurrence(&now, false).ok().map(|t| t.timestamp_millis().max(0) as u64)
}

/// The first tick strictly after `now`. An interval keeps its phase from `due` (the tick that
/// was due); every tick between `due` and `now` is skipped.
pub fn next_tick(cadence: &Cadence, now: u64, due: Option<u64>, zone: CronZone) -> Result<u64> {
    match cadence {
        Cadence::Every(ms) => {
            let ms = (*ms).max(1);
            Ok(match due {
                Some(due) if due <= now => due + ms * ((now - due) / ms + 1),
                Some(due) => due,
                None => now + ms,
            })
        }
        Cadence::Cron(expr) => {
            let cron = parse_cron(expr)?;
            let at = Utc.timestamp_millis_opt(now as i64).single().unwrap_or_default();
            let next = match zone {
                CronZone::Utc => next_cron_in(&cron, at),
                CronZone::Local => next_cron_in(&cron, at.with_timezone(&Local)),
            };
            next.ok_or_else(|| JobsError::BadCron {
                expr: expr.clone(),
                reason: "it has no next date and time".into(),
            })
        }
    }
}

/// A moment as a person names it: `2026-01-05` (midnight UTC), `2026-01-05T14:30` (UTC), or a
/// span back from `now`: `90m`, `12h`, `7d`.
pub fn parse_time(text: &str, now: u64) -> Result<u64> {
    let text = text.trim();
    let ms = |t: chrono::NaiveDateTime| t.and_utc().timestamp_millis().max(0) as u64;
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(ms(d.and_hms_opt(0, 0, 0).unwrap_or_default()));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(ms(t));
        }
    }
    match humantime::parse_duration(text) {
        Ok(span) => Ok(now.saturating_sub(span.as_millis() as u64)),
        Err(_) => Err(JobsError::Invalid(format!(
            "\"{text}\" is not a time; write 2026-01-05, 2026-01-05T14:30 (UTC) or a span back from now like 12h or 7d"
        ))),
    }
}

/// For people: "every 15m", "0 3 * * * (At 03:00)".
pub fn describe(cadence: &Cadence) -> String {
    match cadence {
        Cadence::Every(ms) => {
            format!("every {}", humantime::format_duration(Duration::from_millis(*ms)))
        }
        Cadence::Cron(expr) => match Cron::from_str(expr) {
            Ok(c) => format!("{expr} ({})", c.describe().trim_end_matches('.')),
            Err(_) => expr.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    const MIN: u64 = 60_000;
    /// 2026-01-05 00:00:00 UTC, a Monday.
    const T0: u64 = 1_767_571_200_000;

    #[rstest]
    #[case("30s", 30_000)]
    #[case("15m", 15 * MIN)]
    #[case("2h", 120 * MIN)]
    #[case("1d", 1440 * MIN)]
    #[case("1h 30m", 90 * MIN)]
    fn intervals_parse(#[case] text: &str, #[case] ms: u64) {
        assert_eq!(parse_interval(text).unwrap(), ms);
    }

    #[rstest]
    #[case("")]
    #[case("fast")]
    #[case("10")]
    #[case("100ms")]
    fn bad_intervals_are_refused(#[case] text: &str) {
        assert!(matches!(parse_interval(text), Err(JobsError::BadInterval(_))), "{text}");
    }

    #[test]
    fn an_interval_skips_missed_ticks_and_keeps_its_phase() {
        let every = Cadence::Every(10 * MIN);
        assert_eq!(next_tick(&every, T0, None, CronZone::Utc).unwrap(), T0 + 10 * MIN);
        // Due at T0, the runner only got to it 35 minutes later: the next tick is T0+40m, not
        // T0+10m (which would replay the three missed ticks one after another).
        assert_eq!(next_tick(&every, T0 + 35 * MIN, Some(T0), CronZone::Utc).unwrap(), T0 + 40 * MIN);
        assert_eq!(next_tick(&every, T0 + 40 * MIN, Some(T0), CronZone::Utc).unwrap(), T0 + 50 * MIN);
    }

    #[test]
    fn cron_finds_the_next_future_match_only() {
        let nightly = Cadence::Cron("0 3 * * *".into());
        assert_eq!(next_tick(&nightly, T0, None, CronZone::Utc).unwrap(), T0 + 180 * MIN);
        // Three days asleep: the next tick is tomorrow's, not the three that were missed.
        let late = T0 + 3 * 1440 * MIN + 200 * MIN;
        assert_eq!(
            next_tick(&nightly, late, Some(T0 + 180 * MIN), CronZone::Utc).unwrap(),
            T0 + 4 * 1440 * MIN + 180 * MIN
        );
        let weekdays = Cadence::Cron("30 9 * * MON-FRI".into());
        // Saturday 2026-01-10 10:00 → Monday 2026-01-12 09:30.
        let saturday = T0 + 5 * 1440 * MIN + 600 * MIN;
        assert_eq!(
            next_tick(&weekdays, saturday, None, CronZone::Utc).unwrap(),
            T0 + 7 * 1440 * MIN + 570 * MIN
        );
    }

    #[rstest]
    #[case("61 * * * *")]
    #[case("* * *")]
    #[case("every day")]
    #[case("0 0 30 2 *")]
    fn bad_cron_is_refused_with_a_reason(#[case] expr: &str) {
        let err = validate(&Cadence::Cron(expr.into())).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, JobsError::BadCron { .. }) && text.contains(expr), "{text}");
        assert!(text.len() > expr.len() + 40, "the reason is given: {text}");
    }

    #[test]
    fn times_are_dates_or_spans_back_from_now() {
        assert_eq!(parse_time("2026-01-05", 0).unwrap(), T0);
        assert_eq!(parse_time("2026-01-05T03:00", 0).unwrap(), T0 + 180 * MIN);
        assert_eq!(parse_time("7d", T0 + 7 * 1440 * MIN).unwrap(), T0);
        assert_eq!(parse_time("90m", T0 + 100 * MIN).unwrap(), T0 + 10 * MIN);
        assert!(matches!(parse_time("yesterday", T0), Err(JobsError::Invalid(_))));
    }

    #[test]
    fn a_bad_field_is_named() {
        let err = parse_cron("0 25 * * *").unwrap_err().to_string();
        assert!(err.contains("the hour field \"25\"") && err.contains("0-23"), "{err}");
        let err = parse_cron("* * *").unwrap_err().to_string();
        assert!(err.contains("it has 3 fields; write 5"), "{err}");
    }

    #[test]
    fn descriptions_read_naturally() {
        assert_eq!(describe(&Cadence::Every(15 * MIN)), "every 15m");
        assert!(describe(&Cadence::Cron("0 3 * * *".into())).starts_with("0 3 * * * ("));
    }
}
