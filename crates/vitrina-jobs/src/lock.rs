//! One runner per catalog: an OS file lock next to the catalog file. The OS releases it when
//! the process dies, however it dies, which is what makes start-up recovery safe: whoever
//! holds the lock knows every job still marked `running` was left by a process that stopped.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{JobsError, Result};

#[derive(Debug)]
pub struct WorkerLock {
    _file: File,
    path: PathBuf,
}

impl WorkerLock {
    /// `catalog.db` → `catalog.db.worker.lock`.
    pub fn path_for(catalog: &Path) -> PathBuf {
        let mut name = catalog.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".worker.lock");
        catalog.with_file_name(name)
    }

    /// Takes the lock or says who has it ([`JobsError::WorkerBusy`]).
    pub fn acquire(catalog: &Path) -> Result<Self> {
        let path = Self::path_for(catalog);
        let lock_err = |source| JobsError::Lock { path: path.clone(), source };
        let mut file =
            OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(lock_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(JobsError::WorkerBusy { path: catalog.to_path_buf() });
            }
            Err(TryLockError::Error(e)) => return Err(lock_err(e)),
        }
        // For people looking at the file: which process holds it.
        let _ = file.set_len(0).and_then(|_| writeln!(file, "{}", std::process::id()));
        Ok(WorkerLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_holder_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("catalog.db");
        let first = WorkerLock::acquire(&catalog).unwrap();
        assert!(matches!(WorkerLock::acquire(&catalog), Err(JobsError::WorkerBusy { .. })));
        drop(first);
        WorkerLock::acquire(&catalog).unwrap();
    }
}
