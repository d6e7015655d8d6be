//! Datetime identifier macros (`@now`, `@todayStart`, `@weekday`, … spec 03 §2), computed in UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use super::resolver::SqlValue;

/// Every macro name, case-sensitive.
pub const MACRO_NAMES: [&str; 16] = [
    "@now",
    "@yesterday",
    "@tomorrow",
    "@todayStart",
    "@todayEnd",
    "@monthStart",
    "@monthEnd",
    "@yearStart",
    "@yearEnd",
    "@second",
    "@minute",
    "@hour",
    "@day",
    "@month",
    "@weekday",
    "@year",
];

/// Formats a datetime in PocketBase's canonical form `YYYY-MM-DD HH:MM:SS.mmmZ`.
pub fn format_datetime(dt: &NaiveDateTime) -> String {
    dt.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string()
}

fn at(date: NaiveDate, end_of_day: bool) -> String {
    let time = if end_of_day {
        NaiveTime::from_hms_milli_opt(23, 59, 59, 999)
    } else {
        NaiveTime::from_hms_opt(0, 0, 0)
    };
    format_datetime(&date.and_time(time.unwrap_or(NaiveTime::MIN)))
}

/// The value of a macro at `now`, or `None` when `name` is not a macro.
pub fn macro_value(name: &str, now: DateTime<Utc>) -> Option<SqlValue> {
    let n = now.naive_utc();
    let today = n.date();
    let text = |s: String| Some(SqlValue::Text(s));
    let int = |i: u32| Some(SqlValue::Int(i64::from(i)));
    match name {
        "@now" => text(format_datetime(&n)),
        "@yesterday" => text(format_datetime(&(n - Duration::days(1)))),
        "@tomorrow" => text(format_datetime(&(n + Duration::days(1)))),
        "@todayStart" => text(at(today, false)),
        "@todayEnd" => text(at(today, true)),
        "@monthStart" => text(at(today.with_day(1).unwrap_or(today), false)),
        "@monthEnd" => {
            let (y, m) = if today.month() == 12 {
                (today.year() + 1, 1)
            } else {
                (today.year(), today.month() + 1)
            };
            let last = NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(today);
            text(at(last, true))
        }
        "@yearStart" => text(at(
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            false,
        )),
        "@yearEnd" => text(at(
            NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            true,
        )),
        "@second" => int(n.second()),
        "@minute" => int(n.minute()),
        "@hour" => int(n.hour()),
        "@day" => int(n.day()),
        "@month" => int(n.month()),
        "@weekday" => int(n.weekday().num_days_from_sunday()),
        "@year" => Some(SqlValue::Int(i64::from(n.year()))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: &str) -> SqlValue {
        SqlValue::Text(s.to_string())
    }

    #[test]
    fn all_macros() {
        // Thursday 2026-02-26 19:12:59.609 UTC (2026 is not a leap year).
        let now = Utc
            .with_ymd_and_hms(2026, 2, 26, 19, 12, 59)
            .unwrap()
            .checked_add_signed(Duration::milliseconds(609))
            .unwrap();
        let cases = [
            ("@now", t("2026-02-26 19:12:59.609Z")),
            ("@yesterday", t("2026-02-25 19:12:59.609Z")),
            ("@tomorrow", t("2026-02-27 19:12:59.609Z")),
            ("@todayStart", t("2026-02-26 00:00:00.000Z")),
            ("@todayEnd", t("2026-02-26 23:59:59.999Z")),
            ("@monthStart", t("2026-02-01 00:00:00.000Z")),
            ("@monthEnd", t("2026-02-28 23:59:59.999Z")),
            ("@yearStart", t("2026-01-01 00:00:00.000Z")),
            ("@yearEnd", t("2026-12-31 23:59:59.999Z")),
            ("@second", SqlValue::Int(59)),
            ("@minute", SqlValue::Int(12)),
            ("@hour", SqlValue::Int(19)),
            ("@day", SqlValue::Int(26)),
            ("@month", SqlValue::Int(2)),
            ("@weekday", SqlValue::Int(4)),
            ("@year", SqlValue::Int(2026)),
        ];
        for (name, want) in cases {
            assert_eq!(macro_value(name, now), Some(want), "{name}");
        }
        assert_eq!(MACRO_NAMES.len(), 16);
        assert_eq!(macro_value("@NOW", now), None);
        assert_eq!(macro_value("@request.auth.id", now), None);
    }

    #[test]
    fn december_month_end_and_sunday() {
        let now = Utc.with_ymd_and_hms(2023, 12, 31, 0, 0, 0).unwrap();
        assert_eq!(
            macro_value("@monthEnd", now),
            Some(t("2023-12-31 23:59:59.999Z"))
        );
        assert_eq!(macro_value("@weekday", now), Some(SqlValue::Int(0)));
        assert_eq!(
            macro_value("@tomorrow", now),
            Some(t("2024-01-01 00:00:00.000Z"))
        );
    }
}
