//! Where a team's database is and who signs in: a `postgres://` URL plus the team's schema, and
//! the join code that carries it to a new member.
//!
//! `postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=prefer&schema=vitrina` — `sslmode` as
//! libpq reads it (`disable`, `allow`, `prefer` (the default), `require`, `verify-ca`,
//! `verify-full`), `sslrootcert` a file of roots to trust, `schema` the team's schema (and the
//! prefix of its roles; `vitrina` when absent). A join code is the same URL, with the new
//! member's own password, in a form that survives copying: `vtj1-` and base64url.
//! `Debug` and [`TeamUrl::redacted`] never show the password.

use std::fmt;

use crate::error::{Result, SyncError, SyncErrorKind};

/// How to use TLS, as libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// TLS when the server offers it, without checking its certificate (`allow`, `prefer`).
    Prefer,
    /// TLS always; the certificate is checked only against `sslrootcert` when one is given.
    Require,
    /// TLS, the certificate checked against the trusted roots, not the host name.
    VerifyCa,
    /// TLS, the certificate checked against the trusted roots and the host name.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    fn code(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

pub const DEFAULT_SCHEMA: &str = "vitrina";
const CODE_PREFIX: &str = "vtj1-";

#[derive(Clone, PartialEq, Eq)]
pub struct TeamUrl {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    password: Option<String>,
    pub schema: String,
    pub sslmode: SslMode,
    pub sslrootcert: Option<String>,
}

impl fmt::Debug for TeamUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl TeamUrl {
    /// Reads a URL or a join code.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if let Some(code) = text.strip_prefix(CODE_PREFIX) {
            let bytes =
                base64url_decode(code).ok_or_else(|| bad("the join code is damaged (copy it whole)"))?;
            let url =
                String::from_utf8(bytes).map_err(|_| bad("the join code is damaged (copy it whole)"))?;
            return Self::parse_url(&url);
        }
        Self::parse_url(text)
    }

    fn parse_url(text: &str) -> Result<Self> {
        let rest =
            text.strip_prefix("postgres://").or_else(|| text.strip_prefix("postgresql://")).ok_or_else(
                || bad("a team's address starts with postgres:// (or is a join code starting with vtj1-)"),
            )?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((user, pw)) => (decode(user)?, Some(decode(pw)?)),
                None => (decode(u)?, None),
            },
            None => (String::new(), None),
        };
        let (host, port) = match hostport.strip_prefix('[') {
            // [::1]:5432
            Some(v6) => {
                let (host, after) =
                    v6.split_once(']').ok_or_else(|| bad("an IPv6 address in [ ] is not closed"))?;
                (host.to_string(), after.strip_prefix(':'))
            }
            None => match hostport.rsplit_once(':') {
                Some((host, port)) => (host.to_string(), Some(port)),
                None => (hostport.to_string(), None),
            },
        };
        let port = match port {
            Some(p) => p.parse::<u16>().map_err(|_| bad(&format!("\"{p}\" is not a port number")))?,
            None => 5432,
        };
        if host.is_empty() {
            return Err(bad("the address names no server"));
        }
        let mut url = TeamUrl {
            host,
            port,
            database: if database.is_empty() { "postgres".into() } else { decode(database)? },
            user,
            password,
            schema: DEFAULT_SCHEMA.into(),
            sslmode: SslMode::Prefer,
            sslrootcert: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value)?;
            match key {
                "sslmode" => {
                    url.sslmode = SslMode::parse(&value)
                        .ok_or_else(|| bad(&format!("sslmode=\"{value}\" is not a libpq sslmode")))?
                }
                "sslrootcert" => url.sslrootcert = Some(value),
                "schema" => url.schema = value,
                "user" => url.user = value,
                "password" => url.password = Some(value),
                _ => {}
            }
        }
        if url.user.is_empty() {
            return Err(bad("the address names no user (postgres://USER:PASSWORD@host/database)"));
        }
        check_schema(&url.schema)?;
        Ok(url)
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The same server and team, signing in as `user` with `password`.
    pub fn with_credentials(&self, user: &str, password: Option<&str>) -> Self {
        TeamUrl { user: user.to_string(), password: password.map(str::to_string), ..self.clone() }
    }

    /// The URL, with the password when `with_password`.
    pub fn to_url(&self, with_password: bool) -> String {
        let mut out = format!("postgres://{}", encode(&self.user));
        if let (true, Some(pw)) = (with_password, &self.password) {
            out.push(':');
            out.push_str(&encode(pw));
        }
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        out.push_str(&format!(
            "@{host}:{}/{}?sslmode={}",
            self.port,
            encode(&self.database),
            self.sslmode.code()
        ));
        if let Some(root) = &self.sslrootcert {
            out.push_str(&format!("&sslrootcert={}", encode(root)));
        }
        if self.schema != DEFAULT_SCHEMA {
            out.push_str(&format!("&schema={}", encode(&self.schema)));
        }
        out
    }

    /// The URL without its password.
    pub fn redacted(&self) -> String {
        self.to_url(false)
    }

    /// The join code for this URL (password included): what an admin hands a new member.
    pub fn join_code(&self) -> String {
        format!("{CODE_PREFIX}{}", base64url_encode(self.to_url(true).as_bytes()))
    }

    /// `host:port/database` as shown to people.
    pub fn place(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.database)
    }

    pub(crate) fn pg_config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .dbname(&self.database)
            .user(&self.user)
            .application_name("vitrina")
            .connect_timeout(std::time::Duration::from_secs(10))
            // A lost network shows within about 25 s instead of the system's hours.
            .keepalives(true)
            .keepalives_idle(std::time::Duration::from_secs(10))
            .keepalives_interval(std::time::Duration::from_secs(5))
            .keepalives_retries(3)
            .ssl_mode(match self.sslmode {
                SslMode::Disable => tokio_postgres::config::SslMode::Disable,
                SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
                _ => tokio_postgres::config::SslMode::Require,
            });
        if let Some(pw) = &self.password {
            config.password(pw);
        }
        config
    }
}

