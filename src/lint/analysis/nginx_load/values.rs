//! The values nginx checks while it reads the config: the first argument of a directive
//! whose handler is one of nginx's generic ones (`on`/`off` flags, sizes, offsets, times,
//! numbers, ported from `ngx_parse_size` and `ngx_parse_time`), which also refuse a second
//! one in the same block; `listen`'s port and parameters; `if` conditions and regular
//! expressions ([`super::condition`], [`super::regex`]); and what nginx
//! refuses to see twice: `root` and `alias` in one location, two locations with the same
//! path in one block, two `default_server`s for one address, a variable of nginx's own
//! defined again ([`super::variables::redefined`]). Anything that depends on what
//! gen does not see (a host name nginx would resolve, a variable) is not judged.

use super::build::Build;
use super::table::{Row, Value};
use super::{Finding, Kind, swallowed};
use crate::model::{Model, Nginx, NginxDirective};
use std::collections::HashMap;

/// nginx's `NGX_MAX_INT_T_VALUE` and `NGX_MAX_SIZE_T_VALUE` on 64-bit Linux.
const MAX: i64 = i64::MAX;

/// `ngx_parse_size` (and `ngx_parse_offset` with `g`): digits and an optional unit.
fn size_ok(v: &str, offset: bool) -> bool {
    let (digits, scale): (&str, i64) = match v.as_bytes().last() {
        Some(b'k' | b'K') => (&v[..v.len() - 1], 1 << 10),
        Some(b'm' | b'M') => (&v[..v.len() - 1], 1 << 20),
        Some(b'g' | b'G') if offset => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.parse::<i64>().is_ok_and(|n| n <= MAX / scale)
}

/// `ngx_parse_time`: `1h 30m`, `500ms`, `60`; in seconds (`is_sec`) `ms` is refused, in
/// milliseconds years are.
fn time_ok(v: &str, is_sec: bool) -> bool {
    // The steps in order: year, month, week, day, hour, minute, second, millisecond, last.
    let mut step = if is_sec { 0 } else { 2 };
    let mut value: i64 = 0;
    let mut valid = false;
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        i += 1;
        if c.is_ascii_digit() {
            let Some(next) = value
                .checked_mul(10)
                .and_then(|x| x.checked_add(i64::from(c - b'0')))
            else {
                return false;
            };
            value = next;
            valid = true;
            continue;
        }
        let (new_step, scale): (u8, i64) = match c {
            b'y' if step == 0 => (1, 60 * 60 * 24 * 365),
            b'M' if step < 2 => (2, 60 * 60 * 24 * 30),
            b'w' if step < 3 => (3, 60 * 60 * 24 * 7),
            b'd' if step < 4 => (4, 60 * 60 * 24),
            b'h' if step < 5 => (5, 60 * 60),
            b'm' if bytes.get(i) == Some(&b's') => {
                if is_sec || step >= 8 {
                    return false;
                }
                i += 1;
                (8, 1)
            }
            b'm' if step < 6 => (6, 60),
            b's' if step < 7 => (7, 1),
            b' ' if step < 7 => (9, 1),
            _ => return false,
        };
        step = new_step;
        let scale = if step != 8 && !is_sec {
            scale * 1000
        } else {
            scale
        };
        if value.checked_mul(scale).is_none() {
            return false;
        }
        value = 0;
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    valid
}

fn value_ok(value: Value, v: &str) -> bool {
    match value {
        Value::Flag => v.eq_ignore_ascii_case("on") || v.eq_ignore_ascii_case("off"),
        Value::Size => size_ok(v, false),
        Value::Offset => size_ok(v, true),
        Value::Msec => time_ok(v, false),
        Value::Sec => time_ok(v, true),
        Value::Num => {
            !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && v.parse::<i64>().is_ok()
        }
        Value::Other => true,
    }
}

fn what(value: Value) -> &'static str {
    match value {
        Value::Flag => "`on` or `off`",
        Value::Size => "a size: a number with an optional `k` or `m` (`10m`)",
        Value::Offset => "a size: a number with an optional `k`, `m` or `g`",
        Value::Msec => {
            "a time: a number with optional units `ms`, `s`, `m`, `h`, `d` (`30s`, `1m 30s`)"
        }
        Value::Sec => {
            "a time in seconds: a number with optional units `s`, `m`, `h`, `d` (`30s`, `1h`)"
        }
        Value::Num => "a number",
        Value::Other => "",
    }
}

fn finding(d: &NginxDirective, arg: usize, message: String, help: String) -> Finding {
    Finding {
        kind: Kind::Value,
        message,
        origin: d.arg_origin(arg),
        label: "nginx refuses this value".to_owned(),
        help,
        related: Vec::new(),
    }
}

