//! crossplane's JSON payload for one parsed file, as `crossplane parse --single-file` prints
//! it, plus a `column` beside each `line`.
//!
//! Its conventions are crossplane's: `line` is the line of the directive's name, `block` is
//! present (possibly empty) only for block directives, a failed file has `"parsed": []` and
//! errors of the form `{"error": "<message> in <file>:<line>", "line": <line>}`. With comments
//! included, each comment is a `{"directive": "#", ..., "comment": "..."}` entry where it
//! stands, except that comments among a directive's arguments follow the directive and take
//! its line, as crossplane places them.

use super::{Config, Directive, ParseError, Quote, head_end, unquote};
use crate::parse::span::LineIndex;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload<'b> {
    pub status: &'static str,
    pub errors: Vec<PayloadError>,
    pub config: Vec<FileConfig<'b>>,
}

/// An error of the whole payload: a file error with the file's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadError {
    pub file: String,
    pub error: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileConfig<'b> {
    pub file: String,
    pub status: &'static str,
    pub errors: Vec<FileError>,
    pub parsed: Vec<Stmt<'b>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    pub error: String,
    pub line: usize,
}

/// A directive, or with comments included a `#` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stmt<'b> {
    pub directive: Cow<'b, str>,
    pub line: usize,
    pub column: usize,
    pub args: Vec<&'b str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<Vec<Stmt<'b>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<&'b str>,
}

/// The payload of one file named `file` whose text is `text`, from its parse result.
#[must_use]
pub fn single_file<'b, 'a: 'b>(
    file: &str,
    text: &'a str,
    result: &'b Result<Config<'a>, ParseError>,
    include_comments: bool,
) -> Payload<'b> {
    let index = LineIndex::new(text);
    match result {
        Ok(config) => {
            let mut cx = Cx {
                text,
                index,
                comments: if include_comments {
                    &config.comments
                } else {
                    &[]
                },
                next: 0,
            };
            let parsed = cx.list(&config.directives, usize::MAX);
            Payload {
                status: "ok",
                errors: Vec::new(),
                config: vec![FileConfig {
                    file: file.to_owned(),
                    status: "ok",
                    errors: Vec::new(),
                    parsed,
                }],
            }
        }
        Err(e) => {
            let line = index.line_col(text, e.span.start).line;
            let error = format!("{} in {file}:{line}", e.kind.crossplane_message());
            Payload {
                status: "failed",
                errors: vec![PayloadError {
                    file: file.to_owned(),
                    error: error.clone(),
                    line,
                }],
                config: vec![FileConfig {
                    file: file.to_owned(),
                    status: "failed",
                    errors: vec![FileError { error, line }],
                    parsed: Vec::new(),
                }],
            }
        }
    }
}

struct Cx<'b, 'a> {
    text: &'a str,
    index: LineIndex,
    comments: &'b [super::Comment<'a>],
    /// The first comment not yet placed; comments are in file order, as directives are.
    next: usize,
}

impl<'b, 'a: 'b> Cx<'b, 'a> {
    /// The entries of one directive list, with the comments before `end` placed among them.
    fn list(&mut self, directives: &'b [Directive<'a>], end: usize) -> Vec<Stmt<'b>> {
        let mut out = Vec::with_capacity(directives.len());
        for d in directives {
            self.comments_before(d.span.start, &mut out);
            let line_col = self.index.line_col(self.text, d.name_span.start);
            let head_end = if self.next < self.comments.len() {
                head_end(self.text, d)
            } else {
                0
            };
            let mut in_head = Vec::new();
            while let Some(c) = self.comments.get(self.next)
                && c.span.start < head_end
            {
                in_head.push(Stmt {
                    directive: Cow::Borrowed("#"),
                    line: line_col.line,
                    column: line_col.column,
                    args: Vec::new(),
                    block: None,
                    comment: Some(crossplane_comment(c.text)),
                });
                self.next += 1;
            }
            let block = d
                .block
                .as_ref()
                .map(|b| self.list(b, d.span.end.saturating_sub(1)));
            out.push(Stmt {
                directive: self.name(d),
                line: line_col.line,
                column: line_col.column,
                args: d.args.iter().map(|a| a.value.as_ref()).collect(),
                block,
                comment: None,
            });
            out.append(&mut in_head);
        }
        self.comments_before(end, &mut out);
        out
    }

    fn comments_before(&mut self, end: usize, out: &mut Vec<Stmt<'b>>) {
        while let Some(c) = self.comments.get(self.next)
            && c.span.start < end
        {
            let at = self.index.line_col(self.text, c.span.start);
            out.push(Stmt {
                directive: Cow::Borrowed("#"),
                line: at.line,
                column: at.column,
                args: Vec::new(),
                block: None,
                comment: Some(crossplane_comment(c.text)),
            });
            self.next += 1;
        }
    }

    /// A quoted name gets the unescaping a quoted argument gets.
    fn name(&self, d: &'b Directive<'a>) -> Cow<'b, str> {
        let quote = match self.text.as_bytes().get(d.name_span.start) {
            Some(b'"') => Quote::Double,
            Some(b'\'') => Quote::Single,
            _ => Quote::None,
        };
        unquote(d.name, quote)
    }
}

