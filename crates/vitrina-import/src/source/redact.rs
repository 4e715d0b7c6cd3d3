//! Links as they may be shown in errors and logs: without the secrets suppliers put in them.

use percent_encoding::percent_decode_str;
use reqwest::Url;

const HIDDEN: &str = "***";

/// The link without what may be a secret: the user name and password (`user:pass@`), query
/// values whose names suggest a secret (`token`, `key`, `apikey`, `password`, `secret`,
/// `signature`, `auth`...), path segments that look like random access keys (long mixes of
/// letters and digits, UUIDs) and the fragment. Names, hosts and other parameters stay, so the
/// seller still recognises the link.
///
/// ```
/// use vitrina_import::source::url_display;
/// assert_eq!(
///     url_display("https://bob:pw@supplier.test/price.xml?format=yml&token=s3cr3t"),
///     "https://supplier.test/price.xml?format=yml&token=***"
/// );
/// ```
pub fn url_display(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url.trim()) else {
        return fallback(url);
    };
    if parsed.cannot_be_a_base() {
        return fallback(url);
    }
    // Both fail only for links that cannot have credentials, which is fine.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_fragment(None);
    if let Some(query) = parsed.query() {
        let query = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if !value.is_empty() && secret_name(name) => format!("{name}={HIDDEN}"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        parsed.set_query(Some(&query));
    }
    let path = parsed
        .path()
        .split('/')
        .map(|segment| if key_like(segment) { HIDDEN } else { segment })
        .collect::<Vec<_>>()
        .join("/");
    parsed.set_path(&path);
    parsed.into()
}

/// For text that is not a valid link: drop anything that could be credentials or a query.
fn fallback(url: &str) -> String {
    let url = url.trim();
    let (url, had_query) = match url.find(['?', '#']) {
        Some(i) => (&url[..i], true),
        None => (url, false),
    };
    let (scheme, rest) = match url.find("://") {
        Some(start) => url.split_at(start + 3),
        None => ("", url),
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..host_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let mut shown = format!("{scheme}{rest}");
    if had_query {
        shown.push_str("?…");
    }
    shown
}

fn secret_name(name: &str) -> bool {
    const HINTS: [&str; 9] =
        ["token", "key", "pass", "secret", "sig", "auth", "credential", "session", "pwd"];
    let name = percent_decode_str(name).decode_utf8_lossy().to_ascii_lowercase();
    HINTS.iter().any(|hint| name.contains(hint))
}

/// A path segment that is probably an access key: 20+ characters of letters, digits, `-` and
/// `_`, with both letters and digits, and no dot (file names have extensions).
fn key_like(segment: &str) -> bool {
    segment.len() >= 20
        && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment.bytes().any(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain("https://supplier.test/price.xml", "https://supplier.test/price.xml")]
    #[case::userinfo("https://bob:hunter2@supplier.test/p.csv", "https://supplier.test/p.csv")]
    #[case::user_only("ftp://bob@supplier.test/p.csv", "ftp://supplier.test/p.csv")]
    #[case::query(
        "https://s.test/export?format=yml&apikey=abc&ApiKey=def&page=2&access_token=x&sig=y",
        "https://s.test/export?format=yml&apikey=***&ApiKey=***&page=2&access_token=***&sig=***"
    )]
    #[case::password_param(
        "http://s.test/x?login=bob&password=pw&pwd=pw",
        "http://s.test/x?login=bob&password=***&pwd=***"
    )]
    #[case::empty_value("http://s.test/x?key=", "http://s.test/x?key=")]
    #[case::fragment("https://s.test/p.xml#token=abc", "https://s.test/p.xml")]
    #[case::key_in_path(
        "https://s.test/feeds/8f3a9c2e41b7d5a09e6f/price.xml",
        "https://s.test/feeds/***/price.xml"
    )]
    #[case::uuid_in_path(
        "https://s.test/f/0190b3c4-7d2e-7a1b-9c3d-4e5f60718293.xml",
        "https://s.test/f/0190b3c4-7d2e-7a1b-9c3d-4e5f60718293.xml"
    )]
    #[case::uuid_segment("https://s.test/f/0190b3c4-7d2e-7a1b-9c3d-4e5f60718293/", "https://s.test/f/***/")]
    #[case::words_in_path(
        "https://s.test/catalog/yandex-market-export/",
        "https://s.test/catalog/yandex-market-export/"
    )]
    #[case::not_a_url("bob:pw@host/x?token=1", "host/x?…")]
    #[case::broken_url("https://bob:pw@exa mple/x?token=1", "https://exa mple/x?…")]
    fn hides_secrets(#[case] url: &str, #[case] shown: &str) {
        assert_eq!(url_display(url), shown);
    }
}
