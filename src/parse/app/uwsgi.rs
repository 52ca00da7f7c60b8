//! uWSGI's options, from its three places: an ini file (`--ini FILE[:SECTION]`, or a lone
//! `FILE.ini` argument), a YAML file (`--yaml`), and the command line. Each option keeps its
//! key and value spans; repeated options (`socket` twice) are all kept, in order.
//!
//! The ini reading follows uWSGI's own `core/ini.c`, not Python's configparser: a line is a
//! comment when its first non-blank character is `;` or `#`; `key = value` with both sides
//! trimmed; no inline comments, no continuation lines, no quoting; options before the first
//! section and in other sections are not read. A value with uWSGI's magic (`%d`, `%(var)`,
//! `$(ENV)`, `@(file)`) is kept as written and marked unknown: gen does not expand it.
//!
//! Hand-written rather than an ini crate's: every crate gen could use (rust-ini included)
//! reads configparser's dialect (inline comments, continuation lines, unique keys), which
//! uWSGI does not.

use super::command::Word;
use crate::model::path::basename;
use crate::model::runtime::Server;
use crate::parse::span::Span;
use crate::parse::yaml;

/// Longest config text read; uWSGI configs are a few kilobytes.
pub const MAX_LEN: usize = 1 << 20;
/// Most options kept from one file or command line.
pub const MAX_OPTIONS: usize = 4096;

/// One option as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UwsgiOption {
    /// The option's name, `_` written as `-` (`http_socket` is `http-socket`).
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
    /// The value uses uWSGI's magic variables or environment references.
    pub magic: bool,
}

/// The options of one file or command line, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UwsgiOptions {
    pub options: Vec<UwsgiOption>,
    /// More options than [`MAX_OPTIONS`], or a text longer than [`MAX_LEN`]: what is kept
    /// is a prefix, so the rest is unknown.
    pub truncated: bool,
}

impl UwsgiOptions {
    /// Every value of an option, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a UwsgiOption> + 'a {
        self.options.iter().filter(move |o| o.key == key)
    }

    /// The last value of an option (uWSGI's last-wins for single-valued options).
    #[must_use]
    pub fn last(&self, key: &str) -> Option<&UwsgiOption> {
        self.options.iter().rev().find(|o| o.key == key)
    }

    fn push(&mut self, o: UwsgiOption) {
        if self.options.len() >= MAX_OPTIONS {
            self.truncated = true;
        } else {
            self.options.push(o);
        }
    }
}

fn normalize(key: &str) -> String {
    key.trim().replace('_', "-")
}

/// Whether a value uses uWSGI's expansion syntax.
fn is_magic(value: &str) -> bool {
    value.contains("$(")
        || value.contains("@(")
        || value.contains("%(")
        || value.contains("=(")
        || value
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'%' && w[1].is_ascii_alphabetic())
}

fn option(key: &str, key_span: Span, value: &str, value_span: Span) -> UwsgiOption {
    UwsgiOption {
        key: normalize(key),
        value: value.to_owned(),
        key_span,
        value_span,
        magic: is_magic(value),
    }
}

/// Where a line's comment starts, as uWSGI's `core/ini.c` reads it: a line whose first
/// non-blank character is `;` or `#` is a comment, and nothing else is (a `;` after a value
/// is part of the value).
fn comment_at(line: &str) -> Option<usize> {
    let lead = line.len() - line.trim_start().len();
    line[lead..].starts_with([';', '#']).then_some(lead)
}

/// Every comment of an ini text as uWSGI reads it (whole lines only; see [`uwsgi_ini`]),
/// from its marker to the end of its line, line ending excluded; every line is read,
/// whatever its section.
#[must_use]
pub fn ini_comments(text: &str) -> Vec<Span> {
    crate::parse::span::line_comments(text, comment_at)
}

/// The options of `section` (uWSGI's default is `uwsgi`) of an ini text.
#[must_use]
pub fn uwsgi_ini(text: &str, section: &str) -> UwsgiOptions {
    let mut out = UwsgiOptions::default();
    let text = if text.len() > MAX_LEN {
        out.truncated = true;
        text.get(..MAX_LEN).unwrap_or("")
    } else {
        text
    };
    let mut current: Option<&str> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = body.len() - body.trim_start().len();
        let trimmed = body.trim();
        if trimmed.is_empty() || comment_at(body).is_some() {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            current = Some(name.split(']').next().unwrap_or(name).trim());
            continue;
        }
        if current != Some(section) {
            continue;
        }
        let Some(eq) = body.find('=') else { continue };
        let key = &body[..eq];
        let value_raw = &body[eq + 1..];
        let value = value_raw.trim();
        let key_start = at + lead;
        let key_span = Span::new(key_start, at + key.trim_end().len());
        let value_start = at + eq + 1 + (value_raw.len() - value_raw.trim_start().len());
        let value_span = Span::new(value_start, value_start + value.len());
        out.push(option(key, key_span, value, value_span));
    }
    out
}

