//! Convergence, as a seeded property: five devices with their own catalogs and clocks (up to an
//! hour off), each behind a proxy that drops, delays or cuts its connection, make random
//! concurrent creations, edits, deletes and undos between random syncs, partitions and engine
//! restarts, with kits and a supplier's settings changed too. Healed and synced until quiet, every device shows the same catalog, the server's
//! state is what an oracle folding the server's log by the rule gets, a device built from that
//! state matches too, and every change a device committed is in the log.
//!
//! `VITRINA_SYNC_CASES` (default 2) sets the number of cases, `VITRINA_SYNC_OPS` (default 150)
//! the operations per case, `VITRINA_SEED` replays a case.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use vitrina_domain::{CategoryPath, ChangeOp, Doc, FieldValue, Money, ProductStatus};
use vitrina_store::{Catalog, ProductKey};
use vitrina_sync::pg::PgRemote;
use vitrina_sync::{Cursor, Engine, MemberKind, Remote};
use vitrina_testkit::proxy::{Fault, Proxy};

use crate::common::{Device, Team, product, rounds};

struct Node {
    device: Device,
    proxy: Proxy,
    url: vitrina_sync::TeamUrl,
    skew_ms: i64,
}

impl Node {
    fn clock(&self) -> vitrina_store::Clock {
        let skew = self.skew_ms;
        Arc::new(move || {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
                as i64;
            (now + skew) as u64
        })
    }

    /// The engine dies and starts again on the same catalog (a crash of the app between writes).
    fn restart(&mut self) {
        let remote = Arc::new(PgRemote::new(self.url.clone()).unwrap());
        remote.set_call_limit(Duration::from_millis(700));
        let catalog = Catalog::open(&self.device.path).unwrap();
        self.device.engine = Engine::new(remote, catalog, "node");
        let clock = self.clock();
        self.device.set_clock(clock);
    }
}

const SKUS: usize = 40;
const PATHS: [&str; 4] = ["Обувь", "Обувь / Кеды", "Сумки", "Сумки / Рюкзаки"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_devices_with_faults_and_skewed_clocks_converge_on_the_servers_log() {
    for case in 0..rounds_env("VITRINA_SYNC_CASES", 2) {
        let seed = std::env::var("VITRINA_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| fastrand::u64(..));
        eprintln!("convergence case {case}: seed {seed} (VITRINA_SEED={seed} replays it)");
        one_case(seed, rounds_env("VITRINA_SYNC_OPS", 150)).await;
    }
}

/// Seeds that once found a divergence, replayed every run: 1589662320969237672 left a kit whose
/// only part was deleted before its link reached four devices at 141 on one and 0 on the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_that_once_diverged_converge() {
    for seed in [1_589_662_320_969_237_672] {
        one_case(seed, 150).await;
    }
}

fn rounds_env(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rounds(default).min(default.max(1)))
}

