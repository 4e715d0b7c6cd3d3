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

/// Opens the folder holding `path` (or `path` itself when it is a folder) in the system's file
/// manager: Explorer, Finder, or whatever `xdg-open` chooses.
pub fn open_folder_of(path: &std::path::Path) -> crate::error::AppResult<()> {
    use crate::error::{AppError, ErrorCode};
    let folder = if path.is_dir() { path } else { path.parent().unwrap_or(path) };
    if !folder.is_dir() {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("the folder {} does not exist", folder.display()),
        ));
    }
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(folder)
        .spawn()
        .map(drop)
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot open {}: {e}", folder.display())))
}
