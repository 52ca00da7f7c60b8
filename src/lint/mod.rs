//! The linter: every rule is declared once with `declare_rule!` (code, name, default
//! severity, and a doc comment with the sections `What it does`, `Why is this bad?` and
//! `Example`) and listed once in [`RULES`]. That one list drives `gen check`, `gen explain`,
//! `gen rules`, the SARIF rule metadata and the README's rule table.
//!
//! A rule is a plain function from a [`Context`] to diagnostics; [`run`] runs the selected
//! rules, folds what follows from a config nginx does not load into its root cause
//! (`fold`) and drops what suppression comments allow.
//!
//! The layers inside the linter: the model ([`crate::model`], [`crate::deploy`]) is built
//! when the command reads the files ([`ContainerDir::new`], [`crate::deploy::Project::new`]);
//! the fact layer, [`analysis`], derives what several rule families read (how nginx meets
//! the apps, what the image exposes, what is absent from it, how PID 1 starts the
//! processes, nginx's config as `nginx -t` loads it), worked out once per container
//! directory on first use and cached in the [`ContainerDir`], which a change of its texts
//! replaces ([`ContainerDir::with_texts`]); [`rules`] holds the rules only, each reading
//! the context, the analyses and the model, never another family's rules (what two
//! families share moves to [`analysis`]); the findings are [`crate::diagnostic`]s, which
//! the commands render.
//!
//! Adding a rule (CONTRIBUTING.md has the whole recipe; `scripts/new-rule.py NAME CODE`
//! writes the rule's file, its module line and the fixtures' skeleton): write
//! `rules/<family>/<rule_name>.rs` with one `declare_rule!` and its `check` function
//! (findings made with [`Rule::diagnostic`], so code, name and severity come from the
//! declaration) and add the module to the family's `mod.rs` ([`RULES`] is built from the
//! declarations by build.rs); give it a failing and a passing fixture under
//! tests/fixtures/check/<rule-name>/ (found by tests/fixtures_check.rs), bless their
//! snapshots with `GEN_BLESS=1 cargo test` and review them with
//! `scripts/review-snapshots.sh`, and rewrite the README's table with
//! `GEN_BLESS=1 cargo test readme`.
//!
//! A rule that reads more than one container directory's files (the compose projects, the
//! spec, the other containers) is listed in `ACROSS`, so that `gen lsp` does not keep its
//! findings per container.
//!
//! Renaming or removing a rule: record its old code and name in [`removed::REMOVED`], so
//! `gen explain OLD` says what became of it and ignore lists keep working with a warning.
//! A rule reports only under its own code: [`run`] stops a debug build (every test) at a
//! finding under another code.

pub mod analysis;
mod context;
pub mod date;
pub mod docs;
mod fold;
pub mod removed;
pub mod rules;
pub mod suppress;

pub use context::{ContainerDir, Context, DriftKind, FileDrift, SourceFile, SpecFile};

use crate::diagnostic::{Diagnostic, Label, Severity, Sources};
use std::collections::HashMap;

/// A lint rule. Build one with `declare_rule!`, never by hand, so the docs and the
/// behaviour cannot drift apart.
#[derive(Debug)]
pub struct Rule {
    /// `PORT001`: a family prefix and three digits.
    pub code: &'static str,
    /// `upstream-port-mismatch`: kebab-case, naming the bad pattern (not the fix).
    pub name: &'static str,
    pub severity: Severity,
    /// The doc comment as written: one `///` line per line, each keeping its leading space.
    pub doc: &'static str,
    /// Reads the context and pushes one diagnostic per finding, made with
    /// [`Rule::diagnostic`].
    pub check: fn(&Context, &mut Vec<Diagnostic>),
}

/// Declares a rule as a `static` [`Rule`], in the style of clippy's `declare_clippy_lint!`:
///
/// ```text
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     /// ## Why is this bad?
///     /// ...
///     /// ## Example
///     /// ...
///     pub static GENERATED_DRIFT = {
///         code: "GEN001",
///         name: "generated-drift",
///         severity: Error,
///         check: check,
///     }
/// }
/// ```
/// in a file of its own under rules/; build.rs lists it in [`RULES`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            check: $check:path $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        $vis static $ident: $crate::lint::Rule = $crate::lint::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$severity,
            doc: concat!($($doc, "\n"),+),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, sorted by code: each `declare_rule!` under rules/, found by build.rs.
pub static RULES: &[&Rule] = include!(concat!(env!("OUT_DIR"), "/rules.rs"));

impl Rule {
    /// A finding of this rule: its code, name and severity, with `message` at `primary`.
    #[must_use]
    pub fn diagnostic(&self, message: impl Into<String>, primary: Label) -> Diagnostic {
        Diagnostic::new(self.code, self.name, self.severity, message, primary)
    }

