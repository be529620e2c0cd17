//! Reporting a remote post or actor to its own server: a `Flag` from our centre (so no staff
//! member is named), queued to the reported actor's inbox in one transaction.

use super::outbox;
use crate::{
    context::{AppContext, new_public_id},
    db,
    error::{AppError, AppResult, invalid},
    federation::{
        objects::actor::{DbActor, authority},
        verify_same_origin,
    },
    protocol::{
        flag::MAX_COMMENT,
        helpers::{first_type, id_of},
    },
    render::sanitize::plain_text,
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use serde_json::{Value, json};
use url::Url;

/// A report we sent: the `Flag`'s id, what it names and where it goes.
#[derive(Clone, Debug)]
pub struct SentReport {
    pub id: Url,
    pub objects: Vec<Url>,
    pub inbox: String,
}

/// Actor types: a document of one of them (or with an inbox) is an actor, anything else a
/// post.
const ACTOR_TYPES: &[&str] = &["Person", "Organization", "Application", "Group", "Service"];

fn remote(object: &Url, e: impl std::fmt::Display) -> AppError {
    AppError::Remote(format!("object: could not fetch {object}: {e}"))
}

/// The URL staff gave: absolute http(s) (http only in development mode), not ours, not of a
/// refused domain.
async fn target_url(data: &Data<AppContext>, object: &str) -> AppResult<Url> {
    let object = object.trim();
    if object.is_empty() || object.len() > 2048 {
        return Err(invalid(
            "object: give the URL of a post or an actor on another server",
        ));
    }
    let url =
        Url::parse(object).map_err(|e| invalid(format!("object: {object:?} is not a URL: {e}")))?;
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && data.config.dev);
    if !scheme_ok || url.host_str().is_none() {
        return Err(invalid(format!(
            "object: {object:?} must be an https URL of another server"
        )));
    }
    let origin = authority(&url);
    if origin == data.config.domain {
        return Err(invalid(
            "object: this is this centre's own content; reports go to other servers",
        ));
    }
    if crate::actions::moderation::is_blocked(data, &origin).await? {
        return Err(invalid(format!("object: {}", data.blocks.refusal(&origin))));
    }
    Ok(url)
}

/// The actor to report to and the post reported (if the URL is a post): from what we hold,
/// otherwise fetched (signed) from the URL's server. A post's author must be on the post's
/// server.
async fn resolve(data: &Data<AppContext>, url: &Url) -> AppResult<(DbActor, Option<Url>)> {
    if let Some(row) = db::actors::find_by_ap_id(data.db.read(), url.as_str()).await? {
        return Ok((DbActor::from_row(row)?, None));
    }
    if let Some(post) = db::posts::find_by_ap_id(data.db.read(), url.as_str()).await?
        && !post.local
        && let Some(row) = db::actors::find_by_id(data.db.read(), post.actor_id).await?
    {
        return Ok((DbActor::from_row(row)?, Some(url.clone())));
    }
    let fetched = activitypub_federation::fetch::fetch_object_http::<AppContext, Value>(
        url,
        &data.reset_request_count(),
    )
    .await
    .map_err(|e| {
        use activitypub_federation::error::Error as E;
        match e {
            E::NotFound | E::ObjectDeleted(_) => {
                invalid(format!("object: {url} was not found on its server"))
            }
            // What a 404 page, or a web page, gives.
            E::FetchInvalidContentType(_) => invalid(format!(
                "object: {url} is not a post or an actor (not found, or not ActivityPub)"
            )),
            E::UrlVerificationError(m) => invalid(format!("object: {url}: {m}")),
            e => remote(url, e),
        }
    })?;
    let (id, doc) = (fetched.url, fetched.object);
    let is_actor = doc.get("inbox").is_some()
        || first_type(&doc).is_some_and(|t| ACTOR_TYPES.contains(&t.as_str()));
    let (actor_id, post) = if is_actor {
        (id, None)
    } else {
        let author = match doc.get("attributedTo") {
            Some(Value::Array(items)) => items.iter().find_map(id_of),
            Some(v) => id_of(v),
            None => None,
        }
        .ok_or_else(|| invalid(format!("object: {id} is neither an actor nor a post")))?;
        verify_same_origin(&author, &id)
            .map_err(|_| invalid(format!("object: the author of {id} is on another server")))?;
        (author, Some(id))
    };
    let actor = ObjectId::<DbActor>::from(actor_id.clone())
        .dereference(data)
        .await
        .map_err(|e| match e {
            AppError::Internal(e) => AppError::Internal(e),
            e => remote(&actor_id, e),
        })?;
    Ok((actor, post))
}

/// Sends a report of `object` (a remote post or actor) with an optional comment to its
/// server, from our centre.
#[tracing::instrument(skip(data, comment), err(level = "debug"))]
pub async fn send(
    data: &Data<AppContext>,
    object: &str,
    comment: Option<&str>,
) -> AppResult<SentReport> {
    let comment = plain_text(comment.unwrap_or(""));
    if comment.chars().count() > MAX_COMMENT {
        return Err(invalid(format!(
            "comment: at most {MAX_COMMENT} characters"
        )));
    }
    let url = target_url(data, object).await?;
    let (actor, post) = resolve(data, &url).await?;
    if actor.row.local {
        return Err(invalid(
            "object: this is this centre's own content; reports go to other servers",
        ));
    }
    let inbox = Url::parse(&actor.row.inbox)
        .ok()
        .filter(|i| verify_same_origin(i, &actor.ap_id).is_ok())
        .ok_or_else(|| {
            AppError::Remote(format!(
                "object: the inbox of {} is not on its server",
                actor.ap_id
            ))
        })?;
    let origin = authority(&actor.ap_id);
    if crate::actions::moderation::is_blocked(data, &origin).await? {
        return Err(invalid(format!("object: {}", data.blocks.refusal(&origin))));
    }
    let objects: Vec<Url> = std::iter::once(actor.ap_id.clone()).chain(post).collect();
    let id = data.urls.activity(&new_public_id());
    let now = data.now();
    let mut flag = crate::render::activitypub::activity(
        "Flag",
        &id,
        &data.urls.actor(),
        json!(objects),
        std::slice::from_ref(&actor.ap_id),
        &[],
        now,
    );
    if !comment.is_empty() {
        flag["content"] = json!(comment);
    }
    let mut tx = data.db.begin().await?;
    outbox::queue(
        &mut tx,
        data,
        &flag,
        &[inbox.to_string()],
        now.timestamp_millis(),
    )
    .await?;
    tx.commit().await?;
    outbox::wake(data);
    tracing::info!(flag = %id, to = %actor.ap_id, "report sent");
    Ok(SentReport {
        id,
        objects,
        inbox: inbox.to_string(),
    })
}
