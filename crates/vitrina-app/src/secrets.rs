//! Secrets (API keys, tokens, passwords) in a store the environment chooses:
//!
//! - the OS keyring (the default): Windows Credential Manager, macOS Keychain, Secret Service
//!   (GNOME Keyring, KWallet) on Linux;
//! - `VITRINA_KEYRING=keyutils`: the Linux kernel keyring of the login session, for a machine
//!   without a Secret Service (held in memory: gone at reboot);
//! - `VITRINA_CREDENTIALS_FILE=/absolute/path`: a file only its owner can read, for an unattended
//!   `vitrina worker` (see [`CredentialsFile`]); it takes precedence over `VITRINA_KEYRING`.
//!
//! Vitrina asks the store only whether a secret is set and hands values to it; no value is ever
//! returned to a front end, logged, or written to the catalog or the settings file, and errors
//! never quote one. A store that cannot be reached at all ([`SecretErrorKind::Unavailable`]:
//! no Secret Service on this session) reaches the front ends as
//! [`ErrorCode::KeyringUnavailable`], whose message names what is missing and both
//! alternatives; the window words it in the person's language (`ui/src/lib/errors.ts`).
//!
//! Tests use [`MemoryStore`], a [`CredentialsFile`] in a temporary folder, or `keyring`'s mock
//! credentials (errors set on a `MockCredential`), never the machine's keyring.

mod file;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

pub use file::CredentialsFile;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::ipc::{SecretStatus, SecretStoreDto};

/// The keyring service name Vitrina's entries are filed under.
pub const SERVICE: &str = "app.vitrina.Vitrina";

/// `keyutils` chooses the Linux kernel keyring instead of the OS keyring.
pub const KEYRING_ENV: &str = "VITRINA_KEYRING";
/// An absolute path: secrets go to this credentials file instead of a keyring.
pub const CREDENTIALS_FILE_ENV: &str = "VITRINA_CREDENTIALS_FILE";

/// The README section that explains the stores for machines without a desktop keyring.
const README_SECTION: &str = "\"Secrets on a machine without a desktop keyring\" in Vitrina's README";

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

/// Why a store of secrets did not do what was asked. Its message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretError {
    pub kind: SecretErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretErrorKind {
    /// The store cannot be reached at all (no Secret Service on this session, the kernel
    /// keyring blocked): nothing is kept until it runs or another store is chosen.
    Unavailable,
    /// The store answered and refused (a value too long, an unsafe credentials file, a setting
    /// that names no store).
    Refused,
}

impl SecretError {
    pub fn refused(message: impl Into<String>) -> Self {
        SecretError { kind: SecretErrorKind::Refused, message: message.into() }
    }

    fn unavailable(message: impl Into<String>) -> Self {
        SecretError { kind: SecretErrorKind::Unavailable, message: message.into() }
    }
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SecretError {}

/// For the command line, whose commands fail with one sentence.
impl From<SecretError> for String {
    fn from(e: SecretError) -> String {
        e.message
    }
}

/// Where a process keeps its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// Windows Credential Manager, macOS Keychain, Secret Service on Linux.
    OsKeyring,
    /// The Linux kernel keyring of the login session (`VITRINA_KEYRING=keyutils`).
    KernelKeyring,
    /// `VITRINA_CREDENTIALS_FILE`.
    CredentialsFile(PathBuf),
    /// Tests and benchmarks.
    Memory,
}

impl Backend {
    /// The store the environment chooses (see the module's documentation).
    pub fn from_env() -> Result<Backend, SecretError> {
        Self::choose(std::env::var_os(KEYRING_ENV), std::env::var_os(CREDENTIALS_FILE_ENV))
    }

