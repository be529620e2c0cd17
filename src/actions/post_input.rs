//! What staff submit for a post, and its validation. Every error names its field.

use crate::{
    error::{AppResult, invalid},
    model::{EVENT_STATUSES, JOIN_MODES, Location, PostData, normalise_tag},
    render::sanitize,
};
use chrono::{DateTime, NaiveDateTime, TimeZone};
use serde::Deserialize;

/// Largest accepted post body, in characters.
pub const MAX_CONTENT_CHARS: usize = 50_000;
pub const VISIBILITIES: &[&str] = &["public", "unlisted", "followers"];
pub const KINDS: &[&str] = &["Note", "Article", "Event"];
const MAX_TAGS: usize = 30;

/// A post as submitted (`POST`), or the fields to change (`PATCH`). Unknown fields are refused.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub visibility: Option<String>,
    pub tags: Option<Vec<String>>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub location: Option<Option<LocationInput>>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub online_url: Option<Option<String>>,
    pub status: Option<String>,
    pub join_mode: Option<String>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub registration_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub capacity: Option<Option<i64>>,
    #[serde(default, deserialize_with = "explicit_null")]
    pub category: Option<Option<String>>,
    /// The post's images (uploads with their alternative text); absent in an edit: unchanged.
    pub images: Option<Vec<super::media::ImageInput>>,
    /// The Markdown the console's `content` was made from, kept so that an edit shows it.
    #[serde(skip)]
    pub source: Option<String>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn explicit_null<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub name: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A validated post, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidPost {
    pub kind: String,
    pub visibility: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    /// Sanitised HTML.
    pub content: String,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub timezone: Option<String>,
    pub event_status: Option<String>,
    pub data: PostData,
}

/// Checks and normalises hashtags (the same check for a preview and for publishing).
pub fn check_tags(tags: &[String]) -> AppResult<Vec<String>> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!("tags: at most {MAX_TAGS}")));
    }
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let n = normalise_tag(t).ok_or_else(|| {
            invalid(format!(
                "tags: {t:?} is not a hashtag (letters, digits, _ and - inside a word)"
            ))
        })?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let v = sanitize::plain_text(v);
    if v.chars().count() > max {
        return Err(invalid(format!("{field}: at most {max} characters")));
    }
    Ok((!v.is_empty()).then_some(v))
}

fn web_url(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match url::Url::parse(v) {
        Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host_str().is_some() => {
            Ok(Some(u.to_string()))
        }
        _ => Err(invalid(format!("{field}: {v:?} is not an http(s) URL"))),
    }
}

/// Parses an event time: RFC 3339 with an offset, or a local date-time in `tz`.
fn event_time(field: &str, value: &str, tz: chrono_tz::Tz) -> AppResult<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value.trim()) {
        return Ok(t.timestamp_millis());
    }
    let naive = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value.trim(), f).ok())
        .ok_or_else(|| {
            invalid(format!(
                "{field}: {value:?} is not a date-time (e.g. 2026-02-12T14:00 or 2026-02-12T14:00:00+01:00)"
            ))
        })?;
    match tz.from_local_datetime(&naive).single() {
        Some(t) => Ok(t.timestamp_millis()),
        None => Err(invalid(format!(
            "{field}: {value:?} does not exist or is ambiguous in {tz} (a clock change)"
        ))),
    }
}

impl PostInput {
    /// Validates a new post.
    pub fn validate_new(&self) -> AppResult<ValidPost> {
        let kind = self.kind.clone().unwrap_or_else(|| "Note".into());
        if !KINDS.contains(&kind.as_str()) {
            return Err(invalid(format!(
                "type: must be Note, Article or Event (got {kind:?})"
            )));
        }
        self.validate(&kind, None)
    }

    /// Validates this edit applied on top of `current` (its stored form).
    pub fn validate_edit(&self, current: &ValidPost) -> AppResult<ValidPost> {
        if let Some(k) = &self.kind
            && *k != current.kind
        {
            return Err(invalid(format!(
                "type: a {} cannot become a {k}",
                current.kind
            )));
        }
        self.validate(&current.kind, Some(current))
    }

