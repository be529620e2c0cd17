//! A post with every kind of remote content, in headless Chromium: the reply's content warning
//! hides its text and its image until opened, the image shows its alternative text, mentions
//! and the thread link are links, and no script from the remote content runs.

use crate::harness::{Backend, TestInstance};
use crate::remote::deliver;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_content_is_shown_safely_in_a_real_browser() {
    let Some((_driver, client)) = crate::chromium::session().await else {
        return;
    };
    let a = TestInstance::spawn(Backend::Sqlite, "lyon").await;
    let b = TestInstance::spawn(Backend::Sqlite, "lille").await;
    a.follow_and_wait(&b).await;
    let (_, ours) = a
        .post(
            "/api/v1/posts",
            json!({"content": "Vos photos du chantier ?"}),
        )
        .await;
    let other = format!("{}/u/quelquun", b.base);
    deliver(&b, &a, "reply", json!({"type": "Note", "inReplyTo": ours["url"],
        "summary": "Photos de travaux", "sensitive": true,
        "content": "<p>Voici <script>window.pwned = 1</script>la grue \
            <img src=x onerror=\"window.pwned = 2\"><a href=\"javascript:window.pwned=3\">ici</a></p>",
        "attachment": [{"type": "Image", "mediaType": "image/png",
            "url": format!("{}/files/grue.png", b.base), "name": "Une grue jaune devant l'école"}],
        "tag": [{"type": "Mention", "href": other, "name": "@quelquun"},
            {"type": "Hashtag", "name": "#Rénovation-Urbaine"}]}))
    .await;

    client
        .goto(&a.url(&format!("/posts/{}", ours["id"].as_str().unwrap())))
        .await
        .unwrap();
    let details = client.find(Locator::Css("details.cw")).await.unwrap();
    assert_eq!(
        details.prop("open").await.unwrap().as_deref(),
        Some("false")
    );
    let summary = client
        .find(Locator::Css("details.cw > summary"))
        .await
        .unwrap();
    assert_eq!(summary.text().await.unwrap(), "Photos de travaux");
    let text = client
        .find(Locator::Css("details.cw .content"))
        .await
        .unwrap();
    let image = client
        .find(Locator::Css("details.cw figure.attachment img"))
        .await
        .unwrap();
    assert!(!text.is_displayed().await.unwrap(), "the text is hidden");
    assert!(!image.is_displayed().await.unwrap(), "the image is hidden");
    assert_eq!(
        image.attr("alt").await.unwrap().as_deref(),
        Some("Une grue jaune devant l'école")
    );
    summary.click().await.unwrap();
    assert!(text.is_displayed().await.unwrap(), "opened, the text shows");
    assert!(
        image.is_displayed().await.unwrap(),
        "opened, the image shows"
    );
    assert!(text.text().await.unwrap().contains("la grue"));

    let mention = client
        .find(Locator::Css("p.mentions a.mention"))
        .await
        .unwrap();
    assert_eq!(mention.attr("href").await.unwrap(), Some(other));
    let tag = client.find(Locator::Css("p.tags a")).await.unwrap();
    assert_eq!(tag.text().await.unwrap(), "#Rénovation-Urbaine");
    let hrefs = client
        .execute(
            "return Array.from(document.querySelectorAll('a')).map(a => a.href)",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !hrefs.to_string().to_lowercase().contains("javascript:"),
        "{hrefs}"
    );
    let pwned = client
        .execute("return typeof window.pwned", vec![])
        .await
        .unwrap();
    assert_eq!(pwned, json!("undefined"), "no remote script ran");

    // The network feed: the same reply, with its thread link, still behind its warning.
    client.goto(&a.url("/network")).await.unwrap();
    let link = client.find(Locator::Css("p.reply-to a")).await.unwrap();
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        ours["url"].as_str()
    );
    let text = client
        .find(Locator::Css("details.cw .content"))
        .await
        .unwrap();
    assert!(!text.is_displayed().await.unwrap());
    let pwned = client
        .execute("return typeof window.pwned", vec![])
        .await
        .unwrap();
    assert_eq!(pwned, json!("undefined"));
    client.close().await.unwrap();
}