/// A team's schema name: its roles are named after it, so it stays a plain identifier.
pub fn check_schema(schema: &str) -> Result<()> {
    let ok = (1..=30).contains(&schema.len())
        && schema.starts_with(|c: char| c.is_ascii_lowercase())
        && schema.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(bad(&format!(
            "\"{schema}\" cannot name a team: use up to 30 lower-case Latin letters, digits and _, starting with a letter"
        )))
    }
}

fn bad(message: &str) -> SyncError {
    SyncError::new(SyncErrorKind::BadUrl, message.to_string())
}

fn decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .ok_or_else(|| bad("a % in the address is not followed by two hex digits"))?;
                out.push(
                    u8::from_str_radix(hex, 16)
                        .map_err(|_| bad("a % in the address is not followed by two hex digits"))?,
                );
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| bad("the address is not UTF-8 text"))
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').collect();
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_reads_with_its_parts_and_hides_its_password() {
        let url =
            TeamUrl::parse("postgres://ann:p%40ss@db.example.com:6543/shop?sslmode=require&schema=team1")
                .unwrap();
        assert_eq!((url.host.as_str(), url.port, url.database.as_str()), ("db.example.com", 6543, "shop"));
        assert_eq!((url.user.as_str(), url.password()), ("ann", Some("p@ss")));
        assert_eq!((url.schema.as_str(), url.sslmode), ("team1", SslMode::Require));
        assert!(!format!("{url:?}").contains("p@ss") && !format!("{url:?}").contains("p%40ss"));
        assert_eq!(TeamUrl::parse(&url.to_url(true)).unwrap(), url);
        let plain = TeamUrl::parse("postgresql://bob@localhost/").unwrap();
        assert_eq!((plain.port, plain.database.as_str(), plain.sslmode), (5432, "postgres", SslMode::Prefer));
    }

    #[test]
    fn a_join_code_carries_the_url_with_the_members_password() {
        // The password percent-encoded, as in any URL: a `/` or `?` in it would end the authority.
        let url = TeamUrl::parse("postgres://vitrina_m_ann:%D0%97x9%2F%2B%3F%26@10.0.0.5:5432/shop").unwrap();
        let code = url.join_code();
        assert!(code.starts_with("vtj1-") && code[5..].bytes().all(|b| B64.contains(&b)), "{code}");
        assert_eq!(TeamUrl::parse(&code).unwrap(), url);
        assert_eq!(TeamUrl::parse(&code).unwrap().password(), Some("Зx9/+?&"));
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        for (text, says) in [
            ("mysql://a@b/c", "postgres://"),
            ("postgres://a@b:port/c", "port"),
            ("postgres://host/db", "no user"),
            ("postgres://a@b/c?sslmode=maybe", "sslmode"),
            ("postgres://a@b/c?schema=Bad-Name", "cannot name a team"),
            ("vtj1-@@@", "damaged"),
        ] {
            let e = TeamUrl::parse(text).unwrap_err();
            assert_eq!(e.kind, SyncErrorKind::BadUrl);
            assert!(e.message.contains(says), "{text}: {}", e.message);
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }
    }
}
