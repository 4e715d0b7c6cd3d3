//! Managing a team: creating it (`team init`), upgrading its schema, its members and their
//! roles, and seeding its state from the first device's catalog. The server checks every step
//! (member functions are executable by the admin group only): the app only words the refusals.

use std::pin::Pin;

use bytes::BufMut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use uuid::Uuid;
use vitrina_domain::{Doc, EntityKind};

use super::PgRemote;
use super::schema::{self, SCHEMA_VERSION};
use crate::error::{Result, SyncError, SyncErrorKind};
use crate::remote::MemberKind;
use crate::url::TeamUrl;

/// A member's sign-in, as `team init` and `team invite` hand it out.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// The member's login role.
    pub role: String,
    pub kind: MemberKind,
    /// The server, the team and this member's own credentials.
    pub url: TeamUrl,
}

impl Invitation {
    pub fn password(&self) -> &str {
        self.url.password().unwrap_or_default()
    }

    pub fn code(&self) -> String {
        self.url.join_code()
    }
}

/// A member as the team lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub role: String,
    pub name: String,
    pub kind: MemberKind,
    /// When one of their devices last synced (UTC ms).
    pub last_seen: Option<i64>,
    pub devices: i64,
}

/// A new password for a login role: 32 characters drawn from two random UUIDs (a generator
/// seeded by the OS), over 180 bits.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let bits: Vec<u8> = Uuid::new_v4().as_bytes().iter().chain(Uuid::new_v4().as_bytes()).copied().collect();
    let mut n = u128::from_le_bytes(bits[0..16].try_into().unwrap_or_default());
    let mut m = u128::from_le_bytes(bits[16..32].try_into().unwrap_or_default());
    let mut out = String::with_capacity(32);
    for i in 0..32 {
        let src = if i % 2 == 0 { &mut n } else { &mut m };
        out.push(ALPHABET[(*src % ALPHABET.len() as u128) as usize] as char);
        *src /= ALPHABET.len() as u128;
    }
    out
}

/// Creates the team in `server`'s database (signed in as a server user that may create roles
/// and schemas), with its first admin `admin_name`; returns that admin's sign-in.
pub async fn init_team(server: &TeamUrl, admin_name: &str) -> Result<Invitation> {
    let remote = PgRemote::new(server.clone())?;
    let client = remote.open_plain().await?;
    let names = remote.names().clone();
    schema::create(&client, &names).await?;
    let role = names.member_role(admin_name);
    let password = new_password();
    let sql = format!(
        "BEGIN; SET LOCAL ROLE {owner}; SET LOCAL search_path TO {schema}, pg_temp;
         SELECT add_member('{role}', {name}, 'admin', '{password}'); COMMIT;",
        owner = names.owner(),
        schema = names.schema,
        name = quote_literal(admin_name.trim()),
    );
    if let Err(e) = client.batch_execute(&sql).await {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(e.into());
    }
    Ok(Invitation {
        role: role.clone(),
        kind: MemberKind::Admin,
        url: server.with_credentials(&role, Some(&password)),
    })
}

/// Brings the team's schema up to this app's version (as a team admin). Returns (from, to).
pub async fn upgrade(url: &TeamUrl) -> Result<(i32, i32)> {
    let remote = PgRemote::new(url.clone())?;
    let client = remote.open_plain().await?;
    let names = remote.names().clone();
    let from = schema::version(&client, &names).await?.ok_or_else(|| {
        SyncError::new(
            SyncErrorKind::NoTeam,
            format!("this database has no team in schema \"{}\"", names.schema),
        )
    })?;
    if from > SCHEMA_VERSION {
        return Err(SyncError::schema_too_new(from, SCHEMA_VERSION));
    }
    let may: bool =
        client.query_one("SELECT pg_has_role(session_user, $1, 'MEMBER')", &[&names.owner()]).await?.get(0);
    if !may {
        return Err(SyncError::new(
            SyncErrorKind::NotAllowed,
            "only a team admin may upgrade the team's database",
        ));
    }
    schema::migrate(&client, &names, from).await?;
    Ok((from, SCHEMA_VERSION))
}

impl PgRemote {
    /// A connection for one-off admin work (no search path set: `schema` names things).
    async fn open_plain(&self) -> Result<tokio_postgres::Client> {
        self.open().await
    }

