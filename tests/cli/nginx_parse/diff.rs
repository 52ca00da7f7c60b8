//! Comparing two crossplane payloads directive by directive, and the committed list of
//! differences between gen and crossplane that are known and explained
//! (tests/fixtures/crossplane-known-differences.toml).

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where the corpus of real nginx configs lives, beside the project.
pub fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/nginx");
    assert!(
        dir.is_dir(),
        "the nginx corpus is missing: expected it at {} (shared/corpus/nginx beside the project)",
        dir.display()
    );
    dir
}

/// Every file of the corpus that is a config or meant to be read as one: all but the
/// expected payloads (`*.json`) and the corpus's own README. The bzip2 file is listed as is;
/// callers decompress it.
pub fn corpus_files() -> Vec<PathBuf> {
    let root = corpus_dir();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read corpus dir") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none_or(|e| e != "json") && path != root.join("README.md")
            {
                out.push(path.strip_prefix(&root).expect("under root").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The text of a corpus file; `.bz2` files are decompressed with the `bzip2` command.
pub fn corpus_text(rel: &Path) -> String {
    let path = corpus_dir().join(rel);
    let bytes = if rel.extension().is_some_and(|e| e == "bz2") {
        let out = std::process::Command::new("bzip2")
            .arg("-dc")
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("the `bzip2` command is needed to read {rel:?}: {e}"));
        assert!(out.status.success(), "bzip2 -dc {path:?} failed");
        out.stdout
    } else {
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"))
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One way two payloads of the same file differ.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub file: String,
    pub against: String,
    pub line: usize,
    pub what: String,
    pub ours: String,
    pub crossplane: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[[difference]]\nfiles = [{:?}]\nagainst = [{:?}]\nline = {}\nwhat = {:?}\ngen = {:?}\ncrossplane = {:?}",
            self.file, self.against, self.line, self.what, self.ours, self.crossplane
        )
    }
}

/// The differences between gen's and crossplane's payload for one file (`config` entries).
pub fn diff_file(file: &str, against: &str, ours: &Value, theirs: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |line: usize, what: &str, g: String, c: String| {
        out.push(Difference {
            file: file.to_owned(),
            against: against.to_owned(),
            line,
            what: what.to_owned(),
            ours: g,
            crossplane: c,
        });
    };
    let status = |v: &Value| v["status"].as_str().unwrap_or("?").to_owned();
    let (gs, ts) = (status(ours), status(theirs));
    if gs != ts || errors(ours) != errors(theirs) {
        let line = first_error_line(ours)
            .or_else(|| first_error_line(theirs))
            .unwrap_or(0);
        push(line, "status", summary(ours), summary(theirs));
        return out;
    }
    // gen stops at its first error with an empty `parsed`; crossplane goes on after errors its
    // analyzer finds, so there is no tree to compare.
    if gs == "failed" {
        return out;
    }
    let empty = Vec::new();
    let g = ours["parsed"].as_array().unwrap_or(&empty);
    let t = theirs["parsed"].as_array().unwrap_or(&empty);
    diff_list(g, t, &mut push);
    out
}

fn errors(v: &Value) -> Vec<(String, u64)> {
    v["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| {
                    let msg = e["error"].as_str().unwrap_or("");
                    let msg = msg.rsplit_once(" in ").map_or(msg, |(m, _)| m);
                    (msg.to_owned(), e["line"].as_u64().unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn first_error_line(v: &Value) -> Option<usize> {
    errors(v)
        .first()
        .and_then(|(_, l)| usize::try_from(*l).ok())
}

fn summary(v: &Value) -> String {
    let errs = errors(v);
    if errs.is_empty() {
        return v["status"].as_str().unwrap_or("?").to_owned();
    }
    let list: Vec<String> = errs
        .iter()
        .map(|(m, l)| format!("{m} (line {l})"))
        .collect();
    format!("failed: {}", list.join("; "))
}

fn line_of(v: &Value) -> usize {
    v["line"]
        .as_u64()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0)
}

/// What a `#` entry or a directive holds besides its name: the comment or the arguments.
fn args_of(v: &Value) -> String {
    match v.get("comment") {
        Some(c) => c.to_string(),
        None => v["args"].to_string(),
    }
}

fn head(list: &[Value]) -> String {
    let mut s = String::new();
    for v in list.iter().take(3) {
        let _ = write!(s, "{}@{} ", v["directive"], line_of(v));
    }
    if list.len() > 3 {
        let _ = write!(s, "and {} more", list.len() - 3);
    }
    s.trim_end().to_owned()
}

fn diff_list(g: &[Value], t: &[Value], push: &mut impl FnMut(usize, &str, String, String)) {
    for i in 0..g.len().max(t.len()) {
        match (g.get(i), t.get(i)) {
            (Some(a), Some(b)) if a["directive"] == b["directive"] && line_of(a) == line_of(b) => {
                if args_of(a) != args_of(b) {
                    push(line_of(a), "args", args_of(a), args_of(b));
                }
                match (a.get("block"), b.get("block")) {
                    (Some(x), Some(y)) => {
                        let empty = Vec::new();
                        let x = x.as_array().unwrap_or(&empty);
                        let y = y.as_array().unwrap_or(&empty);
                        diff_list(x, y, push);
                    }
                    (None, None) => {}
                    (x, y) => push(
                        line_of(a),
                        "block",
                        if x.is_some() { "block" } else { "no block" }.into(),
                        if y.is_some() { "block" } else { "no block" }.into(),
                    ),
                }
            }
            (a, b) => {
                let line = a.or(b).map_or(0, line_of);
                push(
                    line,
                    "directives",
                    head(&g[i.min(g.len())..]),
                    head(&t[i.min(t.len())..]),
                );
                return;
            }
        }
    }
}

/// Drops what crossplane's payload has and gen's has not (`includes` of include directives)
/// and what gen's has and crossplane's has not (`column`).
pub fn normalize(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("includes");
            map.remove("column");
            map.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// Whether a payload holds comment entries anywhere.
pub fn has_comments(v: &Value) -> bool {
    match v {
        Value::Object(map) => {
            map.get("directive").is_some_and(|d| d == "#") || map.values().any(has_comments)
        }
        Value::Array(items) => items.iter().any(has_comments),
        _ => false,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownFile {
    difference: Vec<Known>,
}

/// One entry of the known differences: the same difference in each of `files`, against
/// each of `against`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub files: Vec<String>,
    pub against: Vec<String>,
    pub line: usize,
    pub what: String,
    #[serde(rename = "gen")]
    pub ours: String,
    pub crossplane: String,
    pub reason: String,
    pub nginx: String,
}

pub fn known_differences() -> Vec<Known> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crossplane-known-differences.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path:?}: {e}"));
    let known: KnownFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    for k in &known.difference {
        assert!(
            !k.reason.trim().is_empty() && !k.nginx.trim().is_empty(),
            "{path:?}: every difference needs a `reason` and nginx's verdict: {:?}",
            k.files
        );
    }
    known.difference
}

/// Checks the differences found against the known ones whose `against` is selected by
/// `scope`: every difference found must be listed, and every listed one must still occur.
pub fn check_against_known(found: &[Difference], scope: impl Fn(&str) -> bool) {
    let listed: BTreeSet<Difference> = known_differences()
        .iter()
        .flat_map(|k| {
            k.files.iter().flat_map(move |f| {
                k.against.iter().map(move |a| Difference {
                    file: f.clone(),
                    against: a.clone(),
                    line: k.line,
                    what: k.what.clone(),
                    ours: k.ours.clone(),
                    crossplane: k.crossplane.clone(),
                })
            })
        })
        .filter(|d| scope(&d.against))
        .collect();
    let found: BTreeSet<Difference> = found.iter().cloned().collect();
    let new: Vec<String> = found.difference(&listed).map(ToString::to_string).collect();
    let gone: Vec<String> = listed.difference(&found).map(ToString::to_string).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "gen and crossplane differ in ways not listed in \
         tests/fixtures/crossplane-known-differences.toml:\n\n{}\n\n\
         listed differences that no longer occur:\n\n{}\n",
        new.join("\n\n"),
        gone.join("\n\n")
    );
}
