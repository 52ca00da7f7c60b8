//! Calendar dates for rules that judge against a day (end-of-life tables). The linter never
//! reads the clock: the command passes today's date in, so results are reproducible.
//!
//! The calendar is the `time` crate's (already built for `rcgen`'s certificates): [`Date`]
//! wraps [`time::Date`] so the tables can be written as `const` days that fail to compile
//! when the day does not exist, and so the rest of gen sees one small type.

use std::fmt;
use time::Month;
use time::macros::format_description;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

const fn month(m: u8) -> Option<Month> {
    Some(match m {
        1 => Month::January,
        2 => Month::February,
        3 => Month::March,
        4 => Month::April,
        5 => Month::May,
        6 => Month::June,
        7 => Month::July,
        8 => Month::August,
        9 => Month::September,
        10 => Month::October,
        11 => Month::November,
        12 => Month::December,
        _ => return None,
    })
}

impl Date {
    /// A date, or `None` when the day does not exist.
    #[must_use]
    pub const fn new(year: i32, month_number: u8, day: u8) -> Option<Self> {
        let Some(m) = month(month_number) else {
            return None;
        };
        match time::Date::from_calendar_date(year, m, day) {
            Ok(d) => Some(Self(d)),
            Err(_) => None,
        }
    }

    /// A day of a built-in table: a day that does not exist stops the build (in a `const`)
    /// or panics.
    #[must_use]
    pub const fn ymd(year: i32, month_number: u8, day: u8) -> Self {
        match Self::new(year, month_number, day) {
            Some(d) => d,
            None => panic!("no such day"),
        }
    }

    /// Parses `YYYY-MM-DD`, exactly: four-digit year, two-digit month and day.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        // `time` would also read a signed year (`+025`); gen takes only the ISO 8601 day.
        if s.len() != 10 || !s.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return None;
        }
        time::Date::parse(s, format_description!("[year]-[month]-[day]"))
            .ok()
            .map(Self)
    }

    /// The date `days` days after 1970-01-01 (negative: before); days beyond `time`'s
    /// range (±9999 years) give its first or last day.
    #[must_use]
    pub fn from_unix_days(days: i64) -> Self {
        /// The Julian day number of 1970-01-01.
        const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;
        let julian = days.saturating_add(UNIX_EPOCH_JULIAN_DAY);
        let clamped = julian.clamp(
            i64::from(time::Date::MIN.to_julian_day()),
            i64::from(time::Date::MAX.to_julian_day()),
        );
        let day = i32::try_from(clamped)
            .ok()
            .and_then(|j| time::Date::from_julian_day(j).ok())
            .unwrap_or(time::Date::MAX);
        Self(day)
    }

    #[must_use]
    pub const fn year(self) -> i32 {
        self.0.year()
    }

    #[must_use]
    pub const fn month(self) -> u8 {
        self.0.month() as u8
    }

    #[must_use]
    pub const fn day(self) -> u8 {
        self.0.day()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = [
            ("2025-05-09", (2025, 5, 9)),
            ("2024-02-29", (2024, 2, 29)),
            ("2000-02-29", (2000, 2, 29)),
        ];
        for (s, (y, m, d)) in ok {
            assert_eq!(Date::parse(s), Date::new(y, m, d), "{s}");
            assert_eq!(Date::parse(s).map(|d| d.to_string()).as_deref(), Some(s));
        }
        for bad in [
            "",
            "2025-5-09",
            "2025-13-01",
            "2025-00-10",
            "2025-02-29",
            "1900-02-29",
            "2025-04-31",
            "2025/05/09",
            "+025-05-09",
            "-025-05-09",
            "2025-05-09 ",
            " 2025-05-9",
            "２０２５-05-09",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unix_days_table() {
        let cases = [
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (59, "1970-03-01"),
            (11_016, "2000-02-29"),
            (20_218, "2025-05-10"),
            (20_787, "2026-11-30"),
            (i64::MAX, "9999-12-31"),
        ];
        for (days, want) in cases {
            assert_eq!(Date::from_unix_days(days).to_string(), want, "{days}");
        }
        assert_eq!(Date::from_unix_days(i64::MIN).year(), -9999);
    }

    #[test]
    fn order_is_chronological() {
        let d = |s| Date::parse(s).expect(s);
        assert!(d("2025-05-09") < d("2025-05-10"));
        assert!(d("2025-05-31") < d("2025-06-01"));
        assert!(d("2024-12-31") < d("2025-01-01"));
    }

    #[test]
    #[should_panic(expected = "no such day")]
    fn a_table_day_that_does_not_exist_panics() {
        let _ = Date::ymd(2025, 2, 29);
    }
}
