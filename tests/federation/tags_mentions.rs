//! Hashtags and mentions of received posts. Hashtags keep their display form and are matched
//! as Mastodon does (case, accents, dashes, spaces and symbols ignored), whatever their typing
//! (`Hashtag`, `as:Hashtag`, untyped); mentions keep their link and name; a mention of us
//! still notifies staff.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, deliver, feed_item, page};
use serde_json::json;

both_backends!(
    hashtags_of_every_shape_are_kept_and_found_by_their_folded_form,
    mentions_are_kept_linked_and_a_mention_of_us_notifies,
    tags_stored_before_the_folding_are_found_after_a_restart,
);

async fn hashtags_of_every_shape_are_kept_and_found_by_their_folded_form(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    deliver(&b, &a, "tags", json!({"type": "Note", "content": "<p>Des mots-clés</p>", "tag": [
        {"type": "Hashtag", "name": "#Politique-de-la-Ville", "href": format!("{}/tags/x", b.base)},
        {"type": "as:Hashtag", "name": "#Égalité_Femmes"},
        {"name": "#Sans Type"},
        {"type": "Hashtag", "name": "#Quartiers (QPV)"},
        {"type": "Hashtag", "name": "#Vélo🚲"},
        {"type": "Hashtag", "name": "#🌱"},
        {"type": "https://www.w3.org/ns/activitystreams#Hashtag", "name": "LongueForme"},
        {"type": "Hashtag", "name": "#politique_de_la_ville"},
    ]}))
    .await;
    let id = format!("{}/posts/tags", b.base);
    let item = feed_item(&a, &id).await;
    assert_eq!(
        item["tags"],
        json!([
            "Politique-de-la-Ville",
            "Égalité_Femmes",
            "Sans Type",
            "Quartiers (QPV)",
            "Vélo🚲",
            "🌱",
            "LongueForme",
            "politique_de_la_ville"
        ]),
        "{item}"
    );
    for path in [
        "/tags/politiquedelaville",
        "/tags/Politique-De-La-Ville",
        "/tags/egalite_femmes",
        "/tags/%C3%89GALIT%C3%89_femmes",
        "/tags/sanstype",
        "/tags/quartiersqpv",
        "/tags/velo",
        "/tags/%F0%9F%8C%B1",
        "/tags/longueforme",
    ] {
        let html = page(&a, path, None).await;
        assert!(html.contains("Des mots-clés"), "{path}: {html}");
    }
    let html = page(&a, "/network", None).await;
    let post = article_with(&html, "Des mots-clés");
    assert!(
        post.contains(r#"<a href="/tags/politiquedelaville">#Politique-de-la-Ville</a>"#),
        "{post}"
    );
    assert!(
        post.contains(r#"<a href="/tags/quartiersqpv">#Quartiers (QPV)</a>"#),
        "{post}"
    );
    let atom = page(&a, "/network/feed.atom?tag=Politique-de-la-ville", None).await;
    assert!(atom.contains(&id), "{atom}");
}

async fn mentions_are_kept_linked_and_a_mention_of_us_notifies(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let other = format!("{}/u/quelquun", b.base);
    deliver(
        &b,
        &a,
        "mention",
        json!({"type": "Note",
            "content": "<p>Merci à vous deux</p>", "tag": [
            {"type": "Mention", "href": a.actor_id(), "name": format!("@{}", a.handle())},
            {"type": "Mention", "href": other, "name": "@quelquun"},
            {"type": "Mention", "href": "javascript:alert(1)", "name": "@js"},
            {"type": "Mention", "href": "data:text/html,x", "name": "@data"},
            {"type": "Mention", "href": "/u/relative", "name": "@relative"},
        ]}),
    )
    .await;
    let item = feed_item(&a, &format!("{}/posts/mention", b.base)).await;
    assert_eq!(
        item["mentions"],
        json!([{"href": a.actor_id(), "name": format!("@{}", a.handle())},
            {"href": other, "name": "@quelquun"}]),
        "{item}"
    );
    let html = page(&a, "/network", None).await;
    let post = article_with(&html, "Merci à vous deux");
    assert!(
        post.contains(&format!(
            r#"<a href="{other}" class="mention">@quelquun</a>"#
        )),
        "{post}"
    );
    assert!(
        post.contains(&format!(r#"<a href="{}""#, a.actor_id())),
        "{post}"
    );
    for bad in ["javascript:", "data:", "/u/relative", "@js", "@data"] {
        assert!(!post.contains(bad), "{bad}: {post}");
    }
    let (_, notes) = a.get("/api/v1/notifications").await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{notes}");
    assert_eq!(items[0]["type"], "mention");
}

async fn tags_stored_before_the_folding_are_found_after_a_restart(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let (_, post) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Ancien", "tags": ["égalité"]}),
        )
        .await;
    assert!(page(&a, "/tags/Egalite", None).await.contains("Ancien"));
    // As an older version stored it: the tag in lower case with its accents.
    maillage::db::post_tags::rename(a.ctx.db.write(), "egalite", "égalité")
        .await
        .unwrap();
    maillage::db::settings::set(a.ctx.db.write(), "hashtag_keys", "1")
        .await
        .unwrap();
    let (storage, options, port) = a.stop().await;
    let a = TestInstance::start(storage, options, Some(port)).await;
    assert!(page(&a, "/tags/egalite", None).await.contains("Ancien"));
    assert!(page(&a, "/tags/égalité", None).await.contains("Ancien"));
    let (_, got) = a
        .get(&format!("/api/v1/posts/{}", post["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["tags"], json!(["égalité"]));
}
