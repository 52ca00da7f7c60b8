//! hypercorn's TOML config file (`hypercorn -c config.toml`), read into the same settings
//! shape as gunicorn's Python config ([`GunicornConfig`]), for the settings the model uses:
//! `bind` (a string or a list of strings). The `toml` crate parses it (the spec's reader
//! already depends on it); a file it refuses, or one that listens in ways gen does not model
//! (`insecure_bind`, `quic_bind`, TLS with `certfile`/`keyfile`), is opaque: every setting
//! unknown. Its size is bounded by the container reader (16 MiB).

use super::gunicorn::{ConfSetting, ConfValue, GunicornConfig};
use crate::parse::span::Span;
use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
struct Raw {
    bind: Option<Spanned<toml::Value>>,
    insecure_bind: Option<Spanned<toml::Value>>,
    quic_bind: Option<Spanned<toml::Value>>,
    certfile: Option<Spanned<toml::Value>>,
    keyfile: Option<Spanned<toml::Value>>,
}

fn span<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// The settings of a hypercorn TOML config.
#[must_use]
pub fn hypercorn_toml(text: &str) -> GunicornConfig {
    let Ok(raw) = toml::from_str::<Raw>(text) else {
        return GunicornConfig {
            settings: Vec::new(),
            opaque: Some(Span::new(0, 0)),
        };
    };
    let other = [
        &raw.insecure_bind,
        &raw.quic_bind,
        &raw.certfile,
        &raw.keyfile,
    ]
    .into_iter()
    .flatten()
    .next();
    if let Some(o) = other {
        return GunicornConfig {
            settings: Vec::new(),
            opaque: Some(span(o)),
        };
    }
    let mut settings = Vec::new();
    if let Some(b) = &raw.bind {
        let at = span(b);
        let value = match b.get_ref() {
            toml::Value::String(s) => ConfValue::Literal(vec![(s.clone(), at)]),
            toml::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(|s| (s.to_owned(), at)))
                .collect::<Option<Vec<_>>>()
                .map_or(ConfValue::Unknown(at), ConfValue::Literal),
            _ => ConfValue::Unknown(at),
        };
        settings.push(ConfSetting {
            name: "bind".to_owned(),
            name_span: at,
            value,
        });
    }
    GunicornConfig {
        settings,
        opaque: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binds(text: &str) -> Option<Vec<String>> {
        match hypercorn_toml(text).get("bind")? {
            ConfValue::Literal(v) => Some(v.into_iter().map(|(s, _)| s).collect()),
            ConfValue::Unknown(_) => Some(vec!["?".to_owned()]),
        }
    }

    #[test]
    fn bind_table() {
        let cases: [(&str, Option<Vec<&str>>); 8] = [
            ("bind = \"127.0.0.1:8000\"\n", Some(vec!["127.0.0.1:8000"])),
            (
                "workers = 2\nbind = [\"unix:/run/app.sock\", \"[::1]:8001\"]\n",
                Some(vec!["unix:/run/app.sock", "[::1]:8001"]),
            ),
            ("workers = 2\n", None),
            ("bind = 8000\n", Some(vec!["?"])),
            ("bind = [\"a:1\", 2]\n", Some(vec!["?"])),
            // Other listeners or TLS: every setting unknown.
            ("bind = \"a:1\"\ninsecure_bind = \"b:2\"\n", Some(vec!["?"])),
            ("bind = \"a:1\"\ncertfile = \"c.pem\"\n", Some(vec!["?"])),
            // Not TOML (hostile input): unknown, never a panic.
            ("bind = [\"a\n\0\u{feff}[[[", Some(vec!["?"])),
        ];
        for (text, want) in cases {
            let want = want.map(|v| v.into_iter().map(str::to_owned).collect::<Vec<_>>());
            assert_eq!(binds(text), want, "{text:?}");
        }
        let text = "bind = \"127.0.0.1:8000\"\n";
        let conf = hypercorn_toml(text);
        let Some(ConfValue::Literal(v)) = conf.get("bind") else {
            panic!("a literal bind");
        };
        assert_eq!(&text[v[0].1.start..v[0].1.end], "\"127.0.0.1:8000\"");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            hypercorn_toml(&text).get("bind").is_none() || hypercorn_toml(&text).opaque.is_some()
        );
    }
}
