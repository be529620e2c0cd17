//! Objects other than notes: `Image`, `Video`, `Audio` and `Document` posts are kept as posts
//! with their media, a `Question` (poll) is shown read-only with its options and counts, and a
//! `Page` (Lemmy) is an article with its link.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, deliver, feed_item, page};
use serde_json::json;

both_backends!(
    media_objects_are_kept_as_posts_with_their_media,
    a_poll_is_shown_read_only_with_its_counts,
    a_lemmy_page_is_an_article_with_its_link,
);

async fn media_objects_are_kept_as_posts_with_their_media(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let files = format!("{}/files", b.base);
    deliver(
        &b,
        &a,
        "image",
        json!({"type": "Image", "name": "Fresque du quartier",
        "mediaType": "image/jpeg", "url": format!("{files}/fresque.jpg")}),
    )
    .await;
    // PeerTube: `url` lists the page and the files.
    deliver(
        &b,
        &a,
        "video",
        json!({"type": "Video", "name": "Conseil citoyen",
        "content": "<p>La séance du 3 mars</p>", "url": [
            {"type": "Link", "mediaType": "text/html", "href": format!("{}/w/video", b.base)},
            {"type": "Link", "mediaType": "video/mp4", "href": format!("{files}/conseil.mp4")}]}),
    )
    .await;
    deliver(
        &b,
        &a,
        "audio",
        json!({"type": "Audio", "content": "<p>Podcast n°4</p>",
        "url": {"type": "Link", "mediaType": "audio/mpeg", "href": format!("{files}/p4.mp3")}}),
    )
    .await;
    deliver(
        &b,
        &a,
        "doc",
        json!({"type": "Document", "name": "Rapport 2026",
        "mediaType": "application/pdf", "url": format!("{files}/rapport.pdf")}),
    )
    .await;
    deliver(
        &b,
        &a,
        "hostile",
        json!({"type": "Image", "name": "Piège",
        "url": "javascript:alert(1)"}),
    )
    .await;

    let item = feed_item(&a, &format!("{}/posts/image", b.base)).await;
    assert_eq!(item["type"], "Note", "{item}");
    assert_eq!(item["object_type"], "Image", "{item}");
    assert_eq!(item["name"], "Fresque du quartier");
    assert_eq!(
        item["attachments"][0]["url"],
        format!("{files}/fresque.jpg"),
        "{item}"
    );
    let item = feed_item(&a, &format!("{}/posts/video", b.base)).await;
    assert_eq!(item["attachments"].as_array().unwrap().len(), 1, "{item}");
    assert_eq!(
        item["attachments"][0]["url"],
        format!("{files}/conseil.mp4")
    );
    let item = feed_item(&a, &format!("{}/posts/hostile", b.base)).await;
    assert_eq!(item["attachments"], json!([]), "{item}");

    let html = page(&a, "/network", None).await;
    assert!(!html.to_lowercase().contains("javascript:"), "{html}");
    let post = article_with(&html, "Fresque du quartier");
    assert!(
        post.contains(&format!(
            r#"<img src="{files}/fresque.jpg" alt="Fresque du quartier""#
        )),
        "{post}"
    );
    let post = article_with(&html, "La séance du 3 mars");
    assert!(
        post.contains(&format!(r#"href="{files}/conseil.mp4""#)),
        "{post}"
    );
    let post = article_with(&html, "Podcast n°4");
    assert!(
        post.contains(&format!(r#"href="{files}/p4.mp3""#)),
        "{post}"
    );
    let post = article_with(&html, "Rapport 2026");
    assert!(
        post.contains(&format!(r#"href="{files}/rapport.pdf""#)),
        "{post}"
    );
}

async fn a_poll_is_shown_read_only_with_its_counts(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    deliver(
        &b,
        &a,
        "poll",
        json!({"type": "Question", "content": "<p>Quel jour pour la réunion ?</p>",
        "endTime": "2030-01-10T12:00:00Z", "votersCount": 7, "oneOf": [
            {"type": "Note", "name": "Mardi", "replies": {"type": "Collection", "totalItems": 4}},
            {"type": "Note", "name": "Jeudi <script>x</script>", "replies": {"totalItems": 3}},
            {"type": "Note", "name": "Samedi"}]}),
    )
    .await;
    let item = feed_item(&a, &format!("{}/posts/poll", b.base)).await;
    assert_eq!(item["object_type"], "Question", "{item}");
    assert_eq!(item["poll"]["multiple"], false, "{item}");
    assert_eq!(item["poll"]["voters"], 7, "{item}");
    assert_eq!(
        item["poll"]["options"],
        json!([{"name": "Mardi", "votes": 4}, {"name": "Jeudi", "votes": 3},
            {"name": "Samedi", "votes": 0}]),
        "{item}"
    );
    let html = page(&a, "/network", None).await;
    let post = article_with(&html, "Quel jour pour la réunion ?");
    for text in [
        "Mardi",
        "4 voix",
        "Jeudi",
        "3 voix",
        "Samedi",
        "0 voix",
        "7 participants",
    ] {
        assert!(post.contains(text), "{text}: {post}");
    }
    assert!(post.contains("<ul class=\"poll\""), "{post}");
    for bad in ["<form", "<input", "<button", "<script"] {
        assert!(!post.contains(bad), "{bad}: {post}");
    }
}

async fn a_lemmy_page_is_an_article_with_its_link(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    deliver(
        &b,
        &a,
        "page",
        json!({"type": "Page", "name": "Un article sur les QPV",
        "content": "<p>À lire</p>", "attachment": [{"type": "Link",
        "href": "https://journal.example/qpv", "mediaType": "text/html; charset=utf-8"}]}),
    )
    .await;
    let item = feed_item(&a, &format!("{}/posts/page", b.base)).await;
    assert_eq!(item["type"], "Article", "{item}");
    assert_eq!(item["object_type"], "Page", "{item}");
    assert_eq!(
        item["attachments"][0]["url"], "https://journal.example/qpv",
        "{item}"
    );
}
