//! crossplane's JSON payload for one parsed file, as `crossplane parse --single-file` prints
//! it, plus a `column` beside each `line`.
//!
//! Its conventions are crossplane's: `line` is the line of the directive's name, `block` is
//! present (possibly empty) only for block directives, a failed file has `"parsed": []` and
//! errors of the form `{"error": "<message> in <file>:<line>", "line": <line>}`. With comments
//! included, each comment is a `{"directive": "#", ..., "comment": "..."}` entry where it
//! stands, except that comments among a directive's arguments follow the directive and take
//! its line, as crossplane places them.
//!
//! The payload is written straight to a writer as it is walked, in serde_json's compact
//! format (strings escaped by serde_json itself), rather than built as a tree and serialized:
//! for a config of tens of megabytes that tree would be several times the size of the input.
//! Lines and columns come from one pass over the text, since entries are written in file
//! order.

use super::analyzer::Analysis;
use super::{Config, Directive, Directives, ParseError, Quote, unquote};
use std::io::{self, Write};

/// Writes the payload of one file named `file` whose text is `text`, from its parse result,
/// as one line of compact JSON without a line ending.
///
/// # Errors
/// Only the writer's.
pub fn write_single_file<W: Write>(
    out: &mut W,
    file: &str,
    text: &str,
    result: &Result<Config<'_>, ParseError>,
    include_comments: bool,
) -> io::Result<()> {
    write_analyzed(
        out,
        file,
        text,
        result,
        include_comments,
        &Analysis::default(),
    )
}

