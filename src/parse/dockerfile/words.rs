//! Splitting an instruction's text into words the way BuildKit's parser does: the keyword,
//! the leading `--flags`, whitespace-delimited arguments, quote-aware words (for ENV, ARG,
//! LABEL), JSON arrays (exec form), and heredoc openers. Every word keeps its byte range in
//! the joined instruction text.

use std::ops::Range;

/// A word and its byte range in the text it was split from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawWord {
    pub text: String,
    pub range: Range<usize>,
}

/// Go's `unicode.IsSpace`, which BuildKit uses for trimming and word splitting.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]+`.
fn is_delimiter(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// The keyword, its range, and where the rest starts, for a (left-trimmed) instruction.
pub(super) fn keyword(line: &str) -> (Range<usize>, usize) {
    let end = line.find(is_delimiter).unwrap_or(line.len());
    let rest = line[end..]
        .find(|c| !is_delimiter(c))
        .map_or(line.len(), |i| end + i);
    (0..end, rest)
}

/// BuildKit's `extractBuilderFlags`: the leading `--name[=value]` words (quotes and escapes
/// inside a flag are resolved), and the offset where the arguments start. A bare `--` ends
/// the flags and is dropped.
pub(super) fn flags(line: &str, from: usize) -> (Vec<RawWord>, usize) {
    let mut words = Vec::new();
    let mut pos = from;
    loop {
        let Some(skip) = line[pos..].find(|c: char| !is_space(c)) else {
            return (words, line.len());
        };
        pos += skip;
        if !line[pos..].starts_with("--") {
            return (words, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut chars = line[pos..].char_indices().peekable();
        let mut end = line.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if is_space(c) => {
                    end = pos + i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if c == '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        pos = end;
        if word == "--" {
            let rest = line[pos..]
                .find(|c: char| !is_space(c))
                .map_or(line.len(), |i| pos + i);
            return (words, rest);
        }
        words.push(RawWord {
            text: word,
            range: start..end,
        });
    }
}

/// BuildKit's `parseStringsWhitespaceDelimited`: no quote handling at all.
pub(super) fn whitespace_split(text: &str, from: usize) -> Vec<RawWord> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text[from..].char_indices() {
        let i = from + i;
        match (is_delimiter(c), start) {
            (true, Some(s)) => {
                out.push(RawWord {
                    text: text[s..i].to_owned(),
                    range: s..i,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(RawWord {
            text: text[s..].to_owned(),
            range: s..text.len(),
        });
    }
    out
}

/// BuildKit's `parseWords`: whitespace splits words except inside quotes; quotes and escape
/// characters stay in the words (the shell-word expansion removes them later).
pub(super) fn quoted_words(text: &str, from: usize, escape: char) -> Vec<RawWord> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text[from..].char_indices().map(|(i, c)| (from + i, c));
    while let Some((i, c)) = chars.next() {
        if start.is_none() {
            if is_space(c) {
                continue;
            }
            start = Some(i);
        }
        match quote {
            None if is_space(c) => {
                if let Some(s) = start.take() {
                    out.push(RawWord {
                        text: text[s..i].to_owned(),
                        range: s..i,
                    });
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            Some('\'') => {}
            _ if c == escape => {
                chars.next();
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(RawWord {
            text: text[s..].to_owned(),
            range: s..text.len(),
        });
    }
    out
}

/// How an argument text reads as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Json {
    /// A JSON array of strings: the exec form.
    Strings(Vec<RawWord>),
    /// Valid JSON array with a non-string element: BuildKit rejects the instruction.
    NotStrings,
    /// Not a JSON array: the shell form.
    No,
}

/// Reads `text[from..]` as a JSON array of strings, with each element's range (quotes
/// included). Anything else that `serde_json` accepts as an array is `NotStrings`.
pub(super) fn json_array(text: &str, from: usize) -> Json {
    let rest = &text[from..];
    if !rest.trim_start().starts_with('[') {
        return Json::No;
    }
    if let Some(words) = scan_string_array(text, from) {
        return Json::Strings(words);
    }
    match serde_json::from_str::<Vec<serde_json::Value>>(rest) {
        Ok(_) => Json::NotStrings,
        Err(_) => Json::No,
    }
}

fn skip_json_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

fn scan_string_array(text: &str, from: usize) -> Option<Vec<RawWord>> {
    let b = text.as_bytes();
    let mut i = skip_json_space(b, from);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = skip_json_space(b, i + 1);
    let mut out = Vec::new();
    if b.get(i) == Some(&b']') {
        return (skip_json_space(b, i + 1) == b.len()).then_some(out);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        i += 1;
        let text_of = text.get(start..i)?;
        let value: String = serde_json::from_str(text_of).ok()?;
        out.push(RawWord {
            text: value,
            range: start..i,
        });
        i = skip_json_space(b, i);
        match b.get(i) {
            Some(b',') => i = skip_json_space(b, i + 1),
            Some(b']') => {
                return (skip_json_space(b, i + 1) == b.len()).then_some(out);
            }
            _ => return None,
        }
    }
}

/// A heredoc opener found in an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Opener {
    pub name: String,
    pub chomp: bool,
    /// False when the name was quoted: the body is then taken literally.
    pub expand: bool,
    pub fd: Option<u32>,
}

/// The heredocs a line opens, as BuildKit's `heredocsFromLine`: every word matching
/// `^(\d*)<<(-?)([^<]*)$` whose rest is one (possibly quoted) word.
pub(super) fn heredoc_openers(line: &str, escape: char) -> Vec<Opener> {
    quoted_words(line, 0, escape)
        .into_iter()
        .filter_map(|w| opener(&w.text, escape))
        .collect()
}

fn opener(word: &str, escape: char) -> Option<Opener> {
    let at = word.find("<<")?;
    let (digits, rest) = (&word[..at], &word[at + 2..]);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest, escape)?;
    if name.is_empty() || name.contains(is_space) {
        return None;
    }
    Some(Opener {
        expand: !rest.contains(['\'', '"']),
        name,
        chomp,
        fd: if digits.is_empty() {
            None
        } else {
            digits.parse().ok()
        },
    })
}

/// Removes shell quotes and escapes from one word; `None` for an unterminated quote.
fn unquote(word: &str, escape: char) -> Option<String> {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('\'') => out.push(c),
            None if c == '\'' || c == '"' => quote = Some(c),
            _ if c == escape => out.push(chars.next().unwrap_or(c)),
            _ => out.push(c),
        }
    }
    quote.is_none().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(words: &[RawWord]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn flags_table() {
        let cases: [(&str, &[&str], &str); 7] = [
            ("COPY --from=deps a b", &["--from=deps"], "a b"),
            (
                "COPY --chown=app:app --chmod=644 a b",
                &["--chown=app:app", "--chmod=644"],
                "a b",
            ),
            ("COPY --link a b", &["--link"], "a b"),
            ("RUN -- --x", &[], "--x"),
            (
                "RUN --mount=\"type=cache,target=/a b\" c",
                &["--mount=type=cache,target=/a b"],
                "c",
            ),
            ("RUN echo --x", &[], "echo --x"),
            ("HEALTHCHECK --interval=5s", &["--interval=5s"], ""),
        ];
        for (line, want, rest) in cases {
            let (_, from) = keyword(line);
            let (fl, at) = flags(line, from);
            assert_eq!(texts(&fl), want, "{line}");
            assert_eq!(&line[at..], rest, "{line}");
            for f in &fl {
                assert!(line[f.range.clone()].starts_with("--"), "{line}");
            }
        }
    }

    #[test]
    fn quoted_words_table() {
        let cases: [(&str, &[&str]); 5] = [
            ("a=1 b=2", &["a=1", "b=2"]),
            ("a=\"x y\" b", &["a=\"x y\"", "b"]),
            ("a='x \\' b", &["a='x \\'", "b"]),
            ("a=x\\ y", &["a=x\\ y"]),
            ("  ", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(texts(&quoted_words(text, 0, '\\')), want, "{text}");
        }
    }

    #[test]
    fn json_table() {
        let strings = |t: &str| match json_array(t, 0) {
            Json::Strings(w) => Some(texts(&w).into_iter().map(str::to_owned).collect()),
            _ => None,
        };
        assert_eq!(
            strings(r#"["a", "b c"]"#),
            Some(vec!["a".into(), "b c".into()])
        );
        assert_eq!(
            strings(r#"[ "a\"q\u0041" ]"#),
            Some(vec!["a\"qA".to_owned()])
        );
        assert_eq!(strings("[]"), Some(Vec::<String>::new()));
        assert_eq!(json_array(r#"["a", 1]"#, 0), Json::NotStrings);
        assert_eq!(json_array(r#"["a",]"#, 0), Json::No);
        assert_eq!(json_array("[a]", 0), Json::No);
        assert_eq!(json_array(r#"["a"] x"#, 0), Json::No);
        assert_eq!(json_array("echo [a]", 0), Json::No);
        let Json::Strings(w) = json_array(r#"x ["a", "b"]"#, 2) else {
            panic!("not an array");
        };
        assert_eq!(w[1].range, 8..11);
    }

    #[test]
    fn heredoc_openers_table() {
        // (line, [(name, chomp, expand)])
        type Case<'a> = (&'a str, &'a [(&'a str, bool, bool)]);
        let cases: [Case<'_>; 7] = [
            ("RUN <<EOF", &[("EOF", false, true)]),
            ("RUN <<-EOT bash", &[("EOT", true, true)]),
            ("COPY <<'EOF' /x", &[("EOF", false, false)]),
            ("RUN 3<<\"A\" cat", &[("A", false, false)]),
            ("RUN cat <<A <<B", &[("A", false, true), ("B", false, true)]),
            ("RUN echo \"<<EOF\"", &[]),
            ("RUN echo a<<b", &[]),
        ];
        for (line, want) in cases {
            let got: Vec<(String, bool, bool)> = heredoc_openers(line, '\\')
                .into_iter()
                .map(|o| (o.name, o.chomp, o.expand))
                .collect();
            let want: Vec<(String, bool, bool)> =
                want.iter().map(|&(n, c, e)| (n.to_owned(), c, e)).collect();
            assert_eq!(got, want, "{line}");
        }
    }
}
