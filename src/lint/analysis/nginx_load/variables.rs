//! Variables nginx cannot find when it starts: every `$name` in the arguments of an http
//! directive that nginx compiles as scripts (the table's `variables` column, read from
//! nginx's source by `scripts/nginx-directives/extract.py`: `return`, `root`,
//! `proxy_set_header`, `access_log`, not `error_log`, `perl_set` or `ssl_password_file`),
//! and in the values of `map` entries, must be one a module defines (the table's, with
//! prefixes such as `$http_` and `$arg_`), or one the config defines with `set`, `map`,
//! `geo`, `split_clients`, `auth_request_set`, `perl_set`/`js_set`, or a named capture of
//! a regular expression nginx compiles with `ngx_http_regex_compile` (not
//! `valid_referers`', `gzip_disable`'s or `fastcgi_split_path_info`'s).
//! nginx reports the first it misses as `unknown "name" variable` and does not start.
//!
//! Arguments that are regular expressions (a `location`'s, `rewrite`'s first, the operand
//! of an `if` match, a `~` name) are not read for variables: `$` ends a line there.
//!
//! The other way round, [`redefined`]: a variable the config defines (`set`, `map`, `geo`,
//! `split_clients`, `auth_request_set`, `perl_set`, or a named capture, which
//! `ngx_http_regex_compile` and `ngx_stream_regex_compile` add as variables) that one of
//! nginx's own modules already defines without `NGX_HTTP_VAR_CHANGEABLE` (`$host`, `$uri`;
//! not `$args` or `$limit_rate`): `ngx_http_add_variable` refuses it with `the duplicate
//! "host" variable`, at the directive that defines it, and nginx does not start. http's
//! variables and stream's are apart.

use super::build::Build;
use super::table::{ctx, table};
use super::{Finding, Kind, Place};
use crate::model::{Nginx, NginxDirective, Origin};
use std::collections::HashSet;

/// The `$name` references of a value: `(offset, name)`, `${name}` included; captures
/// (`$1`) are left out.
fn references(v: &str) -> Vec<(usize, &str)> {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        let braced = bytes.get(i + 1) == Some(&b'{');
        let from = if braced { i + 2 } else { i + 1 };
        let mut end = from;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let name = v.get(from..end).unwrap_or("");
        if !name.is_empty() && !name.bytes().all(|b| b.is_ascii_digit()) {
            out.push((start, name));
        }
        i = end.max(start + 1);
    }
    out
}

/// Named captures of a regular expression: `(?<name>`, `(?P<name>`, `(?'name'`. Found
/// from the value's `(`s: most values have none, and `str::find` would build a searcher
/// for each value and each of the three openings.
fn captures(v: &str, out: &mut HashSet<String>) {
    for (at, _) in v.match_indices('(') {
        let rest = &v[at..];
        let Some(pat) = ["(?<", "(?P<", "(?'"]
            .into_iter()
            .find(|p| rest.starts_with(p))
        else {
            continue;
        };
        let name: String = rest[pat.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name.to_ascii_lowercase());
        }
    }
}

/// The variables the config itself defines.
fn defined(n: &Nginx) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut add = |d: &NginxDirective, k: usize| {
        if let Some(v) = d.arg(k).and_then(|a| a.strip_prefix('$')) {
            out.insert(
                v.trim_start_matches('{')
                    .trim_end_matches('}')
                    .to_ascii_lowercase(),
            );
        }
    };
    for d in &n.directives {
        match d.name.as_str() {
            "set" | "auth_request_set" | "perl_set" | "js_set" | "js_var" => add(d, 0),
            "map" | "split_clients" => add(d, 1),
            "geo" | "geoip2" => add(d, d.args.len().saturating_sub(1)),
            _ => {}
        }
    }
    let mut caps = HashSet::new();
    for d in &n.directives {
        // These compile their pattern with `ngx_regex_compile`, which defines no variable.
        if matches!(
            d.name.as_str(),
            "valid_referers" | "gzip_disable" | "fastcgi_split_path_info"
        ) {
            continue;
        }
        for a in &d.args {
            captures(&a.value, &mut caps);
        }
        captures(&d.name, &mut caps);
    }
    out.extend(caps);
    out
}

