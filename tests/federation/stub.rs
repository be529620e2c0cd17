//! A stub peer: inboxes on loopback that count what they receive and answer what the test
//! tells them to.

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::Value;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How an inbox answers.
#[derive(Clone, Debug)]
pub enum Answer {
    Status(u16),
    /// 429 or 503 with `Retry-After: seconds`.
    RetryAfter(u16, u64),
    /// Never answers in time.
    Hang,
    /// Answers 202 after this delay.
    Delay(Duration),
    /// Refuses draft-cavage (401) and accepts only an RFC 9421 signature that verifies with
    /// this public key.
    Rfc9421Only(String),
}

#[derive(Clone, Default)]
pub struct Stub {
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    /// Documents served at `BASE/actors/NAME` as ActivityPub JSON.
    documents: Arc<Mutex<HashMap<String, Value>>>,
    /// `(inbox path, activity id)` of every POST received, signed or not.
    pub received: Arc<Mutex<Vec<(String, String)>>>,
    /// `(inbox name, body)` of every POST received.
    pub bodies: Arc<Mutex<Vec<(String, Value)>>>,
    /// The signature scheme of every POST: "cavage" or "rfc9421".
    pub schemes: Arc<Mutex<Vec<String>>>,
    /// `(document name, signed)` of every GET of `BASE/actors/NAME`.
    pub fetched: Arc<Mutex<Vec<(String, bool)>>>,
    pub base: String,
}

async fn inbox(
    State(stub): State<Stub>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
        .unwrap_or_default();
    if headers.get("signature").is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let rfc9421 = headers.get("signature-input").is_some();
    stub.schemes
        .lock()
        .unwrap()
        .push(if rfc9421 { "rfc9421" } else { "cavage" }.to_string());
    let answer = stub
        .answers
        .lock()
        .unwrap()
        .get(&name)
        .cloned()
        .unwrap_or(Answer::Status(202));
    if !matches!(answer, Answer::Hang) {
        stub.received.lock().unwrap().push((name.clone(), id));
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            stub.bodies.lock().unwrap().push((name.clone(), v));
        }
    }
    match answer {
        Answer::Rfc9421Only(pem) => {
            let h = |n: &str| headers.get(n).map(|v| v.to_str().unwrap().to_string());
            let verified = rfc9421
                && (|| {
                    use maillage::federation::rfc9421 as sig;
                    let s = sig::parse(&h("signature-input")?, &h("signature")?)
                        .ok()?
                        .remove(0);
                    let url = url::Url::parse(&format!("{}/inbox/{name}", stub.base)).ok()?;
                    let base = sig::signature_base(&s, "POST", &url, h).ok()?;
                    sig::check_content_digest(&h("content-digest")?, &body).ok()?;
                    sig::verify(
                        &s,
                        &base,
                        &maillage::integrity::keys::PublicKey::from_pem(&pem).ok()?,
                    )
                    .ok()
                })()
                .is_some();
            if verified {
                StatusCode::ACCEPTED
            } else {
                StatusCode::UNAUTHORIZED
            }
            .into_response()
        }
        Answer::Status(s) => StatusCode::from_u16(s).unwrap().into_response(),
        Answer::RetryAfter(s, secs) => (
            StatusCode::from_u16(s).unwrap(),
            [("retry-after", secs.to_string())],
        )
            .into_response(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::ACCEPTED.into_response()
        }
        Answer::Delay(d) => {
            tokio::time::sleep(d).await;
            StatusCode::ACCEPTED.into_response()
        }
    }
}

async fn document(
    State(stub): State<Stub>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signed = headers.get("signature").is_some();
    stub.fetched.lock().unwrap().push((name.clone(), signed));
    match stub.documents.lock().unwrap().get(&name) {
        Some(doc) => (
            [("content-type", "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Stub {
    /// Starts a stub host on a loopback port; its inboxes are `BASE/inbox/NAME`.
    pub async fn start() -> Stub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        let stub = Stub {
            base,
            ..Stub::default()
        };
        let app = Router::new()
            .route("/inbox/{name}", post(inbox))
            .route("/actors/{name}", axum::routing::get(document))
            .with_state(stub.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        stub
    }

    /// Serves `doc` at `BASE/actors/NAME`; returns that URL.
    pub fn serve(&self, name: &str, doc: Value) -> String {
        self.documents.lock().unwrap().insert(name.to_string(), doc);
        format!("{}/actors/{name}", self.base)
    }

    /// An actor document for `BASE/actors/NAME` with this public key (to [`Stub::serve`]).
    pub fn actor(&self, name: &str, key: &str) -> Value {
        let id = format!("{}/actors/{name}", self.base);
        serde_json::json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "type": "Person", "id": id, "preferredUsername": name,
            "inbox": format!("{id}/inbox"),
            "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": key},
        })
    }

    pub fn inbox(&self, name: &str) -> String {
        format!("{}/inbox/{name}", self.base)
    }

    pub fn answer(&self, name: &str, answer: Answer) {
        self.answers
            .lock()
            .unwrap()
            .insert(name.to_string(), answer);
    }

    /// The bodies `name`'s inbox received, oldest first.
    pub fn bodies_of(&self, name: &str) -> Vec<Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn received_by(&self, name: &str) -> usize {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .count()
    }
}
