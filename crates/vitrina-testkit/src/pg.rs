//! A throwaway PostgreSQL cluster for tests and benchmarks (DESIGN §10): `initdb` + `pg_ctl`
//! on a free port, its data folder under the build's target folder (the system's temporary
//! folder when it runs as `postgres`, below), so `cargo test` needs no server running beforehand.
//!
//! - The server binaries are found in `VITRINA_PG_BIN`, else the newest
//!   `/usr/lib/postgresql/*/bin`, else beside `pg_config` on the `PATH`; without them the
//!   harness says to install `postgresql` (the README's test command does).
//! - PostgreSQL refuses to run as root: when the tests run as root, the cluster runs as the
//!   `postgres` OS user (through `runuser`) and its folder belongs to that user.
//! - Sign-in over TCP is by password (SCRAM), as on a real server, so a test can connect as any
//!   role it creates with that role's own password; the superuser is `postgres` with a random
//!   password.
//! - [`Cluster::shared`] starts one cluster per test process, stopped and deleted by a watchdog
//!   when the process ends however it ends (even `kill -9`); [`Cluster::start`] starts one of
//!   the caller's own, stopped and deleted on drop.
//!
//! ```no_run
//! use vitrina_testkit::pg::Cluster;
//! let cluster = Cluster::shared();
//! let url = cluster.create_database("t_sync_basic");
//! // … connect to `url` (postgres://postgres:…@127.0.0.1:PORT/t_sync_basic) …
//! ```

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// How to start a cluster (the default: fsync off, no TLS).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Skip `fsync` (tests: a crash of the machine loses nothing a test needs). Benchmarks keep
    /// it on so their figures are those of a real server.
    pub fsync: bool,
    /// Serve TLS with a self-signed certificate (clients with `sslmode=prefer` or `require`
    /// use it; `verify-full` refuses it).
    pub tls: bool,
}

/// A running cluster. Dropping it stops the server and deletes its folder (the shared one is
/// left to its watchdog).
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    password: String,
    run_as_postgres: bool,
    owned: bool,
}

