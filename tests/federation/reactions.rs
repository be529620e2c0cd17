//! Likes and boosts (`Like`, `Announce`) of our posts from other servers, and their `Undo`:
//! counted in the API and on the post's public page; reactions to anything else are accepted
//! and ignored; malformed ones are refused.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    likes_and_boosts_are_counted_and_undone,
    reactions_to_other_things_store_nothing
);

fn reaction(from: &TestInstance, kind: &str, id: &str, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": kind,
        "actor": from.actor_id(),
        "object": object,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    })
}

fn undo(from: &TestInstance, id: &str, object: Value) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/{id}", from.base),
        "type": "Undo",
        "actor": from.actor_id(),
        "object": object,
    })
}

async fn counts(a: &TestInstance, id: &str) -> (i64, i64) {
    let (status, post) = a.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    (
        post["likes"].as_i64().unwrap(),
        post["boosts"].as_i64().unwrap(),
    )
}

async fn likes_and_boosts_are_counted_and_undone(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let c = TestInstance::spawn(backend, "nantes").await;
    let (_, created) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Rencontre régionale le 12 mars."}),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let url = created["url"].as_str().unwrap().to_string();
    assert_eq!(counts(&a, &id).await, (0, 0));

    let like = reaction(&b, "Like", "like-1", &url);
    assert_eq!(b.deliver_to(&a, &like).await, StatusCode::ACCEPTED);
    // A second Like by the same actor (another id) counts once.
    assert_eq!(
        b.deliver_to(&a, &reaction(&b, "Like", "like-2", &url))
            .await,
        StatusCode::ACCEPTED
    );
    for (from, n) in [(&b, "boost-b"), (&c, "boost-c")] {
        // Mastodon's Announce names the object by id; some servers embed it.
        let mut boost = reaction(from, "Announce", n, &url);
        if n == "boost-c" {
            boost["object"] = json!({"id": url, "type": "Note"});
        }
        assert_eq!(from.deliver_to(&a, &boost).await, StatusCode::ACCEPTED);
    }
    assert_eq!(counts(&a, &id).await, (1, 2));
    let (_, post) = a.get(&format!("/api/v1/posts/{id}")).await;
    let handles: Vec<&str> = post["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["actor"].as_str().unwrap())
        .collect();
    assert!(handles.contains(&b.actor_id().as_str()), "{post}");
    let page = reqwest::Client::new()
        .get(&url)
        .header("accept", "text/html")
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1 mention « J’aime » · 2 partages"),
        "the public page shows the counts: {}",
        page.split("<main")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(1500)
            .collect::<String>()
    );

    // Staff see who liked and boosted on the post's edit page.
    let mut staff = crate::console::admin(&a).await;
    let edit = staff.get(&format!("/console/posts/{id}/edit")).await;
    for (what, who) in [("Aimé par", &b), ("Partagé par", &b), ("Partagé par", &c)] {
        assert!(
            edit.body.contains(&format!(
                r#"{what} · <a href="{}" rel="nofollow noopener noreferrer">Centre {}</a>"#,
                who.actor_id(),
                who.options.username
            )),
            "{what} {}: {}",
            who.options.username,
            edit.body
        );
    }

    // Undo with the whole Like, then an Undo naming the Announce by its id only.
    assert_eq!(
        b.deliver_to(&a, &undo(&b, "undo-1", like.clone())).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        c.deliver_to(
            &a,
            &undo(
                &c,
                "undo-2",
                json!(format!("{}/activities/boost-c", c.base))
            )
        )
        .await,
        StatusCode::ACCEPTED
    );
    assert_eq!(counts(&a, &id).await, (0, 1));
    // An Undo by someone else removes nothing.
    let stolen = undo(&c, "undo-3", reaction(&b, "Announce", "boost-b", &url));
    assert_eq!(c.deliver_to(&a, &stolen).await, StatusCode::ACCEPTED);
    assert_eq!(counts(&a, &id).await, (0, 1));
}

async fn reactions_to_other_things_store_nothing(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "bordeaux").await;
    let (_, created) = a.post("/api/v1/posts", json!({"content": "Bonjour"})).await;
    let url = created["url"].as_str().unwrap().to_string();
    let unknown = format!("{}/posts/unknown", a.base);
    let elsewhere = format!("{}/posts/theirs", b.base);
    for (n, object) in [(1, unknown.as_str()), (2, elsewhere.as_str())] {
        for kind in ["Like", "Announce"] {
            let r = reaction(&b, kind, &format!("{kind}-{n}"), object);
            assert_eq!(b.deliver_to(&a, &r).await, StatusCode::ACCEPTED, "{r}");
        }
    }
    // No object id, or an activity id on another origin than its actor.
    let mut no_object = reaction(&b, "Like", "x1", &url);
    no_object["object"] = json!({"type": "Note"});
    assert_eq!(b.deliver_to(&a, &no_object).await, StatusCode::BAD_REQUEST);
    let mut foreign = reaction(&b, "Like", "x2", &url);
    foreign["id"] = json!(format!("{}/activities/forged", a.base));
    assert!(b.deliver_to(&a, &foreign).await.is_client_error());
    let count = a.count("reactions").await;
    assert_eq!(count, 0);
}
