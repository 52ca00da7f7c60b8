//! The regular expressions nginx compiles while it reads the config, compiled by PCRE2 as
//! nginx compiles them (`ngx_regex_compile`: no option but `PCRE2_CASELESS` where the
//! directive asks for it), so that a pattern is refused exactly when nginx refuses it, with
//! nginx's message (`pcre2_compile() failed: missing closing parenthesis in "^(abc"`).
//!
//! The places are those of nginx's source that call `ngx_regex_compile` or
//! `ngx_http_regex_compile` at load time: `location ~`/`~*`, `server_name ~` (http and
//! stream; caseless when the pattern has a capital), `if` operands (read by
//! [`super::condition`]), `rewrite`, `map` keys `~`/`~*` (http and stream),
//! `valid_referers ~`, `proxy_redirect ~`/`~*`, `proxy_cookie_domain ~`, `proxy_cookie_path
//! ~`/`~*`, `proxy_cookie_flags ~`, `fastcgi_split_path_info` (which must have two
//! captures) and `gzip_disable`. A pattern is the word as nginx reads it (quotes removed,
//! `\\` made `\`), which the tree does not keep, so it is read again from the text.
//!
//! PCRE2 itself, through the `pcre2` crate (BurntSushi's bindings, which build PCRE2 from
//! source with the C compiler `ring` already needs; `.cargo/config.toml` asks for the static
//! build, so the binary does not depend on the host's libpcre2): no Rust regex crate
//! accepts PCRE2's language (lookbehind, possessive quantifiers, `\K`, `(?|`...) nor
//! refuses what PCRE2 refuses. Its bundled PCRE2 (10.46) is newer than Debian 12's and
//! Ubuntu 24.04's (10.42); the releases between changed no verdict on patterns users write
//! that gen's tests found.

use super::build::Build;
use super::condition::{self, Verdict};
use super::variables::redefined;
use super::{Finding, Kind, text_of};
use crate::model::{Model, Nginx, NginxDirective, Origin};
use crate::parse::span::Span;

/// The longest pattern compiled; longer ones are not judged (PCRE2 compiles in about linear
/// time, and no real config has a pattern near this).
pub const MAX_PATTERN: usize = 16 * 1024;

/// What PCRE2 says of a pattern: its capture count and names, or nginx's message.
pub fn compile(pattern: &str, caseless: bool) -> Result<(usize, Vec<String>), String> {
    if pattern.len() > MAX_PATTERN {
        return Ok((0, Vec::new()));
    }
    let built = pcre2::bytes::RegexBuilder::new()
        .caseless(caseless)
        .build(pattern);
    match built {
        Ok(re) => Ok((
            re.captures_len().saturating_sub(1),
            re.capture_names().iter().flatten().cloned().collect(),
        )),
        Err(e) if matches!(e.kind(), pcre2::ErrorKind::Compile) => {
            // The crate's text is "PCRE2: error compiling pattern at offset N: MESSAGE".
            let text = e.to_string();
            let msg = text
                .strip_prefix("PCRE2: error compiling pattern")
                .and_then(|rest| rest.split_once(": "))
                .map_or(text.as_str(), |(_, m)| m);
            let at = e
                .offset()
                .filter(|&o| o < pattern.len())
                .and_then(|o| pattern.as_bytes().get(o..))
                .map(|rest| format!(" at `{}`", String::from_utf8_lossy(rest)))
                .unwrap_or_default();
            Err(format!("pcre2_compile() failed: {msg} in `{pattern}`{at}"))
        }
        // Not a verdict on the pattern (no memory...): not judged.
        Err(_) => Ok((0, Vec::new())),
    }
}

fn finding(origin: Origin, message: String, help: &str) -> Finding {
    Finding {
        kind: Kind::Value,
        message,
        origin,
        label: "nginx refuses this regular expression".to_owned(),
        help: help.to_owned(),
        related: Vec::new(),
    }
}

const HELP: &str = "nginx compiles it with PCRE2 when it loads the config and does not start: fix the pattern (quote it when it holds `{`, `;` or a space)";

