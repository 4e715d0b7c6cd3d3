//! Requests to stop a running job, and the progress of one the catalog cannot take, kept as
//! files next to the catalog.
//!
//! A cancel request must get through while the job itself holds the catalog's write lock. A
//! supplier import writes in one transaction that can last a minute. A request written to the
//! jobs table would wait for that transaction and fail with "database is locked". So a request
//! for a running job is an empty file `<catalog>.signals/cancel-<job id>`. The runner looks for
//! such files every time it wakes, which is at least every `progress_every` while jobs run, and
//! at once when woken in the same process. The file stays until its job ends, so that anyone
//! looking at the job meanwhile sees that it was asked to stop.
//!
//! For the same reason the runner cannot store a running import's progress in the jobs table.
//! While the table is busy it writes the progress to `<catalog>.signals/progress-<job id>`
//! instead, so that another process following the job sees it move.

use std::path::{Path, PathBuf};

use crate::{JobId, Progress};

const CANCEL: &str = "cancel-";
const PROGRESS: &str = "progress-";

/// `catalog.db` → `catalog.db.signals/`.
fn dir_for(catalog: &Path) -> PathBuf {
    let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".signals");
    catalog.with_file_name(name)
}

fn request_file(catalog: &Path, id: JobId) -> PathBuf {
    dir_for(catalog).join(format!("{CANCEL}{id}"))
}

/// Leaves a request for the runner to stop job `id`.
pub(crate) fn request_cancel(catalog: &Path, id: JobId) -> std::io::Result<()> {
    std::fs::create_dir_all(dir_for(catalog))?;
    std::fs::write(request_file(catalog, id), b"")
}

/// Whether someone asked job `id` to stop and the request is still open.
pub(crate) fn cancel_requested(catalog: &Path, id: JobId) -> bool {
    request_file(catalog, id).exists()
}

/// Closes the request for job `id`, if any (its job ended, or runs anew).
pub(crate) fn forget_cancel(catalog: &Path, id: JobId) {
    let _ = std::fs::remove_file(request_file(catalog, id));
}

/// Keeps job `id`'s latest progress where other processes can read it.
pub(crate) fn write_progress(catalog: &Path, id: JobId, progress: &Progress) -> std::io::Result<()> {
    let dir = dir_for(catalog);
    std::fs::create_dir_all(&dir)?;
    let text = serde_json::to_vec(progress).map_err(std::io::Error::other)?;
    // Written aside and renamed over, so a reader never sees half of it.
    let part = dir.join(format!("{PROGRESS}{id}.part"));
    std::fs::write(&part, text)?;
    std::fs::rename(part, dir.join(format!("{PROGRESS}{id}")))
}

/// Job `id`'s progress as last written by [`write_progress`].
pub(crate) fn read_progress(catalog: &Path, id: JobId) -> Option<Progress> {
    let text = std::fs::read(dir_for(catalog).join(format!("{PROGRESS}{id}"))).ok()?;
    serde_json::from_slice(&text).ok()
}

pub(crate) fn forget_progress(catalog: &Path, id: JobId) {
    let _ = std::fs::remove_file(dir_for(catalog).join(format!("{PROGRESS}{id}")));
}

/// The jobs someone asked to stop, requests still open.
pub(crate) fn cancel_requests(catalog: &Path) -> Vec<JobId> {
    let Ok(entries) = std::fs::read_dir(dir_for(catalog)) else { return Vec::new() };
    entries.flatten().filter_map(|e| e.file_name().to_str()?.strip_prefix(CANCEL)?.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_stays_open_until_forgotten_and_other_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("shop.db");
        assert!(cancel_requests(&catalog).is_empty(), "no folder yet: no requests");
        let (a, b) = (JobId::new(), JobId::new());
        request_cancel(&catalog, a).unwrap();
        request_cancel(&catalog, b).unwrap();
        request_cancel(&catalog, a).unwrap(); // asked twice: still one request
        std::fs::write(dir_for(&catalog).join("notes.txt"), b"").unwrap();
        let mut open = cancel_requests(&catalog);
        open.sort();
        assert_eq!(open, if a < b { vec![a, b] } else { vec![b, a] });
        assert!(cancel_requested(&catalog, a));
        forget_cancel(&catalog, a);
        assert!(!cancel_requested(&catalog, a));
        assert_eq!(cancel_requests(&catalog), vec![b]);
        assert!(dir_for(&catalog).join("notes.txt").exists());
    }

    #[test]
    fn progress_is_read_back_as_written_and_is_no_cancel_request() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("shop.db");
        let id = JobId::new();
        assert_eq!(read_progress(&catalog, id), None);
        let p = Progress { done: 40_000, total: None, message: Some("importing".into()) };
        write_progress(&catalog, id, &p).unwrap();
        write_progress(&catalog, id, &Progress { done: 50_000, ..p.clone() }).unwrap();
        assert_eq!(read_progress(&catalog, id).unwrap().done, 50_000);
        assert!(cancel_requests(&catalog).is_empty());
        forget_progress(&catalog, id);
        assert_eq!(read_progress(&catalog, id), None);
    }
}
