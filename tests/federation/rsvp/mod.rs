//! RSVP on our events (Mobilizon's `Join`/`Leave`): a free event accepts at once, a restricted
//! one holds the request for staff, an external one refuses with its registration link; the
//! capacity is enforced, `Leave` (and `Undo{Join}`) frees the seat, and the count shows in our
//! Event JSON, the API and the public page. `export`: the CSV; `refused`: bad input.

mod console;
mod export;
mod outgoing;
mod refused;

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    free_event_accepts_and_leave_frees_the_seat,
    restricted_event_waits_for_staff,
    external_event_refuses_with_its_link,
    full_event_refuses,
    mobilizon_join_is_accepted,
);

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Publishes an event on `a` with these extra fields; its `(public id, url)`.
pub async fn event(a: &TestInstance, extra: Value) -> (String, String) {
    let mut body = json!({
        "type": "Event",
        "title": "Atelier habitat",
        "content": "Un atelier ouvert.",
        "start": "2031-02-12T14:00",
        "end": "2031-02-12T17:00",
        "timezone": "Europe/Paris",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, created) = a.post("/api/v1/posts", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["id"].as_str().unwrap().to_string(),
        created["url"].as_str().unwrap().to_string(),
    )
}

pub fn join(from: &TestInstance, id: &str, object: Value) -> Value {
    json!({
        "@context": AS,
        "id": format!("{}/activities/{id}", from.base),
        "type": "Join",
        "actor": from.actor_id(),
        "object": object,
    })
}

fn leave(from: &TestInstance, id: &str, event: &str) -> Value {
    json!({
        "@context": AS,
        "id": format!("{}/activities/{id}", from.base),
        "type": "Leave",
        "actor": from.actor_id(),
        "object": event,
    })
}

/// The activities of `kind` that `i` queued, oldest first.
pub async fn sent(i: &TestInstance, kind: &str) -> Vec<Value> {
    const SQL: &str = "SELECT json FROM outgoing_activities WHERE kind = $1 ORDER BY id";
    let rows: Vec<String> = match &i.ctx.db {
        maillage::db::Db::Sqlite { reader, .. } => sqlx::query_scalar(SQL)
            .bind(kind)
            .fetch_all(reader)
            .await
            .unwrap(),
        maillage::db::Db::Postgres(pool) => sqlx::query_scalar(SQL)
            .bind(kind)
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    rows.iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect()
}

/// The participant count the API gives for an event.
pub async fn count(a: &TestInstance, id: &str) -> i64 {
    let (status, post) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post["participants"].as_i64().unwrap()
}

pub async fn participants(a: &TestInstance, id: &str) -> Vec<Value> {
    let (status, list) = a.get(&format!("/api/v1/posts/{id}/participants")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().unwrap().clone()
}

/// Runs `a`'s deliveries; how many reached their inbox.
async fn delivered(a: &TestInstance) -> usize {
    a.deliver_pending().await.delivered
}

async fn free_event_accepts_and_leave_frees_the_seat(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (id, url) = event(&a, json!({"join_mode": "free", "capacity": 10})).await;
    assert_eq!(count(&a, &id).await, 0);

    let j = join(&b, "join-1", json!(url));
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 1);
    let accepts = sent(&a, "Accept").await;
    assert_eq!(accepts.len(), 1, "{accepts:?}");
    assert_eq!(accepts[0]["object"]["id"], j["id"]);
    assert_eq!(accepts[0]["object"]["type"], "Join");
    assert_eq!(accepts[0]["object"]["object"], json!(url));
    assert_eq!(accepts[0]["to"], json!([b.actor_id()]));
    assert_eq!(delivered(&a).await, 1, "the Accept reaches B's inbox");

    // participantCount in our Event, and the count on its public page.
    let (status, ap) = a.get_ap(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ap["participantCount"], 1, "{ap}");
    let html = a.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("1 participant<"), "{html}");

    // The same Join again, or another Join by the same actor: nothing more.
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    let again = join(&b, "join-2", json!({"id": url, "type": "Event"}));
    assert_eq!(b.deliver_to(&a, &again).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 1);
    assert_eq!(sent(&a, "Accept").await.len(), 1);
    let list = participants(&a, &id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["state"], "accepted");
    assert_eq!(list[0]["handle"], format!("@{}", b.handle()));

    // Leave frees the seat (twice changes nothing).
    for n in ["leave-1", "leave-2"] {
        assert_eq!(
            b.deliver_to(&a, &leave(&b, n, &url)).await,
            StatusCode::ACCEPTED
        );
        assert_eq!(count(&a, &id).await, 0);
    }
    let (_, ap) = a.get_ap(&url).await;
    assert_eq!(ap["participantCount"], 0);
    let html = a.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Aucun participant"), "{html}");

    // Joining again, then an Undo of that Join, as Mastodon-like software sends it.
    let j3 = join(&b, "join-3", json!(url));
    assert_eq!(b.deliver_to(&a, &j3).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 1);
    let undo = json!({"@context": AS, "id": format!("{}/activities/undo-3", b.base),
        "type": "Undo", "actor": b.actor_id(), "object": j3});
    assert_eq!(b.deliver_to(&a, &undo).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 0);
}

async fn restricted_event_waits_for_staff(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    let (id, url) = event(&a, json!({"join_mode": "restricted"})).await;
    let mut j = join(&b, "join-b", json!(url));
    j["participationMessage"] = json!("Nous viendrons à <b>deux</b>.");
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    assert_eq!(
        c.deliver_to(&a, &join(&c, "join-c", json!(url))).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(count(&a, &id).await, 0, "held, not counted");
    assert!(sent(&a, "Accept").await.is_empty());
    let list = participants(&a, &id).await;
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p["state"] == "pending"), "{list:?}");
    let pb = list.iter().find(|p| p["actor"] == b.actor_id()).unwrap();
    assert_eq!(pb["message"], "Nous viendrons à deux.", "plain text");
    let pc = list.iter().find(|p| p["actor"] == c.actor_id()).unwrap();

    let (status, accepted) = a
        .post_empty(&format!(
            "/api/v1/posts/{id}/participants/{}/accept",
            pb["id"]
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["state"], "accepted");
    let (status, rejected) = a
        .post_empty(&format!(
            "/api/v1/posts/{id}/participants/{}/reject",
            pc["id"]
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(count(&a, &id).await, 1);
    let accepts = sent(&a, "Accept").await;
    assert_eq!(accepts.len(), 1);
    assert_eq!(accepts[0]["object"]["id"], j["id"]);
    let rejects = sent(&a, "Reject").await;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["to"], json!([c.actor_id()]));
    assert_eq!(delivered(&a).await, 2, "each answer reaches its inbox");

    // Unknown participant, or a decision on a post that is not an event.
    let (status, _) = a
        .post_empty(&format!("/api/v1/posts/{id}/participants/999999/accept"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a
        .post_empty(&format!("/api/v1/posts/{id}/participants/abc/accept"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn external_event_refuses_with_its_link(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let link = "https://billetterie.example/atelier";
    let (id, url) = event(
        &a,
        json!({"join_mode": "external", "registration_url": link}),
    )
    .await;
    let j = join(&b, "join-1", json!(url));
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 0);
    assert!(participants(&a, &id).await.is_empty());
    let rejects = sent(&a, "Reject").await;
    assert_eq!(rejects.len(), 1);
    let r = &rejects[0];
    assert_eq!(r["object"]["id"], j["id"]);
    assert_eq!(r["externalParticipationUrl"], link);
    assert!(r["content"].as_str().unwrap().contains(link), "{r}");
    assert!(
        r["summary"].as_str().unwrap().starts_with("external"),
        "{r}"
    );
    assert_eq!(delivered(&a).await, 1);
}

async fn full_event_refuses(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    let (id, url) = event(&a, json!({"join_mode": "free", "capacity": 1})).await;
    assert_eq!(
        b.deliver_to(&a, &join(&b, "j", json!(url))).await,
        StatusCode::ACCEPTED
    );
    let jc = join(&c, "j", json!(url));
    assert_eq!(c.deliver_to(&a, &jc).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 1);
    let rejects = sent(&a, "Reject").await;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["object"]["id"], jc["id"]);
    assert!(rejects[0]["summary"].as_str().unwrap().starts_with("full"));
    assert_eq!(rejects[0]["to"], json!([c.actor_id()]));

    // B leaves: C's next Join takes the seat.
    assert_eq!(
        b.deliver_to(&a, &leave(&b, "l", &url)).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        c.deliver_to(&a, &join(&c, "j2", json!(url))).await,
        StatusCode::ACCEPTED
    );
    let list = participants(&a, &id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["actor"], c.actor_id());
    assert_eq!(sent(&a, "Accept").await.len(), 2);
}

/// Mobilizon's captured Join (and its Leave, which carries the same id), with the ids moved
/// to the test instances.
async fn mobilizon_join_is_accepted(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (id, url) = event(&a, json!({})).await;
    let fixture = |name: &str| -> Value {
        let path = format!(
            "{}/tests/fixtures/mobilizon/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(v["object"], "http://mobilizon.test/events/some-uuid");
        v["object"] = json!(url);
        v["actor"] = json!(b.actor_id());
        v["id"] = json!(format!("{}/@admin/join/event/1", b.base));
        v
    };
    let j = fixture("mobilizon-join-activity.json");
    assert_eq!(b.deliver_to(&a, &j).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 1, "free is the default join mode");
    let accepts = sent(&a, "Accept").await;
    assert_eq!(accepts[0]["object"]["id"], j["id"]);
    let l = fixture("mobilizon-leave-activity.json");
    assert_eq!(l["id"], j["id"]);
    assert_eq!(b.deliver_to(&a, &l).await, StatusCode::ACCEPTED);
    assert_eq!(count(&a, &id).await, 0);
}