    /// The store chosen by the values of `VITRINA_KEYRING` and `VITRINA_CREDENTIALS_FILE`.
    fn choose(keyring: Option<OsString>, file: Option<OsString>) -> Result<Backend, SecretError> {
        if let Some(file) = file.filter(|f| !f.is_empty()) {
            let path = PathBuf::from(file);
            if !path.is_absolute() {
                return Err(SecretError::refused(format!(
                    "{CREDENTIALS_FILE_ENV} must be an absolute path, not \"{}\"",
                    path.display()
                )));
            }
            return Ok(Backend::CredentialsFile(path));
        }
        match keyring.as_ref().map(|k| k.to_string_lossy()).as_deref() {
            None | Some("") => Ok(Backend::OsKeyring),
            Some("keyutils") if cfg!(target_os = "linux") => Ok(Backend::KernelKeyring),
            Some("keyutils") => Err(SecretError::refused(format!(
                "{KEYRING_ENV}=keyutils: the kernel keyring exists only on Linux; keep secrets in a file \
                 only you can read instead: {CREDENTIALS_FILE_ENV}=/absolute/path (see {README_SECTION})"
            ))),
            Some(other) => Err(SecretError::refused(format!(
                "{KEYRING_ENV}=\"{other}\" names no keyring: set it to keyutils (the Linux kernel keyring), \
                 or leave it unset for the OS keyring"
            ))),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::OsKeyring => f.write_str("the OS keyring"),
            Backend::KernelKeyring => f.write_str("the kernel keyring"),
            Backend::CredentialsFile(path) => write!(f, "the credentials file {}", path.display()),
            Backend::Memory => f.write_str("memory"),
        }
    }
}

