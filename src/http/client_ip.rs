//! The client's address: the TCP peer, unless the peer is a configured trusted reverse proxy,
//! in which case the right-most address of `X-Forwarded-For` that is not itself a trusted
//! proxy. A peer that is not trusted cannot choose its address with that header.

use crate::config::IpRange;
use axum::http::HeaderMap;
use std::net::IpAddr;

pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpRange]) -> String {
    let Some(peer) = peer else {
        return String::new();
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer.to_canonical().to_string();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|s| s.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(**ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
        .to_canonical()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_a_trusted_proxy_may_say_who_the_client_is() {
        let proxy = vec![IpRange::parse("10.0.0.0/8").unwrap()];
        let from = |peer: &str, xff: &[&str], t: &[IpRange]| {
            client_ip(Some(peer.parse().unwrap()), &headers(xff), t)
        };
        assert_eq!(from("10.0.0.2", &["203.0.113.7"], &proxy), "203.0.113.7");
        assert_eq!(
            from("10.0.0.2", &["198.51.100.1, 203.0.113.7, 10.0.0.9"], &proxy),
            "203.0.113.7",
            "the right-most address that is not a proxy: the left ones are the client's word"
        );
        assert_eq!(from("192.0.2.1", &["203.0.113.7"], &proxy), "192.0.2.1");
        assert_eq!(from("10.0.0.2", &[], &proxy), "10.0.0.2");
        assert_eq!(from("10.0.0.2", &["not an address"], &proxy), "10.0.0.2");
        assert_eq!(from("127.0.0.1", &["203.0.113.7"], &[]), "127.0.0.1");
    }
}
