//! Posts in several languages (`contentMap`): each reader gets the language they ask for
//! (`Accept-Language`, or the language chosen on the site), else the object's own `content`,
//! else the first language the sender listed (never the alphabetical first), and the rendered
//! text carries its `lang`.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, deliver, feed_item, page};
use serde_json::json;

both_backends!(the_reader_gets_their_language_then_the_default_then_the_first_listed);

async fn the_reader_gets_their_language_then_the_default_then_the_first_listed(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    // No `content`: English is listed first, German sorts first.
    deliver(
        &b,
        &a,
        "map",
        json!({"type": "Note", "contentMap": {
        "en": "<p>Hello neighbours</p>", "de": "<p>Hallo Nachbarn</p>",
        "fr": "<p>Bonjour voisins</p>"}}),
    )
    .await;
    // A `content` (in Spanish, as its contentMap says) and another language.
    deliver(
        &b,
        &a,
        "default",
        json!({"type": "Note", "content": "<p>Hola vecinos</p>",
        "contentMap": {"it": "<p>Ciao vicini</p>", "es": "<p>Hola vecinos</p>"}}),
    )
    .await;

    let id = format!("{}/posts/map", b.base);
    let item = feed_item(&a, &id).await;
    assert_eq!(item["content"], "<p>Hello neighbours</p>", "{item}");
    assert_eq!(item["language"], "en", "{item}");
    let keys: Vec<&String> = item["content_map"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["en", "de", "fr"], "document order: {item}");

    let cases = [
        (
            Some("de-CH, de;q=0.9, en;q=0.5"),
            "Hallo Nachbarn",
            "de",
            "Hola vecinos",
            "es",
        ),
        (Some("it"), "Hello neighbours", "en", "Ciao vicini", "it"),
        (Some("ja"), "Hello neighbours", "en", "Hola vecinos", "es"),
        (None, "Hello neighbours", "en", "Hola vecinos", "es"),
        (
            Some("pt;q=0.2, fr;q=0.8"),
            "Bonjour voisins",
            "fr",
            "Hola vecinos",
            "es",
        ),
    ];
    for (accept, map_text, map_lang, default_text, default_lang) in cases {
        let html = page(&a, "/network", accept).await;
        let post = article_with(&html, map_text);
        assert!(
            post.contains(&format!(
                r#"<div class="content" lang="{map_lang}"><p>{map_text}"#
            )),
            "{accept:?}: {post}"
        );
        for other in ["Hello neighbours", "Hallo Nachbarn", "Bonjour voisins"] {
            assert!(
                other == map_text || !post.contains(other),
                "{accept:?}: {post}"
            );
        }
        let post = article_with(&html, default_text);
        assert!(
            post.contains(&format!(r#"lang="{default_lang}""#)),
            "{accept:?}: {post}"
        );
    }
    // The language chosen on the site counts as the reader's.
    let html = page(&a, "/network?lang=fr", Some("de")).await;
    assert!(html.contains("Bonjour voisins"), "{html}");
}
