//! `gen parse --as KIND FILE` for the file kinds besides nginx and Dockerfiles: what gen's own
//! parser reads from a supervisord config, a compose file, a Kubernetes manifest, a gunicorn
//! config, a uWSGI ini file, a PHP-FPM config or a spec, as JSON on stdout, so that a finding
//! can be traced to how gen read the file.
//!
//! Every kind prints one line of JSON, `{"file": PATH, "kind": KIND, ...}` with the kind's
//! fields below (keys sorted); every position is a 1-based `line` and a `column` counted in
//! characters.
//!
//! - `supervisord`: `sections` (`name`, `line`, `column`, `entries`: `key` lower-cased,
//!   `value` as supervisord reads it, continuation lines joined with `\n`), and `comments`
//!   (`text` after the `;` or `#`).
//! - `gunicorn`: `settings` gunicorn reads from the file (`name`, `line`, `column`, `value`:
//!   the list of literal values, or `null` when gen cannot evaluate it), and `opaque`: the
//!   position of code that may set any setting, or `null`.
//! - `uwsgi`: `options` of the `[uwsgi]` section (`key` with `_` as `-`, `value`, `line`,
//!   `column`, `magic`: the value uses uWSGI's `%` or `$()` expansions), and `truncated`.
//! - `php-fpm`: `sections` (`name`, `""` for entries before any section), each with
//!   `entries` (`key`, `value`, `line`, `column`, `env`: reads `${VAR}`), and `truncated`.
//! - `compose` and `kubernetes`: `documents`, each YAML document as plain JSON (every
//!   scalar a string, as gen reads them; aliases and merge keys resolved).
//! - `spec`: `spec`, the spec's TOML as JSON, once gen's validation accepts it.
//!
//! Exit codes: 0 when the file parses; 2 when it cannot be read or does not parse (a
//! rustc-style error on stderr naming file, line and column, nothing on stdout).

use crate::cli::ParseAs;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::error::Result;
use crate::parse::app;
use crate::parse::span::{LineIndex, Span};
use crate::parse::{supervisord, yaml};
use serde_json::{Value, json};
use std::path::Path;

/// Line and column of a byte offset.
struct Pos<'t> {
    text: &'t str,
    index: LineIndex,
}

impl<'t> Pos<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            index: LineIndex::new(text),
        }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let lc = self.index.line_col(self.text, offset);
        (lc.line, lc.column)
    }
}

/// Prints how gen reads `path` as `kind` (one of the kinds this module handles).
///
/// # Errors
/// When the file cannot be read or is too large.
pub fn run(kind: ParseAs, path: &Path) -> Result<u8> {
    let (file, text) = super::parse::read_text(path, "a config file")?;
    match to_json(kind, &file, &text) {
        Ok(v) => {
            crate::outln!("{v}");
            Ok(0)
        }
        Err(diags) => Ok(super::parse::refused(&file, &text, &diags)),
    }
}

fn error(file: &str, text: &str, message: String, span: Span) -> Vec<Diagnostic> {
    vec![Diagnostic::new(
        "",
        "",
        Severity::Error,
        message,
        Label::new(file, text, span, ""),
    )]
}

/// The JSON for `text` read as `kind`, or why it does not parse.
///
/// # Errors
/// The diagnostics of a file that does not parse.
pub fn to_json(
    kind: ParseAs,
    file: &str,
    text: &str,
) -> std::result::Result<Value, Vec<Diagnostic>> {
    let pos = Pos::new(text);
    let mut out = json!({"file": file, "kind": name(kind)});
    let fields = match kind {
        ParseAs::Supervisord => {
            supervisord_json(&pos, text).map_err(|e| error(file, text, e.to_string(), e.span))?
        }
        ParseAs::Gunicorn => gunicorn_json(&pos, text),
        ParseAs::Uwsgi => uwsgi_json(&pos, text),
        ParseAs::PhpFpm => phpfpm_json(&pos, text),
        ParseAs::Compose | ParseAs::Kubernetes => {
            let docs = yaml::parse(text).map_err(|e| error(file, text, e.message, e.span))?;
            json!({"documents": docs.iter().map(plain).collect::<Vec<_>>()})
        }
        ParseAs::Spec => spec_json(file, text)?,
        ParseAs::Nginx | ParseAs::Dockerfile => json!({}),
    };
    if let (Some(o), Value::Object(f)) = (out.as_object_mut(), fields) {
        o.extend(f);
    }
    Ok(out)
}