/// The word of the token at `span`, as nginx reads it.
fn word(m: &Model, d: &NginxDirective, span: Span) -> Option<String> {
    let text = text_of(m, &d.source)?;
    text.get(span.start..span.end).map(condition::unescape)
}

/// A pattern to compile: the argument it is in, the pattern, caseless.
type Site = (usize, String, bool);

/// Strips `~` (and `~*` where `star` says the directive takes it) from a word: the pattern
/// and whether it is caseless; `None` for a word that is no regex.
fn tilde(w: &str, star: bool, always_caseless: bool) -> Option<(String, bool)> {
    let rest = w.strip_prefix('~')?;
    if star {
        if let Some(r) = rest.strip_prefix('*') {
            return Some((r.to_owned(), true));
        }
    }
    Some((rest.to_owned(), always_caseless))
}

/// A named capture of a compiled pattern that is a variable nginx defines itself (`the
/// duplicate "host" variable`, [`redefined`]): nginx stops at the first.
fn captures(build: &Build, module: &str, names: &[String], origin: &Origin) -> Option<Finding> {
    names
        .iter()
        .find_map(|name| redefined(build, module, name, origin.clone(), "a named capture"))
}

/// The regular expressions of directive `d` (of `module`), and nginx's other refusals in the
/// same handlers, as findings.
pub(super) fn check(
    m: &Model,
    build: &Build,
    d: &NginxDirective,
    module: &str,
    out: &mut Vec<Finding>,
) {
    const REGEX_DIRECTIVES: [&str; 10] = [
        "location",
        "server_name",
        "rewrite",
        "valid_referers",
        "proxy_redirect",
        "proxy_cookie_path",
        "proxy_cookie_domain",
        "proxy_cookie_flags",
        "fastcgi_split_path_info",
        "gzip_disable",
    ];
    if d.cmdline || !REGEX_DIRECTIVES.contains(&d.name.as_str()) {
        return;
    }
    let words: Vec<String> = d
        .args
        .iter()
        .map(|a| word(m, d, a.span).unwrap_or_else(|| a.value.clone()))
        .collect();
    let w = |k: usize| words.get(k).map_or("", String::as_str);
    let mut sites: Vec<Site> = Vec::new();
    match (d.name.as_str(), module) {
        ("location", "ngx_http_core_module") => {
            if words.len() == 2 {
                match w(0) {
                    "~" => sites.push((1, w(1).to_owned(), false)),
                    "~*" => sites.push((1, w(1).to_owned(), true)),
                    "=" | "^~" => {}
                    other => {
                        out.push(Finding {
                            kind: Kind::Value,
                            message: format!("invalid location modifier `{other}`"),
                            origin: d.arg_origin(0),
                            label: "not a location modifier".to_owned(),
                            help: "a location is `= /path`, `^~ /path`, `~ regex`, `~* regex`, or a prefix `/path`".to_owned(),
                            related: Vec::new(),
                        });
                        return;
                    }
                }
            } else if !w(0).starts_with('=') && !w(0).starts_with("^~") {
                if let Some((p, c)) = tilde(w(0), true, false) {
                    sites.push((0, p, c));
                }
            }
        }
        ("server_name", "ngx_http_core_module" | "ngx_stream_core_module") => {
            for (k, v) in words.iter().enumerate() {
                if v == "~" {
                    out.push(finding(
                        d.arg_origin(k),
                        "empty regex in server name `~`".to_owned(),
                        "a regular expression server name is `~` and the pattern, with no space between",
                    ));
                    return;
                }
                if let Some(p) = v.strip_prefix('~') {
                    let caseless = p.bytes().any(|b| b.is_ascii_uppercase());
                    sites.push((k, p.to_owned(), caseless));
                }
            }
        }
        ("rewrite", "ngx_http_rewrite_module") => {
            if words.len() >= 2 && w(1).is_empty() {
                out.push(Finding {
                    kind: Kind::Value,
                    message: "empty replacement".to_owned(),
                    origin: d.arg_origin(1),
                    label: "an empty replacement".to_owned(),
                    help: "`rewrite` takes a regular expression, then the URI to rewrite to"
                        .to_owned(),
                    related: Vec::new(),
                });
                return;
            }
            sites.push((0, w(0).to_owned(), false));
        }
        ("valid_referers", "ngx_http_referer_module") => {
            for (k, v) in words.iter().enumerate() {
                if v == "~" {
                    out.push(finding(
                        d.arg_origin(k),
                        "empty regex in `~`".to_owned(),
                        "a regular expression referer is `~` and the pattern, with no space between",
                    ));
                    return;
                }
                if let Some(p) = v.strip_prefix('~') {
                    sites.push((k, p.to_owned(), true));
                }
            }
        }
        ("proxy_redirect" | "proxy_cookie_path", "ngx_http_proxy_module") if words.len() >= 2 => {
            if let Some((p, c)) = tilde(w(0), true, false) {
                sites.push((0, p, c));
            }
        }
        ("proxy_cookie_domain" | "proxy_cookie_flags", "ngx_http_proxy_module")
            if words.len() >= 2 =>
        {
            if let Some((p, c)) = tilde(w(0), false, true) {
                sites.push((0, p, c));
            }
        }
        ("fastcgi_split_path_info", "ngx_http_fastcgi_module") => {
            match compile(w(0), false) {
                Err(message) => out.push(finding(d.arg_origin(0), message, HELP)),
                Ok((captures, _)) if captures != 2 && w(0).len() <= MAX_PATTERN => {
                    out.push(finding(
                        d.arg_origin(0),
                        format!("pattern `{}` must have 2 captures", w(0)),
                        "`fastcgi_split_path_info` takes a pattern with two groups: the script's name, then the path info (`^(.+\\.php)(/.+)$`)",
                    ));
                }
                Ok(_) => {}
            }
            return;
        }
        ("gzip_disable", "ngx_http_core_module") => {
            for (k, v) in words.iter().enumerate() {
                if v != "msie6" {
                    sites.push((k, v.clone(), true));
                }
            }
        }
        _ => return,
    }
    // `valid_referers` and `gzip_disable` compile with `ngx_regex_compile`, whose named
    // captures are no variables.
    let variables = !matches!(d.name.as_str(), "valid_referers" | "gzip_disable");
    for (k, pattern, caseless) in sites {
        let found = match compile(&pattern, caseless) {
            Err(message) => {
                // A `{` outside quotes cut the pattern short (`[0-9]{1,2}` read as `[0-9]`).
                let mut f = finding(d.arg_origin(k), message, HELP);
                if let Some(help) = super::regex_brace(m, d).filter(|_| k + 1 == d.args.len()) {
                    f.help = help;
                }
                Some(f)
            }
            Ok((_, names)) if variables => captures(build, module, &names, &d.arg_origin(k)),
            Ok(_) => None,
        };
        if let Some(f) = found {
            out.push(f);
            // nginx stops at the first.
            return;
        }
    }
}