/// The options of `section` of a YAML text: a map of scalars, or of sequences of scalars
/// for repeated options. `None` when the text is not YAML gen can read.
#[must_use]
pub fn uwsgi_yaml(text: &str, section: &str) -> Option<UwsgiOptions> {
    if text.len() > MAX_LEN {
        return None;
    }
    let docs = yaml::parse(text).ok()?;
    let mut out = UwsgiOptions::default();
    let Some(map) = docs.first().and_then(|d| d.get(section)) else {
        return Some(out);
    };
    for (k, v) in map.entries() {
        let Some(key) = k.as_str() else { continue };
        let values: Vec<&yaml::Node> = match &v.value {
            yaml::Value::Seq(items) => items.iter().collect(),
            _ => vec![v],
        };
        for v in values {
            let (value, magic) = match &v.value {
                yaml::Value::Scalar { text, .. } => (text.as_str(), false),
                yaml::Value::Null => ("", false),
                // A nested map or list: not an option value gen can read.
                _ => ("", true),
            };
            let mut o = option(key, k.span, value, v.span);
            o.magic |= magic;
            out.push(o);
        }
    }
    Some(out)
}

/// uWSGI options that take no value.
const FLAGS: &[&str] = &[
    "master",
    "M",
    "die-on-term",
    "need-app",
    "enable-threads",
    "T",
    "vacuum",
    "lazy-apps",
    "lazy",
    "thunder-lock",
    "single-interpreter",
    "strict",
    "no-orphans",
    "memory-report",
    "disable-logging",
    "L",
    "log-master",
    "log-4xx",
    "log-5xx",
    "honour-stdin",
    "auto-procname",
    "harakiri-verbose",
    "cheap",
    "catch-exceptions",
    "py-tracebacker",
    "no-default-app",
    "manage-script-name",
    "offload-threads",
    "die-on-idle",
    "hook-accepting1-once",
    "reload-on-exception",
    "show-config",
    "version",
    "help",
    "h",
    "buffer-size-max",
    "add-header-date",
    "post-buffering-bufsize",
    "close-on-exec",
    "close-on-exec2",
    "disable-write-exception",
    "ignore-sigpipe",
    "ignore-write-errors",
    "wsgi-disable-file-wrapper",
    "log-x-forwarded-for",
    "http-auto-chunked",
    "http-keepalive",
    "so-keepalive",
    "reuse-port",
    "uwsgi-sockets-only",
];

/// Short options and the long option each stands for.
const SHORT: &[(&str, &str)] = &[
    ("s", "socket"),
    ("w", "module"),
    ("p", "processes"),
    ("H", "home"),
    ("d", "daemonize"),
    ("M", "master"),
    ("T", "enable-threads"),
    ("L", "disable-logging"),
    ("b", "buffer-size"),
    ("t", "harakiri"),
    ("C", "chmod-socket"),
    ("x", "xmlconfig"),
    ("y", "yaml"),
    ("j", "json"),
    ("z", "socket-timeout"),
    ("l", "listen"),
];

/// Options whose value is optional (getopt's `optional_argument`): it follows only as
/// `--opt=value`; alone they mean their default.
const OPTIONAL: &[&str] = &["chmod-socket", "C", "chown-socket"];

/// Whether a program word names uWSGI (its row of the runtime table).
#[must_use]
pub fn is_uwsgi(word: &str) -> bool {
    Server::Uwsgi.row().runs(basename(word))
}