    fn validate(&self, kind: &str, current: Option<&ValidPost>) -> AppResult<ValidPost> {
        let is_event = kind == "Event";
        let event_only = [
            ("start", self.start.is_some()),
            ("end", self.end.is_some()),
            ("timezone", self.timezone.is_some()),
            ("location", self.location.is_some()),
            ("online_url", self.online_url.is_some()),
            ("status", self.status.is_some()),
            ("join_mode", self.join_mode.is_some()),
            ("registration_url", self.registration_url.is_some()),
            ("capacity", self.capacity.is_some()),
            ("category", self.category.is_some()),
        ];
        if !is_event && let Some((field, _)) = event_only.iter().find(|(_, set)| *set) {
            return Err(invalid(format!("{field}: only events have it")));
        }
        if kind == "Note" {
            if self.title.is_some() {
                return Err(invalid("title: notes have no title (publish an Article)"));
            }
            if self.summary.is_some() {
                return Err(invalid(
                    "summary: notes have no summary (publish an Article)",
                ));
            }
        }
        let cur_data = current.map(|c| c.data.clone()).unwrap_or_default();

        let visibility = self
            .visibility
            .clone()
            .or_else(|| current.map(|c| c.visibility.clone()))
            .unwrap_or_else(|| "public".into());
        if !VISIBILITIES.contains(&visibility.as_str()) {
            return Err(invalid(format!(
                "visibility: must be one of public, unlisted, followers (got {visibility:?})"
            )));
        }

        let content = match (&self.content, current) {
            (Some(c), _) => {
                if c.chars().count() > MAX_CONTENT_CHARS {
                    return Err(invalid(format!(
                        "content: at most {MAX_CONTENT_CHARS} characters"
                    )));
                }
                sanitize::staff_content(c)
            }
            (None, Some(cur)) => cur.content.clone(),
            (None, None) => String::new(),
        };
        if !is_event && sanitize::plain_text(&content).is_empty() {
            return Err(invalid("content: must not be empty"));
        }

        let name = match &self.title {
            Some(t) => text("title", Some(t), 300)?,
            None => current.and_then(|c| c.name.clone()),
        };
        if kind != "Note" && name.is_none() {
            return Err(invalid(format!(
                "title: an {} needs a title",
                kind.to_lowercase()
            )));
        }
        let summary = match &self.summary {
            Some(s) => text("summary", Some(s), 1000)?,
            None => current.and_then(|c| c.summary.clone()),
        };
        if is_event && self.summary.is_some() {
            return Err(invalid(
                "summary: an event's summary is its date and place, written for you",
            ));
        }

        let tags = match &self.tags {
            Some(tags) => check_tags(tags)?,
            None => cur_data.tags.clone(),
        };

        if let Some(images) = &self.images {
            super::media::check(images)?;
        }
        let mut data = PostData {
            tags,
            // The action turns `images` into attachments; an edit without them keeps them.
            attachments: cur_data.attachments.clone(),
            source: match (&self.source, &self.content) {
                (Some(src), _) => Some(src.clone()),
                (None, Some(_)) => None,
                (None, None) => cur_data.source.clone(),
            },
            ..PostData::default()
        };
        let (mut start_at, mut end_at, mut timezone, mut event_status) = (None, None, None, None);
        if is_event {
            let tz_name = self
                .timezone
                .clone()
                .or_else(|| current.and_then(|c| c.timezone.clone()))
                .unwrap_or_else(|| "Europe/Paris".into());
            let tz: chrono_tz::Tz = tz_name.parse().map_err(|_| {
                invalid(format!(
                    "timezone: {tz_name:?} is not an IANA time zone (e.g. Europe/Paris)"
                ))
            })?;
            let start = match &self.start {
                Some(s) => Some(event_time("start", s, tz)?),
                None => current.and_then(|c| c.start_at),
            };
            let start = start.ok_or_else(|| invalid("start: an event needs a start"))?;
            let end = match &self.end {
                Some(e) => Some(event_time("end", e, tz)?),
                None => current.and_then(|c| c.end_at),
            };
            if let Some(end) = end
                && end <= start
            {
                return Err(invalid("end: must be after start"));
            }
            let status = self
                .status
                .clone()
                .or_else(|| current.and_then(|c| c.event_status.clone()))
                .unwrap_or_else(|| "confirmed".into());
            if !EVENT_STATUSES.contains(&status.as_str()) {
                return Err(invalid(format!(
                    "status: must be confirmed, tentative or cancelled (got {status:?})"
                )));
            }
            let join_mode = self
                .join_mode
                .clone()
                .or(cur_data.join_mode.clone())
                .unwrap_or_else(|| "free".into());
            if !JOIN_MODES.contains(&join_mode.as_str()) {
                return Err(invalid(format!(
                    "join_mode: must be free, external or restricted (got {join_mode:?})"
                )));
            }
            data.location = match &self.location {
                Some(Some(l)) => Some(location(l)?),
                Some(None) => None,
                None => cur_data.location.clone(),
            };
            data.online_url = match &self.online_url {
                Some(u) => web_url("online_url", u.as_deref())?,
                None => cur_data.online_url.clone(),
            };
            data.registration_url = match &self.registration_url {
                Some(u) => web_url("registration_url", u.as_deref())?,
                None => cur_data.registration_url.clone(),
            };
            if join_mode == "external" && data.registration_url.is_none() {
                return Err(invalid(
                    "registration_url: needed when join_mode is external",
                ));
            }
            data.capacity = match self.capacity {
                Some(Some(c)) if !(1..=1_000_000).contains(&c) => {
                    return Err(invalid("capacity: must be between 1 and 1000000"));
                }
                Some(c) => c,
                None => cur_data.capacity,
            };
            data.category = match &self.category {
                Some(c) => text("category", c.as_deref(), 100)?,
                None => cur_data.category.clone(),
            };
            data.join_mode = Some(join_mode);
            start_at = Some(start);
            end_at = end;
            timezone = Some(tz_name);
            event_status = Some(status);
        }
        Ok(ValidPost {
            kind: kind.to_string(),
            visibility,
            name,
            summary: if is_event { None } else { summary },
            content,
            start_at,
            end_at,
            timezone,
            event_status,
            data,
        })
    }
}

fn location(l: &LocationInput) -> AppResult<Location> {
    let f = |field: &str, v: &Option<String>| text(&format!("location.{field}"), v.as_deref(), 300);
    let loc = Location {
        name: f("name", &l.name)?,
        street: f("street", &l.street)?,
        postal_code: f("postal_code", &l.postal_code)?,
        locality: f("locality", &l.locality)?,
        region: f("region", &l.region)?,
        country: f("country", &l.country)?,
        latitude: l.latitude,
        longitude: l.longitude,
    };
    if let Some(lat) = loc.latitude
        && !(-90.0..=90.0).contains(&lat)
    {
        return Err(invalid("location.latitude: must be between -90 and 90"));
    }
    if let Some(lon) = loc.longitude
        && !(-180.0..=180.0).contains(&lon)
    {
        return Err(invalid("location.longitude: must be between -180 and 180"));
    }
    if loc == Location::default() {
        return Err(invalid(
            "location: give at least a name or an address, or null",
        ));
    }
    Ok(loc)
}

#[cfg(test)]
#[path = "post_input_tests.rs"]
mod tests;
