//! Content warnings as Mastodon sends them (`summary` + `sensitive`): the warning is shown
//! first and the text stays behind a closed `<details>` on the network feed, under our posts
//! (replies) and in Atom; the API keeps `sensitive`.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use crate::remote::{article_with, atom_entry, deliver, feed_item, page};
use serde_json::json;

both_backends!(a_content_warning_hides_the_text_behind_details_in_every_view);

/// `html` shows `warning` in a `<details>` summary and `text` only inside that `<details>`.
fn assert_hidden_behind(html: &str, warning: &str, text: &str) {
    let details = html
        .find("<details")
        .unwrap_or_else(|| panic!("no <details>: {html}"));
    let summary = html[details..]
        .find(&format!("{warning}</summary>"))
        .unwrap_or_else(|| panic!("the warning is not the <summary>: {html}"));
    let body = html
        .find(text)
        .unwrap_or_else(|| panic!("no {text}: {html}"));
    let close = details + html[details..].find("</details>").unwrap();
    assert!(
        details + summary < body && body < close,
        "{text} is not inside the <details> after the warning: {html}"
    );
    assert!(!html[details..close].contains("<details open"), "{html}");
}

async fn a_content_warning_hides_the_text_behind_details_in_every_view(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let b = TestInstance::spawn(backend, "lille").await;
    a.follow_and_wait(&b).await;
    let (_, ours) = a
        .post("/api/v1/posts", json!({"content": "Vos retours ?"}))
        .await;
    let ours_url = ours["url"].as_str().unwrap().to_string();

    deliver(
        &b,
        &a,
        "cw",
        json!({"type": "Note", "summary": "Spoiler : la fin du film",
        "sensitive": true, "content": "<p>Le majordome est coupable.</p>"}),
    )
    .await;
    deliver(
        &b,
        &a,
        "nsfw",
        json!({"type": "Note", "sensitive": true,
        "content": "<p>Photo de chantier</p>"}),
    )
    .await;
    deliver(
        &b,
        &a,
        "reply",
        json!({"type": "Note", "inReplyTo": ours_url,
        "summary": "Critique", "sensitive": true, "content": "<p>Pas convaincu.</p>"}),
    )
    .await;

    let network = page(&a, "/network", None).await;
    let cw = article_with(&network, "Spoiler : la fin du film");
    assert_hidden_behind(cw, "Spoiler : la fin du film", "Le majordome est coupable.");
    // Sensitive without a summary: a generic warning.
    let nsfw = article_with(&network, "Photo de chantier");
    assert_hidden_behind(nsfw, "Contenu sensible", "Photo de chantier");
    let english = page(&a, "/network?lang=en", None).await;
    assert_hidden_behind(
        article_with(&english, "Photo de chantier"),
        "Sensitive content",
        "Photo de chantier",
    );

    let ours_page = page(
        &a,
        &format!("/posts/{}", ours["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_hidden_behind(
        article_with(&ours_page, "Pas convaincu."),
        "Critique",
        "Pas convaincu.",
    );

    // Atom: the title is the warning (never the hidden text), the content keeps the <details>.
    let atom = page(&a, "/network/feed.atom", None).await;
    let cw_id = format!("{}/posts/cw", b.base);
    let entry = atom_entry(&atom, &cw_id);
    let title = &entry[entry.find("<title").unwrap()..entry.find("</title>").unwrap()];
    assert!(title.contains("Spoiler : la fin du film"), "{entry}");
    assert!(!title.contains("majordome"), "{entry}");
    let content = entry
        .find("<content")
        .map(|i| &entry[i..])
        .unwrap()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    assert_hidden_behind(
        &content,
        "Spoiler : la fin du film",
        "Le majordome est coupable.",
    );
    let nsfw_entry = atom_entry(&atom, &format!("{}/posts/nsfw", b.base));
    let title =
        &nsfw_entry[nsfw_entry.find("<title").unwrap()..nsfw_entry.find("</title>").unwrap()];
    assert!(!title.contains("chantier"), "{nsfw_entry}");

    // The API keeps both.
    let item = feed_item(&a, &cw_id).await;
    assert_eq!(item["sensitive"], true, "{item}");
    assert_eq!(item["summary"], "Spoiler : la fin du film", "{item}");
    let item = feed_item(&a, &format!("{}/posts/nsfw", b.base)).await;
    assert_eq!(item["sensitive"], true, "{item}");
}