/// The options of a uWSGI command line (the words after the program); `None` when the
/// first word is not uWSGI. A lone `FILE.ini` / `.yaml` / `.yml` argument loads that file,
/// as uWSGI does: it is given as an `ini` / `yaml` option.
#[must_use]
pub fn uwsgi_args(argv: &[Word]) -> Option<UwsgiOptions> {
    let first = argv.first()?;
    if !is_uwsgi(&first.value) {
        return None;
    }
    let mut out = UwsgiOptions::default();
    let mut i = 1;
    while let Some(w) = argv.get(i) {
        i += 1;
        let text = w.value.as_str();
        let exact = w.span.len() == text.len();
        let sub = |from: usize, to: usize| {
            if exact {
                Span::new(w.span.start + from, w.span.start + to)
            } else {
                w.span
            }
        };
        let name = if let Some(long) = text.strip_prefix("--") {
            long
        } else if let Some(short) = text.strip_prefix('-').filter(|s| !s.is_empty()) {
            // `-s :3031`, `-s:3031`, `-M`.
            let (flag, rest) = short.split_at(short.chars().next().map_or(0, char::len_utf8));
            let long = SHORT
                .iter()
                .find(|(s, _)| *s == flag)
                .map_or(flag, |(_, l)| *l);
            if !rest.is_empty() && !FLAGS.contains(&long) {
                out.push(option(long, sub(0, 2), rest, sub(2, text.len())));
                continue;
            }
            long
        } else {
            let lower = text.to_ascii_lowercase();
            let kind = if lower.ends_with(".ini") {
                Some("ini")
            } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                Some("yaml")
            } else {
                None
            };
            if let Some(kind) = kind {
                out.push(option(kind, w.span, text, w.span));
            }
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if let Some((key, value)) = name.split_once('=') {
            let key_end = 2 + key.len();
            out.push(option(
                key,
                sub(0, key_end),
                value,
                sub(key_end + 1, text.len()),
            ));
            continue;
        }
        let key_span = w.span;
        if FLAGS.contains(&name) {
            out.push(option(name, key_span, "true", key_span));
            continue;
        }
        if OPTIONAL.contains(&name) {
            out.push(option(name, key_span, "", key_span));
            continue;
        }
        match argv.get(i) {
            Some(v) if !v.value.starts_with('-') || v.value.len() == 1 => {
                i += 1;
                out.push(option(name, key_span, &v.value, v.span));
            }
            // An option gen does not know followed by another option: taken as a flag.
            _ => out.push(option(name, key_span, "true", key_span)),
        }
    }
    Some(out)
}

/// Where a uWSGI socket option listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UwsgiAddr {
    /// `:8000` (every address: host empty), `127.0.0.1:8000`, `[::]:8000`.
    Tcp {
        host: String,
        port: Option<u16>,
    },
    Unix(String),
    /// An abstract socket (`@name`), a shared socket (`=0`), or a value gen cannot place.
    Other,
}

