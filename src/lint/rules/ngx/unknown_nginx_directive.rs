//! `unknown-nginx-directive`: a directive no module of the image's nginx declares.

use super::report;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::Kind;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every directive of the nginx config against the directives nginx declares,
    /// for the nginx the image installs, and suggests the nearest name for a typo.
    ///
    /// The table covers Debian's, Ubuntu's, Alpine's and nginx.org's nginx, by version.
    ///
    /// A directive of a dynamic module the image does not load (`stream`, `mail`, `geoip`,
    /// `image_filter`, `perl`, `xslt`, and the third-party modules the distributions
    /// package: headers-more, echo, lua, njs, nchan...) says which package or `load_module`
    /// provides it; an installed module package loads its module only through the
    /// `modules-enabled/` (Debian, Ubuntu) or `modules/` (Alpine) include of nginx.conf.
    /// When the image installs a module package or loads a `.so` gen has no table for, or
    /// gen cannot tell which nginx it runs, names gen does not know are left alone.
    ///
    /// ## Why is this bad?
    /// nginx stops at the first directive it does not know (`unknown directive
    /// "proxy_pas"`) and does not start. A typo in a proxy directive also leaves the app
    /// behind nginx unreached.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_pas http://127.0.0.1:8000;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000;
    /// }
    /// ```
    pub static UNKNOWN_NGINX_DIRECTIVE = {
        code: "NGX010",
        name: "unknown-nginx-directive",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, &UNKNOWN_NGINX_DIRECTIVE, Kind::Unknown, out);
}