impl From<&Backend> for SecretStoreDto {
    fn from(b: &Backend) -> Self {
        match b {
            Backend::OsKeyring => SecretStoreDto::OsKeyring,
            Backend::KernelKeyring => SecretStoreDto::KernelKeyring,
            Backend::CredentialsFile(path) => {
                SecretStoreDto::CredentialsFile { path: path.display().to_string() }
            }
            Backend::Memory => SecretStoreDto::Memory,
        }
    }
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync + fmt::Debug {
    fn is_set(&self, name: &str) -> Result<bool, SecretError>;
    /// The value, for the code that signs in with it (never for a front end).
    fn get(&self, name: &str) -> Result<Option<String>, SecretError>;
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    /// Which store this is (shown in Settings; never a value).
    fn backend(&self) -> Backend;
}

/// The store the environment chooses ([`Backend::from_env`]): the OS keyring unless
/// `VITRINA_KEYRING` or `VITRINA_CREDENTIALS_FILE` says otherwise. A setting that names no
/// usable store fails every call with a sentence saying why.
#[derive(Debug)]
pub struct KeyringStore {
    backend: Backend,
    misconfigured: Option<SecretError>,
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyringStore {
    pub fn new() -> Self {
        match Backend::from_env() {
            Ok(backend) => KeyringStore { backend, misconfigured: None },
            Err(e) => {
                tracing::warn!(error = %e, "no usable store of secrets");
                KeyringStore { backend: Backend::OsKeyring, misconfigured: Some(e) }
            }
        }
    }

    /// The keyring entry of a secret, or the credentials file.
    fn place(&self, name: &str) -> Result<Place, SecretError> {
        if let Some(e) = &self.misconfigured {
            return Err(e.clone());
        }
        match &self.backend {
            Backend::CredentialsFile(path) => Ok(Place::File(CredentialsFile::new(path))),
            Backend::KernelKeyring => kernel_entry(name).map(Place::Entry),
            Backend::OsKeyring | Backend::Memory => keyring::Entry::new(SERVICE, name)
                .map(Place::Entry)
                .map_err(|e| keyring_error(e, &Backend::OsKeyring)),
        }
    }
}

enum Place {
    Entry(keyring::Entry),
    File(CredentialsFile),
}

/// A kernel keyring entry, filed as the OS keyring's builder on Linux files it
/// (`keyring-rs:<name>@app.vitrina.Vitrina`), without changing `keyring`'s process-wide default.
#[cfg(target_os = "linux")]
fn kernel_entry(name: &str) -> Result<keyring::Entry, SecretError> {
    keyring::keyutils::KeyutilsCredential::new_with_target(None, SERVICE, name)
        .map(|c| keyring::Entry::new_with_credential(Box::new(c)))
        .map_err(|e| keyring_error(e, &Backend::KernelKeyring))
}

#[cfg(not(target_os = "linux"))]
fn kernel_entry(_name: &str) -> Result<keyring::Entry, SecretError> {
    Err(SecretError::refused("the kernel keyring exists only on Linux"))
}

/// A keyring error as Vitrina says it, in words that never include a secret. A keyring that
/// cannot be reached at all (no Secret Service answering on this session; the kernel keyring
/// blocked, as in many containers) is [`SecretErrorKind::Unavailable`], with what to do.
/// Reading an entry that is not there is not an error: callers handle `NoEntry` first.
fn keyring_error(e: keyring::Error, backend: &Backend) -> SecretError {
    let unreachable = match &e {
        keyring::Error::PlatformFailure(cause) => Some((cause.to_string(), false)),
        keyring::Error::NoStorageAccess(cause) => Some((cause.to_string(), true)),
        // `keyring` reports the kernel's "access denied" (and a session without a keyring) as
        // no entry: here, creating or writing an entry, it can mean nothing else.
        keyring::Error::NoEntry if *backend == Backend::KernelKeyring => {
            Some(("access denied, or no keyring for this session".to_string(), false))
        }
        _ => None,
    };
    if let Some((cause, locked)) = unreachable {
        // The platform's own words (a D-Bus error, an errno) say why; they hold no value.
        tracing::warn!(store = %backend, error = %cause, "the keyring cannot be reached");
        return SecretError::unavailable(unavailable_message(backend, locked));
    }
    SecretError::refused(match e {
        keyring::Error::TooLong(what, max) => format!("the {what} is longer than the keyring allows ({max})"),
        keyring::Error::Invalid(what, _) => format!("the keyring refused the {what}"),
        keyring::Error::BadEncoding(_) => "the keyring holds a value that is not text".into(),
        keyring::Error::Ambiguous(_) => "the keyring holds several entries under this name".into(),
        _ => format!("{backend} refused the request"),
    })
}

/// What is missing and the two ways around it.
fn unavailable_message(backend: &Backend, locked: bool) -> String {
    let file = format!(
        "{CREDENTIALS_FILE_ENV}=/absolute/path keeps them in a file only you can read (for an unattended \
         worker); see {README_SECTION}"
    );
    match backend {
        Backend::KernelKeyring => format!(
            "the kernel keyring cannot be used here (this session has no keyring of its own, or the kernel \
             denies access to it, as in many containers); {file}"
        ),
        _ if cfg!(target_os = "linux") => {
            let what = if locked {
                "the Secret Service (GNOME Keyring, KWallet) is locked or refused access"
            } else {
                "no Secret Service (GNOME Keyring, KWallet) answers in this session"
            };
            format!(
                "the OS keyring is unavailable: {what}. Start or unlock it, or keep secrets elsewhere: \
                 {KEYRING_ENV}=keyutils keeps them in the kernel keyring of this login session (until \
                 reboot); {file}"
            )
        }
        _ => format!("the OS keyring is unavailable or locked. Unlock it, or keep secrets elsewhere: {file}"),
    }
}

fn entry_get(entry: &keyring::Entry, backend: &Backend) -> Result<Option<String>, SecretError> {
    match entry.get_password() {
        Ok(value) => Ok(Some(value)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e, backend)),
    }
}

fn entry_set(entry: &keyring::Entry, value: &str, backend: &Backend) -> Result<(), SecretError> {
    entry.set_password(value).map_err(|e| keyring_error(e, backend))
}

fn entry_delete(entry: &keyring::Entry, backend: &Backend) -> Result<(), SecretError> {
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e, backend)),
    }
}

