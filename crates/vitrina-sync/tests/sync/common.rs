//! A team on the test process's throwaway PostgreSQL, and devices that join it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use vitrina_domain::{Money, Product, ProductDraft};
use vitrina_store::{Catalog, Clock};
use vitrina_sync::pg::PgRemote;
use vitrina_sync::pg::admin::{Invitation, init_team, seed_team};
use vitrina_sync::{Engine, MemberKind, Remote, TeamUrl};
use vitrina_testkit::pg::Cluster;
use vitrina_testkit::proxy::Proxy;

static N: AtomicU32 = AtomicU32::new(0);

/// A team in a database of its own.
pub struct Team {
    pub cluster: &'static Cluster,
    pub db: String,
    pub schema: String,
    pub admin: Invitation,
}

impl Team {
    pub async fn new(tag: &str) -> Team {
        let cluster = Cluster::shared();
        let n = N.fetch_add(1, Ordering::Relaxed);
        let db = format!("t_{tag}_{n}");
        let schema = format!("t{n}_{tag}");
        let url = cluster.create_database(&db);
        let server = TeamUrl::parse(&format!("{url}?sslmode=disable&schema={schema}")).unwrap();
        let admin = init_team(&server, "Админ").await.unwrap();
        Team { cluster, db, schema, admin }
    }

    /// The server's superuser, for checks the code under test must not do.
    pub fn psql(&self, sql: &str) -> String {
        self.cluster.psql(&self.db, &format!("SET search_path TO {}; {sql}", self.schema))
    }

    pub async fn invite(&self, name: &str, kind: MemberKind) -> Invitation {
        PgRemote::new(self.admin.url.clone()).unwrap().invite(name, kind).await.unwrap()
    }

    /// The admin's first device: an empty catalog that seeds the team.
    pub async fn founder(&self) -> Device {
        self.founder_from(|_| {}).await
    }

    /// The admin's first device, with what `fill` puts in its folder's catalog (at the path it
    /// is given) before it seeds the team.
    pub async fn founder_from(&self, fill: impl FnOnce(&std::path::Path)) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        fill(&path);
        let catalog = Catalog::open(&path).unwrap();
        let remote = PgRemote::new(self.admin.url.clone()).unwrap();
        remote.hello(catalog.device(), "founder").await.unwrap();
        let (catalog, _) = seed_team(&remote, catalog).await.unwrap();
        Device::new(dir, path, Arc::new(remote), catalog)
    }

    /// A new device of `member`, bootstrapped from the team's state.
    pub async fn join(&self, member: &Invitation) -> Device {
        self.join_url(member.url.clone()).await
    }

    pub async fn join_url(&self, url: TeamUrl) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.db");
        let remote = PgRemote::new(url).unwrap();
        vitrina_sync::join(&remote, &path, "test device", vec![]).await.unwrap();
        let catalog = Catalog::open(&path).unwrap();
        Device::new(dir, path, Arc::new(remote), catalog)
    }

    /// A device of `member` whose connection goes through a proxy the test controls.
    pub async fn join_behind_proxy(&self, member: &Invitation) -> (Device, Proxy) {
        let proxy = Proxy::start(format!("127.0.0.1:{}", self.cluster.port()).parse().unwrap());
        let mut url = member.url.clone();
        url.port = proxy.port();
        (self.join_url(url).await, proxy)
    }
}

/// One device: its catalog folder and its engine.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub engine: Engine<PgRemote>,
}

impl Device {
    pub fn new(dir: tempfile::TempDir, path: PathBuf, remote: Arc<PgRemote>, catalog: Catalog) -> Device {
        Device { dir, path, engine: Engine::new(remote, catalog, "test device") }
    }

    pub fn engine_remote(&self) -> Arc<PgRemote> {
        self.engine.remote().clone()
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Catalog) -> T) -> T {
        let catalog = self.engine.catalog();
        let mut c = catalog.lock().unwrap();
        f(&mut c)
    }

    pub async fn sync(&self) -> vitrina_sync::SyncReport {
        self.engine.sync().await.unwrap_or_else(|e| panic!("sync failed: {e}"))
    }

    pub fn digest(&self) -> String {
        self.with(|c| c.sync_digest().unwrap())
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.engine.set_device_clock(clock);
    }
}

pub fn product(sku: &str, name: &str, price: i64) -> Product {
    Product::new(ProductDraft { sku: sku.into(), name: name.into(), price: Money::rub(price) }).unwrap()
}

/// A digest of the team's state as the server has it: a fresh device built from it.
pub async fn server_digest(team: &Team) -> String {
    let d = team.join(&team.admin).await;
    d.digest()
}

/// A seeded random generator: `VITRINA_SEED` replays a run; the seed is printed either way.
pub fn seeded_rng(test: &str) -> (u64, fastrand::Rng) {
    let seed =
        std::env::var("VITRINA_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    eprintln!("{test}: seed {seed} (VITRINA_SEED={seed} replays it)");
    (seed, fastrand::Rng::with_seed(seed))
}

/// How many rounds a randomized test runs: `default`, or `VITRINA_SYNC_ROUNDS`.
pub fn rounds(default: usize) -> usize {
    std::env::var("VITRINA_SYNC_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}
