//! `include-limit-reached`: an nginx config too large or too deeply nested for gen to
//! follow in full.

use super::problems;
use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};
use crate::model::ProblemKind;

declare_rule! {
    /// ## What it does
    /// Reports where gen stops following nginx's `include`s.
    ///
    /// That is past 16 levels of nesting or 256 files, or at a file larger or more deeply
    /// nested than gen's parser reads. nginx itself may read such a config fine; gen does
    /// not look further.
    ///
    /// ## Why is this bad?
    /// What lies beyond is not checked: listeners, proxy targets and headers there are
    /// unknown to every other rule, so a clean result says less than it seems. Configs that
    /// large are rarely intended in a single container (an include of `/etc/nginx/*` or of
    /// a directory of generated files).
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     include /etc/nginx/sites/*/*.conf;   # 300 files
    /// }
    /// ```
    ///
    /// Use instead: include only the files this container serves.
    pub static INCLUDE_LIMIT_REACHED = {
        code: "PRS006",
        name: "include-limit-reached",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    problems(
        ctx,
        ProblemKind::Limit,
        &INCLUDE_LIMIT_REACHED,
        "nginx.conf",
        "gen stops following includes here",
        "what this `include` brings in is not checked: include fewer files, or allow this finding",
        out,
    );
}
