//! Every GET the instance sends to another server (actors, objects, collections) is signed with
//! the centre's key, as Mastodon does, so that servers in secure mode answer: a middleware of
//! the HTTP client the federation library fetches with. The signature is draft-cavage over
//! `(request-target) host date`, made on the signing thread (see
//! [`crate::integrity::signing_pool`]).

use super::httpsig::outbound;
use crate::integrity::signing_pool::SigningPool;
use http::{Extensions, HeaderValue, Method};
use reqwest_middleware::{Middleware, Next};
use std::sync::Arc;

pub struct SignFetches {
    pub signing: Arc<SigningPool>,
    pub key_id: String,
}

fn header(v: String) -> reqwest_middleware::Result<HeaderValue> {
    HeaderValue::from_str(&v).map_err(|e| reqwest_middleware::Error::Middleware(e.into()))
}

#[async_trait::async_trait]
impl Middleware for SignFetches {
    async fn handle(
        &self,
        mut req: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if req.method() == Method::GET && !req.headers().contains_key("signature") {
            let (key_id, url) = (self.key_id.clone(), req.url().clone());
            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
            let signed = self
                .signing
                .with_key(move |k| outbound::sign_cavage(k, &key_id, "GET", &url, date, None))
                .await
                .map_err(|e| reqwest_middleware::Error::Middleware(e.into()))?
                .map_err(|e| reqwest_middleware::Error::Middleware(e.into()))?;
            let h = req.headers_mut();
            h.insert("host", header(signed.host)?);
            h.insert("date", header(signed.date)?);
            h.insert("signature", header(signed.signature)?);
        }
        next.run(req, extensions).await
    }
}
