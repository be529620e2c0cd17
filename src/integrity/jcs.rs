//! The JSON Canonicalization Scheme (RFC 8785): object members sorted by the UTF-16 code
//! units of their names, no insignificant whitespace, strings escaped as ECMAScript's
//! `JSON.stringify` does. Numbers are limited to integers (which is all our documents carry):
//! a document with another number is refused rather than canonicalised approximately.

use serde_json::Value;

/// The canonical form of `v`, or `None` if it holds a non-integer number.
pub fn canonicalize(v: &Value) -> Option<String> {
    let mut out = String::new();
    write(v, &mut out)?;
    Some(out)
}

fn write(v: &Value, out: &mut String) -> Option<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let i = n
                .as_i64()
                .map(|i| i.to_string())
                .or_else(|| n.as_u64().map(|u| u.to_string()))?;
            // ECMAScript prints integers exactly only up to 2^53.
            if i.trim_start_matches('-').len() > 15
                && n.as_i64().is_none_or(|x| x.unsigned_abs() > 1 << 53)
            {
                return None;
            }
            out.push_str(&i);
        }
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                write(&map[k], out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_by_utf16_and_strings_escaped_like_ecmascript() {
        let v = json!({"b": [1, true, null], "a": "é\n\"\\\u{1}/", "\u{20ac}": 1, "\u{1d11e}": 2, "A": {}});
        assert_eq!(
            canonicalize(&v).unwrap(),
            "{\"A\":{},\"a\":\"é\\n\\\"\\\\\\u0001/\",\"b\":[1,true,null],\"\u{20ac}\":1,\"\u{1d11e}\":2}"
        );
        assert_eq!(canonicalize(&json!(1.5)), None, "no approximate numbers");
        // RFC 8785 §3.2.3: the sorting example.
        let v = json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew",
            "1": "One", "\u{1f600}": "Emoji", "\u{80}": "Control", "\u{f6}": "Latin"});
        let c = canonicalize(&v).unwrap();
        let order: Vec<&str> = [
            "Carriage", "One", "Control", "Latin", "Euro", "Emoji", "Hebrew",
        ]
        .to_vec();
        let mut positions: Vec<usize> = order.iter().map(|w| c.find(w).unwrap()).collect();
        let sorted = {
            let mut p = positions.clone();
            p.sort();
            p
        };
        assert_eq!(positions, sorted, "{c}");
        positions.clear();
        assert_eq!(canonicalize(&json!(-42)).unwrap(), "-42");
    }
}
