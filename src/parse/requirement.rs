//! One requirement as pip reads it: a line of a requirements file, a word of
//! `pip install`, or a PEP 508 dependency string of `pyproject.toml`. What gen wants of it
//! is the package it installs, by its normalized name (PEP 503: lower case, each run of
//! `-`, `_` and `.` one `-`), and its extras.
//!
//! Hand-written rather than taken from a crate: the PEP 508 crates (`pep508_rs`) bring a
//! marker evaluator and a version algebra gen has no use for, and all gen reads is the name
//! at the front of the line, what may follow it, and a wheel's file name. The reader is
//! linear in the line and keeps nothing of it but the name and the extras.
//!
//! Where pip would install a package gen cannot name (a local directory, a URL to an sdist,
//! a VCS URL without `#egg=`), the answer is `None`: the caller treats the install as one it
//! cannot list.

/// A requirement whose package gen can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The package, normalized (`typing-extensions` for `Typing_Extensions`).
    pub name: String,
    /// Its extras, normalized (`uvicorn[standard]`: `standard`).
    pub extras: Vec<String>,
    /// Installed from a URL or a file rather than an index (`name @ url`, a wheel's path,
    /// `-e git+...#egg=name`).
    pub direct: bool,
}

/// The package name of a requirement, normalized; `None` for options, local paths and URLs
/// that do not say the name.
#[must_use]
pub fn name(line: &str) -> Option<String> {
    parse(line).map(|r| r.name)
}

/// A name's PEP 503 form: lower case, each run of `-`, `_` and `.` one `-`.
#[must_use]
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether `name` is a valid PEP 508 name: ASCII letters, digits, `-`, `_` and `.`,
/// beginning and ending with a letter or digit.
fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// The line without a comment: pip takes `#` as one at the start or after whitespace
/// (`pkg @ https://x/y#egg=pkg` keeps its fragment).
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

/// Whether a line of a requirements file is blank or a comment.
#[must_use]
pub fn blank(line: &str) -> bool {
    strip_comment(line).trim().is_empty()
}

/// Archives pip installs as files when a requirement's name ends with one.
const ARCHIVES: [&str; 6] = [".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"];

/// The requirement of one line or word.
#[must_use]
pub fn parse(line: &str) -> Option<Requirement> {
    let line = strip_comment(line).trim();
    if let Some(rest) = line
        .strip_prefix("--editable")
        .or_else(|| line.strip_prefix("-e"))
    {
        let target = rest.trim_start_matches('=').trim();
        return egg(target).map(|name| Requirement {
            name,
            extras: Vec::new(),
            direct: true,
        });
    }
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    if line.contains("://") || line.starts_with('.') || line.starts_with('/') {
        // A URL or a path: a name only where it says one (`@`, a wheel, `#egg=`).
        if let Some(r) = named(line) {
            return Some(r);
        }
        return wheel(line).or_else(|| egg(line)).map(|name| Requirement {
            name,
            extras: Vec::new(),
            direct: true,
        });
    }
    named(line).or_else(|| {
        wheel(line).map(|name| Requirement {
            name,
            extras: Vec::new(),
            direct: true,
        })
    })
}

/// `name [extras] (versions | @ url) [; marker]`, as PEP 508 writes it (and pip's
/// `name (>=1)`), followed by pip's per-requirement options (`--hash=...`).
fn named(line: &str) -> Option<Requirement> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let raw = &line[..end];
    if !valid_name(raw) || ARCHIVES.iter().any(|a| raw.ends_with(a)) {
        return None;
    }
    let mut rest = line[end..].trim_start();
    let mut extras = Vec::new();
    if let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        for e in inner[..close].split(',') {
            let e = e.trim();
            if e.is_empty() {
                continue;
            }
            if !valid_name(e) {
                return None;
            }
            extras.push(normalize(e));
        }
        rest = inner[close + 1..].trim_start();
    }
    // What may follow a name: nothing, a version, a URL, a marker, an option.
    let direct = rest.starts_with('@');
    let follows = rest.is_empty()
        || direct
        || rest.starts_with(['<', '>', '=', '!', '~', '(', ';', ','])
        || rest.starts_with("--");
    follows.then(|| Requirement {
        name: normalize(raw),
        extras,
        direct,
    })
}

/// The name in a wheel's file name (`dist/uvicorn-0.30.0-py3-none-any.whl`): its first
/// part, as PEP 427 writes it.
fn wheel(target: &str) -> Option<String> {
    let target = target.split(['#', '?', ';', ' ']).next()?;
    let file = target.rsplit('/').next()?;
    let stem = file.strip_suffix(".whl")?;
    let raw = stem.split('-').next()?;
    (stem.split('-').count() >= 5 && valid_name(raw)).then(|| normalize(raw))
}