    /// The doc comment as Markdown, without the space `///` leaves at each line's start.
    #[must_use]
    pub fn explanation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    }

    /// The text of section `## title` of the doc, trimmed; `None` when there is none.
    #[must_use]
    pub fn section(&self, title: &str) -> Option<String> {
        let doc = self.explanation();
        let heading = format!("## {title}");
        let mut lines = doc.lines().skip_while(|l| l.trim() != heading).skip(1);
        let mut body = Vec::new();
        let mut fenced = false;
        for l in lines.by_ref() {
            if l.starts_with("```") {
                fenced = !fenced;
            }
            if !fenced && l.starts_with("## ") {
                break;
            }
            body.push(l);
        }
        let text = body.join("\n").trim().to_owned();
        (!text.is_empty()).then_some(text)
    }

    /// One line for tables: the first paragraph of `What it does`.
    #[must_use]
    pub fn summary(&self) -> String {
        self.section("What it does")
            .unwrap_or_default()
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The rule with this code or name (either case), if any.
#[must_use]
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// The code or name closest to `key`, for "did you mean" hints.
#[must_use]
pub fn suggest(key: &str) -> Option<&'static str> {
    let codes: Vec<&'static str> = RULES.iter().map(|r| r.code).collect();
    let names: Vec<&'static str> = RULES.iter().map(|r| r.name).collect();
    crate::spec::nearest(&key.to_ascii_uppercase(), &codes)
        .or_else(|| crate::spec::nearest(&key.to_ascii_lowercase(), &names))
}

/// A code or name that names no rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{key}` in `{flag}`")]
pub struct UnknownRule {
    pub key: String,
    /// Where it was given: `--select`, `--ignore`.
    pub flag: &'static str,
    pub suggestion: Option<&'static str>,
    /// What became of it, when it named a rule gen no longer has.
    pub removed: Option<String>,
}

impl UnknownRule {
    /// `key`, given at `flag`, with a suggestion or what became of it.
    #[must_use]
    pub fn new(key: &str, flag: &'static str) -> Self {
        Self {
            key: key.to_owned(),
            flag,
            suggestion: suggest(key),
            removed: match removed::Key::lookup(key) {
                removed::Key::Removed(old) => Some(format!(
                    "it was removed in gen {}: {}",
                    old.since,
                    old.reason()
                )),
                _ => None,
            },
        }
    }

    /// What to do about it.
    #[must_use]
    pub fn help(&self) -> String {
        match (&self.removed, self.suggestion) {
            (Some(why), _) => format!("{why}; `gen rules` lists every rule"),
            (None, Some(s)) => format!("did you mean `{s}`? `gen rules` lists every rule"),
            (None, None) => "`gen rules` lists every rule".to_owned(),
        }
    }
}

/// The rules to run: those in `select` (all when empty) less those in `ignore`, both given
/// by code or name. A renamed code stands for its new rule; a removed one in `ignore` is
/// skipped. Each of these adds a line to `warnings`.
///
/// # Errors
/// The first code or name that names no rule (a removed one in `select` included: it
/// would select nothing).
pub fn resolve(
    select: &[String],
    ignore: &[String],
    warnings: &mut Vec<String>,
) -> Result<Vec<&'static Rule>, UnknownRule> {
    let mut selected = Vec::new();
    for k in select {
        let key = removed::Key::lookup(k);
        let rule = key.rule().ok_or_else(|| UnknownRule::new(k, "--select"))?;
        warnings.extend(key.warning(k, "--select"));
        selected.push(rule);
    }
    let mut ignored = Vec::new();
    for k in ignore {
        let key = removed::Key::lookup(k);
        if matches!(key, removed::Key::Unknown) {
            return Err(UnknownRule::new(k, "--ignore"));
        }
        warnings.extend(key.warning(k, "--ignore"));
        ignored.extend(key.rule());
    }
    Ok(RULES
        .iter()
        .copied()
        .filter(|r| selected.is_empty() || selected.iter().any(|s| s.code == r.code))
        .filter(|r| !ignored.iter().any(|s| s.code == r.code))
        .collect())
}

/// The findings of one run, after suppression comments.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Sorted by file, line, column and code.
    pub diagnostics: Vec<Diagnostic>,
    /// How many findings suppression comments allowed.
    pub suppressed: usize,
}

