//! The rule fixtures: every `tests/fixtures/check/<rule-name>/<case>` whose case is `fail`,
//! `pass`, `fail-<name>` or `pass-<name>`, found on disk and run as a test of its own
//! (`cargo test --test fixtures_check upstream-port-mismatch` runs one rule's cases).
//!
//! Each case is materialized (tests/cli/fixture_tree.rs: its base container and overrides)
//! into a temporary directory and checked by the real binary with only its rule selected, on
//! the fixed day [`TODAY`]:
//! - a failing case draws at least one finding of its rule, and its exit code, summary, human
//!   and JSON output are pinned in one snapshot, `tests/snapshots/fixtures/<rule>/<case>.snap`;
//!   a case with warnings only must also fail under `--deny warnings`; its messages follow
//!   the conventions (lowercase, no trailing period);
//! - a passing case prints nothing under `--deny warnings`, exits 0, and finds the number of
//!   containers its `fixture.toml` gives (`containers = N`), so a case that lost its
//!   containers fails;
//! - every rule has a failing and a passing case (`rules::every_rule_has_fixtures`).
//!
//! The base containers under tests/fixtures/bases/ (fixture_tree.rs) are tests too: each
//! one's findings under every rule are pinned in `tests/snapshots/fixtures/bases/<name>.snap`,
//! so the author of a fixture sees what a base already draws, and a rule change that reaches
//! the bases shows in review.
//!
//! Snapshots are reviewed (tests/cli/review.rs): `GEN_BLESS=1` writes `.new` files and
//! `scripts/review-snapshots.sh` accepts or rejects them. The test `snapshots::reviewed`
//! fails on a pending `.new` file, on a snapshot that no fixture or base uses, and on a base
//! that no fixture uses.
//!
//! libtest-mimic is the harness: a well-kept crate that gives each fixture found at run time
//! its own test with the standard harness's filtering and output, with no build script
//! regenerating a test list.

#[path = "cli/fixture_tree.rs"]
mod fixture_tree;
#[path = "cli/review.rs"]
mod review;

use fixture_tree::{fixtures_root, materialize, read_fixture_toml};
use gen_core::lint::{RULES, Rule};
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The day the snapshots were written; end-of-life results depend on it.
const TODAY: &str = "2026-11-29";

/// One fixture: a case directory of a rule.
#[derive(Clone)]
struct Case {
    rule: &'static Rule,
    /// `fail`, `pass`, `fail-<name>` or `pass-<name>`.
    name: String,
}

impl Case {
    fn dir(&self) -> PathBuf {
        fixtures_root()
            .join("check")
            .join(self.rule.name)
            .join(&self.name)
    }

    fn fails(&self) -> bool {
        self.name == "fail" || self.name.starts_with("fail-")
    }

    /// The snapshot of a failing case (a passing case's expectation is its `containers`).
    fn snapshot(&self) -> PathBuf {
        snapshots_root()
            .join(self.rule.name)
            .join(format!("{}.snap", self.name))
    }
}

fn snapshots_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/fixtures")
}

/// Whether a directory name under a rule's fixtures is a case this harness runs.
fn is_case(name: &str) -> bool {
    ["fail", "pass"]
        .iter()
        .any(|k| name == *k || name.strip_prefix(k).is_some_and(|r| r.starts_with('-')))
}

/// Every case under tests/fixtures/check/, sorted.
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for rule in RULES {
        let Ok(entries) = fs::read_dir(fixtures_root().join("check").join(rule.name)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.expect("directory entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && is_case(&name) {
                out.push(Case { rule, name });
            }
        }
    }
    out.sort_by(|a, b| (a.rule.name, &a.name).cmp(&(b.rule.name, &b.name)));
    out
}

/// What one run of `gen` did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn gen_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_remove("GEN_BLESS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gen");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn run_case(case: &Case) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let at = tmp.path().join(&case.name);
    materialize(&case.dir(), &at);
    // By default the case is checked by its name from the rule's directory, so paths in the
    // output read `fail/<container>/...`; `args = ["web"]` checks from inside the case.
    let (cwd, paths) = match read_fixture_toml(&case.dir()).and_then(|t| t.args) {
        Some(args) => (at, args),
        None => (tmp.path().to_path_buf(), vec![case.name.clone()]),
    };
    let code = case.rule.code;
    let with = |extra: &[&str]| {
        let mut args = vec!["check"];
        args.extend(paths.iter().map(String::as_str));
        args.extend(["--select", code, "--today", TODAY]);
        args.extend_from_slice(extra);
        gen_in(&cwd, &args)
    };
    if !case.fails() {
        let containers = read_fixture_toml(&case.dir())
            .and_then(|t| t.containers)
            .unwrap_or_else(|| {
                panic!(
                    "{}/fixture.toml: say how many containers the passing case holds (`containers = N`)",
                    case.dir().display()
                )
            });
        let plural = if containers == 1 { "" } else { "s" };
        let run = with(&["--deny", "warnings"]);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (
                0,
                "",
                format!("no problems in {containers} container{plural}\n").as_str()
            ),
            "a passing fixture has no finding"
        );
        return;
    }
    let human = with(&[]);
    assert!(
        human.stdout.contains(&format!("[{code}]")),
        "a failing fixture draws a finding of {code}:\n{}{}",
        human.stdout,
        human.stderr
    );
    let json = with(&["--format", "json"]);
    assert_eq!(json.code, human.code, "json exit code\n{}", json.stderr);
    follows_the_message_conventions(&json.stdout);
    if human.code == 0 {
        assert_eq!(with(&["--deny", "warnings"]).code, 1, "--deny warnings");
    }
    review::assert_snapshot(
        &case.snapshot(),
        &format!(
            "exit code: {}\n--- summary (stderr)\n{}--- human (stdout)\n{}--- json (stdout)\n{}",
            human.code, human.stderr, human.stdout, json.stdout
        ),
    );
}

