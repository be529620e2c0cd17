//! Domain types shared by storage, actions and rendering: the type-specific details of a post
//! (stored as JSON in `posts.data`).

use serde::{Deserialize, Serialize};

/// What a post carries beyond its text: hashtags (their display forms, `Vélo-Cargo`; matched
/// by [`crate::hashtag::key`]), and for events their practical details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PostData {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The Markdown a post was written in (console), for editing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Marked sensitive by its author (Mastodon's `sensitive`): the text and media are shown
    /// only behind a warning.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// Media and documents attached by the author (at most [`MAX_ATTACHMENTS`]); the files
    /// stay on the author's server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The actors the author mentions (`Mention` tags), links checked as [`Attachment`]s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    /// The language of the post's `content` (its default text), when the sender said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The text in other languages (`contentMap`), sanitised, in the sender's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<Translation>,
    /// The type the sender gave when we store it as another (`Page` as an article; `Image`,
    /// `Video`, `Audio`, `Document` and `Question` as notes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<String>,
    /// A poll (`Question`), shown read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    /// A published joint statement: what it carries beyond an article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementData>,
}

/// An actor mentioned in a post: its id (or profile) and the name shown, `@user@host`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub href: String,
    pub name: String,
}

/// A post's text in one more language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    pub lang: String,
    /// Sanitised HTML.
    pub content: String,
}

/// A poll as its server last described it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Poll {
    /// Several options may be chosen (`anyOf`), else one (`oneOf`).
    pub multiple: bool,
    pub options: Vec<PollOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters: Option<i64>,
    /// When it ends or ended (UTC milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub closed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PollOption {
    pub name: String,
    pub votes: i64,
}

/// Most attachments we keep of one post (Mastodon allows 4, Pixelfed and Misskey more).
pub const MAX_ATTACHMENTS: usize = 8;

/// A file attached to a post, as the author's server describes it. `url` is an absolute
/// `https` URL (`http` in development mode), checked when received and again when shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The ActivityStreams type: `Image`, `Video`, `Audio` or `Document`.
    #[serde(default)]
    pub kind: String,
    pub url: String,
    /// `image/png`, `video/mp4`…, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The alternative text (`name`), as plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blurhash: Option<String>,
    /// Mastodon's `focalPoint`, x and y from -1 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<[f64; 2]>,
}

impl Attachment {
    /// How it is shown: `image`, `video`, `audio` or `document` (a link).
    pub fn media_kind(&self) -> &'static str {
        let major = self.media_type.as_deref().and_then(|m| m.split('/').next());
        match (major, self.kind.as_str()) {
            (Some("image"), _) | (None, "Image") => "image",
            (Some("video"), _) | (None, "Video") => "video",
            (Some("audio"), _) | (None, "Audio") => "audio",
            _ => "document",
        }
    }
}

/// The joint-statement part of a post: the signed version and who signed it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementData {
    pub version: i64,
    pub digest: String,
    pub signed_name: String,
    pub signed_summary: String,
    pub signed_content: String,
    #[serde(default)]
    pub signatories: Vec<Signatory>,
}

/// One co-signer of a published statement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Signatory {
    pub actor: String,
    pub name: String,
    pub handle: String,
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// When the drafting centre last checked the signature on its signer's server (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<i64>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl PostData {
    /// Reads the stored JSON; anything unreadable is treated as empty.
    pub fn parse(json: &str) -> PostData {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// Where an event takes place. Every part is optional; Gancio sends the address as one line,
/// kept in `street`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

impl Location {
    /// One line for calendars: "name, street, postal code locality, country".
    pub fn one_line(&self) -> String {
        let city = [self.postal_code.as_deref(), self.locality.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.name.clone(),
            self.street.clone(),
            (!city.is_empty()).then_some(city),
            self.country.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Event status values (`ical:status` in lower case).
pub const EVENT_STATUSES: &[&str] = &["confirmed", "tentative", "cancelled"];
/// Join modes, as Mobilizon names them.
pub const JOIN_MODES: &[&str] = &["free", "external", "restricted"];

/// Normalises a hashtag: no leading `#`, lower case, letters, digits and `_` only.
pub fn normalise_tag(tag: &str) -> Option<String> {
    let t = tag.trim().trim_start_matches('#').to_lowercase();
    // French compound words keep their hyphens (`politique-de-la-ville`, `saint-denis`):
    // inside the word only, one at a time. They go out as `#PolitiqueDeLaVille`
    // ([`federated_tag`]), which Mastodon accepts and matches to the same key.
    let ok = !t.is_empty()
        && t.chars().count() <= 100
        && t.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !t.starts_with('-')
        && !t.ends_with('-')
        && !t.contains("--")
        && t.chars().any(char::is_alphanumeric);
    ok.then_some(t)
}

/// The name a tag goes out with: hyphens (which Mastodon does not take in a hashtag) become
/// a capital at the start of each part, `politique-de-la-ville` → `PolitiqueDeLaVille`, so
/// that every server matches it to the same key ([`crate::hashtag::key`]).
pub fn federated_tag(tag: &str) -> String {
    if !tag.contains('-') {
        return tag.to_string();
    }
    tag.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            normalise_tag("#PolitiqueDeLaVille").as_deref(),
            Some("politiquedelaville")
        );
        assert_eq!(
            normalise_tag("égalité_femmes").as_deref(),
            Some("égalité_femmes")
        );
        assert_eq!(normalise_tag("#"), None);
        assert_eq!(normalise_tag("two words"), None);
        assert_eq!(
            normalise_tag("#Politique-de-la-Ville").as_deref(),
            Some("politique-de-la-ville")
        );
        for bad in ["-ville", "ville-", "a--b", "-", "a b-c"] {
            assert_eq!(normalise_tag(bad), None, "{bad}");
        }
        assert_eq!(federated_tag("politique-de-la-ville"), "PolitiqueDeLaVille");
        assert_eq!(federated_tag("saint-denis"), "SaintDenis");
        assert_eq!(federated_tag("qpv"), "qpv");
        assert_eq!(
            crate::hashtag::key(&federated_tag("politique-de-la-ville")),
            crate::hashtag::key("politique-de-la-ville"),
            "the same key on every server"
        );
    }

    #[test]
    fn a_location_reads_on_one_line() {
        let l = Location {
            name: Some("Maison des associations".into()),
            street: Some("10 rue Jangot".into()),
            postal_code: Some("69007".into()),
            locality: Some("Lyon".into()),
            ..Location::default()
        };
        assert_eq!(
            l.one_line(),
            "Maison des associations, 10 rue Jangot, 69007 Lyon"
        );
    }
}
