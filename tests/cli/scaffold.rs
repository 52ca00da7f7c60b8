//! scripts/new-rule.py, the scaffold of a new rule, run on a temporary copy of the rule
//! sources: it writes the rule's file (formatted as rustfmt would), its module line and
//! fixtures on a base container; and it overwrites nothing.

use crate::fixture_tree::read_fixture_toml;
use crate::harness::root;
use crate::support::tool;
use std::fs;
use std::path::Path;
use std::process::Command;

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let path = entry.expect("entry").path();
        let dest = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy(&path, &dest);
        } else {
            fs::copy(&path, &dest).expect("copy");
        }
    }
}

fn scaffold(python: &Path, at: &Path, args: &[&str]) -> std::process::Output {
    Command::new(python)
        .arg(root().join("scripts/new-rule.py"))
        .args(args)
        .arg("--root")
        .arg(at)
        .output()
        .expect("run scripts/new-rule.py")
}

#[test]
fn new_rule_scaffold_writes_the_rule_its_registration_and_fixtures() {
    let (Some(python), Some(rustfmt)) = (tool("python3"), tool("rustfmt")) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let at = tmp.path();
    copy(&root().join("src/lint"), &at.join("src/lint"));
    copy(
        &root().join("tests/fixtures/bases"),
        &at.join("tests/fixtures/bases"),
    );
    let out = scaffold(
        &python,
        at,
        &[
            "stale-thing-served",
            "PORT999",
            "--severity",
            "error",
            "--base",
            "node",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rule = at.join("src/lint/rules/port/stale_thing_served.rs");
    let text = fs::read_to_string(&rule).expect("the rule's file");
    for want in [
        "/// ## What it does\n",
        "/// ## Why is this bad?\n",
        "/// ## Example\n",
        "pub static STALE_THING_SERVED = {\n        code: \"PORT999\",\n        name: \"stale-thing-served\",\n        severity: Error,\n",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    let fmt = Command::new(rustfmt)
        .args(["--edition", "2024", "--check"])
        .arg(&rule)
        .output()
        .expect("rustfmt");
    assert!(
        fmt.status.success(),
        "{}",
        String::from_utf8_lossy(&fmt.stdout)
    );

    let mods = fs::read_to_string(at.join("src/lint/rules/port/mod.rs")).expect("mod.rs");
    assert!(mods.contains("\npub mod stale_thing_served;\n"), "{mods}");
    // RULES is built from the declarations: src/lint/mod.rs is not touched.
    let lint = fs::read_to_string(at.join("src/lint/mod.rs")).expect("lint/mod.rs");
    assert_eq!(
        lint,
        fs::read_to_string(root().join("src/lint/mod.rs")).expect("lint/mod.rs")
    );

    for case in ["fail", "pass"] {
        let dir = at
            .join("tests/fixtures/check/stale-thing-served")
            .join(case);
        let toml = read_fixture_toml(&dir).expect("fixture.toml");
        assert_eq!(toml.base.as_deref(), Some("node"), "{case}");
        assert_eq!(toml.containers, (case == "pass").then_some(1), "{case}");
    }

    // Nothing is overwritten: the same name, or a code in use, is refused.
    for args in [
        ["stale-thing-served", "PORT998"],
        ["other-thing-served", "PORT999"],
        ["other-thing-served", "PORT001"],
    ] {
        let again = scaffold(&python, at, &args);
        assert_eq!(again.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(fs::read_to_string(&rule).expect("rule"), text);
}
