//! The dashboard and writing: compose with preview, edit and delete notes, articles and events.

use super::post_form::Values;
use super::{Staff, StaffCtx, page};
use crate::{
    actions::posts,
    db,
    error::AppError,
    http::web::{
        forms::{Fields, markdown},
        views,
    },
    render::sanitize,
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
    pub is_event: bool,
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
            is_event: r.kind == "Event",
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

#[derive(Template)]
#[template(path = "console/compose.html")]
struct ComposePage<'a> {
    s: StaffCtx<'a>,
    v: Values,
    kind_label: String,
    editing: bool,
    action: String,
    preview: Option<String>,
    /// Who liked and boosted the post being edited: (what, name, handle, actor URL).
    reactions: Vec<(String, String, String, String)>,
}

/// The likes and boosts of our post `public_id`, newest first, as the edit page lists them.
async fn reactions_of(staff: &Staff, public_id: &str) -> Vec<(String, String, String, String)> {
    let t = staff.web.t();
    let db = &staff.web.data.db;
    let Ok(Some(post)) = db::posts::find_by_public_id(db.read(), public_id).await else {
        return Vec::new();
    };
    db::reactions::list(db.read(), post.id, 200)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let handle = format!("@{}@{}", r.actor_username, r.actor_domain);
            (
                t.get(if r.kind == "like" {
                    "reaction-like"
                } else {
                    "reaction-boost"
                }),
                r.actor_name
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| handle.clone()),
                handle,
                r.actor_ap_id,
            )
        })
        .collect()
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
            reactions: match editing {
                Some(id) => reactions_of(staff, id).await,
                None => Vec::new(),
            },
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
    let mut v = Values::from_fields(&fields);
    // A chosen file is stored at once, so that a preview or an error does not lose it.
    if let Some(file) = fields.file("image") {
        match crate::actions::media::upload_image(&staff.web.data, file).await {
            Ok(up) => {
                v.image_id = up.id;
                v.image_remove = false;
            }
            Err(e @ (AppError::Invalid(_) | AppError::TooLarge(_))) => {
                let status = e.status();
                return compose_page(
                    &staff,
                    status,
                    v,
                    editing.as_deref(),
                    Some(e.to_string()),
                    None,
                )
                .await;
            }
            Err(e) => return e.into_response(),
        }
    }
    if fields.get("action") == "preview" {
        // Tags are checked as publishing checks them.
        let tags = v
            .input(editing.is_some())
            .and_then(|i| crate::actions::post_input::check_tags(&i.tags.unwrap_or_default()));
        if let Err(e) = tags {
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

#[derive(Template)]
#[template(path = "console/delete.html")]
struct DeletePage<'a> {
    s: StaffCtx<'a>,
    id: String,
    label: String,
    url: String,
}

/// Asks before deleting: what will be deleted, and that followers' servers are asked to
/// delete it too. Works without JavaScript (a page with one form).
pub async fn delete_form(staff: Staff, Path(id): Path<String>) -> Response {
    match posts::find_own(&staff.web.data, &id).await {
        Ok(row) if row.deleted_at.is_none() => {
            let label = row.name.clone().unwrap_or_else(|| {
                sanitize::plain_text(&row.content)
                    .chars()
                    .take(140)
                    .collect()
            });
            page(
                StatusCode::OK,
                &DeletePage {
                    s: staff.ctx().await,
                    id,
                    label,
                    url: row.ap_id,
                },
            )
        }
        Ok(_) => AppError::NotFound(format!("post {id} was deleted")).into_response(),
        Err(e) => e.into_response(),
    }
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
