//! Requests to stop a running job, kept as files next to the catalog.
//!
//! A cancel request must get through while the job itself holds the catalog's write lock. A
//! supplier import writes in one transaction that can last a minute. A request written to the
//! jobs table would wait for that transaction and fail with "database is locked". So a request
//! for a running job is an empty file `<catalog>.signals/cancel-<job id>`. The runner looks for
//! such files every time it wakes, which is at least every `progress_every` while jobs run, and
//! at once when woken in the same process.

use std::path::{Path, PathBuf};

use crate::JobId;

const CANCEL: &str = "cancel-";

/// `catalog.db` → `catalog.db.signals/`.
fn dir_for(catalog: &Path) -> PathBuf {
    let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".signals");
    catalog.with_file_name(name)
}

/// Leaves a request for the runner to stop job `id`.
pub(crate) fn request_cancel(catalog: &Path, id: JobId) -> std::io::Result<()> {
    let dir = dir_for(catalog);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{CANCEL}{id}")), b"")
}

/// Drops a request for job `id` that no runner has taken yet.
pub(crate) fn forget_cancel(catalog: &Path, id: JobId) {
    let _ = std::fs::remove_file(dir_for(catalog).join(format!("{CANCEL}{id}")));
}

/// The jobs someone asked to stop, each request taken (removed) as it is read.
pub(crate) fn take_cancel_requests(catalog: &Path) -> Vec<JobId> {
    let Ok(entries) = std::fs::read_dir(dir_for(catalog)) else { return Vec::new() };
    let mut ids = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_prefix(CANCEL)).and_then(|n| n.parse().ok()) else {
            continue;
        };
        if std::fs::remove_file(entry.path()).is_ok() {
            ids.push(id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_read_once_and_other_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("shop.db");
        assert!(take_cancel_requests(&catalog).is_empty(), "no folder yet: no requests");
        let (a, b) = (JobId::new(), JobId::new());
        request_cancel(&catalog, a).unwrap();
        request_cancel(&catalog, b).unwrap();
        request_cancel(&catalog, a).unwrap(); // asked twice: still one request
        std::fs::write(dir_for(&catalog).join("notes.txt"), b"").unwrap();
        let mut taken = take_cancel_requests(&catalog);
        taken.sort_by_key(|id| id.to_string());
        let mut want = vec![a, b];
        want.sort_by_key(|id| id.to_string());
        assert_eq!(taken, want);
        assert!(take_cancel_requests(&catalog).is_empty(), "each request is taken once");
        assert!(dir_for(&catalog).join("notes.txt").exists());
        request_cancel(&catalog, a).unwrap();
        forget_cancel(&catalog, a);
        assert!(take_cancel_requests(&catalog).is_empty(), "a forgotten request is gone");
    }
}
