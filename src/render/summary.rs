//! The French "date · place" line that stands for an event where only a summary is shown
//! (Mastodon), e.g. "jeudi 12 février 2026, 14 h–17 h · Maison des associations, Lyon".

use crate::model::Location;
use chrono::{DateTime, Datelike, TimeZone, Timelike};

const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
/// French month names, January first.
pub const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "jeudi 12 février 2026" ("1er" for the first of the month).
pub fn date_fr<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    let day = match t.day() {
        1 => "1er".to_string(),
        d => d.to_string(),
    };
    format!(
        "{} {} {} {}",
        WEEKDAYS[t.weekday().num_days_from_monday() as usize],
        day,
        MONTHS[t.month0() as usize],
        t.year()
    )
}

/// "14 h" or "14 h 30".
pub fn time_fr<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    match t.minute() {
        0 => format!("{} h", t.hour()),
        m => format!("{} h {m:02}", t.hour()),
    }
}

/// The date part: "jeudi 12 février 2026, 14 h–17 h", or "du … au …" over several days.
pub fn when_fr<Tz: TimeZone>(start: &DateTime<Tz>, end: Option<&DateTime<Tz>>) -> String {
    match end {
        Some(end) if end.date_naive() == start.date_naive() => {
            format!("{}, {}–{}", date_fr(start), time_fr(start), time_fr(end))
        }
        Some(end) => format!(
            "du {}, {} au {}, {}",
            date_fr(start),
            time_fr(start),
            date_fr(end),
            time_fr(end)
        ),
        None => format!("{}, {}", date_fr(start), time_fr(start)),
    }
}

/// The place part: "name, locality", or "en ligne".
pub fn where_fr(location: Option<&Location>, online: bool) -> Option<String> {
    let place = location.map(|l| {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(n) = l.name.as_deref().filter(|s| !s.is_empty()) {
            parts.push(n);
        }
        if let Some(c) = l.locality.as_deref().filter(|s| !s.is_empty()) {
            parts.push(c);
        } else if parts.is_empty()
            && let Some(s) = l.street.as_deref()
        {
            parts.push(s);
        }
        parts.join(", ")
    });
    match (place.filter(|p| !p.is_empty()), online) {
        (Some(p), true) => Some(format!("{p} et en ligne")),
        (Some(p), false) => Some(p),
        (None, true) => Some("en ligne".into()),
        (None, false) => None,
    }
}

/// The whole summary, prefixed with "Annulé : " for a cancelled event.
pub fn event_summary<Tz: TimeZone>(
    start: &DateTime<Tz>,
    end: Option<&DateTime<Tz>>,
    location: Option<&Location>,
    online: bool,
    cancelled: bool,
) -> String {
    let mut s = when_fr(start, end);
    if let Some(place) = where_fr(location, online) {
        s.push_str(" · ");
        s.push_str(&place);
    }
    if cancelled {
        s.insert_str(0, "Annulé : ");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<chrono_tz::Tz> {
        Paris.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn the_issue_example_reads_as_expected() {
        let place = Location {
            name: Some("Maison des associations".into()),
            locality: Some("Lyon".into()),
            ..Location::default()
        };
        assert_eq!(
            event_summary(
                &paris(2026, 2, 12, 14, 0),
                Some(&paris(2026, 2, 12, 17, 0)),
                Some(&place),
                false,
                false
            ),
            "jeudi 12 février 2026, 14 h–17 h · Maison des associations, Lyon"
        );
    }

    #[test]
    fn minutes_first_of_month_several_days_online_and_cancelled() {
        assert_eq!(
            event_summary(
                &paris(2026, 10, 1, 9, 30),
                Some(&paris(2026, 10, 2, 12, 0)),
                None,
                true,
                true
            ),
            "Annulé : du jeudi 1er octobre 2026, 9 h 30 au vendredi 2 octobre 2026, 12 h · en ligne"
        );
        assert_eq!(
            when_fr(&paris(2026, 3, 29, 18, 5), None),
            "dimanche 29 mars 2026, 18 h 05"
        );
    }
}