/// Whether argument `k` of `d` is a regular expression (or a name nginx does not expand).
fn not_expanded(d: &NginxDirective, k: usize) -> bool {
    let v = d.arg(k).unwrap_or("");
    match d.name.as_str() {
        "location" | "server_name" | "valid_referers" | "set" | "map" | "geo" | "split_clients" => {
            // `set $x value` and `map $src $x`: the value and the source are expanded.
            !(matches!(d.name.as_str(), "set" | "split_clients") && k == 1
                || d.name == "map" && k == 0
                || d.name == "geo" && k == 0 && d.args.len() == 2)
        }
        "rewrite" => k == 0,
        "if" => k > 0 && d.arg(k - 1).is_some_and(|op| op.contains('~')),
        "auth_request_set" => k == 0,
        // A header's or parameter's name is copied as it is; only its value is a script
        // (`add_header X-$a b;` passes `nginx -t` with `$a` defined nowhere).
        "add_header" | "add_trailer" | "proxy_set_header" | "grpc_set_header" | "fastcgi_param"
        | "uwsgi_param" | "scgi_param" => k == 0,
        _ => v.starts_with('~'),
    }
}

/// Http contexts, where variables are expanded.
const HTTP: u32 = ctx::HTTP | ctx::SRV | ctx::LOC | ctx::UPS | ctx::SIF | ctx::LIF | ctx::LMT;

/// Pushes one finding per variable nginx does not know, at its first use.
pub(super) fn check(n: &Nginx, build: &Build, places: &[Place], out: &mut Vec<Finding>) {
    let version = build.version;
    let t = table();
    let mine = defined(n);
    let mut said: HashSet<String> = HashSet::new();
    for d in &n.directives {
        // An entry of a `map` block (`key value;`): nginx compiles its value, not its key.
        let map = d
            .parent
            .and_then(|p| n.directives.get(p))
            .filter(|p| p.name == "map" && p.block);
        let map_value = map.is_some() && !d.block && d.args.len() == 1 && d.name != "include";
        let place_of = |p: Option<usize>| p.and_then(|p| places.get(p).copied());
        let here = if map_value {
            place_of(map.and_then(|m| m.parent))
        } else {
            place_of(d.parent)
        };
        let Some(Place::Known { bits, .. }) = here else {
            continue;
        };
        // Only where nginx compiles the arguments as scripts (the table's `variables`, read
        // from nginx's source): elsewhere a `$` is a character (`perl_set`'s Perl code,
        // `error_log`'s file name).
        let compiled =
            map_value || t.rows(&d.name).iter().any(|r| r.variables) && !d.name.contains("_by_lua");
        if bits & HTTP == 0 || !compiled || key_alone(n, d) {
            continue;
        }
        for (k, a) in d.args.iter().enumerate() {
            if !map_value && not_expanded(d, k) {
                continue;
            }
            // nginx takes an `if`'s first word whole as a variable name (`$a=b` is `a=b`).
            let whole = (d.name == "if" && k == 0 && a.value.len() > 1)
                .then(|| a.value.strip_prefix('$'))
                .flatten();
            let names = whole.map_or_else(|| references(&a.value), |w| vec![(0, w)]);
            for (_, name) in names {
                let lower = name.to_ascii_lowercase();
                if mine.contains(&lower)
                    || t.has_variable(&lower, version)
                    || build.module_variable(&lower)
                    || said.contains(&lower)
                {
                    continue;
                }
                said.insert(lower);
                out.push(Finding {
                    kind: Kind::Variable,
                    message: format!("unknown `{name}` variable"),
                    origin: d.arg_origin(k),
                    label: format!("no module and no directive of this config defines `${name}`"),
                    help: format!(
                        "define it (`set ${name} ...;`, or a `map ... ${name} {{ ... }}` in `http`), or fix the name{}",
                        near(name).map_or(String::new(), |v| format!(": did you mean `${v}`?"))
                    ),
                    related: Vec::new(),
                });
            }
        }
    }
}

