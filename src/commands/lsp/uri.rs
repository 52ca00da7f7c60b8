//! `file://` URIs and paths: the client names documents by URI, gen's pipeline by path.
//! `lsp-types` 0.97 carries URIs as parsed strings without a path conversion (the `url`
//! crate's `to_file_path` is gone from it), and only local absolute paths are ever in
//! play, so the few lines of RFC 8089 and percent-coding are written here.

use lsp_types::Uri;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;

/// The path of a `file://` URI (`file:///srv/web/nginx.conf`, `file://localhost/...`);
/// `None` for another scheme, a remote host, or bad percent-coding.
#[must_use]
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = decode(rest)?;
    let text = String::from_utf8(bytes).ok()?;
    Some(PathBuf::from(text))
}

/// The `file://` URI of an absolute path; `None` for a relative one.
#[must_use]
pub fn from_path(path: &Path) -> Option<Uri> {
    if !path.is_absolute() {
        return None;
    }
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

fn decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for p in ["/srv/web/nginx.conf", "/tmp/a b/ü#x%y.conf", "/"] {
            let uri = from_path(Path::new(p)).expect("absolute");
            assert_eq!(to_path(&uri), Some(PathBuf::from(p)), "{}", uri.as_str());
        }
    }

    #[test]
    fn uri_table() {
        let cases = [
            ("file:///srv/x.conf", Some("/srv/x.conf")),
            ("file://localhost/srv/x.conf", Some("/srv/x.conf")),
            ("file:///srv/a%20b.conf", Some("/srv/a b.conf")),
            ("file://otherhost/srv/x.conf", None),
            ("untitled:Untitled-1", None),
            ("https://example.com/x", None),
        ];
        for (uri, want) in cases {
            let uri = Uri::from_str(uri).expect("valid URI");
            assert_eq!(to_path(&uri), want.map(PathBuf::from), "{}", uri.as_str());
        }
        assert_eq!(from_path(Path::new("relative/x")), None);
    }
}
