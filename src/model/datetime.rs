//! PocketBase's datetime text format (`YYYY-MM-DD HH:MM:SS.mmmZ`, UTC) and lenient parsing of other layouts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// The canonical text of `t`.
pub fn format(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if (0..=9999).contains(&year) {
        // the common case without the formatting machinery (this runs for every log row and record)
        let mut b = *b"0000-00-00 00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, year as u32);
        put(5, 2, t.month());
        put(8, 2, t.day());
        put(11, 2, t.hour());
        put(14, 2, t.minute());
        put(17, 2, t.second());
        put(20, 3, t.timestamp_subsec_millis().min(999));
        return std::str::from_utf8(&b).unwrap_or_default().to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.timestamp_subsec_millis().min(999)
    )
}

/// Now, in the canonical text format.
pub fn now() -> String {
    format(Utc::now())
}

/// RFC 3339 text (used in error params such as `threshold`).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses the canonical format and the other common layouts PocketBase accepts; `None` when unparsable.
pub fn parse(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let t_form = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&t_form) {
        return Some(t.with_timezone(&Utc));
    }
    for layout in [
        "%Y-%m-%d %H:%M:%S%.fZ",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%SZ",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, layout) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    for layout in ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(t) = DateTime::parse_from_str(s, layout) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
    }
    None
}

/// Normalises any accepted layout to the canonical text; "" when unparsable.
pub fn normalize(input: &str) -> String {
    if is_canonical(input) {
        // stored values are already canonical: no parse and format round trip
        return input.to_string();
    }
    parse(input).map(format).unwrap_or_default()
}

/// True for a valid date in the canonical `YYYY-MM-DD HH:MM:SS.mmmZ` text (year 1 or later).
fn is_canonical(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 24 {
        return false;
    }
    for (i, &c) in b.iter().enumerate() {
        let ok = match i {
            4 | 7 => c == b'-',
            10 => c == b' ',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        };
        if !ok {
            return false;
        }
    }
    let num = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    num(0, 4) >= 1
        && NaiveDate::from_ymd_opt(num(0, 4) as i32, num(5, 7), num(8, 10))
            .and_then(|d| d.and_hms_milli_opt(num(11, 13), num(14, 16), num(17, 19), num(20, 23)))
            .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn canonical_text_is_kept_and_invalid_canonical_looking_text_is_not() {
        for ok in [
            "2024-05-06 10:11:12.345Z",
            "2024-02-29 23:59:59.999Z",
            "0001-01-01 00:00:00.000Z",
        ] {
            assert!(is_canonical(ok), "{ok}");
            assert_eq!(normalize(ok), ok);
            assert_eq!(parse(ok).map(format).as_deref(), Some(ok));
        }
        for bad in [
            "2023-02-29 10:11:12.345Z",
            "2024-13-06 10:11:12.345Z",
            "2024-05-06 24:11:12.345Z",
            "2024-05-06 10:60:12.345Z",
            "2024-05-06 10:11:60.345Z",
            "2024-05-06T10:11:12.345Z",
            "2024-05-06 10:11:12.345",
        ] {
            assert!(!is_canonical(bad), "{bad}");
            assert_eq!(
                normalize(bad),
                parse(bad).map(format).unwrap_or_default(),
                "{bad}"
            );
        }
    }

    #[test]
    fn format_writes_the_canonical_text() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("valid")
                .with_timezone(&Utc)
        };
        for (rfc3339, text) in [
            ("2024-05-06T10:11:12.345678Z", "2024-05-06 10:11:12.345Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01 00:00:00.000Z"),
            ("9999-12-31T23:59:59.999Z", "9999-12-31 23:59:59.999Z"),
            ("1970-01-01T00:00:00.5+02:00", "1969-12-31 22:00:00.500Z"),
        ] {
            assert_eq!(format(at(rfc3339)), text);
        }
        // a leap second keeps the last millisecond of its second
        let leap = Utc
            .with_ymd_and_hms(2016, 12, 31, 23, 59, 59)
            .unwrap()
            .with_nanosecond(1_500_000_000)
            .expect("leap");
        assert_eq!(format(leap), "2016-12-31 23:59:59.999Z");
        let far = Utc.with_ymd_and_hms(12345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(format(far), "12345-01-02 03:04:05.000Z");
    }

    #[test]
    fn layouts() {
        assert_eq!(normalize("2024-05-06"), "2024-05-06 00:00:00.000Z");
        assert_eq!(
            normalize("2024-05-06T10:11:12+02:00"),
            "2024-05-06 08:11:12.000Z"
        );
        assert_eq!(
            normalize("2024-05-06 10:11:12.123Z"),
            "2024-05-06 10:11:12.123Z"
        );
        assert_eq!(normalize("nope"), "");
    }
}
