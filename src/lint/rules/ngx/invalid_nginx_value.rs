//! `invalid-nginx-value`: a value nginx refuses while it reads the config, or a directive
//! it refuses to see twice.

use super::report;
use crate::diagnostic::Diagnostic;
use crate::lint::analysis::nginx_load::Kind;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the values nginx checks when it reads the file, and what it refuses to see
    /// twice.
    ///
    /// The values: `on`/`off` flags, sizes (`10m`), times (`30s`, `1h 30m`), numbers, `listen`'s port and parameters, `if`
    /// conditions as nginx reads them (in parentheses, with a known operator or file
    /// test), and regular expressions, compiled by PCRE2 with nginx's options wherever
    /// nginx compiles one when it loads the config (`location ~`, `server_name ~`, `if`,
    /// `rewrite`, `map`, `valid_referers`, `proxy_redirect`, `proxy_cookie_*`,
    /// `fastcgi_split_path_info`, `gzip_disable`); and what nginx refuses to see twice: a
    /// directive with a single value set twice in one block, `root` and `alias` in one
    /// location, two locations with the same path in one block, two `default_server`s for
    /// one address, and a variable of nginx's own that the config defines again with `set`,
    /// `map`, `geo`, `split_clients` or a named capture (`(?<host>...)`; http's and
    /// stream's), which nginx allows only for the few it lets the config change (`$args`,
    /// `$limit_rate`).
    ///
    /// Values built from variables, and `listen` addresses that are host names (nginx
    /// resolves them), are not judged.
    ///
    /// ## Why is this bad?
    /// nginx refuses the config (`"client_max_body_size" directive invalid value`,
    /// `invalid parameter "defualt_server"`, `invalid condition "$x"`, `pcre2_compile()
    /// failed: missing closing parenthesis in "^/(abc"`, `a duplicate default server for
    /// 0.0.0.0:80`, `the duplicate "host" variable`) and does not start.
    ///
    /// ## Example
    /// ```nginx
    /// client_max_body_size 10mb;
    /// proxy_read_timeout 60sec;
    /// location ~ ^/(?<host>[a-z]+)/(abc {
    ///     if $http_x_debug {
    ///         return 403;
    ///     }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// client_max_body_size 10m;
    /// proxy_read_timeout 60s;
    /// location ~ ^/(?<tenant>[a-z]+)/(abc) {
    ///     if ($http_x_debug) {
    ///         return 403;
    ///     }
    /// }
    /// ```
    pub static INVALID_NGINX_VALUE = {
        code: "NGX013",
        name: "invalid-nginx-value",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, &INVALID_NGINX_VALUE, Kind::Value, out);
}
