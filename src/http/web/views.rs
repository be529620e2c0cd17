//! View models: what templates show of posts and actors, formatted for a language.

pub use super::post_parts::{
    AttachmentView, PollView, TagView, attachment_views, mention_views, poll_view, tag_views,
};
use crate::{
    db::posts::{FeedRow, PostRow},
    i18n::{Lang, Tr},
    model::PostData,
    render::{activitypub::event_time, sanitize},
};
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};

/// Times on pages are shown in the centres' time zone.
pub const DISPLAY_TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

pub struct PostView {
    pub url: String,
    pub kind: String,
    pub kind_label: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Sanitised HTML.
    pub content: String,
    /// What this post answers, when that is an http(s) link.
    pub reply_to: Option<String>,
    /// What this post answers, when we hold it (lists fill it in).
    pub answers: Option<super::reply_views::AnsweredView>,
    /// Shown as boosted by this centre (lists fill it in).
    pub boosted_by: Option<super::reply_views::BoostedBy>,
    /// The language of `content`, when known (the element's `lang`).
    pub content_lang: Option<String>,
    /// A content warning: shown first, with the content (and media) behind a `<details>`.
    pub warning: Option<String>,
    pub author_name: String,
    pub author_handle: String,
    pub author_url: String,
    pub published: String,
    pub published_iso: String,
    pub when: Option<String>,
    pub place: Option<String>,
    pub cancelled: bool,
    pub tags: Vec<TagView>,
    pub poll: Option<PollView>,
    /// Mentions not already visible in the text.
    pub mentions: Vec<crate::model::Mention>,
    pub attachments: Vec<AttachmentView>,
    pub start_day: Option<DateTime<chrono_tz::Tz>>,
}

/// "12/02/2026 14:00" or "2026-02-12 14:00".
pub fn datetime(lang: Lang, ms: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&DISPLAY_TZ);
    match lang {
        Lang::Fr => t.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The date line of an event in the page's language.
pub fn when(
    lang: Lang,
    start: DateTime<FixedOffset>,
    end: Option<DateTime<FixedOffset>>,
) -> String {
    match lang {
        Lang::Fr => crate::render::summary::when_fr(&start, end.as_ref()),
        Lang::En => {
            let day = |t: &DateTime<FixedOffset>| t.format("%A %-d %B %Y").to_string();
            match end {
                Some(e) if e.date_naive() == start.date_naive() => {
                    format!(
                        "{}, {}–{}",
                        day(&start),
                        start.format("%H:%M"),
                        e.format("%H:%M")
                    )
                }
                Some(e) => format!(
                    "{}, {} – {}, {}",
                    day(&start),
                    start.format("%H:%M"),
                    day(&e),
                    e.format("%H:%M")
                ),
                None => format!("{}, {}", day(&start), start.format("%H:%M")),
            }
        }
    }
}

/// A day heading: "jeudi 12 février 2026" / "Thursday 12 February 2026".
pub fn day_label(lang: Lang, t: &DateTime<chrono_tz::Tz>) -> String {
    match lang {
        Lang::Fr => crate::render::summary::date_fr(t),
        Lang::En => t.format("%A %-d %B %Y").to_string(),
    }
}

/// The view of a post for a reader whose languages are `readers` (most wanted first).
pub fn post_view(
    t: &Tr<'_>,
    readers: &[String],
    p: &PostRow,
    author_name: &str,
    author_handle: &str,
    author_url: &str,
) -> PostView {
    let data = PostData::parse(&p.data);
    let kind_label = match p.kind.as_str() {
        "Article" => t.get("post-article"),
        "Event" => t.get("post-event"),
        _ => t.get("post-note"),
    };
    let (when_line, place, start_day) = match p.start_at {
        Some(start) => {
            let tz = p.timezone.as_deref();
            let s = event_time(start, tz);
            let e = p.end_at.map(|e| event_time(e, tz));
            let place = match (&data.location, &data.online_url) {
                (Some(l), _) => Some(l.one_line()),
                (None, Some(_)) => Some(t.get("event-online")),
                _ => None,
            };
            let day =
                DateTime::<Utc>::from_timestamp_millis(start).map(|u| u.with_timezone(&DISPLAY_TZ));
            (Some(when(t.lang, s, e)), place, day)
        }
        None => (None, None, None),
    };
    let available: Vec<Option<&str>> = std::iter::once(data.language.as_deref())
        .chain(data.translations.iter().map(|t| Some(t.lang.as_str())))
        .collect();
    let (content, content_lang) = match crate::language::pick(readers, &available) {
        0 => (p.content.as_str(), data.language.clone()),
        i => data
            .translations
            .get(i - 1)
            .map_or((p.content.as_str(), None), |t| {
                (t.content.as_str(), Some(t.lang.clone()))
            }),
    };
    PostView {
        url: crate::render::links::post_link(&p.ap_id, p.url.as_deref()).to_string(),
        kind: p.kind.clone(),
        kind_label,
        title: p.name.clone().filter(|n| !n.is_empty()),
        summary: p
            .summary
            .clone()
            .filter(|s| !s.is_empty() && p.kind == "Article"),
        content: sanitize::html(content),
        content_lang,
        reply_to: p
            .in_reply_to
            .as_deref()
            .and_then(crate::render::links::web_url)
            .map(str::to_string),
        answers: None,
        boosted_by: None,
        warning: crate::render::warning::of(&p.kind, p.summary.as_deref(), data.sensitive)
            .map(|w| w.label(&t.get("post-sensitive"))),
        author_name: author_name.to_string(),
        author_handle: author_handle.to_string(),
        author_url: author_url.to_string(),
        published: datetime(t.lang, p.published),
        published_iso: crate::render::activitypub::time(p.published).to_rfc3339(),
        when: when_line,
        place,
        cancelled: p.event_status.as_deref() == Some("cancelled"),
        attachments: attachment_views(&data.attachments),
        poll: data
            .poll
            .as_ref()
            .map(|poll| poll_view(t, poll, chrono::Utc::now().timestamp_millis())),
        mentions: mention_views(&data.mentions, &p.content),
        tags: tag_views(&data.tags),
        start_day,
    }
}

pub fn feed_view(t: &Tr<'_>, readers: &[String], r: &FeedRow) -> PostView {
    let handle = format!("{}@{}", r.author_username, r.author_domain);
    let name = r
        .author_name
        .clone()
        .unwrap_or_else(|| r.author_username.clone());
    post_view(t, readers, &r.post, &name, &handle, &r.actor_ap_id)
}

/// The first instant of a month in the display zone, as UTC milliseconds.
pub fn month_start(year: i32, month: u32) -> Option<i64> {
    DISPLAY_TZ
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .earliest()
        .map(|t| t.timestamp_millis())
}

/// The month after (year, month).
pub fn next_month(year: i32, month: u32) -> (i32, u32) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

pub fn previous_month(year: i32, month: u32) -> (i32, u32) {
    if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    }
}

/// Today's (year, month) in the display zone.
pub fn this_month(now: DateTime<Utc>) -> (i32, u32) {
    let t = now.with_timezone(&DISPLAY_TZ);
    (t.year(), t.month())
}

/// Text cut where a line may break (`<wbr>` between the parts), so that long handles, URLs
/// and digests fit a narrow screen.
pub fn breakable(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c == '@' && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        if matches!(c, '.' | '/' | '-' | ':' | '_') || cur.chars().count() >= 16 {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `@user@domain`, breakable.
pub fn handle(username: &str, domain: &str) -> Vec<String> {
    breakable(&format!("@{username}@{domain}"))
}
