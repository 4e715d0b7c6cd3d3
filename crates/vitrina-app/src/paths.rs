//! Where Vitrina keeps its files: one per-user data folder shared by the desktop app and the CLI.

use std::path::PathBuf;

/// Where the desktop app writes its logs, inside `data_dir`.
pub fn log_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("logs")
}

/// The per-user data folder: `~/.local/share/vitrina` on Linux, `%APPDATA%\Vitrina\data` on
/// Windows, `~/Library/Application Support/app.vitrina.Vitrina` on macOS. `VITRINA_HOME`
/// overrides it.
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("VITRINA_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("app", "Vitrina", "Vitrina")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".vitrina"))
}

/// The catalog file used when none is given.
pub fn default_catalog() -> PathBuf {
    data_dir().join("catalog.db")
}
