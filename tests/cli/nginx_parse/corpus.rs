//! The parser on the corpus of real configs (shared/corpus/nginx): every file parses, or
//! fails with the error kind and line it deliberately has; and where the Go crossplane's
//! corpus ships an expected payload (`nginx.json`, `xp.json`, made by crossplane), gen's
//! payload matches it except for the listed, explained differences.

use super::diff::{
    Difference, check_against_known, corpus_dir, corpus_files, corpus_text, diff_file,
    has_comments, normalize,
};
use gen_core::parse::nginx::{self, ParseErrorKind, payload};
use gen_core::parse::span::LineIndex;
use serde_json::Value;
use std::path::Path;

/// Files that must fail: a path suffix (it matches every copy in the corpus), the error kind
/// and its line.
fn expected_failures() -> Vec<(&'static str, ParseErrorKind, usize)> {
    let missing = |d: &str| ParseErrorKind::MissingSemicolon {
        directive: d.to_owned(),
    };
    let junk = "asdfasdfasdfasdfasdfasdfasdfasdfasdf";
    vec![
        (
            "braces/extra-brace.conf",
            ParseErrorKind::UnexpectedCloseBrace,
            11,
        ),
        (
            "braces/missing-brace.conf",
            ParseErrorKind::UnexpectedEof {
                open: nginx::Span::default(),
            },
            22,
        ),
        (
            "missing-semicolon/broken-above.conf",
            missing("proxy_pass"),
            4,
        ),
        (
            "missing-semicolon/broken-below.conf",
            missing("proxy_pass"),
            7,
        ),
        (
            "missing-semicolon-above/nginx.conf",
            missing("proxy_pass"),
            4,
        ),
        (
            "missing-semicolon-below/nginx.conf",
            missing("proxy_pass"),
            7,
        ),
        ("premature-eof/nginx.conf", missing("listen"), 3),
        (
            "quote-behavior/nginx.conf",
            ParseErrorKind::UnexpectedAfterQuote { found: '-' },
            1,
        ),
        // Junk files that include-glob tests must not pick up.
        ("servers/locations/not-included.conf", missing(junk), 2),
        ("includes-regular/conf.d/bar.conf", missing(junk), 2),
        ("includes-regular/conf.d/foo.conf", missing(junk), 2),
    ]
}

/// The kind with the position of a block's `{` blanked, which the table above leaves out.
fn comparable(kind: &ParseErrorKind) -> ParseErrorKind {
    match kind {
        ParseErrorKind::UnexpectedEof { .. } => ParseErrorKind::UnexpectedEof {
            open: nginx::Span::default(),
        },
        other => other.clone(),
    }
}

#[test]
fn every_corpus_file_parses_or_fails_as_expected() {
    let expected = expected_failures();
    let mut used = vec![0; expected.len()];
    let (mut ok, mut failed, mut directives) = (0, 0, 0);
    let mut wrong = Vec::new();
    for rel in corpus_files() {
        let text = corpus_text(&rel);
        let name = rel.to_string_lossy().replace('\\', "/");
        let want = expected
            .iter()
            .position(|(tail, _, _)| name.ends_with(tail));
        match (nginx::parse(&text), want) {
            (Ok(config), None) => {
                ok += 1;
                directives += config.walk().count();
            }
            (Err(e), Some(i)) => {
                let line = LineIndex::new(&text).line_col(&text, e.span.start).line;
                let (_, kind, want_line) = &expected[i];
                if (comparable(&e.kind), line) == (kind.clone(), *want_line) {
                    failed += 1;
                    used[i] += 1;
                } else {
                    wrong.push(format!("{name}: got {:?} at line {line}", e.kind));
                }
            }
            (Ok(_), Some(i)) => wrong.push(format!("{name}: parsed, expected {:?}", expected[i])),
            (Err(e), None) => {
                let line = LineIndex::new(&text).line_col(&text, e.span.start).line;
                wrong.push(format!("{name}: {e} at line {line}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for (i, n) in used.iter().enumerate() {
        assert!(*n > 0, "no corpus file matched {:?}", expected[i]);
    }
    eprintln!("corpus: {ok} files parsed ({directives} directives), {failed} failed as expected");
    assert_eq!(
        (ok, failed),
        (147, 25),
        "the corpus changed: update the figures"
    );
}

#[test]
fn the_large_config_parses_completely() {
    let rel =
        Path::new("nginxinc-nginx-go-crossplane/testdata/configs/large-config/nginx.conf.bz2");
    let text = corpus_text(rel);
    assert!(text.len() > 1_000_000, "expected the 1.3 MB config");
    let config = nginx::parse(&text).expect("the large config parses");
    let http = config.find("http").expect("an http block");
    assert_eq!(http.find_all("server").count(), 4);
    assert_eq!(http.find_all("upstream").count(), 1);
    assert_eq!(config.walk().count(), 32_662);
}

/// The corpus path of a file named in an expected payload (`testdata/configs/...`, or
/// `python/...` for the ones Python crossplane's tests made), which sit beside the payload.
fn corpus_path_of(named: &str) -> String {
    let tail = named
        .strip_prefix("testdata/configs/")
        .or_else(|| named.strip_prefix("python/"))
        .unwrap_or_else(|| panic!("unexpected file name in a payload: {named}"));
    format!("nginxinc-nginx-go-crossplane/testdata/configs/{tail}")
}

#[test]
fn expected_payloads_match_except_known_differences() {
    let root = corpus_dir();
    let mut found: Vec<Difference> = Vec::new();
    let mut compared = 0;
    let payloads: Vec<_> = corpus_files()
        .into_iter()
        .chain(json_files(&root))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert!(
        !payloads.is_empty(),
        "no expected payloads found in the corpus"
    );
    for json in payloads {
        let against = json.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(root.join(&json)).expect("read payload");
        let expected: Value = serde_json::from_str(&text).expect("payload is JSON");
        let comments = has_comments(&expected);
        for entry in expected["config"].as_array().expect("config list") {
            let file = corpus_path_of(entry["file"].as_str().expect("file name"));
            let source = corpus_text(Path::new(&file));
            let result = nginx::parse(&source);
            let mine = payload::single_file_json(&file, &source, &result, comments);
            let mine: Value = serde_json::from_str(&mine).expect("gen's payload is JSON");
            let mut mine = mine["config"][0].clone();
            let mut theirs = entry.clone();
            normalize(&mut mine);
            normalize(&mut theirs);
            found.extend(diff_file(&file, &against, &mine, &theirs));
            compared += 1;
        }
    }
    eprintln!(
        "expected payloads: {compared} file entries compared, {} differences",
        found.len()
    );
    check_against_known(&found, |a| a.ends_with(".json"));
}

fn json_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("nginxinc-nginx-go-crossplane")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    out.sort();
    out
}