impl SecretStore for KeyringStore {
    fn is_set(&self, name: &str) -> Result<bool, SecretError> {
        Ok(self.get(name)?.is_some())
    }

    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        match self.place(name)? {
            Place::Entry(entry) => entry_get(&entry, &self.backend),
            Place::File(file) => file.get(name),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        match self.place(name)? {
            Place::Entry(entry) => entry_set(&entry, value, &self.backend),
            Place::File(file) => file.set(name, value),
        }
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.place(name)? {
            Place::Entry(entry) => entry_delete(&entry, &self.backend),
            Place::File(file) => file.delete(name),
        }
    }

    fn backend(&self) -> Backend {
        self.backend.clone()
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

impl MemoryStore {
    fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, SecretError> {
        self.0.lock().map_err(|_| SecretError::refused("the secrets in memory are unavailable"))
    }
}

impl SecretStore for MemoryStore {
    fn is_set(&self, name: &str) -> Result<bool, SecretError> {
        Ok(self.map()?.contains_key(name))
    }
    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.map()?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.map()?.insert(name.into(), value.into());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.map()?.remove(name);
        Ok(())
    }
    fn backend(&self) -> Backend {
        Backend::Memory
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

    /// Where this process keeps secrets.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The store itself, for code that keeps its own secrets in it (the team's password).
    pub(crate) fn store(&self) -> &dyn SecretStore {
        self.store.as_ref()
    }

    fn known(name: &str) -> AppResult<&'static str> {
        NAMES.iter().copied().find(|n| *n == name).ok_or_else(|| {
            AppError::invalid(format!("unknown secret \"{name}\"; known: {}", NAMES.join(", ")))
        })
    }

    /// Whether each known secret is set, and where; a store that cannot be read reports why.
    pub fn status(&self) -> AppResult<Vec<SecretStatus>> {
        let store = SecretStoreDto::from(&self.store.backend());
        NAMES
            .iter()
            .map(|name| {
                let set = self.store.is_set(name).map_err(store_error)?;
                Ok(SecretStatus { name: (*name).into(), set, store: store.clone() })
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
        self.store.set(name, value).map_err(store_error)?;
        tracing::info!(secret = name, store = %self.store.backend(), "secret stored");
        Ok(())
    }

    /// Stores the password or token of a supplier's feed (`supplier.<id>.source.<n>`, see
    /// `imports::source_secret_name`) or the keys of a feed profile's upload target
    /// (`feed.<id>.target`, see `feeds::target_secret_name`); an empty value removes it.
    pub fn set_feed_secret(&self, name: &str, value: &str) -> AppResult<()> {
        let name = Self::feed(name)?;
        let value = value.trim();
        if value.is_empty() {
            self.store.delete(name).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "feed secret removed");
        } else {
            self.store.set(name, value).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "feed secret stored");
        }
        Ok(())
    }

    /// Whether a supplier feed's secret is set.
    pub fn feed_secret_set(&self, name: &str) -> AppResult<bool> {
        self.store.is_set(Self::feed(name)?).map_err(store_error)
    }

    fn feed(name: &str) -> AppResult<&str> {
        let supplier_feed = name.starts_with("supplier.") && name.contains(".source.");
        let export_target = name.starts_with("feed.") && name.ends_with(".target");
        if supplier_feed || export_target {
            Ok(name)
        } else {
            Err(AppError::invalid(format!("\"{name}\" is not the name of a feed secret")))
        }
    }

    /// Stores the credentials of a marketplace account (`market.<id>.credentials`, see
    /// `vitrina_market::secret_name`); an empty value removes them.
    pub fn set_market_secret(&self, name: &str, value: &str) -> AppResult<()> {
        let name = Self::market(name)?;
        if value.trim().is_empty() {
            self.store.delete(name).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "marketplace credentials removed");
        } else {
            self.store.set(name, value.trim()).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "marketplace credentials stored");
        }
        Ok(())
    }

    /// The credentials of a marketplace account, if stored.
    pub fn market_secret(&self, name: &str) -> AppResult<Option<String>> {
        self.store.get(Self::market(name)?).map_err(store_error)
    }

    /// Whether a marketplace account's credentials are stored.
    pub fn market_secret_set(&self, name: &str) -> AppResult<bool> {
        self.store.is_set(Self::market(name)?).map_err(store_error)
    }

    fn market(name: &str) -> AppResult<&str> {
        if name.starts_with("market.") && name.ends_with(".credentials") {
            Ok(name)
        } else {
            Err(AppError::invalid(format!("\"{name}\" is not the name of marketplace credentials")))
        }
    }

    /// Stores the API key of an AI provider (`ai.<id>.key`, see `vitrina_ai::secret_name`); an
    /// empty value removes it.
    pub fn set_ai_secret(&self, name: &str, value: &str) -> AppResult<()> {
        let name = Self::ai(name)?;
        if value.trim().is_empty() {
            self.store.delete(name).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "AI provider key removed");
        } else {
            self.store.set(name, value.trim()).map_err(store_error)?;
            tracing::info!(secret = name, store = %self.store.backend(), "AI provider key stored");
        }
        Ok(())
    }

    /// The API key of an AI provider, if stored (for the client that signs with it).
    pub fn ai_secret(&self, name: &str) -> AppResult<Option<String>> {
        self.store.get(Self::ai(name)?).map_err(store_error)
    }

    /// Whether an AI provider's key is stored.
    pub fn ai_secret_set(&self, name: &str) -> AppResult<bool> {
        self.store.is_set(Self::ai(name)?).map_err(store_error)
    }

    fn ai(name: &str) -> AppResult<&str> {
        if name.starts_with("ai.") && name.ends_with(".key") && name.len() > "ai..key".len() {
            Ok(name)
        } else {
            Err(AppError::invalid(format!("\"{name}\" is not the name of an AI provider's key")))
        }
    }

    pub fn delete(&self, name: &str) -> AppResult<()> {
        let name = Self::known(name)?;
        self.store.delete(name).map_err(store_error)?;
        tracing::info!(secret = name, store = %self.store.backend(), "secret removed");
        Ok(())
    }
}

