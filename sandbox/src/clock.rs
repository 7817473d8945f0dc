//! The sandbox's clock. Every time-dependent rule (code and token lifetimes, rate-limit windows and penalties,
//! call traffic) reads this clock, so tests can move time forward instead of waiting.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

#[derive(Debug, Default)]
pub struct Clock {
    /// Added to the system time (or to the frozen instant).
    offset_ms: AtomicI64,
    frozen: AtomicBool,
    frozen_at: AtomicI64,
}

fn system_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

impl Clock {
    /// A clock that follows the system time.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `at` until advanced.
    pub fn frozen_at(at: Millis) -> Self {
        let c = Self::default();
        c.freeze_at(at);
        c
    }

    pub fn now(&self) -> Millis {
        let base = if self.frozen.load(Ordering::SeqCst) {
            self.frozen_at.load(Ordering::SeqCst)
        } else {
            system_ms()
        };
        base + self.offset_ms.load(Ordering::SeqCst)
    }

    pub fn advance(&self, ms: Millis) {
        self.offset_ms.fetch_add(ms.max(0), Ordering::SeqCst);
    }

    /// Stops the clock at the current instant (it moves only by `advance` from then on).
    pub fn freeze(&self) {
        self.freeze_at(self.now());
    }

    fn freeze_at(&self, at: Millis) {
        self.offset_ms.store(0, Ordering::SeqCst);
        self.frozen_at.store(at, Ordering::SeqCst);
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// Follows the system time again, keeping the current reading (time never jumps back).
    pub fn unfreeze(&self) {
        let now = self.now();
        self.frozen.store(false, Ordering::SeqCst);
        self.offset_ms
            .store((now - system_ms()).max(0), Ordering::SeqCst);
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }
}

/// RFC 3339 with milliseconds and `Z`, the form RingCentral uses (`2021-01-19T23:58:57.000Z`).
pub fn rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The HTTP `Date` form (IMF-fixdate).
pub fn http_date(ms: Millis) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    httpdate::fmt_http_date(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_like_ringcentral() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        // 2021-01-19T23:58:57.000Z, the start time of a real captured call.
        assert_eq!(rfc3339(1_611_100_737_000), "2021-01-19T23:58:57.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
    }

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let c = Clock::frozen_at(1_000);
        assert_eq!(c.now(), 1_000);
        c.advance(61_000);
        assert_eq!(c.now(), 62_000);
        c.advance(-5);
        assert_eq!(c.now(), 62_000, "time never goes back");
    }

    #[test]
    fn http_date_is_imf_fixdate() {
        assert_eq!(
            http_date(1_611_100_737_000),
            "Tue, 19 Jan 2021 23:58:57 GMT"
        );
    }
}
