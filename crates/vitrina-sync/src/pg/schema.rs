//! The shared schema: its append-only migrations (`migrations/postgres/`), the team's role
//! names, and the two commands that change it, `team init` and `team upgrade`.
//!
//! A team lives in one schema of one database. Its roles are named after the schema (roles
//! belong to the whole server, so two teams on one server need two schema names):
//!
//! - `S_owner` (NOLOGIN, CREATEROLE) owns every table and function; nobody signs in as it;
//! - `S_viewer` ⊂ `S_editor` ⊂ `S_admin`: the group roles members belong to;
//! - `S_upgrader` (NOLOGIN, NOINHERIT) is a member of the owner: admins belong to it, so an admin
//!   may `SET ROLE S_owner` to run a migration without holding the owner's rights otherwise;
//! - `S_m_NAME`: each member's login role, with their own password.

use tokio_postgres::Client;

use crate::error::{Result, SyncError, SyncErrorKind};

/// The shipped migrations of the shared schema, oldest first: (file name, SQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_team.sql", include_str!("../../../../migrations/postgres/0001_team.sql")),
    ("0002_admin_settings.sql", include_str!("../../../../migrations/postgres/0002_admin_settings.sql")),
];

/// The shared schema's version this app speaks.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The team's schema and role names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub schema: String,
}

impl Names {
    pub fn new(schema: &str) -> Result<Self> {
        crate::url::check_schema(schema)?;
        Ok(Names { schema: schema.to_string() })
    }

    pub fn owner(&self) -> String {
        format!("{}_owner", self.schema)
    }

    pub fn group(&self, kind: &str) -> String {
        format!("{}_{kind}", self.schema)
    }

    pub fn upgrader(&self) -> String {
        format!("{}_upgrader", self.schema)
    }

    /// The log's LISTEN channel.
    pub fn channel(&self) -> String {
        format!("{}_log", self.schema)
    }

    /// A member's login role for a person's name: the team's prefix and the name in lower-case
    /// Latin letters, digits and `_` (Cyrillic transliterated).
    pub fn member_role(&self, name: &str) -> String {
        let mut base = String::new();
        for c in name.trim().to_lowercase().chars() {
            match c {
                'a'..='z' | '0'..='9' => base.push(c),
                _ => match translit(c) {
                    Some(t) => base.push_str(t),
                    None if !base.ends_with('_') && !base.is_empty() => base.push('_'),
                    None => {}
                },
            }
        }
        let base = base.trim_end_matches('_');
        let base = if base.is_empty() { "member" } else { base };
        let base: String = base.chars().take(32).collect();
        format!("{}_m_{base}", self.schema)
    }

    /// A migration's SQL with this team's names in place of the placeholders.
    pub fn substitute(&self, sql: &str) -> String {
        sql.replace("@schema@", &self.schema)
            .replace("@owner@", &self.owner())
            .replace("@viewer@", &self.group("viewer"))
            .replace("@editor@", &self.group("editor"))
            .replace("@admin@", &self.group("admin"))
    }
}

fn translit(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "sch",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

/// The schema version the database says it is at (None: no team here).
pub(crate) async fn version(client: &Client, names: &Names) -> Result<Option<i32>> {
    let exists: bool = client
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", &[&names.schema])
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_opt(
            &format!("SELECT value::integer FROM {}.meta WHERE key = 'schema_version'", names.schema),
            &[],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Runs the migrations after `from` as the owner, each in its own transaction with the version
/// it brings. The caller is the owner or a member of it (the server's admin at init, a team
/// admin through `S_upgrader` at upgrade).
pub(crate) async fn migrate(client: &Client, names: &Names, from: i32) -> Result<()> {
    for (n, (name, sql)) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let version = n + 1;
        let batch = format!(
            "BEGIN; SET LOCAL ROLE {owner}; SET LOCAL search_path TO {schema}, pg_temp;\n{sql}\n;\
             INSERT INTO meta (key, value) VALUES ('schema_version', '{version}')
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value;
             COMMIT;",
            owner = names.owner(),
            schema = names.schema,
            sql = names.substitute(sql),
        );
        if let Err(e) = client.batch_execute(&batch).await {
            let _ = client.batch_execute("ROLLBACK").await;
            let mut err = crate::error::from_postgres(&e);
            err.message = format!("migration {name} of the team's database failed: {}", err.message);
            return Err(err);
        }
        tracing::info!(migration = name, schema = %names.schema, "team database migrated");
    }
    Ok(())
}

/// Creates the team's roles and schema (as a server admin with CREATEROLE), then its tables.
pub(crate) async fn create(client: &Client, names: &Names) -> Result<()> {
    if version(client, names).await?.is_some() {
        return Err(SyncError::new(
            SyncErrorKind::Server,
            format!(
                "this database has a team in schema \"{0}\" already: join it with a code from its admin, or give \
                 another schema (?schema=… in the URL)",
                names.schema
            ),
        ));
    }
    let existing: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = ANY($1)",
            &[&vec![
                names.owner(),
                names.group("viewer"),
                names.group("editor"),
                names.group("admin"),
                names.upgrader(),
            ]],
        )
        .await?
        .get(0);
    if existing > 0 {
        return Err(SyncError::new(
            SyncErrorKind::Server,
            format!(
                "this server has roles of a team named \"{0}\" already (in another database?): give another schema \
                 (?schema=… in the URL)",
                names.schema
            ),
        ));
    }
    let sql = format!(
        "BEGIN;
         CREATE ROLE {owner} NOLOGIN CREATEROLE;
         CREATE ROLE {viewer} NOLOGIN;
         CREATE ROLE {editor} NOLOGIN IN ROLE {viewer};
         CREATE ROLE {upgrader} NOLOGIN NOINHERIT IN ROLE {owner};
         CREATE ROLE {admin} NOLOGIN IN ROLE {editor}, {upgrader};
         GRANT {owner} TO CURRENT_USER;
         CREATE SCHEMA {schema} AUTHORIZATION {owner};
         REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;
         COMMIT;",
        owner = names.owner(),
        viewer = names.group("viewer"),
        editor = names.group("editor"),
        admin = names.group("admin"),
        upgrader = names.upgrader(),
        schema = names.schema,
    );
    if let Err(e) = client.batch_execute(&sql).await {
        let _ = client.batch_execute("ROLLBACK").await;
        let mut err = crate::error::from_postgres(&e);
        if err.kind == SyncErrorKind::NotAllowed {
            err.message = format!(
                "{}: `team init` needs a server user that may create roles and schemas (CREATEROLE, and CREATE on \
                 the database)",
                err.message
            );
        }
        return Err(err);
    }
    migrate(client, names, 0).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_roles_are_plain_identifiers() {
        let n = Names::new("shop").unwrap();
        assert_eq!(n.member_role("Анна Петрова"), "shop_m_anna_petrova");
        assert_eq!(n.member_role("bob"), "shop_m_bob");
        assert_eq!(n.member_role("  !!  "), "shop_m_member");
        assert!(n.substitute("GRANT @viewer@ TO x; @schema@.log").contains("shop_viewer"));
    }
}
