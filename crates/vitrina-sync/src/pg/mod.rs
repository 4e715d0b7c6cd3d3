//! The team's shared store on PostgreSQL: plain tables and ordinary grants, no logical
//! replication (DESIGN §8, reference/sync-anchors.md §3).
//!
//! - Pushes insert change sets into `log` in one statement; a statement trigger refuses sets
//!   of another schema version or stamped over five minutes ahead, folds them into `state` (a
//!   new entity's doc, or a row per field that won for one that has a doc) and NOTIFYs the
//!   others. Pruning folds those field rows into the docs, in blocks.
//! - Pulls read `log` by (transaction id, sequence), only below the oldest transaction still
//!   running (`pg_snapshot_xmin`), so a push that commits after a later one is never skipped.
//! - A new device copies `state` (`COPY … (FORMAT binary)`: the field rows, then the docs with
//!   them laid over) from one snapshot and pulls from that snapshot's xmin.
//! - Every call has a time limit: a half-open network (packets lost, no reset) fails the call
//!   instead of hanging the device; the connection is then opened anew.

pub mod admin;
mod rows;
pub mod schema;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, pin_mut};
use tokio::sync::Mutex;
use tokio_postgres::binary_copy::BinaryCopyOutStream;
use tokio_postgres::types::Type;
use tokio_postgres::{AsyncMessage, Client};
use tokio_postgres_rustls::MakeRustlsConnect;
use uuid::Uuid;
use vitrina_domain::{ChangeSet, DeviceId, EntityKind};

use crate::error::{Result, SyncError, SyncErrorKind};
use crate::remote::{Cursor, LeaseHolder, MemberKind, PullPage, Remote, ServerInfo, StateDoc};
use crate::url::TeamUrl;
use schema::{Names, SCHEMA_VERSION};
use wire::RawJson;

/// Where a pull stops: the oldest transaction still running in this database, as the statement's
/// snapshot saw it (the snapshot's end when none runs). A change set committed below it can no
/// longer appear, so a cursor past it skips nothing. The snapshot's own xmin would do as well but
/// counts every database of the server: a long report, a backup or another team's push
/// elsewhere on a shared server would hold every pull back. A transaction is left out only
/// when the server's activity, read after the snapshot, shows it still running in another
/// database; one that ended meanwhile is still counted (its database unknown), which is safe.
const PULL_HORIZON: &str = "coalesce(
    (SELECT min(x) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
     WHERE NOT EXISTS (
         SELECT 1 FROM pg_stat_activity AS a
         WHERE a.backend_xid::text::bigint = (x::text::numeric % 4294967296)::bigint
           AND a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()))),
    pg_snapshot_xmax(pg_current_snapshot()))";

/// How long one call may take before the network counts as lost.
const CALL_LIMIT: Duration = Duration::from_secs(30);
/// Rows per batch of a state copy handed to the sink.
const STATE_BATCH: usize = 2_000;
/// Entities whose field rows one call of `fold_state` folds into their docs.
const FOLD_BLOCK: i32 = 5_000;

/// A team's PostgreSQL, signed in as one member.
pub struct PgRemote {
    url: TeamUrl,
    names: Names,
    tls: MakeRustlsConnect,
    client: Mutex<Option<Arc<Client>>>,
    call_limit: std::sync::atomic::AtomicU64,
    /// Tests only: keep each push's transaction open this long before it commits.
    push_hold: std::sync::Mutex<Option<Duration>>,
}

impl std::fmt::Debug for PgRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgRemote").field("url", &self.url).finish()
    }
}

impl PgRemote {
    pub fn new(url: TeamUrl) -> Result<Self> {
        let names = Names::new(&url.schema)?;
        let tls = crate::tls::connector(&url)?;
        Ok(PgRemote {
            url,
            names,
            tls,
            client: Mutex::new(None),
            call_limit: std::sync::atomic::AtomicU64::new(CALL_LIMIT.as_millis() as u64),
            push_hold: std::sync::Mutex::new(None),
        })
    }

