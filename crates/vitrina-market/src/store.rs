//! The market file's typed handle: accounts now; dictionaries, links and the outbox later.
//! The file is `vitrina-market`'s alone (one owning crate per SQLite file); it sits next to the
//! catalog so that publishing never waits for an import holding the catalog's write lock.

mod dict;
mod file;
mod links;
mod maps;
mod outbox;
mod pushed;

use std::path::Path;

pub use dict::DictStats;
pub use file::{MIGRATIONS, market_path};
pub use links::{LinkFilter, LinkRecord};
pub use outbox::{NewOut, Op, OutCount, OutRow, OutState};
pub use pushed::PushKey;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::account::{Account, AccountSettings, MarketAccountId};
use crate::check::ConnectionCheck;
use crate::error::{ErrorKind, MarketError};
use crate::market::Market;

type Result<T> = std::result::Result<T, MarketError>;

/// An open market file.
#[derive(Debug)]
pub struct MarketStore {
    conn: Connection,
}

const COLUMNS: &str =
    "id, name, market, base_url, business_id, campaign_id, settings, last_check, created_at, updated_at";

impl MarketStore {
    /// Opens (creating and migrating if needed) the market file of the catalog at `catalog`.
    pub fn open(catalog: &Path) -> Result<Self> {
        Self::open_file(&market_path(catalog))
    }

    /// Opens the market file at `path` itself.
    pub fn open_file(path: &Path) -> Result<Self> {
        Ok(MarketStore { conn: file::open(path)? })
    }

    /// Runs `f` in one write transaction: everything or nothing lands.
    pub fn in_tx<T>(&mut self, f: impl FnOnce(&mut MarketStore) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Every account, by name.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY name, id"))?;
        let rows = stmt.query_map([], read)?;
        rows.map(|r| r.map_err(MarketError::from).and_then(|r| r)).collect()
    }

    /// The account whose id or name is `key` (the id wins).
    pub fn account(&self, key: &str) -> Result<Account> {
        let by_id = key.parse::<MarketAccountId>().ok();
        let found = match by_id {
            Some(id) => self.find("id = ?1", id.as_bytes().as_slice())?,
            None => None,
        };
        let found = match found {
            Some(a) => Some(a),
            None => self.find("name = ?1", key.trim())?,
        };
        found.ok_or_else(|| {
            MarketError::new(ErrorKind::UnknownAccount, format!("no marketplace account {key:?}"))
        })
    }

    fn find(&self, condition: &str, value: impl rusqlite::ToSql) -> Result<Option<Account>> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE {condition}"))?;
        stmt.query_row([value], read).optional()?.transpose()
    }

    /// Adds `account`; a name already in use is a conflict.
    pub fn add_account(&mut self, account: &Account) -> Result<()> {
        account.validate()?;
        let (settings, last_check) = encode(account)?;
        self.conn
            .execute(
                &format!("INSERT INTO accounts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    account.id.as_bytes().as_slice(),
                    account.name.trim(),
                    account.market.code(),
                    account.base_url,
                    account.business_id,
                    account.campaign_id,
                    settings,
                    last_check,
                    account.created_at,
                    account.updated_at
                ],
            )
            .map_err(|e| conflict_or(e, &account.name))?;
        Ok(())
    }

    /// Saves every field but the id, the marketplace and the creation time. `false` when the
    /// account does not exist.
    pub fn update_account(&mut self, account: &Account) -> Result<bool> {
        account.validate()?;
        let (settings, last_check) = encode(account)?;
        let changed = self
            .conn
            .execute(
                "UPDATE accounts SET name = ?2, base_url = ?3, business_id = ?4, campaign_id = ?5, settings = ?6,
                        last_check = ?7, updated_at = ?8
                 WHERE id = ?1",
                params![
                    account.id.as_bytes().as_slice(),
                    account.name.trim(),
                    account.base_url,
                    account.business_id,
                    account.campaign_id,
                    settings,
                    last_check,
                    account.updated_at
                ],
            )
            .map_err(|e| conflict_or(e, &account.name))?;
        Ok(changed > 0)
    }

    /// Removes the account (and, in later slices, everything keyed by it). `false` when there
    /// was none. Its secret is the caller's to delete.
    pub fn remove_account(&mut self, id: MarketAccountId) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM accounts WHERE id = ?1", [id.as_bytes().as_slice()])? > 0)
    }

    /// Stores the result of a connection check. `false` when the account is gone.
    pub fn set_last_check(&mut self, id: MarketAccountId, check: &ConnectionCheck) -> Result<bool> {
        let json =
            serde_json::to_string(check).map_err(|e| MarketError::new(ErrorKind::Storage, e.to_string()))?;
        let changed = self.conn.execute(
            "UPDATE accounts SET last_check = ?2 WHERE id = ?1",
            params![id.as_bytes().as_slice(), json],
        )?;
        Ok(changed > 0)
    }
}

/// `value` as JSON text for a column.
fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| MarketError::new(ErrorKind::Storage, e.to_string()))
}

/// A JSON column back; a value this version cannot read is a storage error naming it.
fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| MarketError::new(ErrorKind::Storage, format!("a stored value is not readable: {e}")))
}

fn encode(account: &Account) -> Result<(String, Option<String>)> {
    let json = |e: serde_json::Error| MarketError::new(ErrorKind::Storage, e.to_string());
    let settings = serde_json::to_string(&account.settings).map_err(json)?;
    let last_check = account.last_check.as_ref().map(serde_json::to_string).transpose().map_err(json)?;
    Ok((settings, last_check))
}

