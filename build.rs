//! Records the git commit gen is built from, for `gen --version`, when built in a checkout,
//! and compiles nginx's directive and variable tables (`data/nginx/*.tsv`, written by
//! `scripts/nginx-directives/extract.py`, and those of the packaged third-party modules,
//! written by `scripts/nginx-directives/modules.py`) into Rust statics, so that no run of gen parses
//! them at start (they were a quarter of a `gen check`'s instructions). The TSV files stay the
//! source of truth; `parse::nginx::table`'s tests read them again and compare.
//!
//! It also writes the list of rules, `RULES` in src/lint/mod.rs, from the `declare_rule!`s
//! under src/lint/rules/, so that a new rule is its file and its `pub mod` line. The list is
//! read from the sources as text (each `declare_rule!`'s `pub static NAME` and `code: "..."`)
//! rather than collected at link time (linkme, inventory): those need linker sections or
//! life-before-main, and this is a few lines with no dependency.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn main() {
    version();
    nginx_tables();
    rules_list();
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

/// The releases column's names of the third-party module tables, in `table::RELEASES`'
/// order (a release's bit is its index).
const RELEASES: [&str; 5] = ["bookworm", "trixie", "noble", "alpine", "nginx.org"];

fn releases(field: &str, line: &str) -> u8 {
    field.split(' ').fold(0, |acc, r| {
        let i = RELEASES
            .iter()
            .position(|x| *x == r)
            .unwrap_or_else(|| panic!("unknown release `{r}` in: {line}"));
        acc | 1 << i
    })
}

