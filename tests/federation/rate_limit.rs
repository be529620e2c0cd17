//! The per-host rate limit (`federation.rate_limit_per_second` / `_burst`): a host over its
//! budget gets 429 with `Retry-After` while another host's deliveries are accepted at the same
//! time; signed fetches are limited the same way; the refusals are counted in the metrics.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_host_over_its_budget_gets_429_while_another_is_accepted,
    signed_fetches_share_the_host_budget,
);

fn limited(username: &str, authorized_fetch: bool) -> Options {
    Options {
        authorized_fetch,
        env: vec![
            ("MAILLAGE_FEDERATION_RATE_LIMIT_PER_SECOND", "1".into()),
            ("MAILLAGE_FEDERATION_RATE_LIMIT_BURST", "10".into()),
        ],
        ..Options::named(username)
    }
}

fn note(from: &TestInstance, id: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Create",
        "actor": from.actor_id(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": format!("{}/posts/{id}", from.base), "type": "Note",
            "attributedTo": from.actor_id(), "content": "<p>bonjour</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"]}
    })
}

/// Sends `body` signed by `from`; the status and the `Retry-After` header.
async fn send(from: &TestInstance, to: &TestInstance, body: &Value) -> (StatusCode, Option<u64>) {
    let inbox = format!("{}/inbox", to.base);
    let req = from
        .signed_post(&inbox, serde_json::to_vec(body).unwrap())
        .await;
    let res = from.http.execute(req).await.unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (res.status(), retry)
}

async fn a_host_over_its_budget_gets_429_while_another_is_accepted(backend: Backend) {
    let a = TestInstance::spawn_with(backend, limited("lyon", false)).await;
    let flood = TestInstance::spawn(backend, "bordeaux").await;
    let calm = TestInstance::spawn(backend, "nantes").await;
    a.follow_and_wait(&flood).await;
    a.follow_and_wait(&calm).await;
    // The flooding host sends 30 at once while the calm one sends 5: the flood's burst is
    // what is left of its 10 (its Accept used one), the calm host's bucket is its own.
    let flood_bodies: Vec<Value> = (0..30).map(|i| note(&flood, &format!("f{i}"))).collect();
    let calm_bodies: Vec<Value> = (0..5).map(|i| note(&calm, &format!("c{i}"))).collect();
    let (flooded, calmed) = tokio::join!(
        join_all(flood_bodies.iter().map(|b| send(&flood, &a, b))),
        join_all(calm_bodies.iter().map(|b| send(&calm, &a, b))),
    );
    assert!(
        calmed.iter().all(|(s, _)| *s == StatusCode::ACCEPTED),
        "the calm host is untouched: {calmed:?}"
    );
    let accepted = flooded
        .iter()
        .filter(|(s, _)| *s == StatusCode::ACCEPTED)
        .count();
    let limited: Vec<_> = flooded
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(
        (9..=11).contains(&accepted),
        "about its burst accepted: {flooded:?}"
    );
    assert_eq!(accepted + limited.len(), 30, "{flooded:?}");
    assert!(
        limited.iter().all(|(_, r)| r.is_some_and(|s| s >= 1)),
        "429 says when to come back: {limited:?}"
    );
    // Nothing refused was stored.
    for (body, (status, _)) in flood_bodies.iter().zip(&flooded) {
        let id = body["object"]["id"].as_str().unwrap();
        let stored = maillage::db::posts::find_by_ap_id(a.ctx.db.read(), id)
            .await
            .unwrap()
            .is_some();
        assert_eq!(stored, *status == StatusCode::ACCEPTED, "{id} {status}");
    }
    let metrics = a.metrics().await;
    assert!(
        metrics.contains(&format!(
            "maillage_rate_limited_total{{kind=\"inbox\"}} {}",
            limited.len()
        )),
        "{metrics}"
    );
}

async fn signed_fetches_share_the_host_budget(backend: Backend) {
    let a = TestInstance::spawn_with(backend, limited("secure", true)).await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let url = a.actor_id() + "/outbox";
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(b.signed_get(&url).await);
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!((10..=11).contains(&ok), "{statuses:?}");
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
