//! Change records and the hybrid logical clock that orders them across devices.
//!
//! Every change to a product is a [`ChangeRecord`]: entity, field, old → new, who, when and on
//! which device. The [`Hlc`] stamp orders changes from several devices even when their wall
//! clocks disagree; ties break by device id, so all replicas converge on the same order.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::ChangeId;

/// The device (one installation of Vitrina) that made a change.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub Uuid);

impl DeviceId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for DeviceId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({})", self.0)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A hybrid logical clock stamp: wall milliseconds plus a counter for events in the same
/// millisecond. Packs into one `u64` (48 bits of ms, 16 of counter) that sorts like the stamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u16,
}

impl Hlc {
    pub fn pack(self) -> u64 {
        (self.wall_ms << 16) | u64::from(self.counter)
    }

    pub fn unpack(v: u64) -> Self {
        Hlc { wall_ms: v >> 16, counter: (v & 0xffff) as u16 }
    }
}

/// Issues monotonic [`Hlc`] stamps. The wall clock is passed in, so tests are deterministic.
#[derive(Debug, Clone, Default)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Resumes after the latest stamp this device has already issued or seen.
    pub fn resume(last: Hlc) -> Self {
        Self { last }
    }

    /// A stamp for a local event at wall time `now_ms`.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        self.last = if now_ms > self.last.wall_ms {
            Hlc { wall_ms: now_ms, counter: 0 }
        } else {
            self.advance(self.last.wall_ms, self.last.counter)
        };
        self.last
    }

    /// Merges a stamp received from another device, so later local stamps sort after it.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) -> Hlc {
        let wall = now_ms.max(remote.wall_ms).max(self.last.wall_ms);
        let counter = match (wall == self.last.wall_ms, wall == remote.wall_ms) {
            (true, true) => Some(self.last.counter.max(remote.counter)),
            (true, false) => Some(self.last.counter),
            (false, true) => Some(remote.counter),
            (false, false) => None,
        };
        self.last = match counter {
            Some(c) => self.advance(wall, c),
            None => Hlc { wall_ms: wall, counter: 0 },
        };
        self.last
    }

    fn advance(&self, wall_ms: u64, counter: u16) -> Hlc {
        match counter.checked_add(1) {
            Some(c) => Hlc { wall_ms, counter: c },
            // 65 536 events in one millisecond: borrow the next millisecond.
            None => Hlc { wall_ms: wall_ms + 1, counter: 0 },
        }
    }
}

/// What a change did to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Create,
    Update,
    Delete,
}

impl ChangeOp {
    pub fn code(&self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "create" => Some(ChangeOp::Create),
            "update" => Some(ChangeOp::Update),
            "delete" => Some(ChangeOp::Delete),
            _ => None,
        }
    }
}

/// One field's change: `old → new` as canonical text (see `Product::field_value`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub id: ChangeId,
    pub entity: String,
    pub entity_id: Uuid,
    pub op: ChangeOp,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub who: String,
    pub hlc: Hlc,
    pub device: DeviceId,
    /// Changes made together (one edit, one import batch) share a batch id; undo reverts a batch.
    pub batch: Uuid,
    /// A kit or pack value recomputed from its components: recorded, never pushed to a team.
    pub derived: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_monotonic_even_when_the_wall_clock_goes_back() {
        let mut c = HlcClock::new();
        let a = c.tick(1000);
        let b = c.tick(1000);
        let d = c.tick(900);
        let e = c.tick(1001);
        assert!(a < b && b < d && d < e);
        assert_eq!(d, Hlc { wall_ms: 1000, counter: 2 });
        assert_eq!(e, Hlc { wall_ms: 1001, counter: 0 });
    }

    #[test]
    fn observing_a_remote_stamp_orders_later_events_after_it() {
        let mut c = HlcClock::new();
        c.tick(1000);
        let remote = Hlc { wall_ms: 5000, counter: 7 };
        let seen = c.observe(remote, 1001);
        assert!(seen > remote);
        assert!(c.tick(1002) > seen);
    }

    #[test]
    fn packing_preserves_order() {
        let a = Hlc { wall_ms: 1_700_000_000_000, counter: 65_535 };
        let b = Hlc { wall_ms: 1_700_000_000_001, counter: 0 };
        assert!(a.pack() < b.pack());
        assert_eq!(Hlc::unpack(a.pack()), a);
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let mut c = HlcClock::resume(Hlc { wall_ms: 10, counter: u16::MAX });
        assert_eq!(c.tick(10), Hlc { wall_ms: 11, counter: 0 });
    }
}
