//! The credentials file: the secrets of a machine without a keyring (an unattended
//! `vitrina worker`), chosen with `VITRINA_CREDENTIALS_FILE=/absolute/path`.
//!
//! The format is one `name=value` per line (`wildberries.token=…`,
//! `supplier.<id>.source.<n>=…`); blank lines and lines starting with `#` are comments and are
//! kept when Vitrina rewrites the file. Spaces around the name and the value are ignored, and a
//! value runs to the end of its line (so it may contain `=`, but not a line break).
//!
//! On Unix the file must be private to its owner: one that its group or other users can read
//! or change is refused, naming the file and the `chmod 600` that fixes it. Vitrina creates it
//! (and a missing folder) private, and rewrites it atomically: a temporary file of mode 0600
//! next to it, synced, then renamed over it, so a reader sees the old or the new file, never half
//! of one. Writers from several processes (the window, the CLI, a worker) take turns through an
//! exclusive lock on `<file>.lock`. On Windows the file keeps the folder's permissions (a user's
//! profile is private to them) and no mode is checked.
//!
//! Nothing here puts a value in an error, a log line or `Debug` output: a line that cannot be
//! read is reported by its number.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{Backend, SecretError, SecretStore};

/// The comment a new credentials file starts with.
const HEADER: &str = "# Vitrina secrets: one name=value per line. Keep this file readable only by its owner \
                      (chmod 600).\n# See \"Secrets on a machine without a desktop keyring\" in Vitrina's README.";

/// Secrets in a file only its owner can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFile {
    path: PathBuf,
}

impl CredentialsFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CredentialsFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    fn io_error(&self, doing: &str, e: &io::Error) -> SecretError {
        SecretError::refused(format!("cannot {doing} the credentials file {}: {e}", self.shown()))
    }

    /// The file's secrets; a file that does not exist yet holds none.
    fn load(&self) -> Result<Contents, SecretError> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(e) => return Err(self.io_error("read", &e)),
        };
        // Checked on the open file, so the file read is the file checked.
        let meta = file.metadata().map_err(|e| self.io_error("read", &e))?;
        if !meta.is_file() {
            return Err(SecretError::refused(format!(
                "the credentials file {} is not a file; point VITRINA_CREDENTIALS_FILE at a file",
                self.shown()
            )));
        }
        check_private(&self.path, &meta)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| self.io_error("read", &e))?;
        Contents::parse(&text).map_err(|line| {
            SecretError::refused(format!(
                "line {line} of the credentials file {} is not `name=value`; fix or remove it",
                self.shown()
            ))
        })
    }

    /// Replaces the file with `contents`: a private temporary file, synced, renamed over it.
    fn save(&self, contents: &Contents) -> Result<(), SecretError> {
        let dir = self.folder();
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        // A leftover of a crashed write (the lock is held, so it is no one else's).
        let _ = fs::remove_file(&temp);
        let written =
            write_private(&temp, contents.render().as_bytes()).and_then(|()| fs::rename(&temp, &self.path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(self.io_error("write", &e));
        }
        // The rename itself reaches the disk with the folder.
        #[cfg(unix)]
        if let Ok(folder) = File::open(&dir) {
            let _ = folder.sync_all();
        }
        Ok(())
    }

    fn folder(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Creates a missing folder (private to the user) and takes the writers' lock.
    fn lock(&self) -> Result<File, SecretError> {
        let dir = self.folder();
        if !dir.exists() {
            create_private_dir(&dir).map_err(|e| {
                SecretError::refused(format!(
                    "cannot create the folder {} of the credentials file: {e}",
                    dir.display()
                ))
            })?;
        }
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let lock = options.open(&lock_path).map_err(|e| self.io_error("lock", &e))?;
        lock.lock().map_err(|e| self.io_error("lock", &e))?;
        Ok(lock)
    }

    fn change(&self, edit: impl FnOnce(&mut Contents) -> bool) -> Result<(), SecretError> {
        let _lock = self.lock()?;
        let mut contents = self.load()?;
        if edit(&mut contents) { self.save(&contents) } else { Ok(()) }
    }
}

impl SecretStore for CredentialsFile {
    fn is_set(&self, name: &str) -> Result<bool, SecretError> {
        Ok(self.load()?.get(name).is_some())
    }

    fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        Ok(self.load()?.get(name).map(String::from))
    }

    fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        if name.is_empty() || name.contains(['=', '\n', '\r']) || name.starts_with('#') {
            return Err(SecretError::refused(format!("\"{name}\" cannot be a name in the credentials file")));
        }
        if value.contains(['\n', '\r']) {
            return Err(SecretError::refused(
                "a secret with a line break cannot be kept in the credentials file",
            ));
        }
        self.change(|contents| {
            contents.set(name, value.trim());
            true
        })
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        // Nothing to delete needs no lock (and creates no file).
        if self.load()?.get(name).is_none() {
            return Ok(());
        }
        self.change(|contents| contents.remove(name))
    }

    fn backend(&self) -> Backend {
        Backend::CredentialsFile(self.path.clone())
    }
}