/// [`write_single_file`] with the errors of crossplane's analyzer: a directive with an
/// error is left out with its block, and the errors are listed with their lines; when the
/// analyzer stopped at its first error (`--no-catch`), nothing is parsed.
///
/// # Errors
/// What writing to `out` gives.
pub fn write_analyzed<W: Write>(
    out: &mut W,
    file: &str,
    text: &str,
    result: &Result<Config<'_>, ParseError>,
    include_comments: bool,
    analysis: &Analysis,
) -> io::Result<()> {
    let mut out = Out::new(out);
    match result {
        Ok(config) if !analysis.errors.is_empty() => {
            let mut lines = Lines::new(config.text());
            let errors: Vec<(String, usize)> = analysis
                .errors
                .iter()
                .map(|(i, e)| {
                    let at = config.nodes.get(*i).map_or(0, |n| n.name_start as usize);
                    let (line, _) = lines.line_col(at);
                    (format!("{e} in {file}:{line}"), line)
                })
                .collect();
            out.raw(br#"{"status":"failed","errors":["#);
            for (k, (e, line)) in errors.iter().enumerate() {
                if k > 0 {
                    out.raw(b",");
                }
                out.raw(br#"{"file":"#);
                out.string(file);
                out.raw(br#","error":"#);
                out.string(e);
                out.raw(br#","line":"#);
                out.number(*line);
                out.raw(b"}");
            }
            out.raw(br#"],"config":[{"file":"#);
            out.string(file);
            out.raw(br#","status":"failed","errors":["#);
            for (k, (e, line)) in errors.iter().enumerate() {
                if k > 0 {
                    out.raw(b",");
                }
                out.raw(br#"{"error":"#);
                out.string(e);
                out.raw(br#","line":"#);
                out.number(*line);
                out.raw(b"}");
            }
            out.raw(br#"],"parsed":"#);
            if analysis.stopped {
                out.raw(b"[]}]}");
                return out.flush();
            }
            let mut w = Entries {
                out,
                config,
                lines,
                comments: if include_comments {
                    &config.comments
                } else {
                    &[]
                },
                next: 0,
                skip: &analysis.skip,
            };
            w.list(config.directives(), usize::MAX)?;
            w.out.raw(b"}]}");
            w.out.flush()
        }
        Ok(config) => {
            out.raw(br#"{"status":"ok","errors":[],"config":[{"file":"#);
            out.string(file);
            out.raw(br#","status":"ok","errors":[],"parsed":"#);
            let mut w = Entries {
                out,
                config,
                lines: Lines::new(config.text()),
                comments: if include_comments {
                    &config.comments
                } else {
                    &[]
                },
                next: 0,
                skip: &analysis.skip,
            };
            w.list(config.directives(), usize::MAX)?;
            w.out.raw(b"}]}");
            w.out.flush()
        }
        Err(e) => {
            let (line, _) = Lines::new(text).line_col(e.span.start);
            let error = format!("{} in {file}:{line}", e.kind.crossplane_message());
            out.raw(br#"{"status":"failed","errors":[{"file":"#);
            out.string(file);
            out.raw(br#","error":"#);
            out.string(&error);
            out.raw(br#","line":"#);
            out.number(line);
            out.raw(br#"}],"config":[{"file":"#);
            out.string(file);
            out.raw(br#","status":"failed","errors":[{"error":"#);
            out.string(&error);
            out.raw(br#","line":"#);
            out.number(line);
            out.raw(br#"}],"parsed":[]}]}"#);
            out.flush()
        }
    }
}

/// The payload as a string, for tests and small files.
#[must_use]
pub fn single_file_json(
    file: &str,
    text: &str,
    result: &Result<Config<'_>, ParseError>,
    include_comments: bool,
) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail, and every string written is UTF-8.
    let _ = write_single_file(&mut out, file, text, result, include_comments);
    String::from_utf8_lossy(&out).into_owned()
}

/// "00" to "99", for writing numbers two digits at a time.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// How much JSON is gathered before it is handed to the writer.
const CHUNK: usize = 1 << 16;

/// The output: JSON is gathered in a buffer that cannot fail and handed to the writer a chunk
/// at a time, so only a flush can fail.
struct Out<'w, W> {
    buf: Vec<u8>,
    sink: &'w mut W,
}

impl<'w, W: Write> Out<'w, W> {
    fn new(sink: &'w mut W) -> Self {
        Self {
            buf: Vec::with_capacity(CHUNK + CHUNK / 4),
            sink,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// A JSON string: as is when nothing in it needs escaping (the common case), else escaped
    /// by serde_json, so the output is byte for byte what serde_json writes.
    fn string(&mut self, s: &str) {
        if needs_escape(s.as_bytes()) {
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.buf, s);
            return;
        }
        self.buf.reserve(s.len() + 2);
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }

    /// A number in decimal, two digits at a time (lines run into the millions).
    fn number(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        while n >= 100 {
            let pair = n % 100 * 2;
            n /= 100;
            i -= 2;
            digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            i -= 2;
            digits[i..i + 2].copy_from_slice(&DIGIT_PAIRS[n * 2..n * 2 + 2]);
        } else {
            i -= 1;
            digits[i] = b'0' + n as u8;
        }
        for &d in &digits[i..] {
            self.buf.push(d);
        }
    }

    /// Hands the buffer to the writer once it holds a chunk.
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

/// The writer of a `parsed` list and the blocks in it.
struct Entries<'w, 'c, 'a, W> {
    out: Out<'w, W>,
    config: &'c Config<'a>,
    lines: Lines<'a>,
    comments: &'c [super::CommentSlot],
    /// The first comment not yet placed; comments are in file order, as directives are.
    next: usize,
    /// By directive index: left out, with its block (crossplane's analyzer refused it).
    skip: &'c [bool],
}

impl<'c, 'a, W: Write> Entries<'_, 'c, 'a, W> {
    /// The entries of one directive list, with the comments before `end` placed among them.
    fn list(&mut self, directives: Directives<'c, 'a>, end: usize) -> io::Result<()> {
        self.out.raw(b"[");
        let mut first = true;
        for d in directives {
            let span = d.span();
            if self.skip.get(d.index).copied().unwrap_or(false) {
                // Its comments go with it, as crossplane consumes a refused block.
                self.comments_before(span.start, &mut first);
                while self
                    .comments
                    .get(self.next)
                    .is_some_and(|c| (c.start as usize) < span.end)
                {
                    self.next += 1;
                }
                continue;
            }
            self.comments_before(span.start, &mut first);
            let (line, column) = self.lines.line_col(d.name_span().start);
            // Comments among the arguments are placed after the directive (and its block),
            // but they come before the block in the text, so they are taken off first.
            let in_head = self.next;
            if self.next < self.comments.len() {
                let head_end = d.head_end();
                while self
                    .comments
                    .get(self.next)
                    .is_some_and(|c| (c.start as usize) < head_end)
                {
                    self.next += 1;
                }
            }
            let in_head = in_head..self.next;
            self.separator(&mut first);
            self.out.raw(br#"{"directive":"#);
            self.out.string(&name(&d));
            self.position(line, column);
            self.out.raw(br#","args":["#);
            for (i, value) in d.values().enumerate() {
                if i > 0 {
                    self.out.raw(b",");
                }
                self.out.string(&value);
            }
            self.out.raw(b"]");
            if d.has_block() {
                self.out.raw(br#","block":"#);
                self.list(d.children(), span.end.saturating_sub(1))?;
            }
            self.out.raw(b"}");
            for i in in_head {
                self.separator(&mut first);
                self.comment(i, line, column);
            }
            self.out.flush_if_full()?;
        }
        self.comments_before(end, &mut first);
        self.out.raw(b"]");
        Ok(())
    }

    fn comments_before(&mut self, end: usize, first: &mut bool) {
        while let Some(c) = self.comments.get(self.next)
            && (c.start as usize) < end
        {
            let (line, column) = self.lines.line_col(c.start as usize);
            self.separator(first);
            self.comment(self.next, line, column);
            self.next += 1;
        }
    }

    fn comment(&mut self, i: usize, line: usize, column: usize) {
        let text = self
            .comments
            .get(i)
            .map_or("", |c| self.config.slice(c.start + 1, c.end));
        self.out.raw(br##"{"directive":"#""##);
        self.position(line, column);
        self.out.raw(br#","args":[],"comment":"#);
        self.out.string(crossplane_comment(text));
        self.out.raw(b"}");
    }

    fn position(&mut self, line: usize, column: usize) {
        self.out.raw(br#","line":"#);
        self.out.number(line);
        self.out.raw(br#","column":"#);
        self.out.number(column);
    }

    fn separator(&mut self, first: &mut bool) {
        if *first {
            *first = false;
        } else {
            self.out.raw(b",");
        }
    }
}

/// A directive's name as crossplane gives it: a quoted name gets the unescaping a quoted
/// argument gets.
fn name<'a>(d: &Directive<'_, 'a>) -> std::borrow::Cow<'a, str> {
    let node = d.node();
    let raw = d.config.slice(node.name_start, node.name_end);
    let quote = match raw.as_bytes().first() {
        Some(b'"') => Quote::Double,
        Some(b'\'') => Quote::Single,
        _ => return std::borrow::Cow::Borrowed(raw),
    };
    unquote(raw.get(1..raw.len() - 1).unwrap_or_default(), quote)
}

/// 1-based line and column (in characters) of offsets asked for in increasing order, found in
/// one pass over the text; an offset before the last one asked for starts over from the top.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
    /// Characters between the start of `line` and `at`.
    column: usize,
}

impl<'a> Lines<'a> {
    const fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
            column: 0,
        }
    }

    fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            *self = Self {
                text: self.text,
                ..Self::new("")
            };
        }
        let seg = &self.text[self.at..offset];
        // A character is a byte that does not continue a UTF-8 sequence (0b10xx_xxxx).
        let is_char = |b: u8| b & 0xC0 != 0x80;
        let chars = |s: &[u8]| count(s, is_char);
        // Entries start lines, so the last line break is usually a few bytes back.
        match seg.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += 1 + count(&seg[..last], |b| b == b'\n');
                self.column = chars(&seg[last + 1..]);
            }
            None => self.column += chars(seg),
        }
        self.at = offset;
        (self.line, self.column + 1)
    }
}

/// Whether a string has a byte that serde_json escapes: a control character, `"` or `\`.
/// Eight bytes at a time, with the usual bit trick for "has a byte less than n": `x - n`
/// (bytewise) borrows into a byte's top bit only where that byte is below `n`; a byte equal
/// to `c` is a zero byte of `x ^ c`, so below 1.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // The top bit of each byte below `n`, and stray bits only where one is set already.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x;
    let hit = |x: u64| {
        let quote = below(x ^ (ONES * u64::from(b'"')), 1);
        let backslash = below(x ^ (ONES * u64::from(b'\\')), 1);
        (below(x, 0x20) | quote | backslash) & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if hit(u64::from_ne_bytes(word)) {
            return true;
        }
    }
    // The tail, padded with a byte that needs nothing.
    let mut word = [b'a'; 8];
    word[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hit(u64::from_ne_bytes(word))
}

/// How many bytes of `bytes` match `hit`, counted 32 at a time in a form the compiler turns
/// into vector instructions: this runs over the whole text once per payload.
fn count(bytes: &[u8], hit: impl Fn(u8) -> bool) -> usize {
    let mut chunks = bytes.chunks_exact(32);
    let mut n = 0;
    for chunk in &mut chunks {
        n += usize::from(chunk.iter().map(|&b| u8::from(hit(b))).sum::<u8>());
    }
    n + chunks.remainder().iter().filter(|&&b| hit(b)).count()
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
    use serde_json::{Value, json};

    fn payload(text: &str, comments: bool) -> Value {
        let json = single_file_json("f.conf", text, &parse(text), comments);
        serde_json::from_str(&json).expect("the payload is JSON")
    }

    /// The payload's `parsed` list in a compact form: `name@line:column[args]{...}` and
    /// `#@line:column"comment"`.
    fn compact(text: &str, comments: bool) -> String {
        fn show(list: &Value) -> String {
            let items: Vec<String> = list
                .as_array()
                .expect("a list")
                .iter()
                .map(|s| {
                    let mut out = format!(
                        "{}@{}:{}",
                        s["directive"].as_str().expect("directive"),
                        s["line"],
                        s["column"]
                    );
                    let args: Vec<&str> = s["args"]
                        .as_array()
                        .expect("args")
                        .iter()
                        .map(|a| a.as_str().expect("string arg"))
                        .collect();
                    match s.get("comment") {
                        Some(c) => out.push_str(&format!("{:?}", c.as_str().expect("text"))),
                        None => out.push_str(&format!("{args:?}")),
                    }
                    if let Some(b) = s.get("block") {
                        out.push_str(&format!("{{{}}}", show(b)));
                    }
                    out
                })
                .collect();
            items.join(" ")
        }
        show(&payload(text, comments)["config"][0]["parsed"])
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
            (
                "set_by_lua_block $a # c\n { x } b;",
                true,
                r#"set_by_lua_block@1:1["$a", " x "] #@1:1" c" b@2:8[]"#,
            ),
            ("é;ü;", false, "é@1:1[] ü@1:3[]"),
            (
                "a;\r\n  b { c; }\n\td;",
                false,
                "a@1:1[] b@2:3[]{c@2:7[]} d@3:2[]",
            ),
            ("a \"x\ty\\\\\";", false, r#"a@1:1["x\ty\\\\"]"#),
        ];
        for (text, comments, want) in cases {
            assert_eq!(compact(text, comments), want, "{text:?}");
        }
    }

    #[test]
    fn exact_bytes() {
        let text = "a \"q\\\"\" 'x';\nb { c; } # d\n";
        let cases = [
            (
                false,
                r#"{"status":"ok","errors":[],"config":[{"file":"f.conf","status":"ok","errors":[],"parsed":[{"directive":"a","line":1,"column":1,"args":["q\"","x"]},{"directive":"b","line":2,"column":1,"args":[],"block":[{"directive":"c","line":2,"column":5,"args":[]}]}]}]}"#,
            ),
            (
                true,
                r##"{"status":"ok","errors":[],"config":[{"file":"f.conf","status":"ok","errors":[],"parsed":[{"directive":"a","line":1,"column":1,"args":["q\"","x"]},{"directive":"b","line":2,"column":1,"args":[],"block":[{"directive":"c","line":2,"column":5,"args":[]}]},{"directive":"#","line":2,"column":10,"args":[],"comment":" d"}]}]}"##,
            ),
        ];
        for (comments, want) in cases {
            assert_eq!(
                single_file_json("f.conf", text, &parse(text), comments),
                want
            );
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
            assert_eq!(
                payload(text, false),
                json!({
                    "status": "failed",
                    "errors": [{"file": "f.conf", "error": error, "line": line}],
                    "config": [{
                        "file": "f.conf",
                        "status": "failed",
                        "errors": [{"error": error, "line": line}],
                        "parsed": [],
                    }],
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn needs_escape_finds_every_escaped_byte_at_every_place() {
        let naive = |s: &[u8]| s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for background in [b'a', b' ', b'!', b'#', b']', 0x7F, 0x80, 0xA9, 0xC3, 0xFF] {
            for len in 0..20 {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut s = vec![background; len];
                        s[at] = b;
                        assert_eq!(needs_escape(&s), naive(&s), "{s:?}");
                    }
                }
                let s = vec![background; len];
                assert_eq!(needs_escape(&s), naive(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn lines_and_columns_in_one_pass() {
        let text = "ab\ncdé\r\nf";
        let mut lines = Lines::new(text);
        let cases = [
            (0, (1, 1)),
            (1, (1, 2)),
            (3, (2, 1)),
            (5, (2, 3)),
            (7, (2, 4)),
            (9, (3, 1)),
            (99, (3, 2)),
            (1, (1, 2)),
        ];
        for (offset, want) in cases {
            assert_eq!(lines.line_col(offset), want, "offset {offset}");
        }
    }
}
