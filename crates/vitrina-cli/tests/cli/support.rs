//! Running the `vitrina` binary, and what the test modules share around it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

use serde_json::Value;

/// A file in `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The credentials file of the test whose catalog is `db`: next to it, in the test's own
/// temporary folder.
pub fn credentials(db: &Path) -> PathBuf {
    std::path::absolute(db).expect("an absolute catalog path").with_file_name("credentials")
}

/// `vitrina --db DB`, with nothing from the environment choosing another catalog or the
/// machine's keyring: secrets go to [`credentials`].
pub fn vitrina(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vitrina"));
    c.arg("--db")
        .arg(db)
        .env_remove("VITRINA_DB")
        .env_remove("VITRINA_KEYRING")
        .env_remove("VITRINA_SOURCE_SECRET")
        .env("VITRINA_CREDENTIALS_FILE", credentials(db));
    c
}

pub fn run(db: &Path, args: &[&str]) -> Output {
    vitrina(db).args(args).output().expect("the vitrina binary runs")
}

/// Runs a command with `--json`; it must succeed.
pub fn ok_json(db: &Path, args: &[&str]) -> Value {
    parse(args, &run(db, &[args, &["--json"]].concat()))
}

/// The JSON printed by a command that must have succeeded.
pub fn parse(args: &[&str], out: &Output) -> Value {
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Runs a command that must fail with one clear sentence, and returns it.
pub fn fails(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(!out.status.success(), "{args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(err.lines().count(), 1, "one clear sentence: {err}");
    err
}

/// A job as `vitrina jobs show ID --json` shows it.
pub fn job(db: &Path, id: &str) -> Value {
    ok_json(db, &["jobs", "show", id])["job"].clone()
}

pub fn product_count(db: &Path) -> u64 {
    ok_json(db, &["stats"])["products"].as_u64().unwrap()
}

/// A child process that is killed if the test fails before it does so itself.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