/// Refuses a file that its group or other users can read or change.
#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    let shown = path.display().to_string();
    Err(SecretError::refused(format!(
        "the credentials file {shown} can be read or changed by other users (mode {mode:o}), so Vitrina does \
         not use it; make it private to its owner: chmod 600 {}",
        shell_quoted(&shown)
    )))
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<(), SecretError> {
    Ok(())
}

/// A path as a shell reads it back: quoted when it holds anything but plain characters.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_alphanumeric() || "/._-+,:@%~".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // The umask can only take permissions away; this makes the mode exact.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The lines of a credentials file: comments and entries in their order, each with its text as
/// read, so rewriting the file changes only the lines of the secrets that changed.
#[derive(Default)]
struct Contents {
    lines: Vec<Line>,
}

struct Line {
    /// `None` for a blank line or a comment.
    entry: Option<(String, String)>,
    text: String,
}

impl fmt::Debug for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.lines.iter().filter(|l| l.entry.is_some()).count();
        write!(f, "Contents({entries} entries, values redacted)")
    }
}

impl Contents {
    /// The lines of `text`, or the number of the first line that is not `name=value`.
    fn parse(text: &str) -> Result<Self, usize> {
        let mut lines = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = raw.trim();
            let entry = if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                let (name, value) = trimmed.split_once('=').ok_or(n + 1)?;
                let name = name.trim();
                if name.is_empty() {
                    return Err(n + 1);
                }
                Some((name.to_string(), value.trim().to_string()))
            };
            lines.push(Line { entry, text: raw.to_string() });
        }
        Ok(Contents { lines })
    }

    /// A secret's value (the last line naming it wins); an empty value is no secret.
    fn get(&self, name: &str) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .find_map(|l| l.entry.as_ref().filter(|(n, _)| n == name))
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// Sets a secret in the place of its first line (later duplicates go), or appends it.
    fn set(&mut self, name: &str, value: &str) {
        let line =
            Line { entry: Some((name.to_string(), value.to_string())), text: format!("{name}={value}") };
        match self.position(name) {
            Some(first) => {
                self.lines[first] = line;
                let mut index = 0;
                self.lines.retain(|l| {
                    index += 1;
                    index - 1 <= first || !l.names(name)
                });
            }
            None => {
                if self.lines.is_empty() {
                    self.lines
                        .extend(HEADER.lines().map(|text| Line { entry: None, text: text.to_string() }));
                }
                self.lines.push(line);
            }
        }
    }

    /// Removes every line of a secret; whether there was one.
    fn remove(&mut self, name: &str) -> bool {
        let before = self.lines.len();
        self.lines.retain(|l| !l.names(name));
        self.lines.len() != before
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.lines.iter().position(|l| l.names(name))
    }

    fn render(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}

