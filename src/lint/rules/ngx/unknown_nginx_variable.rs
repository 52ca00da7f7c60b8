//! `unknown-nginx-variable`: a variable that nothing defines.

use super::report;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::Kind;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that every `$variable` an http directive uses is defined, by a module of
    /// nginx or by the config itself.
    ///
    /// Only the arguments nginx compiles as scripts when it loads the config are read
    /// (`return`, `root`, `proxy_pass`, `proxy_set_header`, `add_header`, `access_log`,
    /// `log_format`, `sub_filter`..., and the values of `map` entries: which ones is read
    /// from nginx's source); in the
    /// others a `$` is a character (`perl_set`'s Perl code, `error_log`'s file name,
    /// `mirror`'s URI, `proxy_hide_header`'s header name).
    ///
    /// Defined are the variables of nginx's modules (`$host`, `$request_uri`, and the
    /// prefixes `$http_...`, `$arg_...`, `$cookie_...`, `$sent_http_...`,
    /// `$upstream_http_...`) and those the config defines (`set`, `map`, `geo`,
    /// `split_clients`, `auth_request_set`, a named capture of a regular expression). Not
    /// judged when the image may load a module gen does not know.
    ///
    /// ## Why is this bad?
    /// nginx refuses the config (`unknown "bad_request" variable`) and does not start;
    /// the message names no file or line.
    ///
    /// ## Example
    /// ```nginx
    /// if ($bad_request) {
    ///     return 400;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// map $request_method $bad_request {
    ///     default 0;
    ///     TRACE   1;
    /// }
    /// ```
    pub static UNKNOWN_NGINX_VARIABLE = {
        code: "NGX014",
        name: "unknown-nginx-variable",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, &UNKNOWN_NGINX_VARIABLE, Kind::Variable, out);
}
