//! A cookie-keeping HTTP client for the console's HTML forms (no redirects followed, so tests
//! see them).

use reqwest::{StatusCode, header};
use std::collections::HashMap;

pub struct Browser {
    pub base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    /// Raw `Set-Cookie` values of the last response.
    pub last_set_cookies: Vec<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the first hidden `csrf` input.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a csrf field") + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            last_set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, res: reqwest::Response) -> Page {
        self.last_set_cookies.clear();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap().to_string();
            if let Some((name, rest)) = v.split_once('=') {
                let value = rest.split(';').next().unwrap_or("").to_string();
                if value.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value);
                }
            }
            self.last_set_cookies.push(v);
        }
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        Page {
            status,
            location,
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut req = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        self.finish(res).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.finish(res).await
    }

    /// A form POST with extra headers (`X-Forwarded-For` from a proxy, say).
    pub async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        self.finish(res).await
    }

    /// Signs in through the login form, as a proxy forwarding for `client`.
    pub async fn login_from(&mut self, client: &str, email: &str, password: &str) -> Page {
        let csrf = self.csrf("/console/login").await;
        self.post_with(
            "/console/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
            &[("x-forwarded-for", client)],
        )
        .await
    }

    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.finish(res).await
    }

    /// Signs in through the login form.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// The CSRF token of a console page.
    pub async fn csrf(&mut self, path: &str) -> String {
        self.get(path).await.csrf()
    }
}