/// Runs `rules` over `ctx`: collects their findings and drops those a `gen: ignore[...]`
/// comment allows. How to allow a finding is the human renderer's to say, once.
#[must_use]
pub fn run(ctx: &Context, rules: &[&'static Rule]) -> Outcome {
    let found = rules.iter().flat_map(|r| findings_of(ctx, r)).collect();
    finish(ctx, found)
}

/// The rules whose findings on a container directory depend on more than its own files:
/// the compose projects and manifests that run it, the spec and how the output differs
/// from it, or (for the parse errors of files no model reads) the other containers of the
/// run. Every other rule finds in each container directory what it finds in that directory
/// alone, in the order of the directories: `gen lsp` keeps those findings per container
/// between lints (`commands/lsp/cache.rs`, whose test holds every fixture to it).
const ACROSS: &[&str] = &[
    "DKR003", "ENV001", "ENV003", "GEN001", "GEN002", "HC001", "HC002", "HC003", "HC004", "K8S001",
    "NGX006", "PATH003", "PORT003", "PORT004", "PORT005", "PRS001", "PRS002", "PRS003", "PRS008",
    "TIME001",
];

impl Rule {
    /// Whether the rule's findings on a run's containers are those it finds on each
    /// container directory alone, one after the other (see [`ACROSS`]).
    #[must_use]
    pub fn per_container(&self) -> bool {
        !ACROSS.contains(&self.code)
    }
}

/// The findings of one rule on `ctx`, before suppression comments: what [`run`] collects of
/// each rule.
#[must_use]
pub fn findings_of(ctx: &Context, rule: &'static Rule) -> Vec<Diagnostic> {
    let mut mine = Vec::new();
    (rule.check)(ctx, &mut mine);
    // A rule reports only under its own code; anything else would escape --ignore. A
    // debug build (every test) stops at such a finding, so the mistake is found; a
    // release build drops it.
    for d in &mine {
        debug_assert!(
            d.code == rule.code && d.name == rule.name,
            "rule {} ({}) reported a finding under {} ({}): a rule reports only under its own code",
            rule.code,
            rule.name,
            d.code,
            d.name
        );
    }
    mine.retain(|d| d.code == rule.code && d.name == rule.name);
    mine
}

/// What [`run`] makes of the findings of its rules on `ctx`, in the order of the rules:
/// those that follow from a config nginx does not load folded into it, those suppression
/// comments allow dropped, the rest sorted.
#[must_use]
pub fn finish(ctx: &Context, mut found: Vec<Diagnostic>) -> Outcome {
    // One root cause, one finding: what follows from a config nginx does not load is held
    // back.
    fold::fold(ctx, &mut found);
    let sources = ctx.sources(&found);
    let mut allows: HashMap<String, Vec<Allow>> = HashMap::new();
    let mut outcome = Outcome::default();
    for d in found {
        let file = &d.primary.file;
        let list = allows
            .entry(file.clone())
            .or_insert_with(|| Allow::in_file(ctx, file, &sources));
        let line = d.primary.start.line;
        if list.iter().any(|a| a.covers(line, &d)) {
            outcome.suppressed += 1;
            continue;
        }
        outcome.diagnostics.push(d);
    }
    outcome.diagnostics.sort_by(|a, b| {
        (&a.primary.file, a.primary.start, &a.code, &a.message).cmp(&(
            &b.primary.file,
            b.primary.start,
            &b.code,
            &b.message,
        ))
    });
    // Containers built from one context share its files: a finding in one of them is
    // found once per container.
    outcome.diagnostics.dedup();
    outcome
}

/// What one well-formed suppression comment allows: rules on some lines, by code or name
/// as written, and the new code of each renamed one.
struct Allow {
    lines: (usize, usize),
    renamed: Vec<&'static str>,
    written: Vec<String>,
}

impl Allow {
    fn in_file(ctx: &Context, file: &str, sources: &Sources) -> Vec<Self> {
        let (Some(syntax), Some(text)) = (ctx.comment_syntax(file), sources.get(file)) else {
            return Vec::new();
        };
        suppress::directives(syntax, text)
            .into_iter()
            .filter_map(|d| {
                Some(Self {
                    lines: d.lines,
                    renamed: d
                        .rules
                        .as_ref()
                        .ok()?
                        .iter()
                        .filter_map(|(k, _)| match removed::Key::lookup(k) {
                            removed::Key::Renamed(_, now) => Some(now.code),
                            _ => None,
                        })
                        .collect(),
                    written: d.rules.ok()?.iter().map(|(k, _)| (*k).to_owned()).collect(),
                })
            })
            .collect()
    }

    fn covers(&self, line: usize, d: &Diagnostic) -> bool {
        (self.lines.0..=self.lines.1).contains(&line)
            && (self.renamed.contains(&d.code.as_str())
                || self
                    .written
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(&d.code) || k.eq_ignore_ascii_case(&d.name)))
    }
}

#[cfg(test)]
mod tests;
