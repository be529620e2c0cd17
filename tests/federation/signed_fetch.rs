//! Every fetch the instance makes of another server (WebFinger aside) is signed with the
//! centre's key, so servers that refuse unsigned GETs still answer.

use crate::both_backends;
use crate::harness::{Backend, Options, TestInstance};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

both_backends!(
    following_a_server_that_refuses_unsigned_fetches_works,
    authorized_fetch_requires_signed_gets_of_objects_and_collections,
);

#[derive(Clone, Default)]
struct Seen {
    gets: Arc<Mutex<Vec<Option<String>>>>,
    posts: Arc<Mutex<Vec<Value>>>,
    base: Arc<Mutex<String>>,
    key: Arc<Mutex<String>>,
}

/// A peer that, like GoToSocial, answers GETs only when they carry an HTTP signature.
async fn actor(State(seen): State<Seen>, headers: HeaderMap) -> impl IntoResponse {
    let signature = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    seen.gets.lock().unwrap().push(signature.clone());
    if signature.is_none() {
        return (StatusCode::UNAUTHORIZED, "signature required").into_response();
    }
    let base = seen.base.lock().unwrap().clone();
    let id = format!("{base}/actor");
    (
        [("content-type", "application/activity+json")],
        Json(json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id, "type": "Person", "preferredUsername": "strict",
            "inbox": format!("{base}/inbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id,
                          "publicKeyPem": seen.key.lock().unwrap().clone()}
        })),
    )
        .into_response()
}

async fn inbox(State(seen): State<Seen>, Json(body): Json<Value>) -> StatusCode {
    seen.posts.lock().unwrap().push(body);
    StatusCode::ACCEPTED
}

async fn following_a_server_that_refuses_unsigned_fetches_works(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    *seen.base.lock().unwrap() = base.clone();
    *seen.key.lock().unwrap() = activitypub_federation::http_signatures::generate_actor_keypair()
        .unwrap()
        .public_key;
    let app = Router::new()
        .route("/actor", get(actor))
        .route("/inbox", post(inbox))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let (status, follow) = a
        .post(
            "/api/v1/follows",
            json!({ "target": format!("{base}/actor") }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{follow}");
    let gets = seen.gets.lock().unwrap().clone();
    assert!(!gets.is_empty());
    let key_id = format!("keyId=\"{}#main-key\"", a.actor_id());
    for signature in &gets {
        let signature = signature.as_deref().expect("every GET is signed");
        assert!(signature.contains(&key_id), "{signature}");
        let signed = signature
            .split("headers=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for h in ["(request-target)", "host", "date"] {
            assert!(
                signed.split(' ').any(|x| x == h),
                "{h} is signed, as Mastodon requires: {signed}"
            );
        }
    }
    assert_eq!(a.deliver_pending().await.delivered, 1);
    let posts = seen.posts.lock().unwrap().clone();
    assert_eq!(posts[0]["type"], "Follow");
    assert_eq!(posts[0]["object"], format!("{base}/actor"));
}

async fn authorized_fetch_requires_signed_gets_of_objects_and_collections(backend: Backend) {
    let a = TestInstance::spawn_with(
        backend,
        Options {
            authorized_fetch: true,
            ..Options::named("secure")
        },
    )
    .await;
    let b = TestInstance::spawn(backend, "lille").await;
    let (_, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Réservé aux serveurs signés"}),
        )
        .await;
    let url = post["url"].as_str().unwrap();
    for path in [
        url.to_string(),
        format!("{}/outbox", a.actor_id()),
        format!("{}/followers?page=true", a.actor_id()),
    ] {
        let (status, body) = a.get_ap(&path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(b.signed_get(&path).await, StatusCode::OK, "{path} signed");
    }
    let (status, actor) = a.get_ap(&a.actor_id()).await;
    assert_eq!(status, StatusCode::OK, "the actor stays public");
    assert_eq!(actor["type"], "Organization");
    let wf = a
        .http
        .get(a.url(&format!(
            "/.well-known/webfinger?resource=acct:{}",
            a.handle()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(wf.status(), StatusCode::OK);
    let html = a
        .http
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        html.status(),
        StatusCode::OK,
        "the public page stays public"
    );

    // B follows A: the backfill reads A's outbox with signed GETs.
    b.follow_and_wait(&a).await;
    assert!(
        b.feed().await.iter().any(|i| i["id"] == url),
        "backfilled through signed fetches"
    );

    // A signature from a blocked domain is refused.
    a.post("/api/v1/domain_blocks", json!({"domain": b.domain}))
        .await;
    assert_eq!(b.signed_get(url).await, StatusCode::FORBIDDEN);
}
