//! Login limits under attack: a burst of concurrent guesses is checked five times at most,
//! behind a trusted reverse proxy each client has its own limit, an untrusted peer cannot
//! choose its address, and the account limit slows guessing without locking the owner out.

use crate::both_backends;
use crate::browser::Browser;
use crate::harness::{Backend, Options, TestInstance};
use chrono::Utc;
use maillage::actions::accounts;
use reqwest::StatusCode;
use std::time::Duration;

both_backends!(
    a_burst_of_wrong_passwords_is_checked_at_most_five_times,
    behind_a_trusted_proxy_each_client_has_its_own_limit,
    an_untrusted_peer_cannot_choose_its_address,
    the_account_limit_slows_guessing_but_never_locks_the_owner_out,
);

const PASSWORD: &str = "mot de passe solide";

async fn with_accounts(options: Options, backend: Backend) -> TestInstance {
    let i = TestInstance::spawn_with(backend, options).await;
    let now = Utc::now().timestamp_millis();
    for email in ["a@centre.fr", "b@centre.fr"] {
        accounts::add_user(&i.ctx.db, email, PASSWORD, "admin", now)
            .await
            .unwrap();
    }
    i
}

fn behind_proxy() -> Options {
    let mut o = Options::named("lyon");
    o.trusted_proxies = Some("127.0.0.1, ::1".into());
    o
}

async fn a_burst_of_wrong_passwords_is_checked_at_most_five_times(backend: Backend) {
    let i = with_accounts(Options::named("lyon"), backend).await;
    let mut b = Browser::new(&i.base);
    let csrf = b.csrf("/console/login").await;
    let cookie = format!("maillage_csrf={}", b.cookies["maillage_csrf"]);
    let attempts = (0..150).map(|n| {
        let (client, url, cookie, csrf) = (
            i.http.clone(),
            i.url("/console/login"),
            cookie.clone(),
            csrf.clone(),
        );
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", "a@centre.fr"),
                    ("password", &format!("devinette {n}")),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(wrong + refused, 150, "{statuses:?}");
    assert!(wrong <= 5, "{wrong} passwords were checked");
    assert!(
        i.ctx.login_limiter.evaluated() <= 5,
        "{} password checks",
        i.ctx.login_limiter.evaluated()
    );
}

async fn behind_a_trusted_proxy_each_client_has_its_own_limit(backend: Backend) {
    let i = with_accounts(behind_proxy(), backend).await;
    let mut attacker = Browser::new(&i.base);
    for n in 0..5 {
        let page = attacker
            .login_from("203.0.113.7", "a@centre.fr", &format!("devinette {n}"))
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = attacker
        .login_from("203.0.113.7", "b@centre.fr", PASSWORD)
        .await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker is stopped"
    );
    let mut colleague = Browser::new(&i.base);
    let page = colleague
        .login_from("198.51.100.2", "b@centre.fr", PASSWORD)
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "another staff member behind the same proxy signs in"
    );
}

async fn an_untrusted_peer_cannot_choose_its_address(backend: Backend) {
    // No trusted proxy: X-Forwarded-For is the client's word, and ignored.
    let i = with_accounts(Options::named("lyon"), backend).await;
    let mut attacker = Browser::new(&i.base);
    for n in 0..5 {
        let page = attacker
            .login_from(&format!("203.0.113.{n}"), "a@centre.fr", "devinette")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = attacker
        .login_from("198.51.100.99", "b@centre.fr", "devinette")
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn the_account_limit_slows_guessing_but_never_locks_the_owner_out(backend: Backend) {
    let i = with_accounts(behind_proxy(), backend).await;
    // Five guesses from five addresses at one account.
    for n in 0..5 {
        let mut b = Browser::new(&i.base);
        let page = b
            .login_from(&format!("203.0.113.{n}"), "a@centre.fr", "devinette")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let mut owner = Browser::new(&i.base);
    let csrf = owner.csrf("/console/login").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "a@centre.fr"),
        ("password", PASSWORD),
    ];
    let headers = [("x-forwarded-for", "192.0.2.50")];
    let page = owner.post_with("/console/login", &form, &headers).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("seconde"), "{}", page.body);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let csrf = owner.csrf("/console/login").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "a@centre.fr"),
        ("password", PASSWORD),
    ];
    let page = owner.post_with("/console/login", &form, &headers).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "after a short wait the owner gets in"
    );
}
