//! Joint statements and co-signatures at their ids.
//!
//! `/statements/{id}`: a draft is served only to the centres invited to sign it, on a GET
//! signed by one of them (anyone else gets 404, as for an unknown id); a published statement
//! is a public `Article`, content-negotiated like every post. `/signatures/{id}`: one of our
//! co-signatures, public so that anyone can check it without an account; 410 with a
//! `Tombstone` once withdrawn.

use super::{
    negotiate::{activity_json, wants_activity_json},
    web::{PageCtx, Web, public, views},
};
use crate::{
    db,
    error::{AppError, AppResult},
    protocol::context,
    render::{self, activitypub::with_context},
};
use askama::Template;
use axum::{extract::Path, http::StatusCode, response::Response};
use serde_json::Value;

pub async fn statement(web: Web, Path(id): Path<String>) -> AppResult<Response> {
    let data = &web.data;
    let not_found = || AppError::NotFound(format!("no statement {id}"));
    let row = db::statements::find_by_public_id(data.db.read(), &id)
        .await?
        .ok_or_else(not_found)?;
    let json = wants_activity_json(&web.headers);
    if let Some(post_id) = row.post_id.filter(|_| row.state == "published") {
        let post = db::posts::find_by_id(data.db.read(), post_id)
            .await?
            .ok_or_else(not_found)?;
        if !json {
            return super::web::post_page::post_page(&web, &post).await;
        }
        super::authorized::require_signature(
            data,
            &web.headers,
            &axum::http::Method::GET,
            &web.uri,
        )
        .await?;
        let doc = with_context(
            serde_json::to_value(render::activitypub::post(data, &post)?)
                .map_err(anyhow::Error::from)?,
            context::object(),
        );
        return Ok(activity_json(StatusCode::OK, &doc));
    }
    // A draft: only for a signed GET by an invited centre.
    if !json {
        return Err(not_found());
    }
    let reader =
        super::authorized::signer_of(data, &web.headers, &axum::http::Method::GET, &web.uri)
            .await
            .map_err(|_| not_found())?;
    let invitations = db::statement_invitations::list(data.db.read(), row.id).await?;
    if !invitations.iter().any(|i| i.actor_id == reader.row.id) {
        return Err(not_found());
    }
    let invitees: Vec<String> = invitations.iter().map(|i| i.actor_ap_id.clone()).collect();
    let signatures: Vec<String> = db::statement_signatures::list(data.db.read(), row.id)
        .await?
        .into_iter()
        .filter(|s| s.state == "valid" && s.version == row.version)
        .map(|s| s.signature_url)
        .collect();
    let doc = render::statement::draft(data, &row, &invitees, &signatures);
    Ok(activity_json(StatusCode::OK, &doc))
}

pub async fn signature(web: Web, Path(id): Path<String>) -> AppResult<Response> {
    let data = &web.data;
    let sig = db::signatures::find_by_public_id(data.db.read(), &id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no signature {id}")))?;
    let json = wants_activity_json(&web.headers);
    let t = web.t();
    if let Some(at) = sig.withdrawn_at {
        if json {
            let doc = render::statement::withdrawn(&sig.ap_id, at);
            return Ok(activity_json(StatusCode::GONE, &doc));
        }
        return Ok(public::message(
            &web,
            StatusCode::GONE,
            t.get("signature-withdrawn-title"),
            t.with(
                "signature-withdrawn-text",
                "date",
                &views::datetime(t.lang, at),
            ),
        )
        .await);
    }
    if json {
        let doc: Value = serde_json::from_str(&sig.json).map_err(anyhow::Error::from)?;
        return Ok(activity_json(StatusCode::OK, &doc));
    }
    // The statement's title and link only once it is public: a draft is confidential.
    let published = db::posts::find_by_ap_id(data.db.read(), &sig.statement_ap_id)
        .await?
        .is_some_and(|p| p.deleted_at.is_none());
    let key = if published {
        "signature-page-text"
    } else {
        "signature-page-text-draft"
    };
    let text = t.catalogs.message(
        t.lang,
        key,
        &[
            ("title", sig.statement_title.clone()),
            ("version", sig.version.to_string()),
            ("date", views::datetime(t.lang, sig.created_at)),
        ],
    );
    let page = SignaturePage {
        url: sig.ap_id.clone(),
        statement: render::links::web_url(&sig.statement_ap_id)
            .filter(|_| published)
            .map(str::to_string),
        title: sig.statement_title.clone(),
        text,
        p: web.page().await,
    };
    Ok(super::web::render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "signature.html")]
struct SignaturePage<'a> {
    p: PageCtx<'a>,
    url: String,
    statement: Option<String>,
    title: String,
    text: String,
}