static SHARED: OnceLock<Cluster> = OnceLock::new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Cluster {
    /// The test process's cluster, started on first use.
    pub fn shared() -> &'static Cluster {
        SHARED.get_or_init(|| {
            let mut cluster = Cluster::start_with(Options::default()).unwrap_or_else(|e| panic!("{e}"));
            cluster.owned = false;
            cluster.watch_process();
            cluster
        })
    }

    /// A cluster that lives as long as this process, however it ends (a watchdog stops it and
    /// deletes its folder): `vitrina team test-server`.
    pub fn for_this_process() -> Result<Cluster, String> {
        let mut cluster = Cluster::start_with(Options::default())?;
        cluster.owned = false;
        cluster.watch_process();
        Ok(cluster)
    }

    /// A cluster of the caller's own (fsync off, no TLS).
    pub fn start() -> Result<Cluster, String> {
        Self::start_with(Options::default())
    }

    pub fn start_with(options: Options) -> Result<Cluster, String> {
        let bin = server_binaries()?;
        let run_as_postgres = running_as_root();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = clusters_dir(run_as_postgres).join(format!("{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let password = format!("pw{:016x}", fastrand::u64(..));
        let mut cluster = Cluster { dir, bin, port: 0, password, run_as_postgres, owned: true };
        cluster.init(options)?;
        let mut last = String::new();
        // Another process may take the free port between the look and the start: try a few.
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start(options) {
                Ok(()) => return Ok(cluster),
                Err(e) => last = e,
            }
        }
        Err(format!("the test PostgreSQL did not start: {last}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The superuser's password (the superuser is `postgres`).
    pub fn superuser_password(&self) -> &str {
        &self.password
    }

    /// The folder with the server's binaries (`pg_dump` and `psql` are there too).
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    /// The data folder (its `log` file has the server's log).
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    /// `postgres://postgres:PASSWORD@127.0.0.1:PORT/DB` (no sslmode: the client's default).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres:{}@127.0.0.1:{}/{database}", self.password, self.port)
    }

    /// `postgres://ROLE:PASSWORD@127.0.0.1:PORT/DB`.
    pub fn url_as(&self, role: &str, password: &str, database: &str) -> String {
        format!("postgres://{role}:{password}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a database and returns the superuser's URL for it. Names are the caller's to keep
    /// unique (tests of one process share the cluster).
    pub fn create_database(&self, name: &str) -> String {
        let out = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", name])
            .env("PGPASSWORD", &self.password)
            .output()
            .unwrap_or_else(|e| panic!("createdb: {e}"));
        assert!(out.status.success(), "createdb {name}: {}", String::from_utf8_lossy(&out.stderr));
        self.url(name)
    }

    /// Runs SQL through `psql` as the superuser (for set-up the code under test must not do
    /// itself) and returns its output, unaligned without headers.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-d", database])
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGPASSWORD", &self.password)
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `pg_dump` of a database as plain SQL, data included.
    pub fn dump(&self, database: &str) -> Vec<u8> {
        let out = Command::new(self.bin.join("pg_dump"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", database])
            .env("PGPASSWORD", &self.password)
            .output()
            .unwrap_or_else(|e| panic!("pg_dump: {e}"));
        assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    fn init(&self, options: Options) -> Result<(), String> {
        let pwfile = self.dir.join("pwfile");
        std::fs::write(&pwfile, &self.password).map_err(|e| e.to_string())?;
        let data = self.data();
        self.chown(&self.dir)?;
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
        initdb
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()));
        run(initdb, "initdb")?;
        let _ = std::fs::remove_file(&pwfile);
        if options.tls {
            self.certificates(&data)?;
        }
        Ok(())
    }

    /// A test CA (`ca.crt` in the cluster's folder, for clients to trust) and the server's
    /// certificate signed by it, for `localhost` and `127.0.0.1`.
    fn certificates(&self, data: &Path) -> Result<(), String> {
        let ca_key = self.dir.join("ca.key");
        let mut ca = Command::new("openssl");
        ca.args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Vitrina test CA",
        ]);
        ca.arg("-keyout").arg(&ca_key).arg("-out").arg(self.ca_certificate());
        run(ca, "openssl (the test CA)")?;
        let csr = self.dir.join("server.csr");
        let mut request = Command::new("openssl");
        request.args(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost"]);
        request.arg("-keyout").arg(data.join("server.key")).arg("-out").arg(&csr);
        run(request, "openssl (the test server's key)")?;
        let ext = self.dir.join("server.ext");
        std::fs::write(&ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
            .map_err(|e| e.to_string())?;
        let mut sign = Command::new("openssl");
        sign.args(["x509", "-req", "-days", "2", "-CAcreateserial"]).arg("-in").arg(&csr);
        sign.arg("-CA").arg(self.ca_certificate()).arg("-CAkey").arg(&ca_key);
        sign.arg("-out").arg(data.join("server.crt")).arg("-extfile").arg(&ext);
        run(sign, "openssl (signing the test server's certificate)")?;
        set_private(&data.join("server.key"))?;
        self.chown(data)
    }

    /// The test CA's certificate (clusters started with TLS).
    pub fn ca_certificate(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    fn pg_ctl_start(&self, options: Options) -> Result<(), String> {
        let mut settings = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories='{}' -c max_connections=300 \
             -c shared_buffers=256MB -c max_wal_size=4GB -c log_min_messages=warning",
            self.port,
            self.dir.display()
        );
        if !options.fsync {
            settings.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        if options.tls {
            settings.push_str(" -c ssl=on");
        }
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("start").arg("-D").arg(self.data()).args(["-w", "-t", "60", "-s"]);
        pg_ctl.arg("-l").arg(self.dir.join("log")).arg("-o").arg(settings);
        run(pg_ctl, "pg_ctl start").map_err(|e| {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            format!("{e}\n{log}")
        })
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A command for a server binary, as the `postgres` OS user when we are root.
    fn command(&self, binary: &str) -> Command {
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(binary));
            c
        } else {
            Command::new(self.bin.join(binary))
        }
    }

    fn chown(&self, path: &Path) -> Result<(), String> {
        if self.run_as_postgres {
            let mut c = Command::new("chown");
            c.args(["-R", "postgres:postgres"]).arg(path);
            run(c, "chown")?;
        }
        Ok(())
    }

    /// Starts a shell that waits for this process to end, then stops the server and deletes
    /// its folder.
    fn watch_process(&self) {
        let stop =
            if self.run_as_postgres { "runuser -u postgres -- \"$2/pg_ctl\"" } else { "\"$2/pg_ctl\"" };
        let script = format!(
            "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; \
             {stop} stop -D \"$3/data\" -m immediate -s >/dev/null 2>&1; rm -rf \"$3\""
        );
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("watchdog")
            .arg(std::process::id().to_string())
            .arg(&self.bin)
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            eprintln!("the test PostgreSQL's watchdog did not start ({e}): {} stays", self.dir.display());
        }
    }

    fn stop(&self) {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("stop").arg("-D").arg(self.data()).args(["-m", "immediate", "-s"]);
        let _ = pg_ctl.stdout(Stdio::null()).stderr(Stdio::null()).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.owned {
            self.stop();
        }
    }
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let out = command.stdin(Stdio::null()).output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

fn set_private(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    }
    let _ = path;
    Ok(())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Where the PostgreSQL server binaries are.
fn server_binaries() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("VITRINA_PG_BIN").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if bin.join("initdb").exists() {
            return Ok(bin);
        }
    }
    Err("PostgreSQL's server binaries (initdb, pg_ctl) were not found: install the `postgresql` \
         package (scripts/test does), or point VITRINA_PG_BIN at their folder"
        .into())
}

/// The build's target folder: `CARGO_TARGET_DIR`, else the folder above this executable's
/// `debug`/`release` folder, else the system's temporary folder.
/// Where clusters' folders go: under the build's target folder, or, when the cluster runs as the
/// `postgres` user, under the system's temporary folder: a clone in a private folder (root's
/// home, or `mktemp -d`, both 0700) cannot be reached by that user, and `initdb` fails with
/// "Permission denied".
fn clusters_dir(run_as_postgres: bool) -> PathBuf {
    match run_as_postgres {
        true => std::env::temp_dir().join("vitrina-pg"),
        false => target_dir().join("pg"),
    }
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if dir.is_absolute() {
            return dir;
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors() {
            if dir.join("CACHEDIR.TAG").exists() {
                return dir.to_path_buf();
            }
        }
    }
    std::env::temp_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_serves_a_database_and_is_deleted_on_drop() {
        let cluster = Cluster::start().unwrap();
        cluster.create_database("t_harness");
        assert_eq!(cluster.psql("t_harness", "SELECT 40 + 2").trim(), "42");
        assert_eq!(cluster.psql("t_harness", "SHOW fsync").trim(), "off");
        let dir = cluster.data_dir().to_path_buf();
        assert!(dir.join("data").join("PG_VERSION").exists());
        drop(cluster);
        assert!(!dir.exists(), "the cluster's folder is deleted");
    }

    #[test]
    fn a_tls_cluster_has_ssl_on() {
        let cluster = Cluster::start_with(Options { fsync: false, tls: true }).unwrap();
        assert_eq!(cluster.psql("postgres", "SHOW ssl").trim(), "on");
    }
}
