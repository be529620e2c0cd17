//! Our Note, Article and Event reach Fedify, verify, and parse as we mean them; so do an
//! edit and a deletion.

use super::{AS, Peer, SCHEMA, centre, fedify_follows};
use reqwest::StatusCode;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// 2. A Note, an Article and an Event reach Fedify, verify, and parse as we mean them.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_note_article_and_event_verify_and_parse_in_fedify() {
    let Some(peer) = Peer::start("our_note_article_and_event_verify_and_parse_in_fedify").await
    else {
        return;
    };
    let us = centre().await;
    fedify_follows(&peer, &us).await;

    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[1u8; 64]].concat();
    let upload = us
        .http
        .post(us.url("/api/v1/media"))
        .bearer_auth(&us.token)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png).file_name("affiche.png"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let media: Value = upload.json().await.unwrap();

    let mut ids = Vec::new();
    for body in [
        json!({"content": "Bonjour Fedify",
               "images": [{"media": media["id"], "alt": "Affiche de la rencontre"}]}),
        json!({"type": "Article", "title": "Rapport annuel", "summary": "Les chiffres clés.",
               "content": "<h2>Chiffres</h2><p>Un texte long.</p>"}),
        json!({"type": "Event", "title": "Débat", "content": "Une soirée d'échanges.",
               "start": "2026-02-12T14:00", "end": "2026-02-12T17:00", "timezone": "Europe/Paris",
               "location": {"name": "Maison des associations", "street": "10 rue Jangot",
                            "postal_code": "69007", "locality": "Lyon", "country": "France"}}),
    ] {
        let (status, post) = us.post("/api/v1/posts", body).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        ids.push(post["url"].as_str().unwrap().to_string());
    }
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 3, "{report:?}");

    // Our side: three Creates delivered to Fedify's shared inbox, none pending or failed.
    let (_, done) = us.get("/api/v1/deliveries?state=done").await;
    let creates: Vec<&Value> = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["activity_type"] == "Create")
        .collect();
    assert_eq!(creates.len(), 3, "{done}");
    assert!(
        creates
            .iter()
            .all(|d| d["inbox"] == peer.shared_inbox().as_str())
    );
    for state in ["pending", "failed"] {
        let (_, left) = us.get(&format!("/api/v1/deliveries?state={state}")).await;
        assert_eq!(left["items"], json!([]), "{state} deliveries");
    }

    // Fedify's side: each Create verified (draft-cavage, our key) and parsed.
    let mut objects = Vec::new();
    for id in &ids {
        let create = peer
            .received(&format!("the Create of {id}"), |a| {
                a["type"] == "Create" && a["object"]["id"] == id.as_str()
            })
            .await;
        assert_eq!(create["actor"], us.actor_id().as_str());
        assert_eq!(create["signature"], "draft-cavage");
        assert_eq!(
            create["key_id"],
            format!("{}#main-key", us.actor_id()).as_str()
        );
        assert_eq!(create["recipient"], Value::Null, "the shared inbox");
        assert!(create["object_error"].is_null(), "{create:#}");
        let object = create["object"].clone();
        assert_eq!(object["attributed_to"], json!([us.actor_id()]));
        assert!(
            object["to"]
                .as_array()
                .unwrap()
                .contains(&json!(format!("{AS}Public"))),
            "{object:#}"
        );
        objects.push(object);
    }
    let (note, article, event) = (&objects[0], &objects[1], &objects[2]);

    assert_eq!(note["type"], "Note");
    assert!(
        note["content"].as_str().unwrap().contains("Bonjour Fedify"),
        "{note:#}"
    );
    assert_eq!(note["summary"], Value::Null, "a Note carries no summary");
    assert_eq!(
        note["attachments"],
        json!([{"type": "Image", "media_type": "image/png", "url": media["url"],
                "name": "Affiche de la rencontre"}]),
        "{note:#}"
    );

    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "Rapport annuel");
    assert_eq!(article["summary"], "Les chiffres clés.");
    assert!(
        article["content"]
            .as_str()
            .unwrap()
            .contains("<h2>Chiffres</h2>"),
        "{article:#}"
    );

    assert_eq!(event["type"], "Event");
    assert_eq!(event["name"], "Débat");
    // 14:00 and 17:00 in Paris in February (UTC+1) are 13:00 and 16:00 UTC.
    assert_eq!(event["start_time"], "2026-02-12T13:00:00Z", "{event:#}");
    assert_eq!(event["end_time"], "2026-02-12T16:00:00Z", "{event:#}");
    assert_eq!(event["location"]["type"], "Place", "{event:#}");
    assert_eq!(event["location"]["name"], "Maison des associations");
    // Fedify's vocabulary has no PostalAddress: the peer reads it from the JSON-LD expansion.
    let address = &event["location_address"];
    assert_eq!(
        address["type"],
        format!("{SCHEMA}PostalAddress"),
        "{event:#}"
    );
    assert_eq!(address["streetAddress"], "10 rue Jangot");
    assert_eq!(address["postalCode"], "69007");
    assert_eq!(address["addressLocality"], "Lyon");
    assert_eq!(address["addressCountry"], "France");

    // An edit of the Note and the deletion of the Article verify and parse too.
    let note_api_id = ids[0].rsplit('/').next().unwrap();
    let article_api_id = ids[1].rsplit('/').next().unwrap();
    let (status, edited) = us
        .patch(
            &format!("/api/v1/posts/{note_api_id}"),
            json!({"content": "Bonjour Fedify, corrigé"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let (status, _) = us.delete(&format!("/api/v1/posts/{article_api_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let report = us.deliver_pending().await;
    assert_eq!(report.delivered, 2, "{report:?}");
    let update = peer
        .received("the Update of our Note", |a| {
            a["type"] == "Update" && a["object"]["id"] == ids[0].as_str()
        })
        .await;
    assert_eq!(update["signature"], "draft-cavage");
    let updated = &update["object"];
    assert!(
        updated["content"].as_str().unwrap().contains("corrigé"),
        "{update:#}"
    );
    assert!(
        updated["updated"].as_str().unwrap() > note["published"].as_str().unwrap(),
        "updated is newer than published: {update:#}"
    );
    let delete = peer
        .received("the Delete of our Article", |a| a["type"] == "Delete")
        .await;
    assert_eq!(delete["signature"], "draft-cavage");
    assert_eq!(delete["object_id"], ids[1].as_str());
    assert_eq!(delete["object"]["type"], "Tombstone", "{delete:#}");
    peer.assert_clean().await;
}
