//! `supervisord-parse-error`: a supervisord config that does not parse, or has a value
//! supervisord refuses.

use super::{FileType, problems, unread};
use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::model::ProblemKind;

declare_rule! {
    /// ## What it does
    /// Checks that every supervisord config file parses as supervisord reads it.
    ///
    /// That is an ini file with `%(ENV_X)s` expansions, `command=` split like a shell,
    /// `environment=` pairs, booleans and numbers where they belong, and a `command` in
    /// every program; the files its `[include]` brings in too, and those of the directory
    /// the image does not use (for these, the ini syntax only).
    ///
    /// ## Why is this bad?
    /// supervisord stops at the first value it cannot read (`Error: not a valid boolean
    /// value: 'maybe'`), and as PID 1 that ends the container before nginx or the app
    /// starts.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --port 8000
    /// autorestart=maybe
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:app]
    /// command=uvicorn main:app --port 8000
    /// autorestart=true
    /// ```
    pub static SUPERVISORD_PARSE_ERROR = {
        code: "PRS003",
        name: "supervisord-parse-error",
        severity: Error,
        check: check,
    }
}

const HELP: &str = "supervisord will not start with this file: fix the value (`supervisord -n -c FILE` reports it)";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    problems(
        ctx,
        ProblemKind::SupervisordSyntax,
        &SUPERVISORD_PARSE_ERROR,
        "supervisord.conf",
        "supervisord stops here",
        HELP,
        out,
    );
    for (f, text) in unread(ctx, FileType::Supervisord) {
        // Without the image, `%(ENV_X)s` cannot be expanded: only the ini syntax is
        // judged.
        let problem = crate::parse::supervisord::parse(text)
            .err()
            .map(|e| (format!("cannot read the supervisord config: {e}"), e.span));
        if let Some((message, span)) = problem {
            out.push(
                SUPERVISORD_PARSE_ERROR
                    .diagnostic(
                        message,
                        Label::new(&f.path, text, span, "supervisord stops here"),
                    )
                    .with_help(HELP),
            );
        }
    }
}