    /// Adds a member (as an admin): a login role with its own new password.
    pub async fn invite(&self, name: &str, kind: MemberKind) -> Result<Invitation> {
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(SyncError::new(SyncErrorKind::BadUrl, "give the new member's name"));
        }
        let client = self.open().await?;
        let base = self.names().member_role(&name);
        let mut role = base.clone();
        for n in 2.. {
            let taken: bool = client
                .query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role])
                .await?
                .get(0);
            if !taken {
                break;
            }
            role = format!("{base}{n}");
        }
        let password = new_password();
        client.execute("SELECT add_member($1, $2, $3, $4)", &[&role, &name, &kind.code(), &password]).await?;
        Ok(Invitation { role: role.clone(), kind, url: self.url().with_credentials(&role, Some(&password)) })
    }

    pub async fn members(&self) -> Result<Vec<Member>> {
        let client = self.open().await?;
        let rows = client
            .query(
                "SELECT m.role::text, m.name, m.kind,
                        (SELECT (extract(epoch FROM max(d.last_seen)) * 1000)::bigint FROM devices d WHERE d.member = m.role),
                        (SELECT count(*) FROM devices d WHERE d.member = m.role)
                 FROM members m ORDER BY m.created_at, m.role",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Member {
                role: r.get(0),
                name: r.get(1),
                kind: r.get::<_, String>(2).parse().unwrap_or(MemberKind::Viewer),
                last_seen: r.get(3),
                devices: r.get(4),
            })
            .collect())
    }

    /// The login role of a member given by role or by name.
    pub async fn find_member(&self, who: &str) -> Result<String> {
        let members = self.members().await?;
        let who = who.trim();
        members
            .iter()
            .find(|m| m.role == who)
            .or_else(|| members.iter().find(|m| m.name.eq_ignore_ascii_case(who)))
            .map(|m| m.role.clone())
            .ok_or_else(|| {
                SyncError::new(SyncErrorKind::NotInTeam, format!("the team has no member \"{who}\""))
            })
    }

    pub async fn set_member_kind(&self, role: &str, kind: MemberKind) -> Result<()> {
        let client = self.open().await?;
        client.execute("SELECT set_member_kind($1, $2)", &[&role, &kind.code()]).await?;
        Ok(())
    }

    pub async fn remove_member(&self, role: &str) -> Result<()> {
        let client = self.open().await?;
        client.execute("SELECT remove_member($1)", &[&role]).await?;
        Ok(())
    }

    /// This device leaves the team: its registration goes (the member stays).
    pub async fn forget_device(&self, device: vitrina_domain::DeviceId) -> Result<()> {
        let client = self.open().await?;
        client.execute("DELETE FROM devices WHERE id = $1", &[&device.0]).await?;
        Ok(())
    }

    /// Seeds the team's state with a first device's catalog (as an admin, through the owner
    /// role): docs arrive in batches from `next` until it returns None. Returns the cursor the
    /// device pulls from afterwards.
    pub async fn seed_state(
        &self,
        mut next: impl FnMut() -> Option<Vec<(EntityKind, Uuid, Doc)>>,
    ) -> Result<crate::remote::Cursor> {
        let mut client = self.open().await?;
        let tx = client.transaction().await?;
        // COPY does not write tables under row-level security: into a temporary table first.
        tx.batch_execute(&format!(
            "SET LOCAL ROLE {}; CREATE TEMP TABLE seed (entity_id uuid, entity text, doc jsonb) ON COMMIT DROP",
            self.names().owner()
        ))
        .await?;
        let sink = tx.copy_in("COPY seed (entity_id, entity, doc) FROM STDIN (FORMAT binary)").await?;
        let writer = BinaryCopyInWriter::new(sink, &[Type::UUID, Type::TEXT, Type::JSONB]);
        let mut writer: Pin<Box<BinaryCopyInWriter>> = Box::pin(writer);
        while let Some(batch) = next() {
            for (kind, id, doc) in batch {
                let json = JsonbText(super::wire::doc_json(&doc));
                writer.as_mut().write(&[&id, &kind.code(), &json]).await?;
            }
        }
        writer.as_mut().finish().await?;
        tx.batch_execute(
            "INSERT INTO state AS s (entity_id, entity, doc) SELECT entity_id, entity, doc FROM seed
             ON CONFLICT (entity_id) DO UPDATE SET doc = merge_doc(s.doc, excluded.doc)",
        )
        .await?;
        let xmin: String =
            tx.query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[]).await?.get(0);
        tx.commit().await?;
        Ok(crate::remote::Cursor { xid: xmin.parse().unwrap_or(0), seq: -1 })
    }
}

/// A text as an SQL string literal.
fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// jsonb text to send in binary form (a version byte, then the text).
#[derive(Debug)]
struct JsonbText(String);

impl ToSql for JsonbText {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if *ty == Type::JSONB {
            out.put_u8(1);
        }
        out.put_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_and_differ() {
        let a = new_password();
        let b = new_password();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

/// What seeding sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Seeded {
    pub products: u64,
    pub categories: u64,
}

/// The team's first device (its admin's) seeds the team's state with its catalog, so the others
/// join with it: every product and category as a doc, copied in binary, then marked as known
/// here, with the pull cursor after the seed. The device must have said hello (registered).
pub async fn seed_team(
    remote: &PgRemote,
    catalog: vitrina_store::Catalog,
) -> Result<(vitrina_store::Catalog, Seeded)> {
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<(EntityKind, Uuid, Doc)>>(4);
    let reader = std::thread::spawn(move || {
        let mut catalog = catalog;
        let mark = catalog.sync_seed(2_000, |batch| send.send(batch));
        (catalog, mark)
    });
    let cursor = remote.seed_state(move || receive.recv().ok()).await;
    let (mut catalog, mark) = reader
        .join()
        .map_err(|_| SyncError::new(SyncErrorKind::Local, "reading the catalog to seed the team failed"))?;
    let cursor = cursor?;
    let mark = mark?.map_err(|_| SyncError::new(SyncErrorKind::Local, "the seed's copy stopped"))?;
    catalog.sync_seed_done(&mark)?;
    catalog.set_sync_meta(vitrina_store::sync_apply::PULL_CURSOR, Some(&cursor.to_string()))?;
    Ok((catalog, Seeded { products: mark.products, categories: mark.categories }))
}