/// An `ssl_certificate_key` no `ssl_certificate` pairs with: nginx compiles the keys with
/// the certificates of a `server` (`ngx_http_ssl_compile_certificates`), so with none in
/// the key's block, the blocks around it or (for a key in `http`) any `server`, a `$` in
/// the key is never read.
fn key_alone(n: &Nginx, d: &NginxDirective) -> bool {
    if d.name != "ssl_certificate_key" {
        return false;
    }
    let ancestors = |mut at: Option<usize>| {
        let mut out = Vec::new();
        while let Some(i) = at {
            out.push(i);
            at = n.directives.get(i).and_then(|p| p.parent);
        }
        out
    };
    let mine = ancestors(d.parent);
    let in_http = d
        .parent
        .and_then(|p| n.directives.get(p))
        .is_some_and(|p| p.name == "http");
    !n.find("ssl_certificate").any(|(_, c)| {
        c.parent.is_some_and(|p| mine.contains(&p))
            || in_http && ancestors(c.parent).iter().any(|a| mine.first() == Some(a))
    })
}

/// nginx's `the duplicate "host" variable`, when `name` (a variable a directive of `module`
/// defines, as written) is one that a module of this nginx defines and does not let the
/// config define again. `how` says what defines it, for the help.
pub(super) fn redefined(
    build: &Build,
    module: &str,
    name: &str,
    origin: Origin,
    how: &str,
) -> Option<Finding> {
    let version = build.version?;
    let stream = module.starts_with("ngx_stream_");
    let lower = name.to_ascii_lowercase();
    let owner = table()
        .fixed_variable(&lower, version)
        .find(|m| m.starts_with("ngx_stream_") == stream && build.surely_has(m))?;
    Some(Finding {
        kind: Kind::Value,
        message: format!("the duplicate `{name}` variable"),
        origin,
        label: format!("already defined by nginx's `{owner}`"),
        help: format!(
            "nginx defines `${lower}` itself and does not let {how} define it again (names are compared without case): give yours another name, and use that where it is read"
        ),
        related: Vec::new(),
    })
}

/// The variable directive `d` (of `module`) defines with `set`, `map`, `geo`,
/// `split_clients`, `auth_request_set` or `perl_set`, checked by [`redefined`].
pub(super) fn defines(build: &Build, d: &NginxDirective, module: &str, out: &mut Vec<Finding>) {
    let k = match (d.name.as_str(), module) {
        ("set", "ngx_http_rewrite_module" | "ngx_stream_set_module")
        | ("auth_request_set", "ngx_http_auth_request_module")
        | ("perl_set", "ngx_http_perl_module") => 0,
        ("map", "ngx_http_map_module" | "ngx_stream_map_module")
        | ("split_clients", "ngx_http_split_clients_module" | "ngx_stream_split_clients_module") => {
            1
        }
        ("geo", "ngx_http_geo_module" | "ngx_stream_geo_module")
            if (1..=2).contains(&d.args.len()) =>
        {
            d.args.len() - 1
        }
        _ => return,
    };
    let Some(name) = d.arg(k).and_then(|a| a.strip_prefix('$')) else {
        return;
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return;
    }
    let how = format!("`{}`", d.name);
    out.extend(redefined(build, module, name, d.arg_origin(k), &how));
}

/// A known variable close to `name`.
fn near(name: &str) -> Option<&'static str> {
    const COMMON: [&str; 24] = [
        "host",
        "http_host",
        "remote_addr",
        "request_uri",
        "uri",
        "args",
        "scheme",
        "request_method",
        "server_name",
        "server_port",
        "proxy_add_x_forwarded_for",
        "http_upgrade",
        "connection_upgrade",
        "request_filename",
        "document_root",
        "query_string",
        "status",
        "body_bytes_sent",
        "http_referer",
        "http_user_agent",
        "realpath_root",
        "request_time",
        "upstream_addr",
        "binary_remote_addr",
    ];
    crate::spec::nearest(name, &COMMON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_captures() {
        assert_eq!(
            references("$host$request_uri"),
            vec![(0, "host"), (5, "request_uri")]
        );
        assert_eq!(references("${a}b $1 $"), vec![(0, "a")]);
        let mut caps = HashSet::new();
        captures("^/(?<first>[^/]+)/(?P<Second>.*)$", &mut caps);
        assert!(caps.contains("first") && caps.contains("second"));
    }
}
