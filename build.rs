//! Records the git commit gen is built from, for `gen --version`, when built in a checkout;
//! and writes the list of rules, `RULES` in src/lint/mod.rs, from the `declare_rule!`s
//! under src/lint/rules/, so that a new rule is its file and its `pub mod` line.
//!
//! The rule list is read from the sources as text (each `declare_rule!`'s `pub static NAME`
//! and `code: "..."`) rather than collected at link time (linkme, inventory): those need
//! linker sections or life-before-main, and this is a few lines with no dependency.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn main() {
    rules_list();
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    println!("cargo:rerun-if-changed=.git/index");
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| !o.stdout.is_empty());
    let version = env!("CARGO_PKG_VERSION");
    let long = match commit {
        Some(c) if dirty => format!("{version} ({c}, modified)"),
        Some(c) => format!("{version} ({c})"),
        None => version.to_owned(),
    };
    println!("cargo:rustc-env=GEN_LONG_VERSION={long}");
}

/// Writes `$OUT_DIR/rules.rs`: an array expression of every rule declared under
/// src/lint/rules/<family>/<rule>.rs, sorted by code.
fn rules_list() {
    let root = Path::new("src/lint/rules");
    println!("cargo:rerun-if-changed=src/lint/rules");
    let mut rules: Vec<(String, String)> = Vec::new();
    let mut families: Vec<_> = std::fs::read_dir(root)
        .expect("src/lint/rules")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    families.sort();
    for family in families {
        let fam = family
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        for entry in std::fs::read_dir(&family).expect("a family folder") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = path
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("a rule file");
            for decl in text.split("declare_rule! {").skip(1) {
                let ident = decl
                    .split_once("pub static ")
                    .and_then(|(_, rest)| rest.split_whitespace().next())
                    .expect("declare_rule! names its static");
                let code = decl
                    .split_once("code: \"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(code, _)| code)
                    .expect("declare_rule! has a code");
                rules.push((code.to_owned(), format!("&rules::{fam}::{module}::{ident}")));
            }
        }
    }
    rules.sort();
    let mut out = String::from("&[\n");
    for (_, path) in &rules {
        writeln!(out, "    {path},").expect("write to a String");
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rules.rs");
    std::fs::write(dest, out).expect("write rules.rs");
}
