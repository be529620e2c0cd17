//! The compose form's values: read from the submitted fields or from a stored post, and
//! turned into what the posting actions take.

use crate::{
    actions::post_input::{LocationInput, PostInput},
    db,
    error::AppError,
    http::web::forms::{Fields, markdown},
    model::PostData,
    render::activitypub::event_time,
};

/// The compose form's values, as text.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub content: String,
    pub visibility: String,
    pub tags: String,
    pub start: String,
    pub end: String,
    pub timezone: String,
    pub location_name: String,
    pub street: String,
    pub postal_code: String,
    pub locality: String,
    pub online_url: String,
    pub status: String,
    pub join_mode: String,
    pub registration_url: String,
    pub capacity: String,
    /// The post's image: an upload's id (kept across preview and errors), its alternative
    /// text, and whether to remove it (edit).
    pub image_id: String,
    pub image_alt: String,
    pub image_remove: bool,
}

impl Values {
    pub fn new(kind: &str) -> Values {
        Values {
            kind: kind.to_string(),
            visibility: "public".into(),
            timezone: "Europe/Paris".into(),
            status: "confirmed".into(),
            join_mode: "free".into(),
            ..Values::default()
        }
    }

    pub fn from_fields(f: &Fields) -> Values {
        let kind = match f.get("type") {
            "Article" => "Article",
            "Event" => "Event",
            _ => "Note",
        };
        let g = |k: &str| f.get(k).to_string();
        Values {
            kind: kind.into(),
            title: g("title"),
            summary: g("summary"),
            content: g("content"),
            visibility: g("visibility"),
            tags: g("tags"),
            start: g("start"),
            end: g("end"),
            timezone: g("timezone"),
            location_name: g("location_name"),
            street: g("street"),
            postal_code: g("postal_code"),
            locality: g("locality"),
            online_url: g("online_url"),
            status: g("status"),
            join_mode: g("join_mode"),
            registration_url: g("registration_url"),
            capacity: g("capacity"),
            image_id: g("image_id"),
            image_alt: g("image_alt"),
            image_remove: f.get("image_remove") == "on",
        }
    }

    /// The values of a stored post, for its edit form.
    pub fn from_row(row: &db::posts::PostRow) -> Values {
        let data = PostData::parse(&row.data);
        let tz = row.timezone.as_deref();
        let local = |ms: Option<i64>| {
            ms.map(|m| event_time(m, tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        };
        let loc = data.location.clone().unwrap_or_default();
        let image = data.attachments.iter().find(|a| a.kind == "Image");
        Values {
            kind: row.kind.clone(),
            title: row.name.clone().unwrap_or_default(),
            summary: row.summary.clone().unwrap_or_default(),
            content: data.source.clone().unwrap_or_else(|| row.content.clone()),
            visibility: row.visibility.clone(),
            tags: data.tags.join(" "),
            start: local(row.start_at),
            end: local(row.end_at),
            timezone: row
                .timezone
                .clone()
                .unwrap_or_else(|| "Europe/Paris".into()),
            location_name: loc.name.unwrap_or_default(),
            street: loc.street.unwrap_or_default(),
            postal_code: loc.postal_code.unwrap_or_default(),
            locality: loc.locality.unwrap_or_default(),
            online_url: data.online_url.unwrap_or_default(),
            status: row
                .event_status
                .clone()
                .unwrap_or_else(|| "confirmed".into()),
            join_mode: data.join_mode.unwrap_or_else(|| "free".into()),
            registration_url: data.registration_url.unwrap_or_default(),
            capacity: data.capacity.map(|c| c.to_string()).unwrap_or_default(),
            image_id: image
                .and_then(|a| a.url.rsplit_once("/media/").map(|(_, id)| id.to_string()))
                .unwrap_or_default(),
            image_alt: image.and_then(|a| a.name.clone()).unwrap_or_default(),
            image_remove: false,
        }
    }

    /// The input the posting actions take (Markdown already turned into HTML).
    pub fn input(&self, editing: bool) -> Result<PostInput, AppError> {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let mut input = PostInput {
            kind: Some(self.kind.clone()).filter(|_| !editing),
            content: Some(markdown(&self.content)),
            source: Some(self.content.clone()),
            visibility: opt(&self.visibility),
            tags: Some(
                self.tags
                    .split([' ', ',', ';'])
                    .filter(|t| !t.trim().is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            ..PostInput::default()
        };
        input.images = if self.image_remove {
            Some(Vec::new())
        } else if !self.image_id.is_empty() {
            Some(vec![crate::actions::media::ImageInput {
                media: self.image_id.clone(),
                alt: self.image_alt.clone(),
            }])
        } else if editing {
            None
        } else {
            Some(Vec::new())
        };
        if self.kind != "Note" {
            input.title = Some(self.title.clone());
        }
        if self.kind == "Article" {
            input.summary = Some(self.summary.clone());
        }
        if self.kind == "Event" {
            input.start = Some(self.start.clone());
            input.end = opt(&self.end);
            input.timezone = opt(&self.timezone);
            let location = LocationInput {
                name: opt(&self.location_name),
                street: opt(&self.street),
                postal_code: opt(&self.postal_code),
                locality: opt(&self.locality),
                ..LocationInput::default()
            };
            let has_location = location.name.is_some()
                || location.street.is_some()
                || location.postal_code.is_some()
                || location.locality.is_some();
            input.location = Some(has_location.then_some(location));
            input.online_url = Some(opt(&self.online_url));
            input.status = opt(&self.status);
            input.join_mode = opt(&self.join_mode);
            input.registration_url = Some(opt(&self.registration_url));
            input.capacity = Some(match opt(&self.capacity) {
                None => None,
                Some(c) => Some(c.parse::<i64>().map_err(|_| {
                    AppError::Invalid(format!("capacity: {c:?} is not a whole number"))
                })?),
            });
        }
        Ok(input)
    }
}
