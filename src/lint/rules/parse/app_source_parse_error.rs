//! `app-source-parse-error`: an app source or package manifest that does not parse.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{Context, declare_rule};
use crate::parse::app::{javascript_syntax_error, python_syntax_error};
use crate::parse::span::Span;

declare_rule! {
    /// ## What it does
    /// Checks the app's sources and package manifests for the syntax errors that stop it
    /// before it runs.
    ///
    /// In the source a program runs (Python or JavaScript): a string literal never closed,
    /// or brackets that do not pair up. Every `package.json` and `package-lock.json` must
    /// be JSON.
    ///
    /// gen reads sources with a tokenizer, not a full parser: a file that passes may still
    /// have errors the interpreter finds.
    ///
    /// ## Why is this bad?
    /// The app exits at once (`SyntaxError: '(' was never closed`), supervisord restarts it
    /// until it gives up, and nginx answers every request with 502. An invalid
    /// `package.json` fails `npm ci` and so the build.
    ///
    /// ## Example
    /// ```python
    /// app = FastAPI(
    ///
    /// @app.get("/")
    /// def index():
    ///     return {"ok": True}
    /// ```
    ///
    /// Use instead:
    /// ```python
    /// app = FastAPI()
    /// ```
    pub static APP_SOURCE_PARSE_ERROR = {
        code: "PRS005",
        name: "app-source-parse-error",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let mut seen: Vec<&str> = Vec::new();
        for app in &c.model.apps {
            let Some(src) = &app.source else { continue };
            if seen.contains(&src.file.as_str()) {
                continue;
            }
            seen.push(&src.file);
            let (Some(f), Some(text)) = (c.file(&src.file), c.model.files.text(&src.file)) else {
                continue;
            };
            let lower = src.file.to_ascii_lowercase();
            // The model's reader lexed the file already and kept its first error: taken
            // from there when it read the file in the language its name says.
            let read = &src.source;
            let error = if lower.ends_with(".py") {
                if read.javascript {
                    python_syntax_error(text)
                } else {
                    read.syntax_error.clone()
                }
            } else if [".js", ".mjs", ".cjs", ".ts"]
                .iter()
                .any(|e| lower.ends_with(e))
            {
                if read.javascript {
                    read.syntax_error.clone()
                } else {
                    javascript_syntax_error(text)
                }
            } else {
                None
            };
            if let Some(e) = error {
                out.push(
                    APP_SOURCE_PARSE_ERROR
                        .diagnostic(
                            format!("`{}` does not parse: {}", src.file, e.message),
                            Label::new(&f.path, text, e.span, "the interpreter stops here"),
                        )
                        .with_help("the app will not start: fix the syntax"),
                );
            }
        }
        for f in &c.files {
            let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
            if !matches!(name, "package.json" | "package-lock.json") {
                continue;
            }
            let Some(text) = f.text.as_deref() else {
                continue;
            };
            if let Err(e) = serde_json::from_str::<Syntax>(text) {
                let at = offset(text, e.line(), e.column());
                let message = e.to_string();
                let message = message
                    .rsplit_once(" at line ")
                    .map_or(message.as_str(), |(m, _)| m);
                out.push(
                    APP_SOURCE_PARSE_ERROR
                        .diagnostic(
                            format!("`{name}` is not JSON: {message}"),
                            Label::new(&f.path, text, Span::new(at, at), "npm stops here"),
                        )
                        .with_help("`npm ci` and `npm start` fail on it: fix the JSON"),
                );
            }
        }
    }
}

/// A JSON document read for its syntax only: walked as `serde_json::Value` walks it (so the
/// errors are the same, a trailing comma included, which serde's `IgnoredAny` skips past
/// with other words), without building a tree of a lock file's thousands of entries.
struct Syntax;

impl<'de> serde::Deserialize<'de> for Syntax {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Syntax)
    }
}

impl<'de> serde::de::Visitor<'de> for Syntax {
    type Value = Self;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(Self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<Self>()?.is_some() {}
        Ok(Self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<Self, Self>()?.is_some() {}
        Ok(Self)
    }
}

/// The byte offset of serde_json's 1-based line and column (a column counts bytes; 0 is
/// before the line's first byte).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::{Syntax, offset};

    /// Reading for syntax only finds what reading into a tree finds, in the same words at
    /// the same place.
    #[test]
    fn syntax_errors_are_values_errors() {
        let cases = [
            "{\"a\": 1,\n}",
            "[1, 2,]",
            "{\"a\": 1 \"b\": 2}",
            "{\"a\": [1, {\"b\": }]}",
            "{\"a\": \"\\x\"}",
            "{1: 2}",
            "[1e999]",
            "[18446744073709551616, -9223372036854775809, 1.5e3]",
            "{\"a\": 1} garbage",
            "{\"a\": \"\\ud800\"}",
            "\"unterminated",
            "{\"a\": {\"b\": [1, 2, 3,]}}",
            "[-]",
            "{\"a\": tru}",
            "{\"a\" 1}",
            "[1, 2",
            "",
            "{\"a\": null, \"b\": [true, false], \"c\": {\"d\": \"e\"}}",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ];
        for text in cases {
            let want = serde_json::from_str::<serde_json::Value>(text)
                .err()
                .map(|e| e.to_string());
            let got = serde_json::from_str::<Syntax>(text)
                .err()
                .map(|e| e.to_string());
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn offset_table() {
        let text = "{\n  \"a\": 1,\n}\n";
        assert_eq!(offset(text, 1, 1), 0);
        assert_eq!(offset(text, 3, 1), text.find('}').expect("brace"));
        assert_eq!(offset(text, 9, 9), text.len());
    }
}
