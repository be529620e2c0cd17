//! Who may read `/metrics` on the public listener: nobody without `metrics.token`; with it,
//! only a request showing the token (the private `metrics.listen` is checked in process.rs).

use crate::both_backends;
use crate::harness::{Backend, METRICS_TOKEN, Options, TestInstance};
use reqwest::StatusCode;

both_backends!(metrics_need_the_token_on_the_public_listener);

async fn metrics_need_the_token_on_the_public_listener(backend: Backend) {
    let a = TestInstance::spawn(backend, "lyon").await;
    let get = |auth: Option<&'static str>| {
        let req = a.http.get(a.url("/metrics"));
        let req = match auth {
            Some(v) => req.header("authorization", v),
            None => req,
        };
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(get(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(Some("Bearer wrong-token-of-the-tests")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(Some("Bearer ")).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(Some(METRICS_TOKEN)).await,
        StatusCode::UNAUTHORIZED,
        "the scheme is needed"
    );
    let right: &'static str = Box::leak(format!("Bearer {METRICS_TOKEN}").into_boxed_str());
    assert_eq!(get(Some(right)).await, StatusCode::OK);
    assert!(a.metrics().await.contains("maillage_inbox_refused_total"));

    // Without a token set, the public listener does not serve them at all.
    let b = TestInstance::spawn_with(
        backend,
        Options {
            env: vec![("MAILLAGE_METRICS_TOKEN", String::new())],
            ..Options::named("bordeaux")
        },
    )
    .await;
    let res = b.http.get(b.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
