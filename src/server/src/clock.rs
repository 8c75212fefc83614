//! The server's one source of "now" and "today". Business days are China Standard Time (UTC+8,
//! no daylight saving), the day the company keeps its books in. Tests set the clock by hand.

use creditdesk_domain::{Date, Timestamp};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// A clock that moves only when told (tests): milliseconds since 1970.
    Manual(Arc<AtomicI64>),
    /// The system clock moved by a fixed amount (a demo or an end-to-end test on a chosen day).
    Shifted(i64),
}

impl Clock {
    pub fn manual(ms: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(ms)))
    }
    /// A clock that reads `ms` now and runs on from there.
    pub fn starting_at(ms: i64) -> Clock {
        Clock::Shifted(ms - Clock::System.now().0)
    }
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64),
            ),
            Clock::Manual(ms) => Timestamp(ms.load(Ordering::SeqCst)),
            Clock::Shifted(by) => Timestamp(Clock::System.now().0 + by),
        }
    }
    /// Moves a manual clock on; a system clock ignores it.
    pub fn advance(&self, ms: i64) {
        if let Clock::Manual(t) = self {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }
    /// The business day of `now` (UTC+8).
    pub fn today(&self) -> Date {
        day_of(self.now().0)
    }
}

pub fn day_of(ms: i64) -> Date {
    creditdesk_domain::date::business_day(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_day_turns_at_midnight_in_beijing_not_in_greenwich() {
        // 2026-06-14T15:59:59Z is 23:59:59 in Beijing; a second later it is the 15th there.
        let before = 1_781_452_799_000;
        assert_eq!(day_of(before).iso(), "2026-06-14");
        assert_eq!(day_of(before + 1_000).iso(), "2026-06-15");
    }
}
