//! Fetching one post from its server (a signed GET), checked as if it had been delivered:
//! a kind of post we keep, public or unlisted, its id on the server it came from and on its
//! author's, the author fetched and checked as any actor. Then stored like a delivered post.

use crate::{
    context::AppContext,
    error::{AppError, AppResult},
    federation::{objects::actor::DbActor, verify_same_origin},
    protocol::object::{ObjectJson, is_content_type},
};
use activitypub_federation::{config::Data, fetch::fetch_object_http, fetch::object_id::ObjectId};
use url::Url;

/// Fetches the post at `url`, stores it, and returns it as received.
pub async fn post(data: &Data<AppContext>, url: &Url) -> AppResult<ObjectJson> {
    let value = fetch_object_http::<_, serde_json::Value>(url, data)
        .await?
        .object;
    let object: ObjectJson = serde_json::from_value(value)
        .map_err(|e| AppError::Invalid(format!("{url}: not a post: {e}")))?;
    verify_same_origin(&object.id, url)?;
    if !is_content_type(&object.kind) {
        return Err(AppError::Invalid(format!(
            "{url}: a {} is not a kind of post we keep",
            object.kind
        )));
    }
    if super::remote_posts::visibility_of(&object) == "followers" {
        return Err(AppError::Invalid(format!("{url}: not a public post")));
    }
    let author = object
        .attributed_to
        .first()
        .ok_or_else(|| AppError::Invalid(format!("{url}: no attributedTo")))?;
    verify_same_origin(&object.id, author)?;
    let actor = ObjectId::<DbActor>::from(author.clone())
        .dereference(data)
        .await?;
    super::remote_posts::store(data, &actor.row, &object).await?;
    Ok(object)
}
