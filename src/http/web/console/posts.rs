//! The dashboard and writing: compose with preview, edit and delete notes, articles and events.

use super::{Staff, StaffCtx, page};
use crate::{
    actions::{
        post_input::{LocationInput, PostInput},
        posts,
    },
    db,
    error::AppError,
    http::web::{
        forms::{Fields, markdown},
        views,
    },
    model::PostData,
    render::{activitypub::event_time, sanitize},
};
use askama::Template;
use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard<'a> {
    s: StaffCtx<'a>,
    posts: i64,
    followers: i64,
    following: i64,
    pending_followers: usize,
    failed: i64,
}

pub async fn dashboard(staff: Staff) -> Response {
    let ctx = &staff.web.data;
    let db = &ctx.db;
    let result: anyhow::Result<Dashboard> = async {
        Ok(Dashboard {
            posts: db::posts::outbox_count(db.read()).await?,
            followers: db::followers::accepted_count(db.read()).await?,
            following: db::follows::accepted_count(db.read()).await?,
            pending_followers: db::followers::list(db.read(), Some("pending")).await?.len(),
            failed: db::deliveries::count_by_status(db.read(), "failed").await?,
            s: staff.ctx().await,
        })
    }
    .await;
    match result {
        Ok(d) => page(StatusCode::OK, &d),
        Err(e) => AppError::Internal(e).into_response(),
    }
}

pub struct PostLine {
    pub id: String,
    pub url: String,
    pub kind_label: String,
    pub label: String,
    pub published: String,
    pub deleted: bool,
}

#[derive(Template)]
#[template(path = "console/posts.html")]
struct PostsPage<'a> {
    s: StaffCtx<'a>,
    posts: Vec<PostLine>,
}

pub async fn list(staff: Staff) -> Response {
    let t = staff.web.t();
    let rows = match db::posts::local_recent(staff.web.data.db.read(), 200).await {
        Ok(r) => r,
        Err(e) => return AppError::Internal(e).into_response(),
    };
    let posts = rows
        .iter()
        .map(|r| PostLine {
            id: r.public_id.clone().unwrap_or_default(),
            url: r.ap_id.clone(),
            kind_label: t.get(match r.kind.as_str() {
                "Article" => "post-article",
                "Event" => "post-event",
                _ => "post-note",
            }),
            label: r
                .name
                .clone()
                .unwrap_or_else(|| sanitize::plain_text(&r.content).chars().take(80).collect()),
            published: views::datetime(t.lang, r.published),
            deleted: r.deleted_at.is_some(),
        })
        .collect();
    page(
        StatusCode::OK,
        &PostsPage {
            s: staff.ctx().await,
            posts,
        },
    )
}

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
}

impl Values {
    fn new(kind: &str) -> Values {
        Values {
            kind: kind.to_string(),
            visibility: "public".into(),
            timezone: "Europe/Paris".into(),
            status: "confirmed".into(),
            join_mode: "free".into(),
            ..Values::default()
        }
    }

    fn from_fields(f: &Fields) -> Values {
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
        }
    }

    /// The values of a stored post, for its edit form.
    fn from_row(row: &db::posts::PostRow) -> Values {
        let data = PostData::parse(&row.data);
        let tz = row.timezone.as_deref();
        let local = |ms: Option<i64>| {
            ms.map(|m| event_time(m, tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        };
        let loc = data.location.clone().unwrap_or_default();
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
        }
    }

    /// The input the posting actions take (Markdown already turned into HTML).
    fn input(&self, editing: bool) -> Result<PostInput, AppError> {
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

#[derive(Template)]
#[template(path = "console/compose.html")]
struct ComposePage<'a> {
    s: StaffCtx<'a>,
    v: Values,
    kind_label: String,
    editing: bool,
    action: String,
    preview: Option<String>,
}

async fn compose_page(
    staff: &Staff,
    status: StatusCode,
    v: Values,
    editing: Option<&str>,
    error: Option<String>,
    preview: Option<String>,
) -> Response {
    let t = staff.web.t();
    let kind_label = t.get(match v.kind.as_str() {
        "Article" => "post-article",
        "Event" => "post-event",
        _ => "post-note",
    });
    let mut s = staff.ctx().await;
    s.error = error;
    let action = match editing {
        Some(id) => format!("/console/posts/{id}/edit"),
        None => "/console/compose".into(),
    };
    page(
        status,
        &ComposePage {
            s,
            v,
            kind_label,
            editing: editing.is_some(),
            action,
            preview,
        },
    )
}

#[derive(Deserialize)]
pub struct KindQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

pub async fn compose_form(staff: Staff, Query(q): Query<KindQuery>) -> Response {
    let kind = match q.kind.as_deref() {
        Some("Article") => "Article",
        Some("Event") => "Event",
        _ => "Note",
    };
    compose_page(&staff, StatusCode::OK, Values::new(kind), None, None, None).await
}

/// Handles the compose and edit forms: "preview" re-shows the form with the rendered text;
/// "publish" saves; invalid input re-shows the form with the message.
async fn submit(staff: Staff, fields: Fields, editing: Option<String>) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    let v = Values::from_fields(&fields);
    if fields.get("action") == "preview" {
        let html = sanitize::html(&markdown(&v.content));
        return compose_page(
            &staff,
            StatusCode::OK,
            v,
            editing.as_deref(),
            None,
            Some(html),
        )
        .await;
    }
    let input = match v.input(editing.is_some()) {
        Ok(i) => i,
        Err(e) => {
            return compose_page(
                &staff,
                StatusCode::BAD_REQUEST,
                v,
                editing.as_deref(),
                Some(e.to_string()),
                None,
            )
            .await;
        }
    };
    let result = match &editing {
        Some(id) => posts::edit(&staff.web.data, id, input).await,
        None => posts::create(&staff.web.data, input).await,
    };
    match result {
        Ok(_) => Redirect::to("/console/posts").into_response(),
        Err(AppError::Invalid(message)) => {
            compose_page(
                &staff,
                StatusCode::BAD_REQUEST,
                v,
                editing.as_deref(),
                Some(message),
                None,
            )
            .await
        }
        // The disk is full: the form comes back with everything typed, and says why.
        Err(e) if e.status() == StatusCode::SERVICE_UNAVAILABLE => {
            let message = staff.web.t().get("storage-full");
            compose_page(
                &staff,
                StatusCode::SERVICE_UNAVAILABLE,
                v,
                editing.as_deref(),
                Some(message),
                None,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

pub async fn create(staff: Staff, fields: Fields) -> Response {
    submit(staff, fields, None).await
}

pub async fn edit_form(staff: Staff, Path(id): Path<String>) -> Response {
    match posts::find_own(&staff.web.data, &id).await {
        Ok(row) if row.deleted_at.is_none() => {
            compose_page(
                &staff,
                StatusCode::OK,
                Values::from_row(&row),
                Some(&id),
                None,
                None,
            )
            .await
        }
        Ok(_) => AppError::NotFound(format!("post {id} was deleted")).into_response(),
        Err(e) => e.into_response(),
    }
}

pub async fn edit(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    submit(staff, fields, Some(id)).await
}

pub async fn delete(staff: Staff, Path(id): Path<String>, fields: Fields) -> Response {
    if let Err(r) = staff.check_csrf(fields.get("csrf")).await {
        return r;
    }
    match posts::delete(&staff.web.data, &id).await {
        Ok(()) => Redirect::to("/console/posts").into_response(),
        Err(e) => e.into_response(),
    }
}
