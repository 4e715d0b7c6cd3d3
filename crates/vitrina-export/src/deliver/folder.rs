//! A folder on this computer: one a cloud drive syncs, or one a web server serves. The file is
//! written beside the final one under a temporary name, flushed to disk, then renamed over the
//! final name, so the folder always holds either the previous feed or the new one, whole.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{DeliverError, FeedFile, feed_read_error, io_reason, probe_name, temp_name};

/// The folder exists and a file can be created and deleted in it.
pub(super) fn check(dir: &Path) -> Result<(), DeliverError> {
    ensure_folder(dir)?;
    let probe = dir.join(probe_name());
    File::create_new(&probe).map_err(|e| write_error(dir, &e))?;
    fs::remove_file(&probe).map_err(|e| write_error(dir, &e))
}

/// Puts the feed into `dir` as `name`; returns its size and its path.
pub(super) fn upload(dir: &Path, feed: FeedFile, name: &str) -> Result<(u64, String), DeliverError> {
    ensure_folder(dir)?;
    let len = feed.len;
    let source = feed.path.clone();
    let final_path = dir.join(name);
    let mut temp = TempFile::create(dir.join(temp_name(name))).map_err(|e| write_error(dir, &e))?;
    copy(feed, &mut temp.file, |e| feed_read_error(&source, e), |e| write_error(dir, e))?;
    temp.file.sync_all().map_err(|e| write_error(dir, &e))?;
    // On Windows too, `rename` replaces an existing file (MoveFileExW with REPLACE_EXISTING).
    fs::rename(&temp.path, &final_path).map_err(|e| write_error(dir, &e))?;
    temp.persisted = true;
    sync_folder(dir);
    Ok((len, final_path.display().to_string()))
}

fn ensure_folder(dir: &Path) -> Result<(), DeliverError> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(DeliverError::Io {
            what: format!("use the folder {}", dir.display()),
            reason: "it is a file, not a folder".into(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(DeliverError::NotFound { what: format!("The folder {}", dir.display()) })
        }
        Err(e) => Err(write_error(dir, &e)),
    }
}

fn write_error(dir: &Path, e: &io::Error) -> DeliverError {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            DeliverError::Denied { place: format!("the folder {}", dir.display()), reason: io_reason(e) }
        }
        _ => {
            DeliverError::Io { what: format!("write to the folder {}", dir.display()), reason: io_reason(e) }
        }
    }
}

/// Copies the feed, telling a failed read of the feed from a failed write into the folder.
fn copy(
    feed: FeedFile,
    to: &mut File,
    read_error: impl Fn(&io::Error) -> DeliverError,
    write_error: impl Fn(&io::Error) -> DeliverError,
) -> Result<(), DeliverError> {
    let mut reader = feed.reader();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return to.flush().map_err(|e| write_error(&e)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(&e)),
        };
        to.write_all(&buf[..n]).map_err(|e| write_error(&e))?;
    }
}