/// The value checks of every directive judged right so far (`judged`: index and row);
/// with `complete`, those nginx makes once a block is read too (duplicate locations and
/// default servers).
pub(super) fn check(
    m: &Model,
    n: &Nginx,
    build: &Build,
    judged: &[(usize, &'static Row)],
    complete: bool,
    out: &mut Vec<Finding>,
) {
    // Generic handlers refuse a second value in one block: (parent, name) -> first.
    let mut seen: HashMap<(Option<usize>, &str), usize> = HashMap::new();
    for &(i, row) in judged {
        let Some(d) = n.directives.get(i) else {
            continue;
        };
        if row.value != Value::Other && !d.cmdline {
            if let Some(v) = d.arg(0) {
                if !value_ok(row.value, v) {
                    out.push(bad_value(m, d, row, v));
                    continue;
                }
            }
            // `daemon` twice is PROC002's.
            if d.name != "daemon" {
                if let Some(&first) = seen.get(&(d.parent, d.name.as_str())) {
                    out.push(duplicate(n, d, first, &d.name));
                    continue;
                }
                seen.insert((d.parent, d.name.as_str()), i);
            }
        }
        if !d.cmdline {
            super::variables::defines(build, d, row.module(), out);
        }
        match d.name.as_str() {
            "listen" if row.module() == "ngx_http_core_module" => listen(m, build, d, out),
            "if" => super::regex::condition(m, build, d, out),
            "map" if d.block => {
                map_entries(m, n, i, out);
                super::regex::map_keys(m, build, n, i, row.module(), out);
            }
            _ => {
                super::regex::check(m, build, d, row.module(), out);
                own_handler(m, d, out);
            }
        }
    }
    root_and_alias(n, judged, out);
    if complete {
        duplicate_locations(n, out);
        default_servers(n, out);
    }
}

/// What nginx refuses when it merges the configuration, after it has read all of it: only
/// when nothing stopped it before (the caller's `out` is empty).
pub(super) fn merged(n: &Nginx, judged: &[(usize, &'static Row)], out: &mut Vec<Finding>) {
    for &(i, row) in judged {
        let Some(d) = n.directives.get(i) else {
            continue;
        };
        if d.name != "valid_referers" || row.module() != "ngx_http_referer_module" {
            continue;
        }
        // `none` or `blocked` without a referer a request can match by name (a host,
        // `server_names`): a regular expression does not count (`valid_referers none ~re;`
        // fails `nginx -t`, which names no line).
        let special = |v: &str| matches!(v, "none" | "blocked");
        let first = d.args.iter().position(|a| special(&a.value));
        let named = d
            .args
            .iter()
            .any(|a| !special(&a.value) && !a.value.starts_with('~'));
        if let (Some(k), false) = (first, named) {
            out.push(finding(
                d,
                k,
                "the `none` or `blocked` referers are specified in the `valid_referers` directive without any valid referer".to_owned(),
                "name the hosts whose pages may link here (`valid_referers none blocked example.com;`, or `server_names`): a regular expression does not count".to_owned(),
            ));
        }
    }
}

fn bad_value(m: &Model, d: &NginxDirective, row: &Row, v: &str) -> Finding {
    let message = if row.value == Value::Flag {
        format!(
            "invalid value `{v}` in `{}` directive, it must be `on` or `off`",
            d.name
        )
    } else {
        format!("`{}` directive invalid value `{v}`", d.name)
    };
    if swallowed(m, d) == Some(1) {
        return super::missing_semicolon(d, 1, &row.args.describe());
    }
    finding(
        d,
        0,
        message,
        format!("`{}` takes {}", d.name, what(row.value)),
    )
}

fn duplicate(n: &Nginx, d: &NginxDirective, first: usize, name: &str) -> Finding {
    let mut f = Finding {
        kind: Kind::Value,
        message: format!("`{name}` directive is duplicate"),
        origin: d.source.origin(d.name_span),
        label: "set a second time in this block".to_owned(),
        help: format!("keep one `{name}` in this block: nginx refuses a second one"),
        related: Vec::new(),
    };
    if let Some(p) = n.directives.get(first) {
        f.related
            .push((p.source.origin(p.name_span), "first set here".to_owned()));
    }
    f
}

/// The parameters `listen` takes in http, bare or as `name=value`.
const LISTEN_FLAGS: [&str; 9] = [
    "default_server",
    "default",
    "ssl",
    "http2",
    "deferred",
    "reuseport",
    "proxy_protocol",
    "bind",
    "quic",
];
const LISTEN_VALUES: [&str; 9] = [
    "setfib=",
    "fastopen=",
    "backlog=",
    "rcvbuf=",
    "sndbuf=",
    "accept_filter=",
    "ipv6only=",
    "so_keepalive=",
    "proxy_protocol=",
];

fn listen(m: &Model, build: &Build, d: &NginxDirective, out: &mut Vec<Finding>) {
    let Some(addr) = d.arg(0) else { return };
    if !addr.contains('$') && !addr.starts_with("unix:") {
        let port = if let Some(rest) = addr.strip_prefix('[') {
            rest.split_once("]:").map(|(_, p)| p)
        } else if addr.bytes().all(|b| b.is_ascii_digit()) {
            Some(addr)
        } else {
            addr.rsplit_once(':').map(|(_, p)| p)
        };
        if let Some(p) = port {
            if p.parse::<u32>().map_or(true, |p| !(1..=65535).contains(&p)) {
                out.push(finding(
                    d,
                    0,
                    format!("invalid port in `{addr}` of the `listen` directive"),
                    "a port is a number from 1 to 65535".to_owned(),
                ));
                return;
            }
        }
    }
    // `quic` came with nginx 1.25.
    let quic_ok = build.version.is_none_or(|v| v.name() >= "1.25");
    for (k, a) in d.args.iter().enumerate().skip(1) {
        let p = a.value.as_str();
        let known = (LISTEN_FLAGS.contains(&p) && (p != "quic" || quic_ok))
            || LISTEN_VALUES.iter().any(|v| p.starts_with(v));
        if !known {
            if let Some(s) = swallowed(m, d).filter(|&s| s <= k) {
                out.push(super::missing_semicolon(
                    d,
                    s,
                    "an address and its parameters",
                ));
            } else {
                out.push(finding(
                    d,
                    k,
                    format!("invalid parameter `{p}` of the `listen` directive"),
                    "`listen` takes an address or port, then parameters such as `default_server`, `ssl`, `reuseport`, `backlog=N`".to_owned(),
                ));
            }
            return;
        }
    }
}

/// Directives whose own handler refuses any word that is a directive name, where the
/// arguments run into the next line because a `;` is missing: log formats and levels,
/// `listen`-like parameters, status codes.
const REFUSE_SWALLOWED: [&str; 10] = [
    "access_log",
    "error_log",
    "server",
    "limit_req",
    "error_page",
    "ssl_protocols",
    "proxy_next_upstream",
    "fastcgi_next_upstream",
    "uwsgi_next_upstream",
    "grpc_next_upstream",
];

/// Values checked by a directive's own handler that gen repeats: the times of
/// `keepalive_timeout` and `expires`, the numbers of `worker_connections` and
/// `worker_processes`; and the `;` missing after a directive of [`REFUSE_SWALLOWED`].
fn own_handler(m: &Model, d: &NginxDirective, out: &mut Vec<Finding>) {
    if REFUSE_SWALLOWED.contains(&d.name.as_str()) {
        if let Some(k) = swallowed(m, d) {
            out.push(super::missing_semicolon(
                d,
                k,
                "no directive names as arguments",
            ));
        }
        return;
    }
    let bad = |k: usize, what: &str| {
        finding(
            d,
            k,
            format!(
                "`{}` directive invalid value `{}`",
                d.name,
                d.arg(k).unwrap_or("")
            ),
            format!("`{}` takes {what}", d.name),
        )
    };
    match d.name.as_str() {
        "keepalive_timeout" => {
            for (k, a) in d.args.iter().enumerate() {
                if !time_ok(&a.value, true) {
                    out.push(bad(k, what(Value::Sec)));
                    return;
                }
            }
        }
        "expires" => {
            let last = d.args.len().saturating_sub(1);
            if d.args.len() == 2 && d.arg(0) != Some("modified") {
                out.push(bad(0, "a time, or `modified` and a time"));
                return;
            }
            let Some(v) = d.arg(last) else { return };
            let one = d.args.len() == 1;
            let fixed = one && matches!(v, "epoch" | "max" | "off");
            let time = v.strip_prefix('@').unwrap_or(v);
            let time = time.strip_prefix(['+', '-']).unwrap_or(time);
            if !fixed && !v.contains('$') && !time_ok(time, true) {
                out.push(bad(
                    last,
                    "a time (`7d`, `-1`, `@15h30m`), `epoch`, `max` or `off`",
                ));
            }
        }
        "worker_connections" | "worker_processes" => {
            let Some(v) = d.arg(0) else { return };
            let auto = d.name == "worker_processes" && v == "auto";
            if !auto && !value_ok(Value::Num, v) {
                out.push(finding(
                    d,
                    0,
                    format!("invalid number `{v}`"),
                    format!("`{}` takes a number", d.name),
                ));
            }
        }
        _ => {}
    }
}

/// A `map`'s entries: `key value;`, or `default` (once), `hostnames`, `volatile`,
/// `include`; a value nginx can compile.
fn map_entries(m: &Model, n: &Nginx, map: usize, out: &mut Vec<Finding>) {
    let mut default: Option<&NginxDirective> = None;
    for (_, e) in n.children(Some(map)) {
        // `map` reads its block with its own handler, which takes no blocks: nginx stops at
        // the `{` (`ngx_conf_parse`: unexpected "{").
        if e.block {
            out.push(Finding {
                kind: Kind::Value,
                message: "unexpected `{`".to_owned(),
                origin: e.source.origin(e.name_span),
                label: "a block in a `map`".to_owned(),
                help: super::regex_brace(m, e)
                    .unwrap_or_else(|| "a `map` entry is `key value;`, without a block".to_owned()),
                related: Vec::new(),
            });
            continue;
        }
        let flag = matches!(e.name.as_str(), "hostnames" | "volatile");
        let ok = !e.block
            && if flag {
                e.args.len() <= 1
            } else {
                e.args.len() == 1
            };
        if !ok {
            out.push(Finding {
                kind: Kind::Value,
                message: "invalid number of the map parameters".to_owned(),
                origin: e.source.origin(e.name_span),
                label: format!("{} word(s) in this entry", e.args.len() + 1),
                help: "a `map` entry is `key value;` (quote a value with spaces); a missing `;` joins two entries".to_owned(),
                related: Vec::new(),
            });
            continue;
        }
        // nginx compiles the value (a complex value when it holds `$`), then the key.
        if let Some(message) = e.arg(0).and_then(script_error) {
            out.push(Finding {
                kind: Kind::Value,
                message,
                origin: e.arg_origin(0),
                label: "nginx cannot read this value".to_owned(),
                help: "a `$` starts a variable (`$name` or `${name}`); a regular expression belongs in the key, after `~`".to_owned(),
                related: Vec::new(),
            });
            continue;
        }
        if e.name == "default" && !flag {
            if let Some(first) = default {
                out.push(Finding {
                    kind: Kind::Value,
                    message: "duplicate default map parameter".to_owned(),
                    origin: e.source.origin(e.name_span),
                    label: "a second `default`".to_owned(),
                    help: "keep one `default` in this `map`".to_owned(),
                    related: vec![(
                        first.source.origin(first.name_span),
                        "the first `default`".to_owned(),
                    )],
                });
            } else {
                default = Some(e);
            }
        }
    }
}

/// What `ngx_http_script_compile` refuses in a value: a `$` with no name after it, or a
/// `${` without its `}`.
fn script_error(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i).is_some_and(|c| (b'1'..=b'9').contains(c)) {
            i += 1;
            continue;
        }
        let bracket = b.get(i) == Some(&b'{');
        if bracket {
            i += 1;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
        {
            i += 1;
        }
        if bracket {
            if b.get(i) != Some(&b'}') {
                return Some(format!(
                    "the closing bracket in `{}` variable is missing",
                    v.get(start..i).unwrap_or("")
                ));
            }
            i += 1;
        }
        if i == start || (bracket && i == start + 1) {
            return Some("invalid variable name".to_owned());
        }
    }
    None
}

/// `root` and `alias` in one location.
fn root_and_alias(n: &Nginx, judged: &[(usize, &'static Row)], out: &mut Vec<Finding>) {
    let mut first: HashMap<Option<usize>, usize> = HashMap::new();
    // Only those nginx took: one it refused (`alias` outside a location) stopped it there.
    for &(i, _) in judged {
        let Some(d) = n.directives.get(i) else {
            continue;
        };
        if d.name != "root" && d.name != "alias" {
            continue;
        }
        match first.get(&d.parent).and_then(|&f| n.directives.get(f)) {
            Some(f) if f.name != d.name => {
                let mut x = Finding {
                    kind: Kind::Value,
                    message: format!("`{}` directive is duplicate, `{}` directive was specified earlier", d.name, f.name),
                    origin: d.source.origin(d.name_span),
                    label: "a location has either `root` or `alias`".to_owned(),
                    help: "keep one: `root` appends the whole URI to its path, `alias` replaces the location's prefix".to_owned(),
                    related: Vec::new(),
                };
                x.related
                    .push((f.source.origin(f.name_span), format!("`{}` here", f.name)));
                out.push(x);
            }
            Some(_) => {}
            None => {
                first.insert(d.parent, i);
            }
        }
    }
}

/// Two prefix (or two exact) locations with the same path in one block.
fn duplicate_locations(n: &Nginx, out: &mut Vec<Finding>) {
    let mut seen: HashMap<(Option<usize>, bool, &str), usize> = HashMap::new();
    for (i, d) in n.directives.iter().enumerate() {
        if d.name != "location" || !d.block {
            continue;
        }
        let (exact, path) = match (d.arg(0), d.arg(1)) {
            (Some("="), Some(p)) => (true, p),
            (Some("^~"), Some(p)) => (false, p),
            (Some(p), None) if !p.starts_with('@') && !p.starts_with('~') => {
                match p.strip_prefix('=') {
                    Some(rest) if !rest.is_empty() => (true, rest),
                    _ => (
                        false,
                        p.strip_prefix("^~").filter(|r| !r.is_empty()).unwrap_or(p),
                    ),
                }
            }
            _ => continue,
        };
        if let Some(&f) = seen.get(&(d.parent, exact, path)) {
            let mut x = Finding {
                kind: Kind::Value,
                message: format!("duplicate location `{path}`"),
                origin: d.arg_origin(0),
                label: "the same location again".to_owned(),
                help: "merge the two blocks: nginx refuses two locations with the same path in one block".to_owned(),
                related: Vec::new(),
            };
            if let Some(fd) = n.directives.get(f) {
                x.related.push((fd.arg_origin(0), "first here".to_owned()));
            }
            out.push(x);
        } else {
            seen.insert((d.parent, exact, path), i);
        }
    }
}

/// Two servers that are each the `default_server` of one address.
fn default_servers(n: &Nginx, out: &mut Vec<Finding>) {
    use crate::model::ListenAddr;
    let mut seen: HashMap<(String, u16), usize> = HashMap::new();
    for l in n.listeners.iter().filter(|l| l.default_server) {
        let (ListenAddr::Tcp { host, port }, Some(li)) = (&l.addr, l.directive) else {
            continue;
        };
        let host = match host.as_deref() {
            None | Some("0.0.0.0") => "0.0.0.0".to_owned(),
            Some(h) if h.parse::<std::net::IpAddr>().is_ok() => h.to_owned(),
            // A host name is resolved by nginx: not judged.
            Some(_) => continue,
        };
        let key = (host, *port);
        match seen.get(&key) {
            Some(&first) if n.listeners.get(first).is_some_and(|f| f.server != l.server) => {
                let Some(d) = n.directives.get(li) else {
                    continue;
                };
                let mut x = Finding {
                    kind: Kind::Value,
                    message: format!("a duplicate default server for {}:{}", key.0, key.1),
                    origin: d.arg_origin(0),
                    label: "a second `default_server` for this address".to_owned(),
                    help: "one server per address can be `default_server`: remove it from one of them (a leftover packaged default site is a common cause)".to_owned(),
                    related: Vec::new(),
                };
                if let Some(f) = n.listeners.get(first) {
                    x.related
                        .push((f.origin.clone(), "the first `default_server`".to_owned()));
                }
                out.push(x);
            }
            Some(_) => {}
            None => {
                if let Some(idx) = n.listeners.iter().position(|x| std::ptr::eq(x, l)) {
                    seen.insert(key, idx);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times_as_nginx_parses_them() {
        for (v, want) in [
            ("10m", true),
            ("1M", true),
            ("0", true),
            ("10mb", false),
            ("1g", false),
            ("", false),
            ("k", false),
            ("1.5m", false),
        ] {
            assert_eq!(size_ok(v, false), want, "{v}");
        }
        assert!(size_ok("1g", true));
        for (v, want) in [
            ("$uri", None),
            ("a$1b", None),
            ("${host}x", None),
            ("^(.+)$", Some("invalid variable name")),
            ("$", Some("invalid variable name")),
            ("${}", Some("invalid variable name")),
            (
                "${host",
                Some("the closing bracket in `host` variable is missing"),
            ),
        ] {
            assert_eq!(script_error(v).as_deref(), want, "{v}");
        }
        for (v, sec, want) in [
            ("60", false, true),
            ("60s", false, true),
            ("500ms", false, true),
            ("500ms", true, false),
            ("1h 30m", true, true),
            ("1h30m", false, true),
            ("30m 1h", true, false),
            ("1y", false, false),
            ("1y", true, true),
            ("5 s", true, false),
            ("s", true, false),
            ("60x", true, false),
        ] {
            assert_eq!(time_ok(v, sec), want, "{v} {sec}");
        }
    }
}