/// The `~` keys of the `map` block at `map` (of `module`: http's or stream's; entries of the
/// right shape only: the others are refused before their key is compiled).
pub(super) fn map_keys(
    m: &Model,
    build: &Build,
    n: &Nginx,
    map: usize,
    module: &str,
    out: &mut Vec<Finding>,
) {
    for (_, e) in n.children(Some(map)) {
        if e.block || e.args.len() != 1 || e.cmdline {
            continue;
        }
        let Some(key) = word(m, e, e.name_span) else {
            continue;
        };
        let Some((pattern, caseless)) = tilde(&key, true, false) else {
            continue;
        };
        let origin = e.source.origin(e.name_span);
        match compile(&pattern, caseless) {
            Err(message) => out.push(finding(origin, message, HELP)),
            Ok((_, names)) => out.extend(captures(build, module, &names, &origin)),
        }
    }
}

/// An `if`'s condition: nginx's verdict on its words, and its regex compiled.
pub(super) fn condition(m: &Model, build: &Build, d: &NginxDirective, out: &mut Vec<Finding>) {
    let Some(text) = text_of(m, &d.source) else {
        return;
    };
    let Some(words) = condition::words(text, d.name_span.end) else {
        return;
    };
    // A word's label leaves out the parenthesis nginx strips from a bare first or last word.
    let at = |k: usize| {
        let Some(w) = words.get(k) else {
            return d.source.origin(d.name_span);
        };
        let raw = text.get(w.span.start..w.span.end).unwrap_or("");
        let mut span = w.span;
        if k == 0 && raw.len() > 1 && raw.starts_with('(') {
            span.start += 1;
        }
        if k + 1 == words.len() && span.end - span.start > 1 && raw.ends_with(')') {
            span.end -= 1;
        }
        d.source.origin(span)
    };
    match condition::judge(&words) {
        Verdict::Valid => {}
        Verdict::Invalid { word, message } => out.push(Finding {
            kind: Kind::Value,
            message,
            origin: at(word),
            label: "nginx cannot read this condition".to_owned(),
            help: super::regex_brace(m, d).unwrap_or_else(|| "an `if` condition is in parentheses: `($variable)`, `($variable OP value)` with `=`, `!=`, `~`, `~*`, `!~`, `!~*`, or a file test such as `(-f $request_filename)`".to_owned()),
            related: Vec::new(),
        }),
        Verdict::Regex {
            word,
            pattern,
            caseless,
        } => {
            match compile(&pattern, caseless) {
                Err(message) => out.push(finding(at(word), message, HELP)),
                Ok((_, names)) => out.extend(captures(
                    build,
                    "ngx_http_rewrite_module",
                    &names,
                    &at(word),
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns with the message `nginx -t` (1.22.1, PCRE2 10.42) gives, `None` where it
    /// accepts; the one message PCRE2 10.46 words differently is marked.
    #[test]
    fn patterns_as_nginx_compiles_them() {
        for (pattern, caseless, want) in [
            (
                "^(abc",
                false,
                Some("pcre2_compile() failed: missing closing parenthesis in `^(abc`"),
            ),
            (
                "[a-z",
                true,
                Some("pcre2_compile() failed: missing terminating ] for character class in `[a-z`"),
            ),
            (
                "a)b",
                false,
                Some("pcre2_compile() failed: unmatched closing parenthesis in `a)b` at `)b`"),
            ),
            (
                "(?<=a+)b",
                false,
                // PCRE2 10.42's wording: "lookbehind assertion is not fixed length".
                Some(
                    "pcre2_compile() failed: length of lookbehind assertion is not limited in `(?<=a+)b` at `(?<=a+)b`",
                ),
            ),
            (
                "(?i)x{2,1}",
                false,
                Some(
                    "pcre2_compile() failed: numbers out of order in {} quantifier in `(?i)x{2,1}` at `}`",
                ),
            ),
            (
                "\\",
                false,
                Some("pcre2_compile() failed: \\ at end of pattern in `\\`"),
            ),
            (
                "(?<n>a)(?<n>b)",
                true,
                Some(
                    "pcre2_compile() failed: two named subpatterns have the same name (PCRE2_DUPNAMES not set) in `(?<n>a)(?<n>b)` at `b)`",
                ),
            ),
            (
                "\\x{100}",
                false,
                Some(
                    "pcre2_compile() failed: character code point value in \\x{} or \\o{} is too large in `\\x{100}` at `}`",
                ),
            ),
            ("(?<=ab)c++(?i)x", false, None),
            ("\\p{L}+", false, None),
            ("[[:alpha:]]", true, None),
            ("a{,3}", false, None),
            ("(*UTF)\\x{100}", false, None),
            ("\\K", false, None),
            ("^/(?<first>[^/]+)/(?P<second>.*)$", false, None),
        ] {
            assert_eq!(
                compile(pattern, caseless).err().as_deref(),
                want,
                "{pattern}"
            );
        }
        assert_eq!(compile("^(.+\\.php)(/.+)$", false).map(|c| c.0), Ok(2));
        assert_eq!(
            compile("(?<a>x)(?P<B>y)(z)", false).map(|c| c.1),
            Ok(vec!["a".to_owned(), "B".to_owned()])
        );
    }
}
