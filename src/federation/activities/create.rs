//! `Create` of a post by a centre we follow, a reply to us, or a statement we co-signed.
//! What it stores is returned as [`Writes`], committed with the activity's id in one job.

use super::actor_row;
use crate::{
    actions::{post_writes::Writes, remote_posts},
    context::AppContext,
    db,
    error::AppError,
    protocol::{activity::ActivityJson, object::ObjectJson},
};
use activitypub_federation::config::Data;

pub async fn receive(a: ActivityJson, data: &Data<AppContext>) -> Result<Writes, AppError> {
    let object: ObjectJson = serde_json::from_value(a.object)
        .map_err(|e| AppError::Invalid(format!("Create: object: {e}")))?;
    if !crate::protocol::object::is_content_type(&object.kind) {
        return Err(AppError::Invalid(format!(
            "Create of a {}: not a kind of post we keep (we keep Note, Article, Page, Event, \
             Question, Image, Video, Audio and Document)",
            object.kind
        )));
    }
    let actor = actor_row(&a.actor, data).await?;
    // A joint statement we co-signed: kept and relayed whether or not we follow its drafter.
    if crate::actions::cosign::published(data, &actor, &object).await? {
        return Ok(Writes::default());
    }
    let followed = crate::actions::follows::is_following(data, actor.id).await?;
    let parent = match &object.in_reply_to {
        Some(parent) => db::posts::find_by_ap_id(data.db.read(), parent.as_str()).await?,
        None => None,
    };
    let replies_to_us = parent
        .as_ref()
        .is_some_and(|p| p.local && p.deleted_at.is_none());
    // `Mention`, `as:Mention` or the full IRI, whose href is our actor.
    let mentions_us = object.tag.iter().any(|t| {
        crate::protocol::helpers::first_type(t).as_deref() == Some("Mention")
            && t.get("href").and_then(|v| v.as_str()) == Some(data.centre.ap_id.as_str())
    });
    // Posts of followed centres, and replies to our posts from anyone, are stored; a mention
    // from elsewhere is only a notification.
    let post = if followed || replies_to_us {
        remote_posts::to_store(data, &actor, &object)?
    } else {
        None
    };
    // A followed centre answers a post we do not hold: fetch it, so the feed can say what the
    // reply answers.
    if let (true, true, None, Some(url)) = (followed, post.is_some(), &parent, &object.in_reply_to)
    {
        crate::actions::reply_context::fetch_later(data, url);
    }
    let notices = if replies_to_us || mentions_us {
        let converted = match &post {
            Some(p) => p.post.clone(),
            None => remote_posts::from_object(&object, data.config.dev),
        };
        remote_posts::notices(&actor, &object, &converted, replies_to_us, mentions_us)
    } else {
        Vec::new()
    };
    Ok(Writes {
        post,
        notices,
        ..Writes::default()
    })
}
