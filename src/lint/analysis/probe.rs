//! What the health probes of the deployment ask: the URL of a compose `healthcheck`'s
//! `curl`/`wget`, and the path of the image's own HEALTHCHECK, for the probe rules.

use crate::deploy::Val;
use crate::deploy::compose::Healthcheck;
use crate::model::{Model, Origin};
use crate::parse::dockerfile::{Form, Healthcheck as DockerHealthcheck};

/// A probe URL split up: whether its host is the container itself, its port (the
/// scheme's when not written), and its path (`/` when not written; no query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub local: bool,
    pub port: Option<u16>,
    pub path: String,
}

/// Splits a probe URL (`http://127.0.0.1:80/healthz`, `localhost/healthz`).
#[must_use]
pub fn url(text: &str) -> Option<Url> {
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_owned(), text),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (hostport, after) = rest.split_at(end);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let local =
        host == "localhost" || host == "::1" || host == "0.0.0.0" || host.starts_with("127.");
    let port = match port {
        Some(p) => Some(p.parse().ok()?),
        None => match scheme.as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        },
    };
    let path = after.split(['?', '#']).next().unwrap_or("");
    Some(Url {
        local,
        port,
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
    })
}

/// Whether a word of a probe command is its URL.
fn is_url(word: &str) -> bool {
    !word.starts_with('-')
        && (word.contains("://")
            || ["localhost", "127.", "[::1]", "0.0.0.0"]
                .iter()
                .any(|p| word.starts_with(p)))
}

/// The URL word of a compose health check that runs `curl` or `wget`.
#[must_use]
pub fn compose_url(hc: &Healthcheck) -> Option<(&Val<String>, Url)> {
    if hc.disabled {
        return None;
    }
    let tool = hc.words.first()?;
    let base = tool.value.rsplit('/').next().unwrap_or(&tool.value);
    if base != "curl" && base != "wget" {
        return None;
    }
    let word = hc.words.iter().skip(1).find(|w| is_url(&w.value))?;
    Some((word, url(&word.value)?))
}

/// The path the image's HEALTHCHECK asks for, and the instruction's origin.
#[must_use]
pub fn image_path(m: &Model) -> Option<(String, &Origin)> {
    let hc = m.healthcheck.as_ref()?;
    let DockerHealthcheck::Cmd { form, .. } = &hc.value else {
        return None;
    };
    let words: Vec<&str> = match form {
        Form::Exec(argv) => argv.iter().flat_map(|a| a.split_whitespace()).collect(),
        Form::Shell(script) => script.split_whitespace().collect(),
    };
    let word = words
        .iter()
        .map(|w| w.trim_matches(['"', '\'']))
        .find(|w| is_url(w))?;
    Some((url(word)?.path, &hc.origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_table() {
        let cases = [
            (
                "http://127.0.0.1:80/healthz",
                Some((true, Some(80), "/healthz")),
            ),
            (
                "http://localhost/healthz?x=1",
                Some((true, Some(80), "/healthz")),
            ),
            ("https://[::1]/", Some((true, Some(443), "/"))),
            ("127.0.0.1:8080", Some((true, Some(8080), "/"))),
            ("http://web:8000/ready", Some((false, Some(8000), "/ready"))),
            ("ftp://127.0.0.1/x", Some((true, None, "/x"))),
            ("http://127.0.0.1:${PORT}/", None),
        ];
        for (text, want) in cases {
            let got = url(text).map(|u| (u.local, u.port, u.path));
            assert_eq!(
                got,
                want.map(|(l, p, path)| (l, p, path.to_owned())),
                "{text}"
            );
        }
    }
}
