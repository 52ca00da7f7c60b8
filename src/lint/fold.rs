//! One root cause, one finding: when nginx will not load a container's config (a syntax
//! error, or a load-time finding of `NGX010`-`NGX014`), the findings of the rules that
//! reason about what that nginx does once it runs are held back, and the root cause says
//! so. [`super::finish`] applies it to every run's findings, before suppression.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Context;
use crate::model::{ProblemKind, path};

/// The codes whose findings are root causes: nginx does not load the config.
const ROOT_CAUSES: [&str; 6] = ["PRS001", "NGX010", "NGX011", "NGX012", "NGX013", "NGX014"];

/// The rules that reason about what the container's nginx does once it runs (where it
/// listens, what it proxies to, the headers it sends), so that their findings only follow
/// from a config nginx does not load.
const FOLLOW_FROM_NGINX: [&str; 16] = [
    "APP001", "APP003", "HC002", "HC003", "NET001", "NET002", "NGX001", "NGX003", "NGX006",
    "PORT001", "PORT002", "PORT003", "PORT004", "PROC001", "PROC002", "SOCK001",
];

fn follows_from_nginx(code: &str) -> bool {
    FOLLOW_FROM_NGINX.contains(&code)
}

/// One root cause, one finding: in a container whose nginx config does not load, the
/// findings that only follow from it are dropped, and the first root cause says how many.
pub(super) fn fold(ctx: &Context, found: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        // Checked as `.`, a container's files are named without a directory.
        let prefix = if path::relative(&c.dir).is_empty() {
            String::new()
        } else {
            format!("{}/", c.dir.trim_end_matches('/'))
        };
        let mine = |d: &Diagnostic| {
            std::iter::once(&d.primary)
                .chain(&d.related)
                .any(|l| l.file.starts_with(&prefix))
        };
        let broken = c
            .model
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::NginxSyntax)
            || found.iter().any(|d| {
                ROOT_CAUSES.contains(&d.code.as_str()) && d.severity == Severity::Error && mine(d)
            });
        if !broken {
            continue;
        }
        // nginx stops at the first error it reads: a syntax error after a directive it
        // refuses (found by `before_syntax_errors`) is never reached, and is often only the
        // end of the file that the refused directive's stray `{` left open.
        let refused: Vec<(String, usize)> = found
            .iter()
            .filter(|d| {
                d.code != "PRS001"
                    && ROOT_CAUSES.contains(&d.code.as_str())
                    && d.severity == Severity::Error
                    && mine(d)
            })
            .map(|d| (d.primary.file.clone(), d.primary.span.start))
            .collect();
        let unreached = |d: &Diagnostic| {
            d.code == "PRS001"
                && refused
                    .iter()
                    .any(|(file, start)| *file == d.primary.file && *start < d.primary.span.start)
        };
        let mut held: Vec<String> = Vec::new();
        found.retain(|d| {
            let drop = (follows_from_nginx(&d.code) || unreached(d)) && mine(d);
            if drop && !held.contains(&d.code) {
                held.push(d.code.clone());
            }
            !drop
        });
        if held.is_empty() {
            continue;
        }
        held.sort();
        if let Some(root) = found
            .iter_mut()
            .filter(|d| ROOT_CAUSES.contains(&d.code.as_str()) && mine(d))
            .min_by_key(|d| (d.primary.file.clone(), d.primary.start))
        {
            let note = format!(
                "gen holds back what follows from this ({}): fix this first, then run `gen check` again",
                held.join(", ")
            );
            root.help = Some(match root.help.take() {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        }
    }
}
