//! Records the git commit gen is built from, for `gen --version`, when built in a checkout,
//! and compiles nginx's directive and variable tables (`data/nginx/*.tsv`, written by
//! `scripts/nginx-directives/extract.py`) into Rust statics, so that no run of gen parses
//! them at start (they were a quarter of a `gen check`'s instructions). The TSV files stay the
//! source of truth; `parse::nginx::table`'s tests read them again and compare.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

fn main() {
    version();
    nginx_tables();
}

fn version() {
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

/// The versions column's names, in `table::VERSIONS`' order (a version's bit is its index).
const VERSIONS: [&str; 5] = ["1.22", "1.24", "1.26", "1.28", "1.29"];

fn versions(field: &str, line: &str) -> u8 {
    field.split(' ').fold(0, |acc, v| {
        let i = VERSIONS
            .iter()
            .position(|x| *x == v)
            .unwrap_or_else(|| panic!("unknown nginx version `{v}` in: {line}"));
        acc | 1 << i
    })
}

fn contexts(field: &str, line: &str) -> String {
    let flags: Vec<&str> = field
        .split(',')
        .filter_map(|c| match c {
            "main" => Some("MAIN"),
            "any" => Some("ANY"),
            "event" => Some("EVENT"),
            "http" => Some("HTTP"),
            "srv" => Some("SRV"),
            "loc" => Some("LOC"),
            "ups" => Some("UPS"),
            "sif" => Some("SIF"),
            "lif" => Some("LIF"),
            "lmt" => Some("LMT"),
            "mail" => Some("MAIL"),
            "msrv" => Some("MSRV"),
            "stream" => Some("STREAM"),
            "ssrv" => Some("SSRV"),
            "sups" => Some("SUPS"),
            // `direct` only says the core module sets the value itself.
            "direct" => None,
            other => panic!("unknown nginx context `{other}` in: {line}"),
        })
        .collect();
    if flags.is_empty() {
        "0".to_owned()
    } else {
        flags
            .iter()
            .map(|f| format!("ctx::{f}"))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

fn args(field: &str, line: &str) -> String {
    let mut counts = 0u8;
    for a in field.split(',') {
        match a {
            "flag" => return "Args::Flag".to_owned(),
            "1+" => return "Args::OneOrMore".to_owned(),
            "2+" => return "Args::TwoOrMore".to_owned(),
            "any" => return "Args::Any".to_owned(),
            n => {
                let n: u32 = n
                    .parse()
                    .ok()
                    .filter(|n| *n < 8)
                    .unwrap_or_else(|| panic!("unknown argument count `{n}` in: {line}"));
                counts |= 1 << n;
            }
        }
    }
    format!("Args::Counts({counts:#010b})")
}

fn nginx_tables() {
    let directives_path = "data/nginx/directives.tsv";
    let variables_path = "data/nginx/variables.tsv";
    println!("cargo:rerun-if-changed={directives_path}");
    println!("cargo:rerun-if-changed={variables_path}");
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));

    // Rows by name, sorted by name (byte order, for a binary search), each name's rows in
    // the file's order.
    let mut directives: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in read(directives_path)
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, module, mtype, ctxs, a, block, value, vs] = f[..] else {
            panic!("{directives_path}: not 8 fields: {line}");
        };
        let module_type = match mtype {
            "core" => "Core",
            "conf" => "Conf",
            "event" => "Event",
            "http" => "Http",
            "mail" => "Mail",
            "stream" => "Stream",
            other => panic!("unknown module type `{other}` in: {line}"),
        };
        let block = match block {
            "block" => true,
            "simple" => false,
            other => panic!("unknown block kind `{other}` in: {line}"),
        };
        let value = match value {
            "flag" => "Flag",
            "size" => "Size",
            "offset" => "Offset",
            "msec" => "Msec",
            "sec" => "Sec",
            "num" => "Num",
            "-" => "Other",
            other => panic!("unknown value kind `{other}` in: {line}"),
        };
        let row = format!(
            "Row {{ name: {name:?}, module: {module:?}, module_type: ModuleType::{module_type}, \
             contexts: {}, args: {}, block: {block}, value: Value::{value}, versions: {:#07b} }}",
            contexts(ctxs, line),
            args(a, line),
            versions(vs, line),
        );
        directives.entry(name.to_owned()).or_default().push(row);
    }

    // Exact variables merged by name (the first module, every version); prefixes in order.
    let mut variables: BTreeMap<String, (String, u8)> = BTreeMap::new();
    let mut prefixes = Vec::new();
    for line in read(variables_path).lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, kind, module, vs] = f[..] else {
            panic!("{variables_path}: not 4 fields: {line}");
        };
        let v = versions(vs, line);
        match kind {
            "prefix" => prefixes.push((name.to_owned(), v)),
            "exact" => {
                let entry = variables
                    .entry(name.to_owned())
                    .or_insert_with(|| (module.to_owned(), 0));
                entry.1 |= v;
            }
            other => panic!("unknown variable kind `{other}` in: {line}"),
        }
    }

    let mut out = String::from(
        "// Generated by build.rs from data/nginx/directives.tsv and variables.tsv: do not edit.\n\n",
    );
    out.push_str("static DIRECTIVES: &[(&str, &[Row])] = &[\n");
    for (name, rows) in &directives {
        let _ = writeln!(out, "    ({name:?}, &[");
        for r in rows {
            let _ = writeln!(out, "        {r},");
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n\nstatic NAMES: &[&str] = &[\n");
    for name in directives.keys() {
        let _ = writeln!(out, "    {name:?},");
    }
    out.push_str("];\n\nstatic VARIABLES: &[(&str, &str, u8)] = &[\n");
    for (name, (module, v)) in &variables {
        let _ = writeln!(out, "    ({name:?}, {module:?}, {v:#07b}),");
    }
    out.push_str("];\n\nstatic PREFIXES: &[(&str, u8)] = &[\n");
    for (name, v) in &prefixes {
        let _ = writeln!(out, "    ({name:?}, {v:#07b}),");
    }
    out.push_str("];\n");

    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = std::path::Path::new(&dir).join("nginx_table.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
