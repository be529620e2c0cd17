//! Our posts with images: uploaded through the API or the console, with a required
//! alternative text, served at `/media/{id}`, sent as `Image` attachments that a follower
//! stores and shows with their alternative text; bad uploads get a clear error.

use crate::both_backends;
use crate::console::admin;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, page};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    an_image_with_its_alternative_text_reaches_a_follower,
    bad_uploads_and_images_without_alternative_text_are_refused,
    the_console_uploads_an_image_and_keeps_it_across_a_preview_and_an_error,
);

fn png() -> Vec<u8> {
    [
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
        &[7u8; 200],
    ]
    .concat()
}

async fn upload(i: &TestInstance, bytes: Vec<u8>, name: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let res = i
        .http
        .post(i.url("/api/v1/media"))
        .bearer_auth(&i.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn an_image_with_its_alternative_text_reaches_a_follower(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    b.follow_and_wait(&a).await;
    let (status, media) = upload(&a, png(), "affiche.png").await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["type"], "image/png");
    let url = media["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!("{}/media/{}", a.base, media["id"].as_str().unwrap())
    );
    let served = a.http.get(&url).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png());

    let alt = "Affiche de la rencontre : des habitants autour d'une table";
    let (status, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Retour en images", "images": [{"media": media["id"], "alt": alt}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let (_, own) = a
        .get(&format!("/api/v1/posts/{}", post["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        own["images"],
        json!([{"url": url, "type": "image/png", "alt": alt}])
    );

    // The Note carries an Image attachment, as Mastodon displays it.
    let (_, note) = a.get_ap(post["url"].as_str().unwrap()).await;
    assert_eq!(
        note["attachment"],
        json!([{"type": "Image", "mediaType": "image/png", "url": url, "name": alt}])
    );
    // Our own page shows it with its alternative text.
    let own_page = page(
        &a,
        &format!("/posts/{}", post["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert!(own_page.contains(&format!(r#"<img src="{url}" alt="Affiche de la rencontre"#)));

    a.deliver_pending().await;
    let item = b
        .feed()
        .await
        .into_iter()
        .find(|p| p["id"] == post["url"])
        .expect("the follower has the post");
    assert_eq!(item["attachments"][0]["url"], url.as_str(), "{item}");
    assert_eq!(item["attachments"][0]["name"], alt, "{item}");
    let html = page(&b, "/network", None).await;
    let shown = article_with(&html, "Retour en images");
    assert!(
        shown.contains(&format!(r#"<img src="{url}" alt="Affiche de la rencontre"#)),
        "{shown}"
    );

    // An edit without `images` keeps the image; `images: []` removes it.
    let path = format!("/api/v1/posts/{}", post["id"].as_str().unwrap());
    let (_, kept) = a
        .patch(&path, json!({"content": "Retour en images (modifié)"}))
        .await;
    assert_eq!(kept["images"][0]["alt"], alt, "{kept}");
    let (_, removed) = a.patch(&path, json!({"images": []})).await;
    assert_eq!(removed["images"], json!([]), "{removed}");
    let (_, note) = a.get_ap(post["url"].as_str().unwrap()).await;
    assert!(
        note["attachment"].as_array().is_none_or(Vec::is_empty),
        "{note}"
    );
}

async fn bad_uploads_and_images_without_alternative_text_are_refused(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec();
    for (bytes, expected, needle) in [
        (
            svg,
            StatusCode::BAD_REQUEST,
            "file: must be a PNG, JPEG or WebP image",
        ),
        (
            b"%PDF-1.7".to_vec(),
            StatusCode::BAD_REQUEST,
            "file: must be",
        ),
        (Vec::new(), StatusCode::BAD_REQUEST, "file: empty"),
    ] {
        let (status, body) = upload(&a, bytes, "x.png").await;
        assert_eq!(status, expected, "{body}");
        assert!(body.to_string().contains(needle), "{body}");
    }
    // Over 8 MB: 413 as soon as the limit is passed, and the connection is closed without
    // reading the rest, so a client still sending may see it closed instead.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes([png(), vec![0u8; 9 * 1024 * 1024]].concat())
            .file_name("big.png"),
    );
    let res = a
        .http
        .post(a.url("/api/v1/media"))
        .bearer_auth(&a.token)
        .multipart(form)
        .send()
        .await;
    match res {
        Ok(res) => assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request(), "not a closed connection: {e}"),
    }
    let stored = a.count("media").await;
    assert_eq!(stored, 0, "nothing refused was stored");
    let res = a
        .http
        .post(a.url("/api/v1/media"))
        .bearer_auth(&a.token)
        .multipart(reqwest::multipart::Form::new().text("other", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("file: missing"));
    let anonymous = a
        .http
        .post(a.url("/api/v1/media"))
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png()).file_name("a.png"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (_, media) = upload(&a, png(), "a.png").await;
    let id = media["id"].clone();
    for (images, field) in [
        (json!([{"media": id, "alt": "   "}]), "images[0].alt"),
        (json!([{"media": id}]), "images"),
        (json!([{"media": "inconnu", "alt": "x"}]), "images[0].media"),
        (
            json!([{"media": id, "alt": "x", "url": "javascript:alert(1)"}]),
            "images",
        ),
        (
            json!(
                (0..5)
                    .map(|_| json!({"media": id, "alt": "x"}))
                    .collect::<Vec<_>>()
            ),
            "images: at most 4",
        ),
    ] {
        let (status, body) = a
            .post("/api/v1/posts", json!({"content": "x", "images": images}))
            .await;
        assert!(status.is_client_error(), "{images}: {status} {body}");
        assert!(
            body["error"].as_str().unwrap_or("").contains(field),
            "{images}: {body}"
        );
    }
    let (_, feed) = a.get("/api/v1/feed").await;
    assert_eq!(feed["items"], json!([]), "nothing was published");
}

async fn the_console_uploads_an_image_and_keeps_it_across_a_preview_and_an_error(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let mut b = admin(&a).await;
    let csrf = b.csrf("/console/compose").await;
    let form = |action: &str, alt: &str, image_id: &str, file: Option<Vec<u8>>| {
        let mut f = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("type", "Note")
            .text("content", "Visite du quartier")
            .text("visibility", "public")
            .text("tags", "")
            .text("image_alt", alt.to_string())
            .text("image_id", image_id.to_string())
            .text("action", action.to_string());
        if let Some(bytes) = file {
            f = f.part(
                "image",
                reqwest::multipart::Part::bytes(bytes).file_name("photo.png"),
            );
        }
        f
    };
    // No alternative text: the form comes back with the message and the upload kept.
    let missing = b
        .post_multipart("/console/compose", form("publish", "", "", Some(png())))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    assert!(missing.body.contains("images[0].alt"), "{}", missing.body);
    let kept = missing
        .body
        .split(r#"name="image_id" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(!kept.is_empty(), "{}", missing.body);
    assert!(
        missing
            .body
            .contains(&format!(r#"<img src="/media/{kept}""#))
    );
    let not_image = b
        .post_multipart(
            "/console/compose",
            form("publish", "x", "", Some(b"GIF89a".to_vec())),
        )
        .await;
    assert_eq!(not_image.status, StatusCode::BAD_REQUEST);
    assert!(
        not_image.body.contains("file: must be"),
        "{}",
        not_image.body
    );

    let preview = b
        .post_multipart(
            "/console/compose",
            form("preview", "Le marché", &kept, None),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains(&format!(r#"value="{kept}""#)));
    let done = b
        .post_multipart(
            "/console/compose",
            form("publish", "Le marché du samedi", &kept, None),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let rows = maillage::db::posts::local_recent(a.ctx.db.read(), 5)
        .await
        .unwrap();
    let data = maillage::model::PostData::parse(&rows[0].data);
    assert_eq!(data.attachments.len(), 1);
    assert_eq!(
        data.attachments[0].name.as_deref(),
        Some("Le marché du samedi")
    );
    assert!(data.attachments[0].url.ends_with(&format!("/media/{kept}")));
    // The edit form shows the image; removing it takes it off.
    let id = rows[0].public_id.clone().unwrap();
    let edit = b.get(&format!("/console/posts/{id}/edit")).await;
    assert!(edit.body.contains(&format!(
        r#"<img src="/media/{kept}" alt="Le marché du samedi""#
    )));
    let csrf = edit.csrf();
    let removed = b
        .post_multipart(
            &format!("/console/posts/{id}/edit"),
            reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("type", "Note")
                .text("content", "Visite du quartier")
                .text("visibility", "public")
                .text("image_id", kept.clone())
                .text("image_alt", "Le marché du samedi")
                .text("image_remove", "on")
                .text("action", "publish"),
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let row = maillage::db::posts::find_by_public_id(a.ctx.db.read(), &id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        maillage::model::PostData::parse(&row.data)
            .attachments
            .is_empty()
    );
}
