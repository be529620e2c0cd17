//! The parts of a post view beyond its text: hashtags, mentions, attachments and polls, each
//! with its links checked again (http(s) only) as they are rendered.

use crate::{
    i18n::Tr,
    model::{Attachment, Mention, Poll},
    render::sanitize,
};

/// A hashtag as written, linking to its page.
pub struct TagView {
    pub name: String,
    pub href: String,
}

pub fn tag_views(tags: &[String]) -> Vec<TagView> {
    tags.iter()
        .filter_map(|t| {
            Some(TagView {
                href: crate::hashtag::page_path(t)?,
                name: t.clone(),
            })
        })
        .collect()
}

/// The mentions of a post with a web link that its text does not already show (Mastodon
/// writes `@user` links in the text; other servers only tag).
pub fn mention_views(mentions: &[Mention], content: &str) -> Vec<Mention> {
    let text = sanitize::plain_text(content);
    mentions
        .iter()
        .filter(|m| crate::render::links::web_url(&m.href).is_some())
        .filter(|m| {
            let user = m.name.split('@').find(|s| !s.is_empty()).unwrap_or("");
            let linked = content.contains(&format!("href=\"{}\"", sanitize::escape(&m.href)));
            !linked && (user.is_empty() || !text.contains(&format!("@{user}")))
        })
        .cloned()
        .collect()
}

/// An attachment as a page shows it: an image with its alternative text, anything else a link.
pub struct AttachmentView {
    /// `image`, `video`, `audio` or `document`.
    pub kind: &'static str,
    /// An http(s) URL (checked again here).
    pub url: String,
    /// The alternative text (empty when the author gave none).
    pub alt: String,
    /// What a link says: the name, else the file name.
    pub label: String,
    /// The media type, else the kind.
    pub type_label: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// The attachments of a post that have a URL we may render.
pub fn attachment_views(attachments: &[Attachment]) -> Vec<AttachmentView> {
    attachments
        .iter()
        .filter_map(|a| {
            let url = crate::render::links::web_url(&a.url)?.to_string();
            let file = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .filter(|f| !f.is_empty())
                .unwrap_or("fichier")
                .to_string();
            Some(AttachmentView {
                kind: a.media_kind(),
                alt: a.name.clone().unwrap_or_default(),
                label: a.name.clone().unwrap_or(file),
                type_label: a
                    .media_type
                    .clone()
                    .unwrap_or_else(|| a.media_kind().to_string()),
                width: a.width,
                height: a.height,
                url,
            })
        })
        .collect()
}

/// A poll as a page shows it: read-only, each option with its votes.
pub struct PollView {
    pub options: Vec<(String, String)>,
    /// "7 participants · one choice · ends on 10/01/2030 13:00".
    pub summary: String,
}

pub fn poll_view(t: &Tr<'_>, poll: &Poll, now: i64) -> PollView {
    let options = poll
        .options
        .iter()
        .map(|o| (o.name.clone(), t.count("poll-votes", "n", o.votes)))
        .collect();
    let mut parts = Vec::new();
    if let Some(v) = poll.voters {
        parts.push(t.count("poll-voters", "n", v));
    }
    parts.push(t.get(if poll.multiple {
        "poll-multiple"
    } else {
        "poll-single"
    }));
    match poll.end_time {
        Some(end) if poll.closed || end <= now => {
            parts.push(t.with("poll-ended", "date", &super::views::datetime(t.lang, end)))
        }
        Some(end) => parts.push(t.with("poll-ends", "date", &super::views::datetime(t.lang, end))),
        None if poll.closed => parts.push(t.get("poll-closed")),
        None => {}
    }
    PollView {
        options,
        summary: parts.join(" · "),
    }
}
