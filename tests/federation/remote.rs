//! Helpers for scenarios where a peer sends us objects as its server would: a signed `Create`
//! of any object shape, and the pages and feeds a reader then sees.

use crate::harness::TestInstance;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A `Create` from `from` of `object`, given the id `…/posts/{id}` and `from` as its author.
pub fn create(from: &TestInstance, id: &str, object: Value) -> Value {
    let mut object = object;
    object["id"] = json!(format!("{}/posts/{id}", from.base));
    if object.get("attributedTo").is_none() {
        object["attributedTo"] = json!(from.actor_id());
    }
    if object.get("to").is_none() {
        object["to"] = json!([PUBLIC]);
    }
    json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base), "type": "Create",
        "actor": from.actor_id(), "to": [PUBLIC], "object": object})
}

/// POSTs `activity` to `to`'s shared inbox, signed by `from`; returns the status.
pub async fn send(from: &TestInstance, to: &TestInstance, activity: &Value) -> StatusCode {
    let req = from
        .signed_post(
            &format!("{}/inbox", to.base),
            serde_json::to_vec(activity).unwrap(),
        )
        .await;
    to.http.execute(req).await.unwrap().status()
}

/// Sends `object` from `from` to `to` and expects it accepted.
pub async fn deliver(from: &TestInstance, to: &TestInstance, id: &str, object: Value) {
    let activity = create(from, id, object);
    assert_eq!(
        send(from, to, &activity).await,
        StatusCode::ACCEPTED,
        "{activity}"
    );
}

/// The body of a public page (or feed) of `i`, asked for with `accept_language` if given.
pub async fn page(i: &TestInstance, path: &str, accept_language: Option<&str>) -> String {
    let mut req = i.http.get(i.url(path));
    if let Some(l) = accept_language {
        req = req.header("accept-language", l);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// The API feed item with this ActivityPub id.
pub async fn feed_item(i: &TestInstance, ap_id: &str) -> Value {
    i.feed()
        .await
        .into_iter()
        .find(|p| p["id"] == ap_id)
        .unwrap_or_else(|| panic!("{ap_id} is not in the feed"))
}

/// The `<article>` of the page that contains `needle`.
pub fn article_with<'a>(html: &'a str, needle: &str) -> &'a str {
    let at = html
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not on the page: {html}"));
    let start = html[..at].rfind("<article").unwrap();
    let end = at + html[at..].find("</article>").unwrap();
    &html[start..end]
}

/// The Atom `<entry>` whose id is `ap_id`.
pub fn atom_entry<'a>(atom: &'a str, ap_id: &str) -> &'a str {
    let at = atom
        .find(&format!("<id>{ap_id}</id>"))
        .unwrap_or_else(|| panic!("{ap_id} not in the feed: {atom}"));
    let start = atom[..at].rfind("<entry").unwrap();
    let end = at + atom[at..].find("</entry>").unwrap();
    &atom[start..end]
}
