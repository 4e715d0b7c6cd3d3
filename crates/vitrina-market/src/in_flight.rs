//! A few requests in flight at once, for the status methods that take one id per call (Ozon's
//! `/v1/product/import/info` takes one task): one request at a time leaves the token bucket
//! idle for every round trip, so the reads would set the pace instead of the limit.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Calls `f` on every item with up to `width` calls at a time; the results keep the items'
/// order. The client's buckets are shared, so the marketplace's limits still hold. `cancel` is
/// asked on the calling thread and handed to each call as a flag (it need not be `Sync`).
pub(crate) fn map_in_flight<T: Sync, R: Send>(
    items: &[T],
    width: usize,
    cancel: &dyn Fn() -> bool,
    f: impl Fn(&T, &dyn Fn() -> bool) -> R + Sync,
) -> Vec<R> {
    let width = width.clamp(1, items.len().max(1));
    if width == 1 {
        return items.iter().map(|item| f(item, cancel)).collect();
    }
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    let stop = || cancelled.load(Ordering::Relaxed);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item, &stop);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(r);
                    finished.fetch_add(1, Ordering::Release);
                }
            });
        }
        while finished.load(Ordering::Acquire) < items.len() {
            if cancel() {
                cancelled.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.expect("every index is taken by exactly one worker"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_and_calls_overlap_up_to_the_width() {
        let now = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items: Vec<u32> = (0..12).collect();
        let out = map_in_flight(&items, 4, &|| false, |&i, _| {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            now.fetch_sub(1, Ordering::SeqCst);
            i * 10
        });
        assert_eq!(out, (0..12).map(|i| i * 10).collect::<Vec<_>>());
        let peak = peak.load(Ordering::SeqCst);
        assert!((2..=4).contains(&peak), "peak in flight {peak}");
    }

    #[test]
    fn no_items_and_width_one_run_in_place() {
        let none: Vec<u8> = Vec::new();
        assert!(map_in_flight(&none, 4, &|| false, |_, _| 1).is_empty());
        let caller = std::thread::current().id();
        assert_eq!(
            map_in_flight(&[1, 2], 1, &|| false, |_, _| std::thread::current().id() == caller),
            vec![true, true]
        );
    }

    #[test]
    fn a_cancel_asked_on_the_caller_reaches_every_call() {
        let asked = AtomicUsize::new(0);
        let seen: Vec<bool> =
            map_in_flight(&[0u8; 4], 2, &|| asked.fetch_add(1, Ordering::SeqCst) >= 1, |_, cancel| {
                let start = std::time::Instant::now();
                while !cancel() && start.elapsed() < Duration::from_secs(5) {
                    std::thread::sleep(Duration::from_millis(2));
                }
                cancel()
            });
        assert_eq!(seen, vec![true; 4]);
    }
}