/// The kind's name on the command line.
const fn name(kind: ParseAs) -> &'static str {
    match kind {
        ParseAs::Nginx => "nginx",
        ParseAs::Dockerfile => "dockerfile",
        ParseAs::Supervisord => "supervisord",
        ParseAs::Compose => "compose",
        ParseAs::Kubernetes => "kubernetes",
        ParseAs::Gunicorn => "gunicorn",
        ParseAs::Uwsgi => "uwsgi",
        ParseAs::PhpFpm => "php-fpm",
        ParseAs::Spec => "spec",
    }
}

fn supervisord_json(
    pos: &Pos<'_>,
    text: &str,
) -> std::result::Result<Value, supervisord::ParseError> {
    let c = supervisord::parse(text)?;
    let sections: Vec<Value> = c
        .sections
        .iter()
        .map(|s| {
            let (line, column) = pos.at(s.header_span.start);
            let entries: Vec<Value> = s
                .entries
                .iter()
                .map(|e| {
                    let (line, column) = pos.at(e.key_span.start);
                    json!({"key": e.key, "value": e.value, "line": line, "column": column})
                })
                .collect();
            json!({"name": s.name, "line": line, "column": column, "entries": entries})
        })
        .collect();
    let comments: Vec<Value> = c
        .comments
        .iter()
        .map(|k| {
            let (line, column) = pos.at(k.span.start);
            json!({"text": k.text, "line": line, "column": column})
        })
        .collect();
    Ok(json!({"sections": sections, "comments": comments}))
}

fn gunicorn_json(pos: &Pos<'_>, text: &str) -> Value {
    let c = app::gunicorn_config(text);
    let settings: Vec<Value> = c
        .settings
        .iter()
        .map(|s| {
            let (line, column) = pos.at(s.name_span.start);
            let value = match &s.value {
                app::ConfValue::Literal(items) => {
                    Value::from(items.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>())
                }
                app::ConfValue::Unknown(_) => Value::Null,
            };
            json!({"name": s.name, "line": line, "column": column, "value": value})
        })
        .collect();
    let opaque = c.opaque.map(|s| {
        let (line, column) = pos.at(s.start);
        json!({"line": line, "column": column})
    });
    json!({"settings": settings, "opaque": opaque})
}

fn uwsgi_json(pos: &Pos<'_>, text: &str) -> Value {
    let o = app::uwsgi_ini(text, "uwsgi");
    let options: Vec<Value> = o
        .options
        .iter()
        .map(|o| {
            let (line, column) = pos.at(o.key_span.start);
            json!({"key": o.key, "value": o.value, "line": line, "column": column, "magic": o.magic})
        })
        .collect();
    json!({"options": options, "truncated": o.truncated})
}

fn phpfpm_json(pos: &Pos<'_>, text: &str) -> Value {
    let c = app::php_fpm(text);
    let sections: Vec<Value> = c
        .sections
        .iter()
        .map(|s| {
            let entries: Vec<Value> = s
                .entries
                .iter()
                .map(|e| {
                    let (line, column) = pos.at(e.key_span.start);
                    json!({"key": e.key, "value": e.value, "line": line, "column": column, "env": e.env})
                })
                .collect();
            json!({"name": s.name, "entries": entries})
        })
        .collect();
    json!({"sections": sections, "truncated": c.truncated})
}

/// A YAML node as plain JSON.
fn plain(node: &yaml::Node) -> Value {
    match &node.value {
        yaml::Value::Null => Value::Null,
        yaml::Value::Scalar { text, .. } => Value::String(text.clone()),
        yaml::Value::Seq(items) => Value::Array(items.iter().map(plain).collect()),
        yaml::Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                // A key that is not a scalar (rare, and nothing gen reads) is shown as JSON.
                let key = k
                    .as_str()
                    .map_or_else(|| plain(k).to_string(), str::to_owned);
                // YAML forbids duplicate keys; gen's readers take the first.
                map.entry(key).or_insert_with(|| plain(v));
            }
            Value::Object(map)
        }
    }
}

fn spec_json(file: &str, text: &str) -> std::result::Result<Value, Vec<Diagnostic>> {
    crate::spec::load(file, text).map_err(|e| e.diagnostics)?;
    // Valid, so the TOML parses.
    let value: toml::Value = toml::from_str(text)
        .map_err(|e| error(file, text, e.message().to_owned(), Span::default()))?;
    let spec = serde_json::to_value(value).unwrap_or(Value::Null);
    Ok(json!({"spec": spec}))
}
