//! `invalid-nginx-arguments`: a directive with the wrong number of arguments, a block where
//! it takes none or none where it takes one; and the `;` missing at the end of a line, so
//! that the next line became arguments.

use super::report;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::Kind;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks each directive's shape against nginx's declaration of it: the number of
    /// arguments (none, exactly one, one or two, one or more...), and whether it takes a
    /// `{ ... }` block.
    ///
    /// When the arguments run into a later line that starts with a directive name, the `;`
    /// at the end of the earlier line is missing: the finding points there instead of at
    /// the count.
    ///
    /// ## Why is this bad?
    /// nginx refuses the config (`invalid number of arguments in "proxy_pass" directive`,
    /// `directive "location" has no opening "{"`) and does not start. A missing `;` makes
    /// the next directive disappear into the previous one, so it is as if it were not
    /// written at all.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000
    ///     proxy_set_header Host $host;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000;
    ///     proxy_set_header Host $host;
    /// }
    /// ```
    pub static INVALID_NGINX_ARGUMENTS = {
        code: "NGX012",
        name: "invalid-nginx-arguments",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, &INVALID_NGINX_ARGUMENTS, Kind::Arguments, out);
}