/// crossplane reads a backslash and the character after it as one unit, even in a comment,
/// so a comment ending in an odd run of backslashes loses the last one to the line ending.
fn crossplane_comment(text: &str) -> &str {
    let run = text.len() - text.trim_end_matches('\\').len();
    if run % 2 == 1 {
        &text[..text.len() - 1]
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::nginx::parse;

    /// The payload's `parsed` list in a compact form: `name@line:column[args]{...}` and
    /// `#@line:column"comment"`.
    fn compact(text: &str, comments: bool) -> String {
        fn show(list: &[Stmt<'_>]) -> String {
            let items: Vec<String> = list
                .iter()
                .map(|s| {
                    let mut out = format!("{}@{}:{}", s.directive, s.line, s.column);
                    match s.comment {
                        Some(c) => out.push_str(&format!("{c:?}")),
                        None => out.push_str(&format!("{:?}", s.args)),
                    }
                    if let Some(b) = &s.block {
                        out.push_str(&format!("{{{}}}", show(b)));
                    }
                    out
                })
                .collect();
            items.join(" ")
        }
        let result = parse(text);
        let payload = single_file("f.conf", text, &result, comments);
        show(&payload.config[0].parsed)
    }

    #[test]
    fn entries() {
        let cases = [
            ("a b;", false, r#"a@1:1["b"]"#),
            ("\n  \"a\\\"b\" 'c';", false, r#"a"b@2:3["c"]"#),
            (
                "x # one\n y # two\n { z; # three\n } # four",
                true,
                r#"x@1:1["y"]{z@3:4[] #@3:7" three"} #@1:1" one" #@1:1" two" #@4:4" four""#,
            ),
            ("x # one\n y { }", false, r#"x@1:1["y"]{}"#),
            (
                "#a\\\n#b\\\\\n#c\\\\\\\nd;",
                true,
                r#"#@1:1"a" #@2:1"b\\\\" #@3:1"c\\\\" d@4:1[]"#,
            ),
            (
                "content_by_lua_block # c\n { x }",
                true,
                r#"content_by_lua_block@1:1[" x "] #@1:1" c""#,
            ),
            ("é;ü;", false, "é@1:1[] ü@1:3[]"),
        ];
        for (text, comments, want) in cases {
            assert_eq!(compact(text, comments), want, "{text:?}");
        }
    }

    #[test]
    fn failures() {
        let cases = [
            (
                "http {\n  a;\n\n",
                "unexpected end of file, expecting \"}\" in f.conf:2",
                2,
            ),
            ("a;\n}", "unexpected \"}\" in f.conf:2", 2),
            (
                "a \"b",
                "unexpected end of file, expecting \";\" or \"}\" in f.conf:1",
                1,
            ),
        ];
        for (text, error, line) in cases {
            let result = parse(text);
            let p = single_file("f.conf", text, &result, false);
            assert_eq!(p.status, "failed");
            assert_eq!(
                p.errors,
                [PayloadError {
                    file: "f.conf".into(),
                    error: error.into(),
                    line
                }]
            );
            assert_eq!(
                p.config[0].errors,
                [FileError {
                    error: error.into(),
                    line
                }]
            );
            assert!(p.config[0].parsed.is_empty());
        }
    }
}