/// Makes the rename itself durable where the system allows it (a folder can be opened and
/// synced on Unix, not on Windows); the feed is already in place either way.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "could not sync the folder after the rename");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The temporary file, removed unless it became the final one.
struct TempFile {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl TempFile {
    fn create(path: PathBuf) -> io::Result<TempFile> {
        let file = File::create_new(&path)?;
        Ok(TempFile { path, file, persisted: false })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted
            && let Err(e) = fs::remove_file(&self.path)
        {
            tracing::warn!(path = %self.path.display(), error = %e, "could not remove a temporary feed file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Secret, Target, check as check_target, upload as upload_to};
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn target(path: &Path) -> Target {
        Target::Folder { path: path.to_owned(), public_url_base: Some("https://shop.example/feeds/".into()) }
    }

    fn feed(dir: &Path, content: &str) -> PathBuf {
        let path = dir.join("written.xml");
        fs::write(&path, content).unwrap();
        path
    }

    /// A folder this process may not write in. Root may write in a read-only folder, so for
    /// root it is `/sys`, where nobody may create files.
    #[cfg(unix)]
    fn unwritable_folder(parent: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = parent.join("read-only");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
        if File::create_new(dir.join("probe")).is_err() {
            return dir;
        }
        let sys = PathBuf::from("/sys");
        assert!(File::create_new(sys.join("vitrina-probe")).is_err(), "no unwritable folder to test with");
        sys
    }

    #[test]
    fn folder_upload_replaces_the_file_and_leaves_no_temporary_files() {
        let work = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        check_target(&target(out.path()), &Secret::None).unwrap();

        let done =
            upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<v1/>"), "yml.xml").unwrap();
        assert_eq!(done.bytes, 5);
        assert_eq!(done.location, out.path().join("yml.xml").display().to_string());
        assert_eq!(done.public_url.as_deref(), Some("https://shop.example/feeds/yml.xml"));
        assert_eq!(fs::read_to_string(out.path().join("yml.xml")).unwrap(), "<v1/>");

        upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<version-2/>"), "yml.xml").unwrap();
        assert_eq!(fs::read_to_string(out.path().join("yml.xml")).unwrap(), "<version-2/>");
        assert_eq!(names(out.path()), ["yml.xml"]);
    }

    #[test]
    fn folder_check_refuses_a_missing_a_file_or_an_unwritable_folder() {
        let work = tempfile::tempdir().unwrap();
        let missing = work.path().join("nope");
        let err = check_target(&target(&missing), &Secret::None).unwrap_err();
        assert_eq!(err.code(), "not_found");
        assert_eq!(
            err.to_string(),
            format!(
                "The folder {} does not exist. Check its name in the feed's upload settings.",
                missing.display()
            )
        );

        let file = feed(work.path(), "x");
        assert_eq!(check_target(&target(&file), &Secret::None).unwrap_err().code(), "io");

        #[cfg(unix)]
        {
            let read_only = unwritable_folder(work.path());
            let err = check_target(&target(&read_only), &Secret::None).unwrap_err();
            assert_eq!(err.code(), "denied", "{err}");
            assert!(err.to_string().starts_with("Not allowed to write to the folder"), "{err}");
        }
    }

    #[test]
    fn folder_failed_upload_leaves_the_previous_file() {
        let work = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<v1/>"), "yml.xml").unwrap();

        let err = upload_to(&target(out.path()), &Secret::None, &work.path().join("gone.xml"), "yml.xml")
            .unwrap_err();
        assert_eq!(err.code(), "io");

        // The temporary file is written, but it cannot take the final name (a folder has it):
        // the upload fails and the temporary file goes.
        fs::create_dir(out.path().join("taken.xml")).unwrap();
        fs::write(out.path().join("taken.xml").join("keep"), "x").unwrap();
        let err = upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<v2/>"), "taken.xml")
            .unwrap_err();
        assert_eq!(err.code(), "io", "{err}");
        assert_eq!(names(out.path()), ["taken.xml", "yml.xml"]);

        // A folder that became read-only: nothing can be written, the old feed stays. Root
        // writes in read-only folders, so for root this part proves nothing and is left out.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(out.path(), fs::Permissions::from_mode(0o555)).unwrap();
            let enforced = File::create_new(out.path().join("probe")).is_err();
            let result =
                upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<v2/>"), "yml.xml");
            fs::set_permissions(out.path(), fs::Permissions::from_mode(0o755)).unwrap();
            if enforced {
                assert_eq!(result.unwrap_err().code(), "denied");
            } else {
                fs::remove_file(out.path().join("probe")).unwrap();
                upload_to(&target(out.path()), &Secret::None, &feed(work.path(), "<v1/>"), "yml.xml")
                    .unwrap();
            }
        }
        assert_eq!(fs::read_to_string(out.path().join("yml.xml")).unwrap(), "<v1/>");
        assert_eq!(names(out.path()), ["taken.xml", "yml.xml"]);
    }
}
