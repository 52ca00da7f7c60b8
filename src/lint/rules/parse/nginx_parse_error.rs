//! `nginx-parse-error`: an nginx config file that does not parse.

use super::{FileType, problems, unread};
use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::model::ProblemKind;

declare_rule! {
    /// ## What it does
    /// Checks that every nginx config file parses.
    ///
    /// That is the main config, each file its `include`s bring in, the directives given
    /// with `-g` on nginx's command line, and the nginx files of the directory that the
    /// image does not use.
    ///
    /// ## Why is this bad?
    /// nginx refuses to start with a config it cannot parse (`nginx: [emerg] unexpected
    /// "}"`), so the container serves nothing; under supervisord it is restarted until
    /// supervisord gives up. A file that does not parse also hides everything after the
    /// error from the other rules.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 80
    ///     location / { proxy_pass http://127.0.0.1:8000; }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// server {
    ///     listen 80;
    ///     location / { proxy_pass http://127.0.0.1:8000; }
    /// }
    /// ```
    pub static NGINX_PARSE_ERROR = {
        code: "PRS001",
        name: "nginx-parse-error",
        severity: Error,
        check: check,
    }
}

const HELP: &str =
    "nginx will not start with this file: fix the syntax (`nginx -t` reports the same error)";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    problems(
        ctx,
        ProblemKind::NginxSyntax,
        &NGINX_PARSE_ERROR,
        "nginx.conf",
        "nginx stops reading here",
        HELP,
        out,
    );
    for (f, text) in unread(ctx, FileType::Nginx) {
        if let Err(e) = crate::parse::nginx::parse(text) {
            out.push(
                NGINX_PARSE_ERROR
                    .diagnostic(
                        format!("cannot read the nginx config: {e}"),
                        Label::new(&f.path, text, e.span, "nginx stops reading here"),
                    )
                    .with_help(HELP),
            );
        }
    }
}
