//! One story in a real browser (headless Chromium through chromedriver): the setup link,
//! creating the admin, publishing an event, seeing it on its public page and in the calendar,
//! and logging out. Screenshots go to `target/screenshots/`.

use crate::harness::{Backend, TestInstance};
use chrono::Utc;
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;

/// Types `text` into the field with this id.
async fn type_into(client: &fantoccini::Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn shot(client: &fantoccini::Client, name: &str) {
    let dir = format!("{}/target/screenshots", env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_centre_is_set_up_publishes_an_event_and_shows_it_in_a_real_browser() {
    let Some((_driver, client)) = crate::chromium::session().await else {
        return;
    };
    let i = TestInstance::spawn(Backend::Sqlite, "lyon").await;
    let token = maillage::actions::accounts::setup_token(&i.ctx.db, Utc::now().timestamp_millis())
        .await
        .unwrap()
        .unwrap();

    // The one-time setup link: describe the centre and create the first admin.
    client
        .goto(&i.url(&format!("/console/setup?token={token}")))
        .await
        .unwrap();
    let name = client.find(Locator::Id("name")).await.unwrap();
    name.clear().await.unwrap();
    name.send_keys("Labo Cités").await.unwrap();
    type_into(
        &client,
        "summary",
        "Centre de ressources politique de la ville",
    )
    .await;
    type_into(&client, "email", "direction@labo.fr").await;
    type_into(&client, "password", "un mot de passe solide").await;
    client
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("nav.console"))
        .await
        .unwrap();
    let url = client.current_url().await.unwrap();
    let source = client.source().await.unwrap();
    assert!(url.path().ends_with("/console"), "{url}: {source}");
    assert!(source.contains("Labo Cités"));

    // Publish an event.
    client
        .goto(&i.url("/console/compose?type=Event"))
        .await
        .unwrap();
    type_into(&client, "title", "Forum des quartiers").await;
    client
        .execute(
            "document.getElementById('start').value = arguments[0]; \
             document.getElementById('end').value = arguments[1];",
            vec![json!("2026-12-10T18:00"), json!("2026-12-10T20:30")],
        )
        .await
        .unwrap();
    type_into(&client, "location_name", "Maison des associations").await;
    type_into(&client, "locality", "Lyon").await;
    type_into(&client, "content", "Une soirée **ouverte à tous**.").await;
    type_into(&client, "tags", "quartiers").await;
    shot(&client, "compose").await;
    client
        .find(Locator::Css("button[value=publish]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Its public page, at its ActivityPub id, linked from the list of posts.
    let view = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("a[href*='/posts/']"))
        .await
        .unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/posts")
    );
    let href = view.attr("href").await.unwrap().unwrap();
    client.goto(&href).await.unwrap();
    let page = client.source().await.unwrap();
    assert!(page.contains("Forum des quartiers"));
    assert!(
        page.contains("jeudi 10 décembre 2026, 18 h–20 h 30"),
        "the date in French"
    );
    assert!(page.contains("<strong>ouverte à tous</strong>"));
    shot(&client, "event").await;

    // The network calendar.
    client
        .goto(&i.url("/calendar?month=2026-12"))
        .await
        .unwrap();
    let cal = client.source().await.unwrap();
    assert!(cal.contains("Forum des quartiers") && cal.contains("Maison des associations, Lyon"));
    shot(&client, "calendar").await;

    client.goto(&i.url("/")).await.unwrap();
    assert!(
        client
            .source()
            .await
            .unwrap()
            .contains("Forum des quartiers")
    );
    shot(&client, "home").await;

    // Log out: the console is closed again.
    client.goto(&i.url("/console")).await.unwrap();
    client
        .find(Locator::Css("form[action='/console/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("password"))
        .await
        .unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/login")
    );
    client.goto(&i.url("/console/posts")).await.unwrap();
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/login")
    );
    client.close().await.unwrap();
}
