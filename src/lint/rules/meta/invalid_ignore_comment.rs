//! `invalid-ignore-comment`: a `gen:` comment that allows nothing.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::removed::{self, Key};
use crate::lint::{Context, declare_rule, suggest, suppress};

declare_rule! {
    /// ## What it does
    /// Checks that every `gen: ignore[...]` comment is well-formed and names rules that
    /// exist, by code or by name.
    ///
    /// A code of a renamed rule still allows its new rule and is reported with the code to
    /// write; a removed rule's code allows nothing.
    ///
    /// ## Why is this bad?
    /// A suppression comment with a typo allows nothing: the finding it was meant to allow
    /// still fails the check, or, worse, the comment stays after the rule is renamed and
    /// nobody notices that it no longer documents anything.
    ///
    /// ## Example
    /// ```nginx
    /// # gen: ignore[GEN01]
    /// # gen: ignore GEN001
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// # gen: ignore[GEN001]
    /// ```
    pub static INVALID_IGNORE_COMMENT = {
        code: "GEN002",
        name: "invalid-ignore-comment",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec.iter().map(|s| (s.path.as_str(), s.text.as_str()));
    let files = ctx
        .containers
        .iter()
        .flat_map(|c| &c.files)
        .filter_map(|f| Some((f.path.as_str(), f.text.as_deref()?)));
    // The compose files and manifests a deployment brings take suppressions too.
    let deploy = ctx
        .projects
        .iter()
        .flat_map(|p| &p.files)
        .map(|f| (f.path.as_str(), f.text.as_str()));
    // A compose file beside a Dockerfile is both a container's file and the project's.
    let mut seen = std::collections::BTreeSet::new();
    for (path, text) in spec.chain(files).chain(deploy) {
        // Most files have no directive: that is found out before their syntax is.
        if !seen.insert(path) || !suppress::may_have_directive(text) {
            continue;
        }
        let Some(syntax) = ctx.comment_syntax(path) else {
            continue;
        };
        for d in suppress::directives(syntax, text) {
            match d.rules {
                Err(span) => out.push(
                    INVALID_IGNORE_COMMENT
                        .diagnostic(
                            "malformed suppression comment",
                            Label::new(path, text, span, "expected `gen: ignore[CODE, ...]`"),
                        )
                        .with_help(format!(
                            "name the rules to allow in brackets, e.g. `{} gen: ignore[GEN001]`",
                            syntax.marker()
                        )),
                ),
                Ok(rules) => {
                    for (key, span) in rules {
                        let found = removed::Key::lookup(key);
                        let (message, label, help) = match found {
                            Key::Rule(_) => continue,
                            Key::Renamed(_, now) => (
                                format!("rule `{key}` in a suppression comment was renamed"),
                                format!("now `{}`", now.code),
                                format!("write `{}`", now.code),
                            ),
                            Key::Removed(old) => (
                                format!("rule `{key}` in a suppression comment was removed"),
                                "this rule no longer exists".to_owned(),
                                format!(
                                    "removed in gen {}: {}; the comment allows nothing, delete it",
                                    old.since,
                                    old.reason()
                                ),
                            ),
                            Key::Unknown => (
                                format!("unknown rule `{key}` in a suppression comment"),
                                "no rule has this code or name".to_owned(),
                                match suggest(key) {
                                    Some(s) => {
                                        format!("did you mean `{s}`? `gen rules` lists every rule")
                                    }
                                    None => "`gen rules` lists every rule".to_owned(),
                                },
                            ),
                        };
                        out.push(
                            INVALID_IGNORE_COMMENT
                                .diagnostic(message, Label::new(path, text, span, label))
                                .with_help(help),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ContainerDir;
    use crate::lint::date::Date;

    fn run(files: &[(&str, &str)]) -> Vec<(String, usize, usize, String)> {
        let mut ctx = Context::new(Date::from_unix_days(0));
        ctx.containers.push(ContainerDir::from_texts("c", files));
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.into_iter()
            .map(|d| {
                (
                    d.primary.file,
                    d.primary.start.line,
                    d.primary.start.column,
                    d.message,
                )
            })
            .collect()
    }

    #[test]
    fn valid_comments_pass() {
        let found = run(&[
            ("nginx.conf", "# gen: ignore[GEN001, generated-drift]\nx;\n"),
            ("app.js", "f(); // gen: ignore[gen002]\n"),
            ("package.json", "{\"a\": \"# gen: ignore[NOPE]\"}\n"),
        ]);
        assert_eq!(found, []);
    }

    #[test]
    fn unknown_and_malformed_comments_fail() {
        let found = run(&[
            ("nginx.conf", "listen 80; # gen: ignore[GEN01, GEN001]\n"),
            ("supervisord.conf", "; gen: ignore GEN001\n"),
            ("Dockerfile", "# gen: ignore[XYZ999]\nFROM x\n"),
        ]);
        let want = [
            (
                "c/Dockerfile",
                1,
                15,
                "unknown rule `XYZ999` in a suppression comment",
            ),
            (
                "c/nginx.conf",
                1,
                26,
                "unknown rule `GEN01` in a suppression comment",
            ),
            ("c/supervisord.conf", 1, 3, "malformed suppression comment"),
        ];
        let mut found = found;
        found.sort();
        let want: Vec<_> = want
            .iter()
            .map(|(f, l, c, m)| ((*f).to_owned(), *l, *c, (*m).to_owned()))
            .collect();
        assert_eq!(found, want);
    }
}
