//! Discovery and the actor document: WebFinger, host-meta, NodeInfo, content negotiation.

use crate::both_backends;
use crate::harness::{Backend, TestInstance};
use reqwest::StatusCode;
use serde_json::Value;

both_backends!(
    webfinger_host_meta_and_nodeinfo_describe_the_centre,
    the_actor_is_an_organization_with_every_field,
    object_ids_serve_json_to_clients_and_html_to_browsers,
    the_outbox_is_a_paged_ordered_collection,
);

async fn webfinger_host_meta_and_nodeinfo_describe_the_centre(backend: Backend) {
    let a = TestInstance::spawn(backend, "crpv").await;
    let res = a
        .http
        .get(a.url(&format!(
            "/.well-known/webfinger?resource=acct:{}",
            a.handle()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/jrd+json");
    let wf: Value = res.json().await.unwrap();
    assert_eq!(wf["subject"], format!("acct:{}", a.handle()));
    let links = wf["links"].as_array().unwrap();
    let me = links.iter().find(|l| l["rel"] == "self").unwrap();
    assert_eq!(me["type"], "application/activity+json");
    assert_eq!(me["href"], a.actor_id());
    assert!(
        links
            .iter()
            .any(|l| l["rel"] == "http://webfinger.net/rel/profile-page")
    );
    for (q, status) in [
        ("".to_string(), StatusCode::BAD_REQUEST),
        (
            format!("?resource=acct:other@{}", a.domain),
            StatusCode::NOT_FOUND,
        ),
        (
            "?resource=acct:crpv@elsewhere.example".to_string(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let res = a
            .http
            .get(a.url(&format!("/.well-known/webfinger{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{q}");
    }

    let host_meta = a
        .http
        .get(a.url("/.well-known/host-meta"))
        .send()
        .await
        .unwrap();
    assert_eq!(host_meta.status(), StatusCode::OK);
    let xml = host_meta.text().await.unwrap();
    assert!(
        xml.contains("lrdd") && xml.contains("/.well-known/webfinger?resource={uri}"),
        "{xml}"
    );

    let links: Value = a
        .http
        .get(a.url("/.well-known/nodeinfo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let href = links["links"][0]["href"].as_str().unwrap();
    assert_eq!(
        links["links"][0]["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    let info: Value = a.http.get(href).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "maillage");
    assert_eq!(info["protocols"], serde_json::json!(["activitypub"]));
}

async fn the_actor_is_an_organization_with_every_field(backend: Backend) {
    let a = TestInstance::spawn(backend, "crpv").await;
    for accept in [
        "application/activity+json",
        "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    ] {
        let res = a
            .http
            .get(a.actor_id())
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/activity+json");
        let actor: Value = res.json().await.unwrap();
        assert_eq!(actor["type"], "Organization");
        let context = actor["@context"].as_array().unwrap();
        assert!(context.contains(&Value::from("https://www.w3.org/ns/activitystreams")));
        assert!(context.contains(&Value::from("https://w3id.org/security/v1")));
        assert_eq!(actor["id"], a.actor_id());
        assert_eq!(actor["preferredUsername"], "crpv");
        assert_eq!(actor["name"], "Centre crpv");
        for field in [
            "inbox",
            "outbox",
            "followers",
            "following",
            "url",
            "published",
        ] {
            assert!(actor[field].is_string(), "{field}");
        }
        assert_eq!(actor["endpoints"]["sharedInbox"], a.url("/inbox"));
        assert_eq!(
            actor["publicKey"]["id"],
            format!("{}#main-key", a.actor_id())
        );
        assert_eq!(actor["publicKey"]["owner"], a.actor_id());
        assert!(
            actor["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert_eq!(actor["manuallyApprovesFollowers"], false);
        assert_eq!(actor["discoverable"], true);
        assert_eq!(actor["indexable"], true);
    }
    let (status, _) = a.get_ap(&a.url("/u/someone-else")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn object_ids_serve_json_to_clients_and_html_to_browsers(backend: Backend) {
    let a = TestInstance::spawn(backend, "crpv").await;
    let (_, post) = a
        .post(
            "/api/v1/posts",
            serde_json::json!({"content": "Analyse des quartiers <b>prioritaires</b>"}),
        )
        .await;
    let url = post["url"].as_str().unwrap();
    for id in [a.actor_id(), url.to_string()] {
        let res = a
            .http
            .get(&id)
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("<html lang=\"fr\">"));
        assert!(html.contains("application/activity+json"), "alternate link");
        assert!(html.contains("<b>prioritaires</b>"), "{html}");
    }
    let (status, note) = a.get_ap(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(note["id"], url);
    assert_eq!(note["attributedTo"], serde_json::json!([a.actor_id()]));
}

async fn the_outbox_is_a_paged_ordered_collection(backend: Backend) {
    let a = TestInstance::spawn(backend, "crpv").await;
    for i in 0..23 {
        a.post(
            "/api/v1/posts",
            serde_json::json!({"content": format!("n° {i}")}),
        )
        .await;
    }
    let outbox_url = format!("{}/outbox", a.actor_id());
    let (_, outbox) = a.get_ap(&outbox_url).await;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 23);
    let mut next = outbox["first"].as_str().map(str::to_string);
    let mut items = Vec::new();
    while let Some(page_url) = next {
        let (status, page) = a.get_ap(&page_url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["type"], "OrderedCollectionPage");
        assert_eq!(page["partOf"], outbox_url);
        for item in page["orderedItems"].as_array().unwrap() {
            assert_eq!(item["type"], "Create");
            items.push(item["object"]["content"].as_str().unwrap().to_string());
        }
        next = page["next"].as_str().map(str::to_string);
    }
    assert_eq!(items.len(), 23);
    assert_eq!(items[0], "<p>n° 22</p>");
    let (status, _) = a.get_ap(&format!("{outbox_url}?page=garbage")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
