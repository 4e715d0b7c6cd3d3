//! Secrets (API keys, tokens, passwords) in the OS keyring: Windows Credential Manager, macOS
//! Keychain, Secret Service on Linux. Vitrina asks the keyring only whether a secret is set and
//! hands values to it; no value is ever returned to a front end, logged, or written to the
//! catalog or the settings file, and errors never quote one.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::SecretStatus;

/// The keyring service name Vitrina's entries are filed under.
pub const SERVICE: &str = "app.vitrina.Vitrina";

/// The secrets Vitrina knows, by stable name.
pub const NAMES: [&str; 7] = [
    "wildberries.token",
    "ozon.client_id",
    "ozon.api_key",
    "yandex_market.token",
    "ai.api_key",
    "telegram.bot_token",
    "smtp.password",
];

/// Where secrets are kept.
pub trait SecretStore: Send + Sync + fmt::Debug {
    fn is_set(&self, name: &str) -> Result<bool, String>;
    /// The value, for the code that signs in with it (never for a front end).
    fn get(&self, name: &str) -> Result<Option<String>, String>;
    fn set(&self, name: &str, value: &str) -> Result<(), String>;
    fn delete(&self, name: &str) -> Result<(), String>;
}

/// The OS keyring.
#[derive(Debug, Default)]
pub struct KeyringStore;

impl KeyringStore {
    /// The platform's keyring. On Linux, `VITRINA_KEYRING=keyutils` chooses the kernel keyring
    /// of the session instead of Secret Service (headless machines and tests, DESIGN §11).
    pub fn new() -> Self {
        #[cfg(target_os = "linux")]
        if std::env::var("VITRINA_KEYRING").as_deref() == Ok("keyutils") {
            keyring::set_default_credential_builder(keyring::keyutils::default_credential_builder());
        }
        KeyringStore
    }

    fn entry(name: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, name).map_err(describe)
    }
}

/// A keyring error in words that never include a secret.
fn describe(e: keyring::Error) -> String {
    match e {
        keyring::Error::NoStorageAccess(_) => "the OS keyring is locked or unavailable".into(),
        keyring::Error::PlatformFailure(_) => "the OS keyring failed".into(),
        keyring::Error::TooLong(what, max) => format!("the {what} is longer than the keyring allows ({max})"),
        keyring::Error::Invalid(what, _) => format!("the keyring refused the {what}"),
        _ => "the OS keyring refused the request".into(),
    }
}

impl SecretStore for KeyringStore {
    fn is_set(&self, name: &str) -> Result<bool, String> {
        match Self::entry(name)?.get_password() {
            Ok(_) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(describe(e)),
        }
    }

    fn get(&self, name: &str) -> Result<Option<String>, String> {
        match Self::entry(name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        Self::entry(name)?.set_password(value).map_err(describe)
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        match Self::entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        }
    }
}

/// Secrets in memory, for tests.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryStore(<redacted>)")
    }
}

impl SecretStore for MemoryStore {
    fn is_set(&self, name: &str) -> Result<bool, String> {
        Ok(self.0.lock().map_err(|_| "poisoned")?.contains_key(name))
    }
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().map_err(|_| "poisoned")?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        self.0.lock().map_err(|_| "poisoned")?.insert(name.into(), value.into());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        self.0.lock().map_err(|_| "poisoned")?.remove(name);
        Ok(())
    }
}

/// The secrets use cases over a store.
#[derive(Debug)]
pub struct Secrets {
    store: Box<dyn SecretStore>,
}

impl Secrets {
    pub fn new(store: Box<dyn SecretStore>) -> Self {
        Secrets { store }
    }

    fn known(name: &str) -> AppResult<&'static str> {
        NAMES.iter().copied().find(|n| *n == name).ok_or_else(|| {
            AppError::invalid(format!("unknown secret \"{name}\"; known: {}", NAMES.join(", ")))
        })
    }

    fn keyring_error(message: String) -> AppError {
        AppError::new(ErrorCode::Io, message)
    }

    /// Whether each known secret is set; a keyring that cannot be read reports the error.
    pub fn status(&self) -> AppResult<Vec<SecretStatus>> {
        NAMES
            .iter()
            .map(|name| {
                let set = self.store.is_set(name).map_err(Self::keyring_error)?;
                Ok(SecretStatus { name: (*name).into(), set })
            })
            .collect()
    }

    /// Stores a secret; an empty value removes it.
    pub fn set(&self, name: &str, value: &str) -> AppResult<()> {
        let name = Self::known(name)?;
        let value = value.trim();
        if value.is_empty() {
            return self.delete(name);
        }
        self.store.set(name, value).map_err(Self::keyring_error)?;
        tracing::info!(secret = name, "secret stored in the OS keyring");
        Ok(())
    }

    /// Stores the password or token of a supplier's feed (`supplier.<id>.source.<n>`, see
    /// `imports::source_secret_name`); an empty value removes it.
    pub fn set_feed_secret(&self, name: &str, value: &str) -> AppResult<()> {
        let name = Self::feed(name)?;
        let value = value.trim();
        if value.is_empty() {
            self.store.delete(name).map_err(Self::keyring_error)?;
            tracing::info!(secret = name, "feed secret removed from the OS keyring");
        } else {
            self.store.set(name, value).map_err(Self::keyring_error)?;
            tracing::info!(secret = name, "feed secret stored in the OS keyring");
        }
        Ok(())
    }

    /// Whether a supplier feed's secret is set.
    pub fn feed_secret_set(&self, name: &str) -> AppResult<bool> {
        self.store.is_set(Self::feed(name)?).map_err(Self::keyring_error)
    }

    fn feed(name: &str) -> AppResult<&str> {
        if name.starts_with("supplier.") && name.contains(".source.") {
            Ok(name)
        } else {
            Err(AppError::invalid(format!("\"{name}\" is not the name of a feed secret")))
        }
    }

    pub fn delete(&self, name: &str) -> AppResult<()> {
        let name = Self::known(name)?;
        self.store.delete(name).map_err(Self::keyring_error)?;
        tracing::info!(secret = name, "secret removed from the OS keyring");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_tells_only_whether_a_secret_is_set() {
        let secrets = Secrets::new(Box::<MemoryStore>::default());
        assert!(secrets.status().unwrap().iter().all(|s| !s.set));
        secrets.set("ozon.api_key", "  s3cr3t-value  ").unwrap();
        let status = secrets.status().unwrap();
        assert!(status.iter().any(|s| s.name == "ozon.api_key" && s.set));
        let shown = format!("{status:?} {secrets:?} {}", serde_json::to_string(&status).unwrap());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        secrets.set("ozon.api_key", "").unwrap();
        assert!(secrets.status().unwrap().iter().all(|s| !s.set));
        let e = secrets.set("bank.pin", "1234").unwrap_err();
        assert!(!e.message.contains("1234"), "{e}");
    }
}