/// Reads a socket option's value as uWSGI does: a `/` or no `:` makes it a Unix path.
#[must_use]
pub fn uwsgi_addr(value: &str) -> UwsgiAddr {
    let v = value.trim();
    // `http-socket = :8000,foo` (a comma adds per-socket options).
    let v = v.split(',').next().unwrap_or(v);
    if v.is_empty() || v.starts_with('@') || v.starts_with('=') {
        return UwsgiAddr::Other;
    }
    if v.contains('/') || !v.contains(':') {
        return UwsgiAddr::Unix(v.to_owned());
    }
    if let Some(rest) = v.strip_prefix('[') {
        if let Some((host, port)) = rest.split_once("]:") {
            return UwsgiAddr::Tcp {
                host: host.to_owned(),
                port: port.parse().ok(),
            };
        }
        return UwsgiAddr::Other;
    }
    match v.rsplit_once(':') {
        Some((host, port)) => UwsgiAddr::Tcp {
            host: host.to_owned(),
            port: port.parse().ok(),
        },
        None => UwsgiAddr::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::parse::app::command::tests::words;

    fn pairs(o: &UwsgiOptions) -> Vec<(String, String)> {
        o.options
            .iter()
            .map(|o| (o.key.clone(), o.value.clone()))
            .collect()
    }

    #[test]
    fn ini_reads_uwsgis_own_rules() {
        let text = "; comment\nsocket = /outside\n[uwsgi]\n  socket = /run/a.sock\n# x\nhttp_socket=:8000 ; not a comment\nchmod-socket = 660\nno equals here\nmodule = app:$(NAME)\n[other]\nsocket = /x\n";
        let o = uwsgi_ini(text, "uwsgi");
        assert_eq!(
            pairs(&o),
            [
                ("socket".to_owned(), "/run/a.sock".to_owned()),
                ("http-socket".to_owned(), ":8000 ; not a comment".to_owned()),
                ("chmod-socket".to_owned(), "660".to_owned()),
                ("module".to_owned(), "app:$(NAME)".to_owned()),
            ]
        );
        let s = &o.options[0];
        assert_eq!(&text[s.key_span.start..s.key_span.end], "socket");
        assert_eq!(&text[s.value_span.start..s.value_span.end], "/run/a.sock");
        assert!(o.options[3].magic);
        assert!(!o.options[0].magic);
        assert_eq!(pairs(&uwsgi_ini(text, "other")).len(), 1);
    }

    #[test]
    fn magic_table() {
        for (v, magic) in [
            ("%d/app.sock", true),
            ("%(base)/x", true),
            ("$(PORT)", true),
            ("@(file)", true),
            ("660", false),
            ("/run/100%", false),
            (":8000", false),
        ] {
            assert_eq!(is_magic(v), magic, "{v}");
        }
    }

    #[test]
    fn yaml_reads_the_section() {
        let text = "uwsgi:\n  socket:\n    - /run/a.sock\n    - :3031\n  master: true\n  module: app:app\n";
        let o = uwsgi_yaml(text, "uwsgi").expect("yaml");
        assert_eq!(
            pairs(&o),
            [
                ("socket".to_owned(), "/run/a.sock".to_owned()),
                ("socket".to_owned(), ":3031".to_owned()),
                ("master".to_owned(), "true".to_owned()),
                ("module".to_owned(), "app:app".to_owned()),
            ]
        );
        assert!(uwsgi_yaml("a: [", "uwsgi").is_none());
    }

    #[test]
    fn command_line_table() {
        let cases: [(&str, &[(&str, &str)]); 6] = [
            (
                "uwsgi --ini /etc/uwsgi/app.ini",
                &[("ini", "/etc/uwsgi/app.ini")],
            ),
            (
                "/usr/local/bin/uwsgi --socket=:3031 -M --module app:app --die-on-term",
                &[
                    ("socket", ":3031"),
                    ("master", "true"),
                    ("module", "app:app"),
                    ("die-on-term", "true"),
                ],
            ),
            (
                "uwsgi -s /tmp/a.sock --chmod-socket --http-socket :8000",
                &[
                    ("socket", "/tmp/a.sock"),
                    ("chmod-socket", ""),
                    ("http-socket", ":8000"),
                ],
            ),
            (
                "uwsgi app.ini --chmod-socket=664",
                &[("ini", "app.ini"), ("chmod-socket", "664")],
            ),
            (
                "uwsgi -s:3031 -w wsgi",
                &[("socket", ":3031"), ("module", "wsgi")],
            ),
            ("uwsgi --yaml u.yml", &[("yaml", "u.yml")]),
        ];
        for (line, want) in cases {
            let o = uwsgi_args(&words(line)).unwrap_or_else(|| panic!("{line}"));
            let got = pairs(&o);
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(got, want, "{line}");
        }
        assert!(uwsgi_args(&words("gunicorn app:app")).is_none());
        let line = "uwsgi --socket=:3031";
        let o = uwsgi_args(&words(line)).expect("uwsgi");
        let s = &o.options[0];
        assert_eq!(&line[s.value_span.start..s.value_span.end], ":3031");
        assert_eq!(&line[s.key_span.start..s.key_span.end], "--socket");
    }

    #[test]
    fn addr_table() {
        let tcp = |h: &str, p: Option<u16>| UwsgiAddr::Tcp {
            host: h.to_owned(),
            port: p,
        };
        for (v, want) in [
            (":3031", tcp("", Some(3031))),
            ("127.0.0.1:8000", tcp("127.0.0.1", Some(8000))),
            ("[::1]:9000", tcp("::1", Some(9000))),
            (
                "/run/uwsgi/app.sock",
                UwsgiAddr::Unix("/run/uwsgi/app.sock".into()),
            ),
            ("app.sock", UwsgiAddr::Unix("app.sock".into())),
            ("@abstract", UwsgiAddr::Other),
            ("=0", UwsgiAddr::Other),
            (":8000,foo", tcp("", Some(8000))),
            ("localhost:http", tcp("localhost", None)),
        ] {
            assert_eq!(uwsgi_addr(v), want, "{v}");
        }
    }

    #[test]
    fn hostile_inputs() {
        let huge = "socket = /a\n".repeat(MAX_OPTIONS + 10);
        let o = uwsgi_ini(&format!("[uwsgi]\n{huge}"), "uwsgi");
        assert_eq!(o.options.len(), MAX_OPTIONS);
        assert!(o.truncated);
        let long = "x".repeat(MAX_LEN + 1);
        assert!(uwsgi_ini(&long, "uwsgi").truncated);
        for text in [
            "[",
            "[uwsgi",
            "=",
            "[uwsgi]\n=\n= =",
            "\u{feff}[uwsgi]\nsocket=é",
            "\r\n\r\n",
        ] {
            let _ = uwsgi_ini(text, "uwsgi");
            let _ = uwsgi_yaml(text, "uwsgi");
        }
        let _ = uwsgi_args(&words("uwsgi - -- --= -é --socket"));
        let _ = uwsgi_addr("[");
        let _ = uwsgi_addr("[::");
    }
}