/// The name a VCS or archive URL gives in its `#egg=name` fragment.
fn egg(target: &str) -> Option<String> {
    let (_, fragment) = target.split_once('#')?;
    let raw = fragment
        .split('&')
        .find_map(|kv| kv.strip_prefix("egg="))?
        .split(['[', ' '])
        .next()?;
    valid_name(raw).then(|| normalize(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_tricky_lines() {
        let cases = [
            ("uvicorn", Some("uvicorn")),
            (
                "uvicorn[standard]==0.30 ; python_version>'3'",
                Some("uvicorn"),
            ),
            ("uvicorn [standard] >= 0.30", Some("uvicorn")),
            ("Typing_Extensions>=4", Some("typing-extensions")),
            ("zope.interface", Some("zope-interface")),
            ("Flask_Cors>=1", Some("flask-cors")),
            ("a__b..c-_d", Some("a-b-c-d")),
            ("requests (>=2.0)", Some("requests")),
            ("pkg!=1.0,<2", Some("pkg")),
            ("pkg~=1.4.2", Some("pkg")),
            ("pkg===1.0", Some("pkg")),
            ("pkg;sys_platform=='win32'", Some("pkg")),
            ("pkg==1.0 --hash=sha256:abcd", Some("pkg")),
            // The first line of a continued one.
            ("pkg==1.0 \\", Some("pkg")),
            // A file in the working directory.
            ("uvicorn-0.30.0-py3-none-any.whl", Some("uvicorn")),
            ("app-1.0.tar.gz", None),
            ("app.zip", None),
            ("pkg # a comment", Some("pkg")),
            ("pkg#not-a-comment", None),
            (
                "uvicorn @ https://example.org/uvicorn.tar.gz",
                Some("uvicorn"),
            ),
            ("Uvicorn[standard]@git+https://x/u.git", Some("uvicorn")),
            ("https://x/uvicorn-0.30.0-py3-none-any.whl", Some("uvicorn")),
            ("dist/My_Pkg-1.0-py3-none-any.whl", Some("my-pkg")),
            ("./dist/my_pkg-1.0-py3-none-any.whl", Some("my-pkg")),
            ("git+https://x/y.git#egg=Foo_Bar", Some("foo-bar")),
            ("git+https://x/y.git", None),
            ("https://x/y.whl", None),
            ("https://x/y.tar.gz", None),
            ("-e git+https://x/y.git#egg=app", Some("app")),
            (
                "--editable=git+https://x/y.git#subdirectory=s&egg=app",
                Some("app"),
            ),
            ("-e .", None),
            ("-e ./pkg", None),
            ("-r base.txt", None),
            ("--index-url https://x", None),
            ("  # comment", None),
            ("# uvicorn", None),
            ("", None),
            (".", None),
            ("./local", None),
            ("/src/app", None),
            ("src/app", None),
            ("C:\\x", None),
            ("-pkg", None),
            ("pkg-", None),
            ("pkg.==1", None),
            ("_pkg", None),
            ("naïve", None),
            ("pkg[", None),
            ("pkg[ex tra]", None),
            ("pkg[a,,b]", Some("pkg")),
            ("pkg:1", None),
        ];
        for (line, want) in cases {
            assert_eq!(name(line).as_deref(), want, "{line:?}");
        }
    }

    #[test]
    fn extras_and_direct() {
        assert_eq!(
            parse("Uvicorn[Standard, Other_One]==0.30"),
            Some(Requirement {
                name: "uvicorn".to_owned(),
                extras: vec!["standard".to_owned(), "other-one".to_owned()],
                direct: false,
            })
        );
        assert_eq!(
            parse("uvicorn @ https://x/u.whl").map(|r| r.direct),
            Some(true)
        );
        assert_eq!(
            parse("dist/u-1-py3-none-any.whl").map(|r| r.direct),
            Some(true)
        );
    }

    #[test]
    fn hostile_lines_never_panic() {
        let long = "a".repeat(100_000);
        let cases = [
            long.as_str(),
            "[[[[",
            "a[",
            "a[]",
            "#egg=",
            "-e",
            "-e #egg=x",
            "x-1-2-3-4.whl",
            "é-1-py3-none-any.whl",
            "\u{0}",
            "a @",
            "@",
            "a[\u{10FFFF}]",
        ];
        for line in cases {
            if let Some(r) = parse(line) {
                assert!(valid_name(&r.name), "{line:?}");
            }
        }
        assert_eq!(name(&long).as_deref(), Some(long.as_str()));
        assert_eq!(name("a[]").as_deref(), Some("a"));
    }
}
