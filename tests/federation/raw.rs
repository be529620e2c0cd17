//! Requests as an attacker writes them: raw HTTP/1.1 over a TCP socket (so header order and
//! duplicated headers reach the server exactly as written), and draft-cavage or RFC 9421
//! signatures made here with any key, key id, covered headers and date.

use base64::Engine;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Sends one request with exactly these headers, in this order (plus `Content-Length` and
/// `Connection: close`), and returns the status and the body.
pub async fn send(
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    let u = url::Url::parse(url).unwrap();
    let addr = format!("127.0.0.1:{}", u.port().unwrap());
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let target = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    };
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The headers of a request as reqwest built it (for replaying a genuine signed delivery).
pub fn headers_of(req: &reqwest::Request) -> Vec<(String, String)> {
    req.headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect()
}

/// `SHA-256=…` of a body, as the `Digest` header carries it.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", B64.encode(Sha256::digest(body)))
}

fn rsa_sign(private_pem: &str, text: &str) -> String {
    let key = RsaPrivateKey::from_pkcs8_pem(private_pem).unwrap();
    B64.encode(
        key.sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(text.as_bytes()),
        )
        .unwrap(),
    )
}

/// A draft-cavage signed POST of `body` to `url`: the headers to send, with the signature over
/// `covered` (names as in the `headers` parameter) made with `private_pem` under `key_id`.
pub fn cavage_post(
    private_pem: &str,
    key_id: &str,
    url: &str,
    body: &[u8],
    date: std::time::SystemTime,
    covered: &[&str],
) -> Vec<(String, String)> {
    let u = url::Url::parse(url).unwrap();
    let host = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let values: Vec<(String, String)> = vec![
        ("host".into(), host),
        ("date".into(), httpdate::fmt_http_date(date)),
        ("digest".into(), digest(body)),
        ("content-type".into(), "application/activity+json".into()),
    ];
    let lines: Vec<String> = covered
        .iter()
        .map(|name| match *name {
            "(request-target)" => format!("(request-target): post {}", u.path()),
            name => {
                let v = &values.iter().find(|(k, _)| k == name).unwrap().1;
                format!("{name}: {v}")
            }
        })
        .collect();
    let signature = rsa_sign(private_pem, &lines.join("\n"));
    let mut out = values;
    out.push((
        "signature".into(),
        format!(
            "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{signature}\"",
            covered.join(" ")
        ),
    ));
    out
}

/// An RFC 9421 signed POST (`@method`, `@target-uri`, `content-digest`) with the given
/// signature parameters after the component list (e.g. `;created=…;keyid="…"`).
pub fn rfc9421_post(
    private_pem: &str,
    url: &str,
    body: &[u8],
    params: &str,
) -> Vec<(String, String)> {
    let digest = format!("sha-256=:{}:", B64.encode(Sha256::digest(body)));
    let inner = format!("(\"@method\" \"@target-uri\" \"content-digest\"){params}");
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": {url}\n\"content-digest\": {digest}\n\"@signature-params\": {inner}"
    );
    let signature = rsa_sign(private_pem, &base);
    let u = url::Url::parse(url).unwrap();
    vec![
        (
            "host".into(),
            format!("{}:{}", u.host_str().unwrap(), u.port().unwrap()),
        ),
        ("content-type".into(), "application/activity+json".into()),
        ("content-digest".into(), digest),
        ("signature-input".into(), format!("sig1={inner}")),
        ("signature".into(), format!("sig1=:{signature}:")),
    ]
}