impl Line {
    fn names(&self, name: &str) -> bool {
        self.entry.as_ref().is_some_and(|(n, _)| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t=with-equals";

    fn file_in(dir: &tempfile::TempDir) -> CredentialsFile {
        CredentialsFile::new(dir.path().join("vitrina").join("credentials"))
    }

    #[test]
    fn secrets_round_trip_through_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_in(&dir);
        assert!(!store.is_set("wildberries.token").unwrap(), "a missing file holds no secrets");
        store.delete("wildberries.token").unwrap();
        assert!(!store.path().exists(), "deleting nothing creates no file");

        store.set("wildberries.token", SECRET).unwrap();
        store.set("supplier.0190.source.1", "  t0ken  ").unwrap();
        assert_eq!(store.get("wildberries.token").unwrap().as_deref(), Some(SECRET));
        assert_eq!(store.get("supplier.0190.source.1").unwrap().as_deref(), Some("t0ken"));
        assert!(store.is_set("supplier.0190.source.1").unwrap());
        assert_eq!(store.get("ozon.api_key").unwrap(), None);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(store.path()), 0o600);
            assert_eq!(mode(store.path().parent().unwrap()), 0o700);
        }
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(text.starts_with("# Vitrina secrets"), "{text}");
        assert!(text.contains("\nwildberries.token=s3cr3t=with-equals\n"), "{text}");

        // Hand-written lines and comments survive a rewrite; a changed secret keeps its place.
        fs::write(store.path(), format!("# mine\nozon.client_id = 12345\n{text}\n# end\n")).unwrap();
        store.set("wildberries.token", "new-value").unwrap();
        store.delete("supplier.0190.source.1").unwrap();
        let text = fs::read_to_string(store.path()).unwrap();
        assert!(text.starts_with("# mine\nozon.client_id = 12345\n"), "{text}");
        assert!(text.contains("wildberries.token=new-value\n") && text.ends_with("# end\n"), "{text}");
        assert!(!text.contains("supplier.0190") && !text.contains(SECRET), "{text}");
        assert_eq!(store.get("ozon.client_id").unwrap().as_deref(), Some("12345"));

        let names: Vec<_> = fs::read_dir(store.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains(".tmp")), "no temporary file is left: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_with_the_command_that_fixes_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialsFile::new(dir.path().join("my credentials"));
        store.set("ozon.api_key", SECRET).unwrap();
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();

        let e = store.get("ozon.api_key").unwrap_err();
        let shown = store.path().display().to_string();
        assert!(e.message.contains(&shown), "{e}");
        assert!(e.message.contains(&format!("chmod 600 '{shown}'")), "{e}");
        assert!(e.message.contains("mode 644"), "{e}");
        assert!(!e.message.contains("s3cr3t"), "{e}");
        assert!(store.is_set("ozon.api_key").is_err());
        assert!(store.set("ozon.api_key", "other").is_err(), "writes are refused too");
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o640)).unwrap();
        assert!(store.get("ozon.api_key").is_err(), "readable by the group is refused as well");

        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(store.get("ozon.api_key").unwrap().as_deref(), Some(SECRET), "nothing was changed");
    }

    #[test]
    fn errors_and_debug_output_never_quote_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_in(&dir);
        let e = store.set("ozon.api_key", "s3cr3t\nsecond-line").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("s3cr3t"), "{e}");

        store.set("ozon.api_key", SECRET).unwrap();
        let text = fs::read_to_string(store.path()).unwrap();
        fs::write(store.path(), format!("{text}s3cr3t-pasted-without-a-name\n")).unwrap();
        let e = store.get("ozon.api_key").unwrap_err();
        assert!(e.message.starts_with("line 4 of the credentials file"), "{e}");
        assert!(!format!("{e} {e:?}").contains("s3cr3t"), "{e}");

        let contents = Contents::parse(&format!("ozon.api_key={SECRET}\n")).unwrap();
        let shown = format!("{contents:?} {store:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn parsing_keeps_comments_and_takes_the_last_duplicate() {
        let c = Contents::parse("# c\r\n\n a = 1 \na=2\nempty=\n").unwrap();
        assert_eq!(c.get("a"), Some("2"));
        assert_eq!(c.get("empty"), None);
        assert_eq!(Contents::parse("ok=1\n=nameless\n").unwrap_err(), 2);
        let mut c = c;
        c.set("a", "3");
        assert_eq!(c.render(), "# c\n\na=3\nempty=\n");
        assert!(c.remove("a") && !c.remove("a"));
        assert_eq!(
            shell_quoted("/home/me/.config/vitrina/credentials"),
            "/home/me/.config/vitrina/credentials"
        );
        assert_eq!(shell_quoted("/tmp/it's here"), r"'/tmp/it'\''s here'");
    }
}
