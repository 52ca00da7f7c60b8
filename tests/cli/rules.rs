//! `gen rules`, `gen explain` and the README's rule table: all from the one rule list.

use crate::harness::{blessing, gen_in, root};
use gen_core::lint::{RULES, docs};

#[test]
fn rules_prints_the_table_of_every_rule() {
    let run = gen_in(&root(), &["rules"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, docs::table());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), RULES.len() + 1);
    // Columns are as wide as their longest cell, so compare words, not spacing.
    let words = |l: &str| l.split_whitespace().take(5).collect::<Vec<_>>().join(" ");
    assert_eq!(
        words(lines[0]),
        "CODE NAME SEVERITY SUMMARY",
        "{}",
        lines[0]
    );
    let drift = lines
        .iter()
        .find(|l| l.starts_with("GEN001"))
        .expect("GEN001 listed");
    assert!(
        drift
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .starts_with("GEN001 generated-drift error Checks that every file"),
        "{drift}"
    );
    assert!(drift.contains(" Checks that every file"), "{drift}");
}

#[test]
fn explain_takes_a_code_or_a_name() {
    let by_code = gen_in(&root(), &["explain", "GEN001"]);
    let by_name = gen_in(&root(), &["explain", "generated-drift"]);
    let lower = gen_in(&root(), &["explain", "gen001"]);
    assert_eq!(by_code.code, 0);
    assert_eq!(by_code.stdout, by_name.stdout);
    assert_eq!(by_code.stdout, lower.stdout);
    assert!(
        by_code
            .stdout
            .starts_with("# generated-drift (GEN001)\n\nDefault severity: error.\n\n## What it does\nChecks that every file"),
        "{}",
        by_code.stdout
    );
    for section in ["## Why is this bad?\n", "## Example\n"] {
        assert!(by_code.stdout.contains(section), "{section}");
    }
}

#[test]
fn explain_works_for_every_rule() {
    for rule in RULES {
        let run = gen_in(&root(), &["explain", rule.code]);
        assert_eq!(run.code, 0, "{}", rule.code);
        assert_eq!(run.stdout, docs::explain(rule));
    }
}

#[test]
fn explain_of_an_unknown_rule_suggests_one() {
    let run = gen_in(&root(), &["explain", "generated-drfit"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "error: unknown rule `generated-drfit`\nhelp: did you mean `generated-drift`? `gen rules` lists every rule\n"
        )
    );
    let run = gen_in(&root(), &["explain", "XYZ"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "error: unknown rule `XYZ`\nhelp: `gen rules` lists every rule\n"
        )
    );
}

#[test]
fn readme_rule_table_matches_the_rule_list() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let want = docs::with_readme_table(&readme).expect("README.md has the rule-table markers");
    if blessing() {
        std::fs::write(&path, &want).expect("write README.md");
        return;
    }
    assert!(
        readme == want,
        "README.md's rule table is out of date; run `GEN_BLESS=1 cargo test readme` to rewrite it.\n--- expected\n{want}"
    );
}