/// A store's error for the front ends: a store that cannot be reached has its own code (the
/// window words it); a refusal is `Io`, which the window's session reports as `keyring`.
pub(crate) fn store_error(e: SecretError) -> AppError {
    let code = match e.kind {
        SecretErrorKind::Unavailable => ErrorCode::KeyringUnavailable,
        SecretErrorKind::Refused => ErrorCode::Io,
    };
    AppError::new(code, e.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::ErrorCode;

    #[test]
    fn status_tells_only_whether_a_secret_is_set() {
        let secrets = Secrets::new(Box::<MemoryStore>::default());
        assert!(secrets.status().unwrap().iter().all(|s| !s.set && s.store == SecretStoreDto::Memory));
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

    #[test]
    fn the_environment_chooses_the_store() {
        let some = |s: &str| Some(OsString::from(s));
        assert_eq!(Backend::choose(None, None), Ok(Backend::OsKeyring));
        assert_eq!(Backend::choose(some(""), some("")), Ok(Backend::OsKeyring));
        let file = if cfg!(windows) { r"C:\vitrina\credentials" } else { "/srv/vitrina/credentials" };
        assert_eq!(
            Backend::choose(some("keyutils"), some(file)),
            Ok(Backend::CredentialsFile(file.into())),
            "the credentials file wins"
        );
        let e = Backend::choose(None, some("credentials")).unwrap_err();
        assert!(e.message.contains("VITRINA_CREDENTIALS_FILE must be an absolute path"), "{e}");
        let e = Backend::choose(some("gnome"), None).unwrap_err();
        assert!(e.message.contains("VITRINA_KEYRING=\"gnome\" names no keyring"), "{e}");
        if cfg!(target_os = "linux") {
            assert_eq!(Backend::choose(some("keyutils"), None), Ok(Backend::KernelKeyring));
        } else {
            assert!(Backend::choose(some("keyutils"), None).is_err());
        }
    }

    #[test]
    fn a_missing_secret_service_is_its_own_error_with_both_ways_around_it() {
        let missing = || {
            keyring::Error::PlatformFailure(Box::new(std::io::Error::other(
                "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided",
            )))
        };
        let e = keyring_error(missing(), &Backend::OsKeyring);
        assert_eq!(e.kind, SecretErrorKind::Unavailable);
        for words in ["VITRINA_KEYRING=keyutils", "VITRINA_CREDENTIALS_FILE=/absolute/path", "README"] {
            assert!(e.message.contains(words), "{words}: {e}");
        }
        if cfg!(target_os = "linux") {
            assert!(e.message.contains("no Secret Service (GNOME Keyring, KWallet) answers"), "{e}");
        }
        let locked = keyring::Error::NoStorageAccess(Box::new(std::io::Error::other("locked")));
        assert_eq!(keyring_error(locked, &Backend::OsKeyring).kind, SecretErrorKind::Unavailable);
        let kernel = keyring_error(missing(), &Backend::KernelKeyring);
        assert!(
            kernel.message.contains("kernel keyring") && !kernel.message.contains("keyutils"),
            "{kernel}"
        );
        let denied = keyring_error(keyring::Error::NoEntry, &Backend::KernelKeyring);
        assert_eq!(denied.kind, SecretErrorKind::Unavailable, "{denied}");
        assert!(denied.message.contains("VITRINA_CREDENTIALS_FILE"), "{denied}");

        // Through a keyring entry (keyring's mock), the use cases and the IPC error.
        let entry = keyring::Entry::new_with_credential(Box::new(keyring::mock::MockCredential::default()));
        let mock: &keyring::mock::MockCredential = entry.get_credential().downcast_ref().unwrap();
        assert_eq!(entry_get(&entry, &Backend::OsKeyring), Ok(None), "no entry is no secret");
        mock.set_error(missing());
        let e = entry_set(&entry, "s3cr3t", &Backend::OsKeyring).unwrap_err();
        assert_eq!(e.kind, SecretErrorKind::Unavailable);
        let app = store_error(e);
        assert_eq!(app.code, ErrorCode::KeyringUnavailable);
        assert!(!format!("{app} {app:?}").contains("s3cr3t"));
        entry_set(&entry, "s3cr3t", &Backend::OsKeyring).unwrap();
        assert_eq!(entry_get(&entry, &Backend::OsKeyring).unwrap().as_deref(), Some("s3cr3t"));
        mock.set_error(keyring::Error::TooLong("password".into(), 10));
        let refused = store_error(entry_get(&entry, &Backend::OsKeyring).unwrap_err());
        assert_eq!(refused.code, ErrorCode::Io, "{refused}");
        entry_delete(&entry, &Backend::OsKeyring).unwrap();
        entry_delete(&entry, &Backend::OsKeyring).unwrap();
    }

    #[test]
    fn the_use_cases_keep_secrets_in_a_credentials_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let secrets = Secrets::new(Box::new(CredentialsFile::new(&path)));
        secrets.set("telegram.bot_token", " 123:s3cr3t ").unwrap();
        secrets.set_feed_secret("supplier.x.source.0", "feed-s3cr3t").unwrap();
        let status = secrets.status().unwrap();
        let shown = path.display().to_string();
        assert!(status.iter().all(|s| s.store == SecretStoreDto::CredentialsFile { path: shown.clone() }));
        assert!(status.iter().any(|s| s.name == "telegram.bot_token" && s.set));
        assert!(secrets.feed_secret_set("supplier.x.source.0").unwrap());
        assert_eq!(
            CredentialsFile::new(&path).get("telegram.bot_token").unwrap().as_deref(),
            Some("123:s3cr3t")
        );
        secrets.set("telegram.bot_token", "").unwrap();
        assert!(!secrets.status().unwrap().iter().any(|s| s.set));

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = secrets.status().unwrap_err();
            assert_eq!(e.code, ErrorCode::Io);
            assert!(e.message.contains(&format!("chmod 600 {shown}")), "{e}");
            assert!(!e.message.contains("s3cr3t"), "{e}");
        }
    }
}
