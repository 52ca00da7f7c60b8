//! The layers of `gen check` (CONTRIBUTING.md, "The layers"): parse, model, analysis, rules,
//! diagnostics, commands. A layer reads the layers before it, never one after it, and a
//! rule reads the analysis, model and diagnostic layers, never another family's rules:
//! what two families share is a fact of the analysis layer (`src/lint/analysis/`). Read
//! from the sources' `crate::` paths, comments left out.

use crate::harness::root;
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, with its path relative to the repository.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root())
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path).expect("source");
            // Comments name other modules freely (doc links, "see ..."): only code counts.
            let code: Vec<&str> = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect();
            out.push((rel, code.join("\n")));
        }
    }
}

/// The module paths after each `prefix` in `code`: `crate::lint::rules::ngx` for
/// `crate::` in `use crate::lint::rules::ngx::report;`, and each path of a `{...}` group.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let rest = &code[at + prefix.len()..];
        let head: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let head = head.trim_end_matches(':').to_owned();
        let after = &rest[head.len()..];
        let open = if head.is_empty() { "{" } else { "::{" };
        if let Some(group) = after
            .strip_prefix(open)
            .and_then(|g| g.split_once('}').map(|(inner, _)| inner))
        {
            for item in group.split(',') {
                let item = item.trim().trim_start_matches("self::");
                if item.is_empty() {
                    continue;
                }
                out.push(if head.is_empty() {
                    item.to_owned()
                } else {
                    format!("{head}::{item}")
                });
            }
        }
        if !head.is_empty() {
            out.push(head);
        }
    }
    out
}

/// What breaks the layering in `file`: the paths it reads that its layer may not.
fn violations(file: &str, code: &str) -> Vec<String> {
    let crate_paths = paths_after(code, "crate::");
    let reads = |layer: &str| {
        crate_paths
            .iter()
            .filter(|p| *p == layer || p.starts_with(&format!("{layer}::")))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut bad = Vec::new();
    if file.starts_with("src/parse/") {
        bad.extend(
            ["lint", "fix", "commands", "generate", "deploy"]
                .iter()
                .flat_map(|l| reads(l)),
        );
        // The model's leaf tables the parsers share: paths, and the runtime table.
        bad.extend(
            reads("model")
                .into_iter()
                .filter(|p| !(p.starts_with("model::path") || p.starts_with("model::runtime"))),
        );
    }
    if file.starts_with("src/model/") || file.starts_with("src/deploy/") {
        bad.extend(
            ["lint", "fix", "commands", "generate"]
                .iter()
                .flat_map(|l| reads(l)),
        );
    }
    if file.starts_with("src/diagnostic/") {
        bad.extend(
            ["lint", "commands", "generate"]
                .iter()
                .flat_map(|l| reads(l)),
        );
    }
    if file.starts_with("src/lint/analysis/") {
        bad.extend(reads("lint::rules"));
        bad.extend(
            ["fix", "commands", "generate"]
                .iter()
                .flat_map(|l| reads(l)),
        );
        if code.contains("rules::") {
            bad.push("rules::".to_owned());
        }
    }
    if let Some(rest) = file.strip_prefix("src/lint/rules/") {
        bad.extend(["commands", "generate"].iter().flat_map(|l| reads(l)));
        // A family's own modules, and the test helper every family shares.
        let family = rest.split('/').next().unwrap_or("");
        let own = |p: &str| {
            let family_of = p.split("::").next().unwrap_or("");
            family_of == family || family_of == "testing"
        };
        for p in paths_after(code, "rules::") {
            if !own(&p) {
                bad.push(format!("rules::{p}"));
            }
        }
        if code.contains("super::super") {
            bad.push("super::super".to_owned());
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

/// Reads that cross the layers today, each with why it stays for now.
const EXCEPTIONS: &[(&str, &str)] = &[
    // `gen build` refuses a `[[container.program]]` that daemonizes with the rule's own
    // judgement of a command line; it moves to the analysis layer with the runtime table's
    // wrapper lists it reads.
    (
        "src/spec/extend.rs",
        "lint::rules::proc::program_daemonizes::forks",
    ),
];

#[test]
fn no_layer_reads_a_layer_after_it_and_no_rule_reads_another_family() {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    assert!(files.iter().any(|(f, _)| f.starts_with("src/lint/rules/")));
    let mut found = Vec::new();
    for (file, code) in &files {
        for v in violations(file, code) {
            found.push(format!("{file}: {v}"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    // Outside the lint: only the exceptions reach into the rules.
    let mut into_rules = Vec::new();
    for (file, code) in &files {
        if file.starts_with("src/lint/") {
            continue;
        }
        for p in paths_after(code, "crate::") {
            if p.starts_with("lint::rules") && p != "lint::rules" {
                let allowed = EXCEPTIONS
                    .iter()
                    .any(|(f, path)| f == file && p.starts_with(path));
                if !allowed {
                    into_rules.push(format!("{file}: {p}"));
                }
            }
        }
    }
    assert!(into_rules.is_empty(), "{}", into_rules.join("\n"));
}

/// The check itself sees what it is for: a rule that reads another family, an analysis
/// that reads a rule, a parser that reads the linter.
#[test]
fn the_layer_check_catches_crossings() {
    let cases = [
        (
            "src/lint/rules/app/x.rs",
            "use crate::lint::rules::ngx::ineffective_upstream_keepalive::closes;",
            true,
        ),
        (
            "src/lint/rules/app/x.rs",
            "use crate::lint::{Context, rules::ngx::y};",
            true,
        ),
        ("src/lint/rules/app/x.rs", "use super::super::ngx::y;", true),
        (
            "src/lint/rules/app/x.rs",
            "use crate::lint::rules::{app, ngx};",
            true,
        ),
        (
            "src/lint/rules/ngx/x.rs",
            "use crate::lint::rules::ngx::report;",
            false,
        ),
        (
            "src/lint/rules/log/x.rs",
            "use crate::lint::rules::testing::findings;",
            false,
        ),
        (
            "src/lint/rules/log/x.rs",
            "use crate::lint::analysis::nginx::closes;",
            false,
        ),
        (
            "src/lint/analysis/x.rs",
            "use crate::lint::rules::ngx::report;",
            true,
        ),
        (
            "src/lint/analysis/x.rs",
            "use crate::lint::ContainerDir;",
            false,
        ),
        ("src/parse/x.rs", "use crate::lint::ContainerDir;", true),
        ("src/parse/x.rs", "use crate::model::path;", false),
        ("src/parse/x.rs", "use crate::model::Model;", true),
        ("src/model/x.rs", "use crate::commands::check;", true),
        (
            "src/lint/rules/app/x.rs",
            "// see crate::lint::rules::ngx",
            false,
        ),
    ];
    for (file, line, crosses) in cases {
        let code: String = line.split("//").next().unwrap_or("").to_owned();
        assert_eq!(
            !violations(file, &code).is_empty(),
            crosses,
            "{file}: {line}"
        );
    }
}
