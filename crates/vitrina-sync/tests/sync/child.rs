//! Devices in child processes (this test binary run again), so a test can kill one for real.
//!
//! The child reads its role and setting from the environment: `VITRINA_SYNC_CHILD` (`lease`,
//! `push-crash`, `pull-crash`, `sync-loop`), `VITRINA_CHILD_URL` (its member's URL, with the
//! password), `VITRINA_CHILD_CATALOG`, `VITRINA_CHILD_BATCH`, `VITRINA_CHILD_AFTER`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vitrina_store::Catalog;
use vitrina_sync::pg::PgRemote;
use vitrina_sync::{Engine, LeaseKeeper, MARKETPLACES, Remote, TeamUrl};

/// Starts this test binary as a child device.
pub fn spawn(role: &str, url: &TeamUrl, catalog: &Path, batch: usize, after: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_device", "--ignored", "--nocapture", "--test-threads=1", "-q"])
        .env("VITRINA_SYNC_CHILD", role)
        .env("VITRINA_CHILD_URL", url.to_url(true))
        .env("VITRINA_CHILD_CATALOG", catalog)
        .env("VITRINA_CHILD_BATCH", batch.to_string())
        .env("VITRINA_CHILD_AFTER", after.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `kill -9`.
pub fn kill9(child: &mut Child) {
    let _ = Command::new("kill").args(["-9", &child.id().to_string()]).status();
    let _ = child.wait();
}

/// Waits for a line of the child's output that starts with `prefix`; the rest of that line.
pub fn wait_for_line(child: &mut Child, prefix: &str, limit: Duration) -> Option<String> {
    let out = child.stdout.as_mut()?;
    let mut reader = BufReader::new(out);
    let deadline = Instant::now() + limit;
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(rest) = line.trim().strip_prefix(prefix) {
            return Some(rest.trim().to_string());
        }
    }
    None
}

/// The child's side.
pub fn run(role: &str) {
    let env = |k: &str| std::env::var(k).unwrap();
    let url = TeamUrl::parse(&env("VITRINA_CHILD_URL")).unwrap();
    let catalog = Catalog::open(env("VITRINA_CHILD_CATALOG")).unwrap();
    let batch: usize = env("VITRINA_CHILD_BATCH").parse().unwrap();
    let after: usize = env("VITRINA_CHILD_AFTER").parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let remote = Arc::new(PgRemote::new(url).unwrap());
        let mut engine = Engine::new(remote.clone(), catalog, "child");
        engine.set_batch(batch);
        let say = |line: String| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        };
        match role {
            "lease" => {
                remote.hello(engine.device(), "child").await.unwrap();
                let keeper = LeaseKeeper::new(remote.clone(), engine.device(), MARKETPLACES);
                loop {
                    keeper.tick().await;
                    match keeper.epoch() {
                        Some(e) => say(format!("OWNER {e}")),
                        None => say("WAITING".into()),
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            "push-crash" => {
                engine.crash_at("pushed", after);
                say("READY".into());
                engine.sync().await.unwrap();
                say("DONE".into());
            }
            "pull-crash" => {
                engine.crash_at("pulled", after);
                say("READY".into());
                engine.sync().await.unwrap();
                say("DONE".into());
            }
            "sync-loop" => {
                say("READY".into());
                loop {
                    let _ = engine.sync().await;
                }
            }
            other => panic!("no child role {other}"),
        }
    });
}