/// One directive row of `directives.tsv` (`third_party: false`, the last field nginx
/// versions) or `modules-directives.tsv` (the last field releases), as Rust.
fn directive_row(f: &[&str], line: &str, third_party: bool) -> (String, String, String) {
    let [name, module, mtype, ctxs, a, block, value, vars, last] = f[..] else {
        panic!("not 9 fields: {line}");
    };
    let variables = match vars {
        "vars" => true,
        "-" => false,
        other => panic!("unknown variables kind `{other}` in: {line}"),
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
    // A third-party module's row is in every nginx version; its releases say where.
    let (v, r) = if third_party {
        ((1u8 << VERSIONS.len()) - 1, releases(last, line))
    } else {
        (versions(last, line), 0)
    };
    let rest = format!(
        "module_type: ModuleType::{module_type}, contexts: {}, args: {}, block: {block}, \
         value: Value::{value}, variables: {variables}, versions: {v:#07b}, releases: {r:#07b}",
        contexts(ctxs, line),
        args(a, line),
    );
    (name.to_owned(), module.to_owned(), rest)
}

fn nginx_tables() {
    let directives_path = "data/nginx/directives.tsv";
    let variables_path = "data/nginx/variables.tsv";
    let modules_path = "data/nginx/modules.tsv";
    let module_directives_path = "data/nginx/modules-directives.tsv";
    let module_variables_path = "data/nginx/modules-variables.tsv";
    for p in [
        directives_path,
        variables_path,
        modules_path,
        module_directives_path,
        module_variables_path,
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));

    // Rows by name, sorted by name (byte order, for a binary search), each name's rows in
    // the files' order: nginx's own modules first, then the third-party modules'.
    let mut directives: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for (path, third_party) in [(directives_path, false), (module_directives_path, true)] {
        for line in read(path).lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            let (name, module, rest) = directive_row(&f, line, third_party);
            directives
                .entry(name.clone())
                .or_default()
                .push((name, module, rest));
        }
    }

    // Exact variables merged by name (the first module, every version); prefixes in order;
    // the variables `set`, `map` or a capture may not define again, per module (http's and
    // stream's are apart), sorted by name.
    let mut variables: BTreeMap<String, (String, u8)> = BTreeMap::new();
    let mut prefixes = Vec::new();
    let mut fixed: Vec<(String, String, u8)> = Vec::new();
    for line in read(variables_path).lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, kind, module, vs] = f[..] else {
            panic!("{variables_path}: not 4 fields: {line}");
        };
        let v = versions(vs, line);
        match kind {
            "prefix" => prefixes.push((name.to_owned(), v)),
            "exact" | "changeable" => {
                let entry = variables
                    .entry(name.to_owned())
                    .or_insert_with(|| (module.to_owned(), 0));
                entry.1 |= v;
                if kind == "exact" {
                    fixed.push((name.to_owned(), module.to_owned(), v));
                }
            }
            other => panic!("unknown variable kind `{other}` in: {line}"),
        }
    }
    fixed.sort();

    // Third-party modules, sorted by name; their variables in the file's order.
    let mut modules = Vec::new();
    for line in read(modules_path).lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let [module, so, debian, alpine, rs, needs, vars, _source] = f[..] else {
            panic!("{modules_path}: not 8 fields: {line}");
        };
        let package = |p: &str| {
            if p == "-" {
                "None".to_owned()
            } else {
                format!("Some({p:?})")
            }
        };
        let needs: Vec<String> = needs
            .split(' ')
            .filter(|n| *n != "-")
            .map(|n| format!("{n:?}"))
            .collect();
        let variables_open = match vars {
            "open" => true,
            "table" => false,
            other => panic!("unknown variables kind `{other}` in: {line}"),
        };
        modules.push(format!(
            "Module {{ name: {module:?}, so: {so:?}, debian: {}, alpine: {}, releases: {:#07b}, \
             needs: &[{}], variables_open: {variables_open} }}",
            package(debian),
            package(alpine),
            releases(rs, line),
            needs.join(", "),
        ));
    }
    let mut module_variables = Vec::new();
    for line in read(module_variables_path)
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let f: Vec<&str> = line.split('\t').collect();
        let [name, kind, module, rs] = f[..] else {
            panic!("{module_variables_path}: not 4 fields: {line}");
        };
        let prefix = match kind {
            "prefix" => true,
            "exact" => false,
            other => panic!("unknown variable kind `{other}` in: {line}"),
        };
        module_variables.push(format!(
            "({name:?}, {prefix}, {module:?}, {:#07b})",
            releases(rs, line)
        ));
    }

    // Every name and module in one string, and the tables as offsets into it: a table of
    // `&str`s would be one pointer per string for the dynamic loader to relocate at every
    // start (a third of the binary's relocations, 30 pages of memory written before
    // `main`); offsets are plain numbers, read from the file as they are.
    let mut strings = Strings::default();
    let mut rows = String::new();
    let mut index = String::new();
    let mut n = 0usize;
    for (name, list) in &directives {
        let start = n;
        for (row_name, module, rest) in list {
            let _ = writeln!(
                rows,
                "    Row {{ name: {}, module: {}, {rest} }},",
                strings.of(row_name),
                strings.of(module)
            );
            n += 1;
        }
        let _ = writeln!(index, "    ({}, {start}, {n}),", strings.of(name));
    }
    let mut out = String::from("// Generated by build.rs from data/nginx/*.tsv: do not edit.\n\n");
    let _ = writeln!(out, "static ROWS: [Row; {n}] = [\n{rows}];\n");
    let _ = writeln!(
        out,
        "static DIRECTIVES: [(Str, u16, u16); {}] = [\n{index}];\n",
        directives.len()
    );
    let _ = writeln!(
        out,
        "static VARIABLES: [(Str, Str, u8); {}] = [",
        variables.len()
    );
    for (name, (module, v)) in &variables {
        let _ = writeln!(
            out,
            "    ({}, {}, {v:#07b}),",
            strings.of(name),
            strings.of(module)
        );
    }
    let _ = writeln!(
        out,
        "];\n\nstatic PREFIXES: [(Str, u8); {}] = [",
        prefixes.len()
    );
    for (name, v) in &prefixes {
        let _ = writeln!(out, "    ({}, {v:#07b}),", strings.of(name));
    }
    let _ = writeln!(
        out,
        "];\n\nstatic FIXED: [(Str, Str, u8); {}] = [",
        fixed.len()
    );
    for (name, module, v) in &fixed {
        let _ = writeln!(
            out,
            "    ({}, {}, {v:#07b}),",
            strings.of(name),
            strings.of(module)
        );
    }
    out.push_str("];\n\nstatic MODULES: &[Module] = &[\n");
    for m in &modules {
        let _ = writeln!(out, "    {m},");
    }
    out.push_str("];\n\nstatic MODULE_VARIABLES: &[(&str, bool, &str, u8)] = &[\n");
    for v in &module_variables {
        let _ = writeln!(out, "    {v},");
    }
    out.push_str("];\n\n");
    let _ = writeln!(out, "const STRINGS: &str = {:?};", strings.text);

    let dir = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"));
    let path = std::path::Path::new(&dir).join("nginx_table.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The strings of the nginx tables, each stored once, and where each is.
#[derive(Default)]
struct Strings {
    text: String,
    at: BTreeMap<String, usize>,
}

impl Strings {
    /// `s` as the Rust of a `table::Str`: its offset and length in `text`.
    fn of(&mut self, s: &str) -> String {
        let at = match self.at.get(s) {
            Some(at) => *at,
            None => {
                let at = self.text.len();
                self.text.push_str(s);
                self.at.insert(s.to_owned(), at);
                at
            }
        };
        format!("Str({at}, {})", s.len())
    }
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