/// The base containers under tests/fixtures/bases/, sorted.
fn bases() -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(fixtures_root().join("bases"))
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("directory entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn base_snapshot(base: &str) -> PathBuf {
    snapshots_root().join("bases").join(format!("{base}.snap"))
}

/// A base container under every rule: its findings pinned.
fn run_base(base: &str) {
    let run = gen_in(
        &fixtures_root().join("bases"),
        &["check", base, "--today", TODAY],
    );
    review::assert_snapshot(
        &base_snapshot(base),
        &format!(
            "exit code: {}\n--- summary (stderr)\n{}--- human (stdout)\n{}",
            run.code, run.stderr, run.stdout
        ),
    );
}

/// Messages are lowercase, not empty, with no trailing period (clippy's
/// lint_message_convention), and each finding carries its rule's name and severity.
fn follows_the_message_conventions(json: &str) {
    let doc: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    for d in doc["diagnostics"]
        .as_array()
        .expect("a list of diagnostics")
    {
        let message = d["message"].as_str().expect("a message");
        assert!(
            !message.is_empty()
                && !message.starts_with(char::is_uppercase)
                && !message.ends_with('.'),
            "message `{message}` is not lowercase without a trailing period"
        );
        let code = d["code"].as_str().expect("a code");
        let rule = RULES
            .iter()
            .find(|r| r.code == code)
            .expect("a declared rule");
        assert_eq!(d["name"].as_str(), Some(rule.name), "{code}");
    }
}

/// Rules tested elsewhere than by a fixture pair, and where.
const WITHOUT_FIXTURES: &[(&str, &str)] = &[(
    "GEN001",
    "generated-drift needs `gen build` first: tests/cli/check.rs",
)];

/// Every rule has a failing and a passing case (each failing case must draw a finding of its
/// rule, so every rule is seen to fire).
fn every_rule_has_fixtures(cases: &[Case]) -> Result<(), Failed> {
    let missing: Vec<String> = RULES
        .iter()
        .filter(|r| WITHOUT_FIXTURES.iter().all(|(code, _)| *code != r.code))
        .flat_map(|r| {
            ["fail", "pass"].into_iter().filter_map(move |kind| {
                let found = cases
                    .iter()
                    .any(|c| c.rule.code == r.code && c.name == kind);
                (!found).then(|| format!("tests/fixtures/check/{}/{kind}/ is missing", r.name))
            })
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join("\n").into())
    }
}

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// No snapshot awaits review, every fixture snapshot belongs to a fixture or base, and every
/// base serves a fixture.
fn reviewed(cases: &[Case], bases: &[String]) -> Result<(), Failed> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let mut used: Vec<PathBuf> = cases
        .iter()
        .filter(|c| c.fails())
        .map(Case::snapshot)
        .collect();
    used.extend(bases.iter().map(|b| base_snapshot(b)));
    let mut problems = Vec::new();
    let mut tomls = Vec::new();
    files(&fixtures_root().join("check"), &mut tomls);
    let named: Vec<String> = tomls
        .iter()
        .filter(|p| p.ends_with(fixture_tree::FIXTURE_TOML))
        .filter_map(|p| fixture_tree::read_fixture_toml(p.parent()?)?.base)
        .collect();
    for base in bases {
        if !named.contains(base) {
            problems.push(format!(
                "tests/fixtures/bases/{base} is the base of no fixture: delete it"
            ));
        }
    }
    for path in all {
        let rel = path.strip_prefix(&root).unwrap_or(&path).display();
        if path.extension().is_some_and(|e| e == "new") {
            problems.push(format!("{rel} awaits review (scripts/review-snapshots.sh)"));
        } else if path.starts_with(snapshots_root()) && !used.contains(&path) {
            problems.push(format!("{rel} is used by no fixture: delete it"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let cases = cases();
    let mut trials: Vec<Trial> = cases
        .iter()
        .map(|case| {
            let case = case.clone();
            Trial::test(
                format!("check::{}::{}", case.rule.name, case.name),
                move || {
                    run_case(&case);
                    Ok(())
                },
            )
        })
        .collect();
    let all = cases.clone();
    trials.push(Trial::test("rules::every_rule_has_fixtures", move || {
        every_rule_has_fixtures(&all)
    }));
    let bases = bases();
    trials.extend(bases.iter().map(|base| {
        let base = base.clone();
        Trial::test(format!("bases::{base}"), move || {
            run_base(&base);
            Ok(())
        })
    }));
    trials.push(Trial::test("snapshots::reviewed", move || {
        reviewed(&cases, &bases)
    }));
    libtest_mimic::run(&args, trials).exit();
}
