//! `nginx-directive-not-allowed-here`: a directive in a block that does not take it.

use super::report;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::Kind;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every directive is in a context its module allows (`server` in `http`,
    /// `proxy_pass` in `location`, `worker_connections` in `events`...), judged where the
    /// file really ends up.
    ///
    /// A file included by a packaged config is in the context of that `include` (Alpine's `conf.d/*.conf` in the main context, its `http.d/*.conf` in
    /// `http`; Debian's `conf.d/` and `sites-enabled/` in `http`), and the finding names
    /// the `include`.
    ///
    /// ## Why is this bad?
    /// nginx refuses the config (`"server" directive is not allowed here`) and does not
    /// start. A site file copied to the wrong directory is the usual cause.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.22
    /// RUN apk add nginx
    /// # Alpine's nginx.conf includes conf.d/*.conf in the main context
    /// COPY site.conf /etc/nginx/conf.d/default.conf
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY site.conf /etc/nginx/http.d/default.conf
    /// ```
    pub static NGINX_DIRECTIVE_NOT_ALLOWED_HERE = {
        code: "NGX011",
        name: "nginx-directive-not-allowed-here",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, &NGINX_DIRECTIVE_NOT_ALLOWED_HERE, Kind::Context, out);
}
