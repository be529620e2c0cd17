//! An object's `url`: one URL, a `Link`, or a list of them. Mastodon sends one string;
//! PeerTube lists its watch page and each of its files, with their `mediaType`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use url::Url;

/// The `url` of an object, as sent (strings and `Link` objects), in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Links(pub Vec<Value>);

impl Links {
    /// One URL.
    pub fn one(u: &Url) -> Links {
        Links(vec![Value::String(u.to_string())])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first entry that is a URL (a string, or a `Link`'s `href`): the object's page.
    pub fn first(&self) -> Option<Url> {
        self.0.iter().find_map(super::helpers::id_of)
    }

    /// The entries that are `Link`s with a media type other than HTML (files), as they are.
    pub fn files(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().filter(|v| {
            v.get("mediaType")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.trim().to_ascii_lowercase().starts_with("text/html"))
        })
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Links, D::Error> {
        Ok(Links(super::helpers::values(d)?))
    }
}

impl Serialize for Links {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_peertube_url_list_gives_the_page_and_the_files() {
        let l: Links = serde_json::from_value(json!([
            {"type": "Link", "mediaType": "text/html", "href": "https://tube.example/w/1"},
            {"type": "Link", "mediaType": "video/mp4", "href": "https://tube.example/1.mp4"}]))
        .unwrap();
        assert_eq!(l.first().unwrap().as_str(), "https://tube.example/w/1");
        assert_eq!(l.files().count(), 1);
        let one: Links = serde_json::from_value(json!("https://a.example/p")).unwrap();
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            json!("https://a.example/p")
        );
    }
}
