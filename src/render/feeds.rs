//! Model → Atom (RFC 4287) and iCalendar (RFC 5545), through maintained crates rather than by
//! hand. Event times are written in UTC, so every calendar app shows the right local time.

use crate::{
    db::posts::FeedRow,
    model::PostData,
    render::{activitypub::time, sanitize},
};
use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};

fn link(href: &str, rel: &str, mime: &str) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(Some(mime.to_string()));
    l
}

/// An attachment as an Atom `enclosure` link (its URL checked again), titled by its alt text.
fn enclosure(a: &crate::model::Attachment) -> Option<Link> {
    let href = crate::render::links::web_url(&a.url)?;
    let mime = a
        .media_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut l = link(href, "enclosure", &mime);
    l.set_title(a.name.clone());
    Some(l)
}

/// The words of a content warning in a feed (whose language is French).
const SENSITIVE: &str = "Contenu sensible";

/// A title for an entry: the post's name, its content warning, or the start of its text.
fn entry_title(row: &FeedRow, warning: Option<&str>) -> String {
    if let Some(n) = row.post.name.as_deref().filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    if let Some(w) = warning {
        return w.to_string();
    }
    let text = sanitize::plain_text(&row.post.content).replace('\n', " ");
    let mut title: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        title.push('…');
    }
    if title.is_empty() {
        title = "Publication".into();
    }
    title
}

/// An Atom feed of `rows` (newest first).
pub fn atom(title: &str, self_url: &str, alternate: &str, rows: &[FeedRow]) -> String {
    let mut feed = Feed::default();
    feed.set_title(Text::plain(title));
    feed.set_id(self_url);
    feed.set_lang(Some("fr".to_string()));
    feed.set_links(vec![
        link(self_url, "self", "application/atom+xml"),
        link(alternate, "alternate", "text/html"),
    ]);
    let mut generator = Generator::default();
    generator.set_value("Maillage");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    let newest = rows.iter().map(|r| r.post.updated).max().unwrap_or(0);
    feed.set_updated(time(newest));
    let entries: Vec<Entry> = rows
        .iter()
        .map(|row| {
            let p = &row.post;
            let data = PostData::parse(&p.data);
            let warning = crate::render::warning::of(&p.kind, p.summary.as_deref(), data.sensitive)
                .map(|w| w.label(SENSITIVE));
            let mut e = Entry::default();
            e.set_id(p.ap_id.clone());
            e.set_title(Text::plain(entry_title(row, warning.as_deref())));
            e.set_updated(time(p.updated));
            e.set_published(Some(time(p.published)));
            let mut author = Person::default();
            author.set_name(
                row.author_name
                    .clone()
                    .unwrap_or_else(|| row.author_username.clone()),
            );
            author.set_uri(Some(row.actor_ap_id.clone()));
            e.set_authors(vec![author]);
            let mut links = vec![link(
                crate::render::links::post_link(&p.ap_id, p.url.as_deref()),
                "alternate",
                "text/html",
            )];
            links.extend(data.attachments.iter().filter_map(enclosure));
            e.set_links(links);
            let mut html = String::new();
            if p.kind == "Event"
                && let Some(when) = crate::render::activitypub::event_summary(p, &data)
            {
                html.push_str(&format!(
                    "<p><strong>{}</strong></p>",
                    sanitize::escape(&when)
                ));
            }
            match &warning {
                Some(w) => html.push_str(&crate::render::warning::details(w, &p.content)),
                None => html.push_str(&p.content),
            }
            let mut content = Content::default();
            content.set_value(Some(html));
            content.set_content_type(Some("html".to_string()));
            content.set_lang(data.language.clone());
            e.set_content(Some(content));
            if let Some(s) = warning
                .as_deref()
                .or(p.summary.as_deref())
                .filter(|s| !s.is_empty())
            {
                e.set_summary(Some(Text::plain(s)));
            }
            e.set_categories(
                data.tags
                    .iter()
                    .filter_map(|t| {
                        let mut c = Category::default();
                        c.set_term(crate::hashtag::key(t)?);
                        c.set_label(Some(t.clone()));
                        Some(c)
                    })
                    .collect::<Vec<_>>(),
            );
            e
        })
        .collect();
    feed.set_entries(entries);
    feed.to_string()
}

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// An iCalendar of the events in `rows`. `UID` is the ActivityPub id, `SEQUENCE` grows with
/// every edit, a cancelled event is `STATUS:CANCELLED`.
pub fn ical(name: &str, rows: &[FeedRow]) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"));
    cal.append_property(("PRODID", "-//Maillage//Maillage//FR"));
    cal.append_property(("CALSCALE", "GREGORIAN"));
    cal.append_property(("METHOD", "PUBLISH"));
    cal.name(name);
    for row in rows {
        let p = &row.post;
        let Some(start) = p.start_at else { continue };
        let data = PostData::parse(&p.data);
        let mut event = icalendar::Event::new();
        event
            .uid(&p.ap_id)
            .timestamp(utc(p.updated))
            .created(utc(p.published))
            .last_modified(utc(p.updated))
            .sequence(u32::try_from(p.sequence).unwrap_or(u32::MAX))
            .summary(p.name.as_deref().unwrap_or("Événement"))
            .description(&sanitize::plain_text(&p.content))
            .starts(utc(start))
            .url(crate::render::links::post_link(&p.ap_id, p.url.as_deref()))
            .status(match p.event_status.as_deref() {
                Some("cancelled") => EventStatus::Cancelled,
                Some("tentative") => EventStatus::Tentative,
                _ => EventStatus::Confirmed,
            });
        if let Some(end) = p.end_at {
            event.ends(utc(end));
        }
        let place = match (&data.location, &data.online_url) {
            (Some(l), _) => Some(l.one_line()),
            (None, Some(u)) => crate::render::links::web_url(u).map(str::to_string),
            (None, None) => None,
        };
        if let Some(place) = place.filter(|p| !p.is_empty()) {
            event.location(&place);
        }
        if !data.tags.is_empty() {
            event.categories(data.tags.iter().map(String::as_str));
        }
        let organizer = row
            .author_name
            .clone()
            .unwrap_or_else(|| row.author_username.clone());
        event.add_property("X-MAILLAGE-CENTRE", &organizer);
        cal.push(event.done());
    }
    cal.done().to_string()
}
