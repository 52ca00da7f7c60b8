//! Documentation generated from [`RULES`]: `gen explain`, `gen rules`, the README's rule
//! table, and the rule metadata of the SARIF output. Nothing here is written by hand per rule.

use super::{RULES, Rule};
use crate::diagnostic::render::sarif::RuleMeta;
use std::fmt::Write as _;

/// The text `gen explain CODE` prints: a heading, the default severity, then the doc comment.
#[must_use]
pub fn explain(rule: &Rule) -> String {
    format!(
        "# {} ({})\n\nDefault severity: {}.\n\n{}\n",
        rule.name,
        rule.code,
        rule.severity.as_str(),
        rule.explanation()
    )
}

/// The table `gen rules` prints: code, name, severity and summary, in aligned columns.
#[must_use]
pub fn table() -> String {
    let rows: Vec<[String; 4]> =
        std::iter::once(["CODE", "NAME", "SEVERITY", "SUMMARY"].map(str::to_owned))
            .chain(RULES.iter().map(|r| {
                [
                    r.code.to_owned(),
                    r.name.to_owned(),
                    r.severity.as_str().to_owned(),
                    r.summary(),
                ]
            }))
            .collect();
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for [code, name, sev, summary] in &rows {
        let _ = writeln!(out, "{code:w0$}  {name:w1$}  {sev:w2$}  {summary}");
    }
    out
}

/// The start and end markers of the rule table in README.md.
pub const README_START: &str = "<!-- rules:start -->";
pub const README_END: &str = "<!-- rules:end -->";

/// The Markdown rule table that README.md holds between [`README_START`] and [`README_END`].
#[must_use]
pub fn readme_table() -> String {
    let mut out =
        String::from("| Code | Name | Severity | What it does |\n| --- | --- | --- | --- |\n");
    for r in RULES {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary().replace('|', "\\|")
        );
    }
    out
}

/// `readme` with the text between the rule-table markers replaced by [`readme_table`];
/// `None` when the markers are missing or out of order.
#[must_use]
pub fn with_readme_table(readme: &str) -> Option<String> {
    let start = readme.find(README_START)? + README_START.len();
    let end = start + readme[start..].find(README_END)?;
    Some(format!(
        "{}\n{}{}",
        &readme[..start],
        readme_table(),
        &readme[end..]
    ))
}

/// The SARIF rule metadata for every rule, in [`RULES`] order.
#[must_use]
pub fn sarif_rules() -> Vec<RuleMeta> {
    RULES
        .iter()
        .map(|r| RuleMeta {
            id: r.code.to_owned(),
            name: r.name.to_owned(),
            short: r.summary(),
            full: r.section("What it does").unwrap_or_default(),
            help_markdown: r.explanation(),
            severity: r.severity,
        })
        .collect()
}