    pub fn url(&self) -> &TeamUrl {
        &self.url
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    /// How long one call may take (30 s unless set).
    pub fn set_call_limit(&self, limit: Duration) {
        self.call_limit.store(limit.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
    }

    fn limit(&self) -> Duration {
        Duration::from_millis(self.call_limit.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Tests: every push keeps its transaction open for `hold` before committing.
    #[doc(hidden)]
    pub fn hold_pushes_open(&self, hold: Option<Duration>) {
        *self.push_hold.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = hold;
    }

    /// A new connection with the team's schema first on the search path.
    pub(crate) async fn open(&self) -> Result<Client> {
        let (client, connection) =
            tokio::time::timeout(self.limit(), self.url.pg_config().connect(self.tls.clone()))
                .await
                .map_err(|_| SyncError::timeout("connecting", self.limit().as_secs()))??;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "team server connection ended");
            }
        });
        client.batch_execute(&format!("SET search_path TO {}, pg_temp", self.names.schema)).await?;
        Ok(client)
    }

    /// Runs `call` on the work connection (opened when there is none), within the time limit.
    /// A call that times out or breaks the connection drops it, so the next opens a new one.
    async fn call<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: FnOnce(Arc<Client>) -> Fut,
        Fut: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let mut slot = self.client.lock().await;
        let client = match slot.as_ref().filter(|c| !c.is_closed()) {
            Some(c) => c.clone(),
            None => {
                let c = Arc::new(self.open().await?);
                *slot = Some(c.clone());
                c
            }
        };
        match tokio::time::timeout(self.limit(), call(client)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                if e.is_closed() || e.as_db_error().is_none() {
                    *slot = None;
                }
                Err(e.into())
            }
            Err(_) => {
                *slot = None;
                Err(SyncError::timeout(what, self.limit().as_secs()))
            }
        }
    }

    /// Drops the work connection (the next call opens a new one).
    pub async fn disconnect(&self) {
        *self.client.lock().await = None;
    }
}

