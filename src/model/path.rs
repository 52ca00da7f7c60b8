//! POSIX path handling for paths in the image and in a container directory: cleaning,
//! joining, a path's parent and last component, and whether one path is under another. The
//! parsers, the model and the rules all use these (they were written out a dozen times);
//! this module depends on nothing else of gen, so the parsers may use it too.
//!
//! Hand-written rather than `std::path::Path`: these are paths of the image (always `/`,
//! never the host's separator or prefixes), compared as strings, and `Path` neither resolves
//! `..` nor cleans without touching the disk.

/// Cleans an absolute POSIX path: `.` and empty components dropped, `..` resolved (never
/// above `/`), no trailing `/`. A relative path is taken from `/`.
#[must_use]
pub fn clean(path: &str) -> String {
    cleaned(path).into_owned()
}

/// [`clean`], borrowing `path` when it is clean already (most are): for lookups that
/// need no string of their own.
#[must_use]
pub fn cleaned(path: &str) -> std::borrow::Cow<'_, str> {
    // Most paths are clean already: return them without splitting.
    if is_clean(path) {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 1);
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                let keep = out.rfind('/').unwrap_or(0);
                out.truncate(keep);
            }
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    std::borrow::Cow::Owned(out)
}

/// Whether [`clean`] would return `path` as it is.
fn is_clean(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    // Each `/` starts a component that is neither empty, `.` nor `..`. By bytes, looking
    // only after each `/`: this runs on every lookup, and a split builds a searcher.
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'/'
            || !matches!(
                bytes.get(i + 1..),
                Some(
                    [] | [b'/', ..]
                        | [b'.']
                        | [b'.', b'/', ..]
                        | [b'.', b'.']
                        | [b'.', b'.', b'/', ..]
                )
            )
    })
}

/// `rel` resolved against the directory `base`, cleaned; an absolute `rel` stands alone.
#[must_use]
pub fn join(base: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        clean(rel)
    } else if rel.is_empty() || rel == "." {
        clean(base)
    } else {
        let mut joined = String::with_capacity(base.len() + rel.len() + 1);
        joined.push_str(base);
        joined.push('/');
        joined.push_str(rel);
        clean(&joined)
    }
}

/// A relative path of a container directory, normalized: `./a//b` and `a\b` both become
/// `a/b`.
#[must_use]
pub fn relative(path: &str) -> String {
    path.replace('\\', "/")
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The last component: `nginx` for `/usr/sbin/nginx` and for `nginx`.
#[must_use]
pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory of an absolute path: `/etc` for `/etc/nginx`, `/` for `/etc` (and for a
/// path without `/`).
#[must_use]
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => path.get(..i).unwrap_or("/"),
    }
}

/// Whether `path` is `dir` or inside it, component by component (`/app2` is not under
/// `/app`).
#[must_use]
pub fn is_under(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return path.starts_with('/');
    }
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cleaning the dockerfile parser did before this module, the reference for
    /// [`clean`]'s fast paths.
    fn clean_by_parts(path: &str) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        format!("/{}", parts.join("/"))
    }

    #[test]
    fn clean_table() {
        let cases = [
            ("/", "/"),
            ("", "/"),
            ("/app/", "/app"),
            ("/a/./b//c/", "/a/b/c"),
            ("/a/../../b", "/b"),
            ("/a/b/..", "/a"),
            ("/..", "/"),
            ("rel", "/rel"),
            ("a/b", "/a/b"),
            ("//x", "/x"),
            ("/a/.b/..c", "/a/.b/..c"),
        ];
        for (p, want) in cases {
            assert_eq!(clean(p), want, "{p}");
            assert_eq!(clean_by_parts(p), want, "{p}");
        }
    }

    #[test]
    fn join_table() {
        assert_eq!(join("/app", "src"), "/app/src");
        assert_eq!(join("/app", "/etc"), "/etc");
        assert_eq!(join("/app", ".."), "/");
        assert_eq!(join("/app", "."), "/app");
        assert_eq!(join("/app/", ""), "/app");
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("", "a"), "/a");
    }

    #[test]
    fn components() {
        assert_eq!(basename("/usr/sbin/nginx"), "nginx");
        assert_eq!(basename("nginx"), "nginx");
        assert_eq!(basename("/a/"), "");
        assert_eq!(parent("/etc/nginx"), "/etc");
        assert_eq!(parent("/etc"), "/");
        assert_eq!(parent("etc"), "/");
        assert!(is_under("/app/src", "/app"));
        assert!(is_under("/app", "/app"));
        assert!(!is_under("/app2", "/app"));
        assert!(is_under("/x", "/"));
        assert_eq!(relative("./a//b"), "a/b");
        assert_eq!(relative("a\\b"), "a/b");
    }

    proptest::proptest! {
        #[test]
        fn clean_agrees_with_cleaning_by_parts(p in "[/a.]{0,12}") {
            proptest::prop_assert_eq!(clean(&p), clean_by_parts(&p));
        }
    }
}
