//! Calendar dates for rules that judge against a day (end-of-life tables). The linter never
//! reads the clock: the command passes today's date in, so results are reproducible.

use std::fmt;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

const fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, or `None` when the day does not exist.
    #[must_use]
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month) {
            Some(Self { year, month, day })
        } else {
            None
        }
    }

    /// Parses `YYYY-MM-DD`, exactly: four-digit year, two-digit month and day.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .and_then(|_| s.get(r))
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(0..4)?.parse().ok()?;
        let month = digits(5..7)?.parse().ok()?;
        let day = digits(8..10)?.parse().ok()?;
        Self::new(year, month, day)
    }

    /// The date `days` days after 1970-01-01 (negative: before), by Howard Hinnant's
    /// `civil_from_days`, which is exact for every day this linter will meet.
    #[must_use]
    pub fn from_unix_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
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
            "2025-05-09 ",
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
        ];
        for (days, want) in cases {
            assert_eq!(Date::from_unix_days(days).to_string(), want, "{days}");
        }
    }

    #[test]
    fn order_is_chronological() {
        let d = |s| Date::parse(s).expect(s);
        assert!(d("2025-05-09") < d("2025-05-10"));
        assert!(d("2025-05-31") < d("2025-06-01"));
        assert!(d("2024-12-31") < d("2025-01-01"));
    }
}
