//! One device owns the marketplaces: orders are pulled and stocks and prices pushed by exactly
//! one device at a time, chosen by a lease row with an epoch (only editors may take it; an
//! advisory lock has no permissions and outlives a lost network).
//!
//! The owner renews every [`RENEW_EVERY`] a lease of [`TTL`]; it counts itself the owner only
//! until the moment it sent its last successful renewal plus the TTL (less a margin), which is
//! before the server lets anyone else take it: never two owners. A device that cannot renew
//! (crashed, cut off) loses it within the TTL, and another takes it at its next try, within
//! TTL + RENEW_EVERY ≈ 13 s. A stale owner's late action is refused: every side effect first
//! checks its epoch with the server ([`LeaseKeeper::guard`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vitrina_domain::DeviceId;

use crate::error::{Result, SyncError, SyncErrorKind};
use crate::remote::Remote;

/// The marketplaces' lease.
pub const MARKETPLACES: &str = "marketplaces";
pub const TTL: Duration = Duration::from_secs(10);
pub const RENEW_EVERY: Duration = Duration::from_secs(3);
/// Clocks of two machines do not run at exactly one rate: the owner steps down this early.
const MARGIN: Duration = Duration::from_millis(1_000);

#[derive(Debug, Clone, Copy)]
struct Held {
    epoch: i64,
    until: Instant,
}

/// Keeps (or waits for) a lease for one device.
pub struct LeaseKeeper<R: Remote> {
    remote: Arc<R>,
    device: DeviceId,
    name: String,
    ttl: Duration,
    renew_every: Duration,
    held: Mutex<Option<Held>>,
}

impl<R: Remote> std::fmt::Debug for LeaseKeeper<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseKeeper").field("device", &self.device).field("name", &self.name).finish()
    }
}

impl<R: Remote> LeaseKeeper<R> {
    pub fn new(remote: Arc<R>, device: DeviceId, name: &str) -> Self {
        LeaseKeeper {
            remote,
            device,
            name: name.to_string(),
            ttl: TTL,
            renew_every: RENEW_EVERY,
            held: Mutex::new(None),
        }
    }

    /// The epoch while this device owns the lease (by its own clock, conservatively).
    pub fn epoch(&self) -> Option<i64> {
        let held = *self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.filter(|h| Instant::now() < h.until).map(|h| h.epoch)
    }

    /// Checks with the server that this device still owns the lease: call before each side
    /// effect, and do it only when this returns the epoch.
    pub async fn guard(&self) -> Result<i64> {
        let Some(epoch) = self.epoch() else {
            return Err(SyncError::new(
                SyncErrorKind::LeaseLost,
                "another device of the team owns the marketplaces now",
            ));
        };
        if self.remote.lease_valid(&self.name, epoch).await? {
            Ok(epoch)
        } else {
            self.step_down();
            Err(SyncError::new(
                SyncErrorKind::LeaseLost,
                format!(
                    "this device's turn at the marketplaces (epoch {epoch}) is over: another device owns them now"
                ),
            ))
        }
    }

    fn step_down(&self) {
        *self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// One round: renew while held, else try to take it.
    pub async fn tick(&self) {
        let sent = Instant::now();
        let held = *self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let limit = self.renew_every;
        let outcome = match held {
            Some(h) if Instant::now() < h.until => {
                match tokio::time::timeout(
                    limit,
                    self.remote.renew_lease(&self.name, self.device, h.epoch, self.ttl),
                )
                .await
                {
                    Ok(Ok(true)) => Some(Some(h.epoch)),
                    Ok(Ok(false)) => Some(None),
                    // Not known either way: the lease stands until its time is up.
                    _ => None,
                }
            }
            _ => match tokio::time::timeout(limit, self.remote.take_lease(&self.name, self.device, self.ttl))
                .await
            {
                Ok(Ok(epoch)) => Some(epoch),
                _ => Some(None),
            },
        };
        let mut slot = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match outcome {
            Some(Some(epoch)) => {
                *slot = Some(Held { epoch, until: sent + self.ttl.saturating_sub(MARGIN) });
            }
            Some(None) => *slot = None,
            None => {
                if slot.is_some_and(|h| Instant::now() >= h.until) {
                    *slot = None;
                }
            }
        }
    }

    /// Keeps the lease until `stop`; releases it then, so another device need not wait.
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            self.tick().await;
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(self.renew_every) => {}
            }
            if *stop.borrow() {
                break;
            }
        }
        if let Some(epoch) = self.epoch() {
            let _ = tokio::time::timeout(
                self.renew_every,
                self.remote.release_lease(&self.name, self.device, epoch),
            )
            .await;
            self.step_down();
        }
    }
}