impl Remote for PgRemote {
    async fn hello(&self, device: DeviceId, label: &str) -> Result<ServerInfo> {
        let row = self
            .call("connecting", |c| async move {
                c.query_one(
                    "SELECT (SELECT value::integer FROM meta WHERE key = 'schema_version'),
                            (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                            session_user::text,
                            (SELECT kind FROM members WHERE role = session_user),
                            (SELECT name FROM members WHERE role = session_user)",
                    &[],
                )
                .await
            })
            .await?;
        let version: Option<i32> = row.get(0);
        let server_ms: i64 = row.get(1);
        let role: String = row.get(2);
        let version = version.unwrap_or(0);
        if version > SCHEMA_VERSION {
            return Err(SyncError::schema_too_new(version, SCHEMA_VERSION));
        }
        if version < SCHEMA_VERSION {
            return Err(SyncError::server_too_old(version, SCHEMA_VERSION));
        }
        let kind: MemberKind =
            row.get::<_, Option<String>>(3).and_then(|k| k.parse().ok()).ok_or_else(|| {
                SyncError::new(
                    SyncErrorKind::NotAllowed,
                    format!("\"{role}\" is not a member of this team (an admin may have removed it)"),
                )
            })?;
        if kind.may_edit() {
            let label = label.to_string();
            self.call("registering this device", |c| async move {
                c.execute(
                    "INSERT INTO devices (id, label) VALUES ($1, $2)
                     ON CONFLICT (id) DO UPDATE SET last_seen = now(), label = excluded.label",
                    &[&device.0, &label],
                )
                .await
            })
            .await?;
        }
        Ok(ServerInfo {
            schema_version: version,
            server_ms,
            clock_offset_ms: 0,
            role,
            member_name: row.get::<_, Option<String>>(4).unwrap_or_default(),
            kind,
        })
    }

    async fn push(&self, sets: &[ChangeSet]) -> Result<()> {
        if sets.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = sets.iter().map(|s| s.id).collect();
        let entities: Vec<&str> = sets.iter().map(|s| s.entity.code()).collect();
        let entity_ids: Vec<Uuid> = sets.iter().map(|s| s.entity_id).collect();
        let batches: Vec<Uuid> = sets.iter().map(|s| s.batch).collect();
        let devices: Vec<Uuid> = sets.iter().map(|s| s.device.0).collect();
        let who: Vec<&str> = sets.iter().map(|s| s.who.as_str()).collect();
        let fields: Vec<String> = sets.iter().map(wire::fields_json).collect();
        let hold = *self.push_hold.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.call("pushing changes", |c| async move {
            let sql = "INSERT INTO log (id, entity, entity_id, batch, device, who, schema_version, fields)
                 SELECT u.id, u.entity, u.entity_id, u.batch, u.device, u.who, $7, u.fields::jsonb
                 FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $8::text[])
                     AS u(id, entity, entity_id, batch, device, who, fields)
                 ON CONFLICT (id) DO NOTHING";
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 8] =
                [&ids, &entities, &entity_ids, &batches, &devices, &who, &SCHEMA_VERSION, &fields];
            match hold {
                None => c.execute(sql, &params).await.map(|_| ()),
                Some(hold) => {
                    c.batch_execute("BEGIN").await?;
                    let done = c.execute(sql, &params).await;
                    tokio::time::sleep(hold).await;
                    match done {
                        Ok(_) => c.batch_execute("COMMIT").await,
                        Err(e) => {
                            let _ = c.batch_execute("ROLLBACK").await;
                            Err(e)
                        }
                    }
                }
            }
        })
        .await
    }

    async fn pull(&self, after: Cursor, limit: usize) -> Result<PullPage> {
        let horizon: String = self
            .call("reading the log", |c| async move {
                c.query_one("SELECT value FROM meta WHERE key = 'log_horizon'", &[]).await
            })
            .await?
            .get(0);
        // The latest transaction whose change sets were pruned: a cursor not past it may have
        // missed some.
        let pruned = horizon.parse::<u64>().unwrap_or(0);
        if pruned > 0 && after.xid <= pruned {
            return Ok(PullPage { behind: true, ..PullPage::default() });
        }
        let xid = after.xid.to_string();
        let rows = self
            .call("pulling changes", |c| async move {
                c.query(
                    &format!(
                        "SELECT xid::text, seq, id, entity, entity_id, batch, device, who, fields FROM log
                         WHERE (xid, seq) > ($1::text::xid8, $2) AND xid < {PULL_HORIZON}
                         ORDER BY xid, seq LIMIT $3"
                    ),
                    &[&xid, &after.seq, &(limit as i64)],
                )
                .await
            })
            .await?;
        let mut page = PullPage { sets: Vec::with_capacity(rows.len()), ..PullPage::default() };
        for row in &rows {
            let entity: &str = row.get(3);
            let Some(entity) = EntityKind::from_code(entity) else { continue };
            page.sets.push(ChangeSet {
                id: row.get(2),
                entity,
                entity_id: row.get(4),
                batch: row.get(5),
                device: DeviceId(row.get(6)),
                who: row.get(7),
                fields: wire::fields_from_json(row.get::<_, RawJson>(8).0)?,
            });
        }
        if let Some(last) = rows.last() {
            let xid: &str = last.get(0);
            page.next = Some(Cursor { xid: xid.parse().unwrap_or(after.xid), seq: last.get(1) });
        }
        if rows.len() < limit {
            let from = page.next.unwrap_or(after);
            let xid = from.xid.to_string();
            page.held_back = self
                .call("pulling changes", |c| async move {
                    c.query_one(
                        &format!(
                            "SELECT EXISTS (SELECT 1 FROM log WHERE (xid, seq) > ($1::text::xid8, $2)
                                            AND xid >= {PULL_HORIZON})"
                        ),
                        &[&xid, &from.seq],
                    )
                    .await
                })
                .await?
                .get(0);
        }
        Ok(page)
    }

    async fn pulled(&self, device: DeviceId, cursor: Cursor) -> Result<()> {
        let xid = cursor.xid.to_string();
        self.call("reporting progress", |c| async move {
            c.execute(
                "UPDATE devices SET pulled = $2::text::xid8, last_seen = now() WHERE id = $1 AND member = session_user",
                &[&device.0, &xid],
            )
            .await
        })
        .await
        .map(|_| ())
    }

    async fn prune(&self, keep: Duration) -> Result<u64> {
        let keep = format!("{} seconds", keep.as_secs());
        let row = self
            .call("pruning the log", |c| async move {
                c.query_one("SELECT prune_log($1::text::interval)", &[&keep]).await
            })
            .await?;
        // The fields that won since are folded into their docs as well, a block of entities per
        // transaction (a push of a field being folded waits only for its block).
        loop {
            let folded: i64 = self
                .call("folding the team's state", |c| async move {
                    c.query_one("SELECT fold_state($1)", &[&FOLD_BLOCK]).await
                })
                .await?
                .get(0);
            if folded < i64::from(FOLD_BLOCK) {
                break;
            }
        }
        Ok(row.get::<_, i64>(0) as u64)
    }

    async fn state<F>(&self, mut sink: F) -> Result<Cursor>
    where
        F: FnMut(Vec<StateDoc>) -> Result<()> + Send,
    {
        // Its own connection, no overall time limit (a million products take a while); each
        // chunk of the copy still has to arrive within the limit.
        let client = self.open().await?;
        let limit = self.limit();
        let within = |what: &'static str| move |_| SyncError::timeout(what, limit.as_secs());
        tokio::time::timeout(limit, client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            .await
            .map_err(within("starting the copy"))??;
        let xmin: String = tokio::time::timeout(
            limit,
            client.query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[]),
        )
        .await
        .map_err(within("starting the copy"))??
        .get(0);
        // The fields that won since their docs were last folded, laid over the docs as they come.
        let mut fields = {
            let stream = tokio::time::timeout(
                limit,
                client.copy_out(
                    "COPY (SELECT entity_id, field, value, hlc, device FROM state_fields) TO STDOUT (FORMAT binary)",
                ),
            )
            .await
            .map_err(within("copying the team's catalog"))??;
            let rows = BinaryCopyOutStream::new(
                stream,
                &[Type::UUID, Type::TEXT, Type::TEXT, Type::INT8, Type::UUID],
            );
            pin_mut!(rows);
            let mut fields = wire::FieldRows::default();
            loop {
                let next = tokio::time::timeout(limit, rows.next())
                    .await
                    .map_err(within("copying the team's catalog"))?;
                let Some(row) = next else { break };
                let row = row?;
                fields.add(
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get::<i64>(3)?,
                    row.try_get(4)?,
                );
            }
            fields
        };
        for (kind, query) in [
            (
                EntityKind::Category,
                "COPY (SELECT entity_id, doc FROM state WHERE entity = 'category') TO STDOUT (FORMAT binary)",
            ),
            (
                EntityKind::Product,
                "COPY (SELECT entity_id, doc FROM state WHERE entity = 'product') TO STDOUT (FORMAT binary)",
            ),
        ] {
            let stream = tokio::time::timeout(limit, client.copy_out(query))
                .await
                .map_err(within("copying the team's catalog"))??;
            let rows = BinaryCopyOutStream::new(stream, &[Type::UUID, Type::JSONB]);
            pin_mut!(rows);
            let mut batch = Vec::with_capacity(STATE_BATCH);
            loop {
                let next = tokio::time::timeout(limit, rows.next())
                    .await
                    .map_err(within("copying the team's catalog"))?;
                let Some(row) = next else { break };
                let row = row?;
                let id: Uuid = row.try_get(0)?;
                let mut doc = wire::doc_from_json(row.try_get::<RawJson>(1)?.0)?;
                fields.lay_over(id, &mut doc);
                batch.push(StateDoc { kind, id, doc });
                if batch.len() == STATE_BATCH {
                    sink(std::mem::replace(&mut batch, Vec::with_capacity(STATE_BATCH)))?;
                }
            }
            if !batch.is_empty() {
                sink(batch)?;
            }
        }
        rows::copy_state(&client, limit, &mut fields, &mut sink).await?;
        client.batch_execute("COMMIT").await?;
        Ok(Cursor { xid: xmin.parse().unwrap_or(0), seq: -1 })
    }

    async fn take_lease(&self, name: &str, device: DeviceId, ttl: Duration) -> Result<Option<i64>> {
        let ttl = ttl.as_millis() as i32;
        let name = name.to_string();
        let row = self
            .call("taking the lease", |c| async move {
                c.query_one("SELECT take_lease($1, $2, $3)", &[&name, &device.0, &ttl]).await
            })
            .await?;
        Ok(row.get(0))
    }

    async fn renew_lease(&self, name: &str, device: DeviceId, epoch: i64, ttl: Duration) -> Result<bool> {
        let ttl = ttl.as_millis() as i32;
        let name = name.to_string();
        let row = self
            .call("renewing the lease", |c| async move {
                c.query_one("SELECT renew_lease($1, $2, $3, $4)", &[&name, &device.0, &epoch, &ttl]).await
            })
            .await?;
        Ok(row.get(0))
    }

    async fn release_lease(&self, name: &str, device: DeviceId, epoch: i64) -> Result<()> {
        let name = name.to_string();
        self.call("releasing the lease", |c| async move {
            c.execute("SELECT release_lease($1, $2, $3)", &[&name, &device.0, &epoch]).await
        })
        .await
        .map(|_| ())
    }

    async fn lease_valid(&self, name: &str, epoch: i64) -> Result<bool> {
        let name = name.to_string();
        let row = self
            .call("checking the lease", |c| async move {
                c.query_one("SELECT lease_valid($1, $2)", &[&name, &epoch]).await
            })
            .await?;
        Ok(row.get(0))
    }

    async fn lease_holder(&self, name: &str) -> Result<LeaseHolder> {
        let name = name.to_string();
        let row = self
            .call("reading the lease", |c| async move {
                c.query_one(
                    "SELECT holder, member::text, epoch, expires_at > clock_timestamp() FROM leases WHERE name = $1",
                    &[&name],
                )
                .await
            })
            .await?;
        Ok(LeaseHolder {
            device: row.get::<_, Option<Uuid>>(0).map(DeviceId),
            role: row.get(1),
            epoch: row.get(2),
            live: row.get(3),
        })
    }

    async fn listen(&self) -> Result<tokio::sync::mpsc::Receiver<()>> {
        let (client, mut connection) =
            tokio::time::timeout(self.limit(), self.url.pg_config().connect(self.tls.clone()))
                .await
                .map_err(|_| SyncError::timeout("listening for changes", self.limit().as_secs()))??;
        let (send, receive) = tokio::sync::mpsc::channel(8);
        let (ready_send, ready) = tokio::sync::oneshot::channel::<()>();
        let channel = self.names.channel();
        tokio::spawn(async move {
            let messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            pin_mut!(messages);
            let mut ready_send = Some(ready_send);
            let client = client;
            let statement = format!("LISTEN \"{channel}\"");
            let listening = client.batch_execute(&statement);
            pin_mut!(listening);
            let mut listened = false;
            loop {
                tokio::select! {
                    done = &mut listening, if !listened => {
                        listened = true;
                        if done.is_err() { break; }
                        if let Some(r) = ready_send.take() { let _ = r.send(()); }
                    }
                    message = messages.next() => match message {
                        Some(Ok(AsyncMessage::Notification(_))) => {
                            if let Err(tokio::sync::mpsc::error::TrySendError::Closed(())) = send.try_send(()) {
                                break;
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        tokio::time::timeout(self.limit(), ready)
            .await
            .map_err(|_| SyncError::timeout("listening for changes", self.limit().as_secs()))?
            .map_err(|_| SyncError::unreachable("the listening connection closed"))?;
        Ok(receive)
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
