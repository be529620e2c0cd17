//! Attachments of received posts: images with their alternative text, video, audio and
//! documents as links, at most eight per post, only ever with an http(s) URL, in the pages,
//! the API and Atom (`enclosure`).

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, atom_entry, deliver, feed_item, page};
use serde_json::json;

both_backends!(attachments_are_kept_with_their_alt_text_and_shown_safely);

fn assert_clean(what: &str, text: &str) {
    let lower = text.to_lowercase();
    for bad in ["javascript:", "data:image", "data:text", "/relative.png"] {
        assert!(!lower.contains(bad), "{what} contains {bad}: {text}");
    }
}

async fn attachments_are_kept_with_their_alt_text_and_shown_safely(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let files = format!("{}/files", b.base);
    deliver(
        &b,
        &a,
        "media",
        json!({"type": "Note", "content": "<p>Chantier en images</p>",
        "attachment": [
            {"type": "Document", "mediaType": "image/png", "url": format!("{files}/a.png"),
             "name": "Une grue devant l'école", "blurhash": "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH",
             "focalPoint": [-0.5, 0.25], "width": 640, "height": 480},
            {"type": "Video", "mediaType": "video/mp4", "url": format!("{files}/v.mp4"),
             "name": "Visite du chantier"},
            {"type": "Audio", "mediaType": "audio/ogg", "url": format!("{files}/s.ogg")},
            {"type": "Document", "mediaType": "application/pdf", "url": format!("{files}/plan.pdf"),
             "name": "Plan"},
            {"type": "Image", "url": "javascript:alert(1)", "name": "js"},
            {"type": "Image", "url": "data:image/png;base64,AAAA", "name": "data"},
            {"type": "Image", "url": "/relative.png", "name": "relative"},
            {"type": "Image", "url": {"type": "Link", "href": "JAVASCRIPT:alert(2)"}},
        ]}),
    )
    .await;
    let many: Vec<_> = (0..12)
        .map(|i| {
            json!({"type": "Image", "mediaType": "image/jpeg",
            "url": format!("{files}/{i}.jpg"), "name": format!("photo {i}")})
        })
        .collect();
    deliver(
        &b,
        &a,
        "album",
        json!({"type": "Note", "content": "<p>Album</p>", "attachment": many}),
    )
    .await;
    deliver(
        &b,
        &a,
        "hidden",
        json!({"type": "Note", "summary": "Travaux", "sensitive": true,
        "content": "<p>Avant après</p>", "attachment": [{"type": "Image",
        "mediaType": "image/jpeg", "url": format!("{files}/avant.jpg"), "name": "Avant"}]}),
    )
    .await;

    // The API: the four safe ones, in order, with every hint.
    let item = feed_item(&a, &format!("{}/posts/media", b.base)).await;
    assert_clean("the API", &item.to_string());
    let got = item["attachments"].as_array().unwrap();
    assert_eq!(got.len(), 4, "{item}");
    assert_eq!(got[0]["url"], format!("{files}/a.png"));
    assert_eq!(got[0]["media_type"], "image/png");
    assert_eq!(got[0]["name"], "Une grue devant l'école");
    assert_eq!(got[0]["width"], 640);
    assert_eq!(got[0]["height"], 480);
    assert_eq!(got[0]["blurhash"], "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH");
    assert_eq!(got[0]["focal_point"], json!([-0.5, 0.25]));
    assert_eq!(got[1]["media_type"], "video/mp4");
    assert_eq!(got[3]["url"], format!("{files}/plan.pdf"));
    let album = feed_item(&a, &format!("{}/posts/album", b.base)).await;
    assert_eq!(album["attachments"].as_array().unwrap().len(), 8, "{album}");

    // The page: the image with its alt text, the others as links.
    let network = page(&a, "/network", None).await;
    assert_clean("/network", &network);
    let post = article_with(&network, "Chantier en images");
    assert!(
        post.contains(&format!(
            r#"<img src="{files}/a.png" alt="Une grue devant l&#39;école""#
        )),
        "{post}"
    );
    assert!(post.contains(r#"width="640" height="480""#), "{post}");
    for (url, label) in [
        ("v.mp4", "Visite du chantier"),
        ("s.ogg", "s.ogg"),
        ("plan.pdf", "Plan"),
    ] {
        assert!(
            post.contains(&format!(r#"href="{files}/{url}""#)) && post.contains(label),
            "{url}: {post}"
        );
    }
    assert!(!post.contains(r#"<img src="{files}/v.mp4"#), "{post}");
    // Behind a content warning, the media are hidden with the text.
    let hidden = article_with(&network, "Avant après");
    let img = hidden.find("avant.jpg").unwrap();
    assert!(hidden.find("<details").unwrap() < img && img < hidden.find("</details>").unwrap());

    // Atom: one enclosure per attachment.
    let atom = page(&a, "/network/feed.atom", None).await;
    assert_clean("Atom", &atom);
    let entry = atom_entry(&atom, &format!("{}/posts/media", b.base));
    assert!(
        entry.contains(&format!(r#"href="{files}/a.png""#)) && entry.contains(r#"rel="enclosure""#),
        "{entry}"
    );
    assert_eq!(entry.matches(r#"rel="enclosure""#).count(), 4, "{entry}");
    assert!(entry.contains(r#"type="application/pdf""#), "{entry}");
}