fn conflict_or(e: rusqlite::Error, name: &str) -> MarketError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) if e.to_string().contains("accounts.name") => {
            MarketError::new(
                ErrorKind::Conflict,
                format!("a marketplace account named {:?} exists already", name.trim()),
            )
        }
        _ => e.into(),
    }
}

/// One row; a value this version cannot read is an error of its own (outer `Ok`), so that one
/// damaged row names itself instead of failing as a SQLite error.
fn read(row: &Row<'_>) -> rusqlite::Result<Result<Account>> {
    let id: Vec<u8> = row.get(0)?;
    let market: String = row.get(2)?;
    let settings: String = row.get(6)?;
    let last_check: Option<String> = row.get(7)?;
    let name: String = row.get(1)?;
    let damaged = |what: &str| MarketError::new(ErrorKind::Storage, format!("account {name:?}: {what}"));
    let build = || -> Result<Account> {
        let id: [u8; 16] = id.as_slice().try_into().map_err(|_| damaged("its id is not a UUID"))?;
        Ok(Account {
            id: MarketAccountId::from_bytes(id),
            name: name.clone(),
            market: market.parse::<Market>().map_err(|e| damaged(&e.to_string()))?,
            base_url: row.get(3).map_err(MarketError::from)?,
            business_id: row.get(4).map_err(MarketError::from)?,
            campaign_id: row.get(5).map_err(MarketError::from)?,
            settings: serde_json::from_str::<AccountSettings>(&settings)
                .map_err(|e| damaged(&format!("its settings are not readable: {e}")))?,
            // A check this version cannot read is forgotten rather than failing the account.
            last_check: last_check.and_then(|j| serde_json::from_str(&j).ok()),
            created_at: row.get(8).map_err(MarketError::from)?,
            updated_at: row.get(9).map_err(MarketError::from)?,
        })
    };
    Ok(build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOutcome, GroupCheck};

    fn store() -> (tempfile::TempDir, MarketStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = MarketStore::open(&dir.path().join("catalog.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn accounts_round_trip_through_the_market_file() {
        let (dir, mut store) = store();
        assert!(dir.path().join("catalog.db.market").exists());
        let mut ym = Account::new("Yandex shop", Market::Ym, 1_700_000_000_000);
        ym.base_url = Some("http://127.0.0.1:1".into());
        (ym.business_id, ym.campaign_id) = (Some(11), Some(21));
        ym.settings.warehouses.insert("Main".into(), "555".into());
        ym.settings.auto_push = false;
        let wb = Account::new("WB", Market::Wb, 1_700_000_000_001);
        store.add_account(&ym).unwrap();
        store.add_account(&wb).unwrap();

        assert_eq!(store.accounts().unwrap(), vec![wb.clone(), ym.clone()]);
        assert_eq!(store.account("Yandex shop").unwrap(), ym);
        assert_eq!(store.account(&ym.id.to_string()).unwrap(), ym);
        assert_eq!(store.account("nope").unwrap_err().code(), "unknown_account");

        let check = ConnectionCheck {
            ok: false,
            checked_at: 5,
            groups: vec![GroupCheck {
                group: "auth".into(),
                outcome: CheckOutcome::BadToken,
                status: Some(401),
                message: "x".into(),
            }],
            scopes: vec![],
            campaigns: vec![],
            warehouses: vec![],
        };
        assert!(store.set_last_check(ym.id, &check).unwrap());
        let mut renamed = store.account("Yandex shop").unwrap();
        assert_eq!(renamed.last_check.as_ref(), Some(&check));
        renamed.name = "YM".into();
        renamed.updated_at += 10;
        assert!(store.update_account(&renamed).unwrap());
        drop(store);
        let mut store = MarketStore::open(&dir.path().join("catalog.db")).unwrap();
        assert_eq!(store.account("YM").unwrap(), renamed);

        assert!(store.remove_account(ym.id).unwrap());
        assert!(!store.remove_account(ym.id).unwrap());
        assert!(!store.set_last_check(ym.id, &check).unwrap());
        assert_eq!(store.accounts().unwrap(), vec![wb]);
    }

    #[test]
    fn a_duplicate_name_is_a_conflict_and_bad_accounts_are_refused() {
        let (_dir, mut store) = store();
        store.add_account(&Account::new("Main", Market::Wb, 1)).unwrap();
        let e = store.add_account(&Account::new(" Main ", Market::Ozon, 2)).unwrap_err();
        assert_eq!((e.code(), e.to_string().contains("\"Main\" exists already")), ("conflict", true));
        let mut bad = Account::new("Ozon", Market::Ozon, 3);
        bad.campaign_id = Some(5);
        assert_eq!(store.add_account(&bad).unwrap_err().code(), "invalid");
        assert_eq!(store.accounts().unwrap().len(), 1);
    }

    #[test]
    fn no_secret_is_stored_in_the_file() {
        let (dir, mut store) = store();
        let a = Account::new("WB", Market::Wb, 1);
        store.add_account(&a).unwrap();
        let columns: Vec<String> = store
            .conn
            .prepare("SELECT name FROM pragma_table_info('accounts')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(columns.iter().all(|c| !c.contains("token") && !c.contains("key") && !c.contains("secret")));
        drop(dir);
    }
}
