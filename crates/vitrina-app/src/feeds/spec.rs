//! Profile settings from short texts a person types (the CLI's flags): an upload target as a
//! link, a price, a markup, a delivery option.

use crate::error::{AppError, AppResult};
use crate::ipc::{DeliveryOptionDto, DeliveryTargetDto};

/// `s3://bucket/prefix`, `ftp://user@host:21/dir`, `ftps://…`, `folder:/path` or a plain path
/// (a folder). S3's endpoint and region come separately (`--endpoint`, `--region`).
pub fn target_from_spec(spec: &str) -> AppResult<DeliveryTargetDto> {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(AppError::invalid("s3:// needs a bucket: s3://BUCKET/folder/"));
        }
        return Ok(DeliveryTargetDto {
            kind: "s3".into(),
            bucket: bucket.into(),
            prefix: prefix.into(),
            public_read: true,
            ..Default::default()
        });
    }
    for (scheme, secure) in [("ftp://", false), ("ftps://", true)] {
        if let Some(rest) = spec.strip_prefix(scheme) {
            let (authority, dir) = rest.split_once('/').unwrap_or((rest, ""));
            let (user, host_port) = authority.rsplit_once('@').ok_or_else(|| {
                AppError::invalid(format!("{scheme} needs a user: {scheme}USER@HOST/folder"))
            })?;
            let (host, port) = match host_port.rsplit_once(':') {
                Some((h, p)) => {
                    (h, p.parse::<u16>().map_err(|_| AppError::invalid(format!("\"{p}\" is not a port")))?)
                }
                None => (host_port, 21),
            };
            if host.is_empty() || user.is_empty() {
                return Err(AppError::invalid(format!(
                    "{scheme} needs a user and a host: {scheme}USER@HOST/folder"
                )));
            }
            return Ok(DeliveryTargetDto {
                kind: "ftp".into(),
                host: host.into(),
                port,
                secure,
                user: user.into(),
                dir: dir.into(),
                ..Default::default()
            });
        }
    }
    let path = spec.strip_prefix("folder:").unwrap_or(spec);
    if path.is_empty() || path.contains("://") {
        return Err(AppError::invalid(format!(
            "\"{spec}\" is not an upload target; use s3://BUCKET/prefix, ftp://USER@HOST/dir, ftps://… or a folder"
        )));
    }
    Ok(DeliveryTargetDto { kind: "folder".into(), path: path.into(), ..Default::default() })
}

/// A price as a person writes it (`1 299,50`, `1299.5`) in minor units.
pub fn price_from_text(text: &str) -> AppResult<i64> {
    vitrina_domain::parse_minor_units(text, 2)
        .map_err(|e| AppError::invalid(format!("price \"{text}\": {e}")))
}

/// A percentage (`10`, `-5`, `12.5`) in basis points.
pub fn percent_to_bp(percent: f64) -> AppResult<i64> {
    if !percent.is_finite() || percent <= -100.0 || percent > 1000.0 {
        return Err(AppError::invalid("a percentage must be above -100 and at most 1000"));
    }
    Ok((percent * 100.0).round() as i64)
}

/// A delivery option `COST:DAYS[:ORDER_BEFORE]` (`300:1-3:18`, `0:2`).
pub fn delivery_from_text(text: &str) -> AppResult<DeliveryOptionDto> {
    let mut parts = text.split(':');
    let bad = || AppError::invalid(format!("delivery \"{text}\": write COST:DAYS[:HOUR], e.g. 300:1-3:18"));
    let cost = price_from_text(parts.next().ok_or_else(bad)?)?;
    let days = parts.next().ok_or_else(bad)?.trim().to_string();
    if !days.is_empty() && !days.split('-').all(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())) {
        return Err(bad());
    }
    let order_before = match parts.next() {
        Some(h) => Some(h.trim().parse::<u8>().ok().filter(|h| *h <= 24).ok_or_else(bad)?),
        None => None,
    };
    Ok(DeliveryOptionDto { cost, days, order_before })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_links() {
        let s3 = target_from_spec("s3://shop-feeds/feeds/").unwrap();
        assert_eq!(
            (s3.kind.as_str(), s3.bucket.as_str(), s3.prefix.as_str()),
            ("s3", "shop-feeds", "feeds/")
        );
        let ftp = target_from_spec("ftps://seller@ftp.example.ru:2121/www/feeds").unwrap();
        assert_eq!(
            (ftp.host.as_str(), ftp.port, ftp.secure, ftp.user.as_str()),
            ("ftp.example.ru", 2121, true, "seller")
        );
        assert_eq!(ftp.dir, "www/feeds");
        assert_eq!(target_from_spec("/srv/www/feeds").unwrap().kind, "folder");
        assert!(target_from_spec("ftp://host/dir").is_err(), "no user");
        assert!(target_from_spec("http://x").is_err());
    }

    #[test]
    fn prices_percentages_and_delivery() {
        assert_eq!(price_from_text("1 299,50").unwrap(), 129_950);
        assert_eq!(percent_to_bp(12.5).unwrap(), 1_250);
        assert!(percent_to_bp(-100.0).is_err());
        let d = delivery_from_text("300:1-3:18").unwrap();
        assert_eq!((d.cost, d.days.as_str(), d.order_before), (30_000, "1-3", Some(18)));
        assert!(delivery_from_text("300:soon").is_err());
    }
}