async fn one_case(seed: u64, ops: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let team = Team::new("conv").await;
    let _founder = team.founder().await;
    let mut nodes = Vec::new();
    for i in 0..5 {
        let member = team.invite(&format!("node{i}"), MemberKind::Editor).await;
        let (device, proxy) = team.join_behind_proxy(&member).await;
        let mut url = member.url.clone();
        url.port = proxy.port();
        let mut node = Node { device, proxy, url, skew_ms: rng.i64(-3_600_000..=3_600_000) };
        node.restart();
        nodes.push(node);
    }
    for _ in 0..ops {
        let n = rng.usize(0..nodes.len());
        let node = &mut nodes[n];
        match rng.u32(0..100) {
            // A kit of the first half made of the second (so links never make a cycle), or a
            // link removed; or the team's one supplier's settings changed.
            0..=2 => {
                let kit = ProductKey::Sku(format!("S-{}", rng.usize(0..SKUS / 2)));
                let part = ProductKey::Sku(format!("S-{}", rng.usize(SKUS / 2..SKUS)));
                let quantity = rng.u32(1..4);
                let unlink = rng.bool();
                node.device.with(|c| {
                    let _ = match unlink {
                        true => c.unlink(&kit, &part, "kit").map(drop),
                        false => c.link(&kit, &part, vitrina_domain::LinkKind::KitComponent { quantity }),
                    };
                });
            }
            3 => {
                let priority = rng.i32(0..5);
                let settings = format!(r#"{{"markup_bp":{}}}"#, rng.u32(0..5_000));
                node.device.with(|c| {
                    let supplier = match c.find_supplier("Оптовик") {
                        Ok(s) => s,
                        Err(_) => c.add_supplier("Оптовик", 0).unwrap(),
                    };
                    c.save_supplier_settings(supplier, priority, "priority", &settings).unwrap();
                });
            }
            4..=24 => {
                let sku = format!("S-{}", rng.usize(0..SKUS));
                let path = PATHS[rng.usize(0..PATHS.len())];
                let price = rng.i64(1..100_000);
                node.device.with(|c| {
                    let category = c.ensure_category_path(&CategoryPath::parse(path)).unwrap();
                    let mut p = product(&sku, &format!("Товар {sku}"), price);
                    p.category = Some(category);
                    // An import's product (same id everywhere for a SKU) or a hand-made one.
                    if price % 2 == 0 {
                        p.id = vitrina_domain::ProductId::for_sku(&sku);
                    }
                    let _ = c.create_product(&p);
                });
            }
            25..=54 => {
                let key = ProductKey::Sku(format!("S-{}", rng.usize(0..SKUS)));
                let value = match rng.u32(0..6) {
                    0 => FieldValue::Price(Money::rub(rng.i64(1..100_000))),
                    1 => FieldValue::Stock(rng.i64(0..500)),
                    2 => FieldValue::Name(format!("Имя {}", rng.u32(0..1000))),
                    3 => FieldValue::Brand(["Nike", "Adidas", ""][rng.usize(0..3)].into()),
                    4 => FieldValue::Status([ProductStatus::Draft, ProductStatus::Active][rng.usize(0..2)]),
                    _ => FieldValue::Sku(format!("S-{}", rng.usize(0..SKUS))),
                };
                node.device.with(|c| {
                    let _ = c.update_product(&key, &[value]);
                });
            }
            55..=61 => {
                let key = ProductKey::Sku(format!("S-{}", rng.usize(0..SKUS)));
                node.device.with(|c| {
                    let _ = c.delete_product(&key);
                });
            }
            62..=67 => {
                let key = ProductKey::Sku(format!("S-{}", rng.usize(0..SKUS)));
                node.device.with(|c| {
                    let _ = c.undo_last(&key);
                });
            }
            68..=87 => {
                let _ = node.device.engine.sync().await;
            }
            88..=94 => node.proxy.set(match rng.u32(0..4) {
                0 => Fault::Blackhole,
                1 => Fault::Refuse,
                2 => Fault::Delay(Duration::from_millis(rng.u64(0..80))),
                _ => Fault::None,
            }),
            95..=97 => node.proxy.cut(),
            _ => node.restart(),
        }
    }
    // Heal, then sync until nothing moves.
    for node in &mut nodes {
        node.proxy.set(Fault::None);
        node.device.engine.remote().set_call_limit(Duration::from_secs(30));
    }
    let mut quiet = false;
    for _ in 0..12 {
        let mut moved = 0;
        for node in &nodes {
            let r = node.device.engine.sync().await.unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            moved += r.pushed_sets + r.pulled_sets - r.applied.own;
        }
        if moved == 0 {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "seed {seed}: still moving after 12 rounds");

    let digests: Vec<String> = nodes.iter().map(|n| n.device.digest()).collect();
    if std::env::var("VITRINA_SYNC_KEEP").is_ok() {
        for n in &nodes {
            let keep = std::env::temp_dir().join(format!("conv-{}.db", n.device.engine.device()));
            n.device.with(|c| c.sync_digest().unwrap());
            let _ = std::fs::copy(&n.device.path, &keep);
            let _ =
                std::fs::copy(format!("{}-wal", n.device.path.display()), format!("{}-wal", keep.display()));
            eprintln!("kept {} ({})", keep.display(), n.device.digest());
        }
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "seed {seed}: devices differ: {digests:?}");
    let fresh = team.join(&team.admin).await;
    assert_eq!(fresh.digest(), digests[0], "seed {seed}: the server's state differs from the devices");

    // The oracle: the server's whole log folded by the rule equals the server's state.
    let reader = PgRemote::new(team.admin.url.clone()).unwrap();
    let mut log = Vec::new();
    let mut cursor = Cursor::START;
    loop {
        let page = reader.pull(cursor, 5_000).await.unwrap();
        let Some(next) = page.next else { break };
        log.extend(page.sets);
        cursor = next;
    }
    let mut oracle: BTreeMap<uuid::Uuid, Doc> = BTreeMap::new();
    for set in &log {
        oracle.entry(set.entity_id).or_default().apply(set);
    }
    let mut state: BTreeMap<uuid::Uuid, Doc> = BTreeMap::new();
    reader
        .state(|docs| {
            for d in docs {
                state.insert(d.id, d.doc);
            }
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(oracle, state, "seed {seed}: the state is not the log folded by the rule");

    // Edits of entities that had a doc are rows per field until folded into the docs (each
    // device's first sync of the day prunes, which folds too); folded in small blocks, the state
    // is the same.
    let rows = |team: &Team| team.psql("SELECT count(*) FROM state_fields").trim().parse::<u64>().unwrap();
    while team.psql("SELECT fold_state(7)").trim() != "0" {}
    assert_eq!(rows(&team), 0, "seed {seed}");
    let mut folded: BTreeMap<uuid::Uuid, Doc> = BTreeMap::new();
    reader
        .state(|docs| {
            for d in docs {
                folded.insert(d.id, d.doc);
            }
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(oracle, folded, "seed {seed}: the folded state is not the log folded by the rule");

    // Every change a device committed is in the log, with its stamp.
    let logged: HashSet<(vitrina_domain::DeviceId, uuid::Uuid, String, u64)> = log
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| (s.device, s.entity_id, f.field.clone(), f.hlc.pack())))
        .collect();
    for node in &nodes {
        let device = node.device.engine.device();
        assert_eq!(node.device.with(|c| c.sync_pending().unwrap()), 0, "seed {seed}");
        let records = node.device.with(|c| own_records(c, device));
        for (entity, op, field, hlc) in records {
            let field = match op {
                ChangeOp::Create | ChangeOp::Delete => "alive".to_string(),
                ChangeOp::Update => field,
            };
            assert!(
                logged.contains(&(device, entity, field.clone(), hlc)),
                "seed {seed}: {device}'s change of {field} on {entity} is not in the log"
            );
        }
    }
}

/// This device's own product records (entity, op, field, packed hlc).
fn own_records(c: &Catalog, device: vitrina_domain::DeviceId) -> Vec<(uuid::Uuid, ChangeOp, String, u64)> {
    let mut out = Vec::new();
    let ids: HashSet<uuid::Uuid> = (0..SKUS)
        .filter_map(|i| c.product(&ProductKey::Sku(format!("S-{i}"))).ok().map(|p| p.id.0))
        .collect();
    for id in ids {
        for r in c.history(&ProductKey::Id(vitrina_domain::ProductId(id))).unwrap() {
            if r.device == device && r.entity == "product" && !r.derived {
                out.push((r.entity_id, r.op, r.field, r.hlc.pack()));
            }
        }
    }
    out
}
