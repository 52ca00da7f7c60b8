//! Suppression comments: `# gen: ignore[CODE, ...]` in the file a finding points into, or
//! `# gen: ignore-file[CODE, ...]` anywhere in it for the whole file (ruff's `# ruff: noqa:`
//! file comment, in the spelling of the line comment). A file's comment syntax comes from its
//! role ([`crate::parse::role`]): the one the model gave it, else its name's.
//!
//! Comments come from each language's own reader, the one gen parses the file with, so a
//! `#` is a comment here exactly where it is one to gen's parser (and to the program that
//! reads the file): the app tokenizer of `parse::app` for Python and JavaScript (strings,
//! template and regex literals skipped); the nginx parser (`parse::nginx::comments`), the
//! supervisord reader (configparser's rules, for every ini file of no other program), the
//! uWSGI and PHP-FPM readers (`parse::app`), the Dockerfile's line layer (with the `#` lines
//! of heredoc bodies, which are the script's or the written file's comments), and TOML's
//! own lexer (`toml_parser`, which `toml` parses with). Each of them reads on past a syntax
//! error, as the parse would not, so a suppression works the same whether or not the file
//! parses; each parser's docs say how it reads on.
//!
//! Two syntaxes keep a small scanner here, because no reader gen has gives their comments:
//! YAML, since saphyr-parser's scanner skips comments without a token and stops at the first
//! error, so comments could only be found in the gaps between its tokens up to that error
//! and a scanner would still be needed past it; and shell (scripts, `.env` and requirements
//! files), which gen never parses as a whole (`parse::shell` splits one command line into
//! words, as `shlex` does with comments off).
//!
//! A comment alone on its line covers the next statement (the next line that is not blank and
//! not a comment, with its continuation lines); a comment after code covers its own line.
//! Dockerfiles have no comments after code: there `#` is only a comment at the start of a line.

use crate::parse::span::Span;

/// How a file writes comments: the comment syntax of its role in
/// [`crate::parse::role::TABLE`].
pub use crate::parse::role::CommentSyntax as Syntax;

impl Syntax {
    /// How a suppression comment is written in this syntax, for help messages.
    #[must_use]
    pub const fn marker(self) -> &'static str {
        match self {
            Self::Ini | Self::UwsgiIni | Self::PhpIni => ";",
            Self::Js => "//",
            _ => "#",
        }
    }

    /// Whether a comment can follow code on the same line.
    #[must_use]
    pub const fn has_trailing_comments(self) -> bool {
        !matches!(self, Self::Dockerfile | Self::UwsgiIni)
    }
}

/// The comment syntax of a file from its name alone (the role table's guess), for a file
/// no program of the model reads; `None` for files without comments (JSON) or of a type
/// gen does not know.
#[must_use]
pub fn syntax_for(path: &str) -> Option<Syntax> {
    crate::parse::role::Role::of_name(path).map(crate::parse::role::Role::comments)
}

/// One comment of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    /// The whole comment, marker included.
    pub span: Span,
    /// The comment's text after the marker (and before `*/`).
    pub body: Span,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

/// Every comment of `text`, in order.
#[must_use]
pub fn comments(syntax: Syntax, text: &str) -> Vec<Comment> {
    let spans: Vec<Span> = match syntax {
        Syntax::Dockerfile => {
            let (comments, bodies) = crate::parse::dockerfile::comments(text);
            let mut spans: Vec<Span> = comments.iter().chain(&bodies).map(|c| c.span).collect();
            spans.sort_by_key(|s| s.start);
            spans
        }
        Syntax::Ini => crate::parse::supervisord::comments(text)
            .into_iter()
            .map(|c| c.span)
            .collect(),
        Syntax::UwsgiIni => crate::parse::app::uwsgi_ini_comments(text),
        Syntax::PhpIni => crate::parse::app::php_fpm_comments(text),
        Syntax::Nginx => crate::parse::nginx::comments(text)
            .into_iter()
            .map(|c| c.span)
            .collect(),
        Syntax::Toml => toml_parser::Source::new(text)
            .lex()
            .filter(|t| t.kind() == toml_parser::lexer::TokenKind::Comment)
            .map(|t| Span::new(t.span().start(), t.span().end()))
            .collect(),
        Syntax::Python => {
            return python_comments(text);
        }
        Syntax::Js => return js_comments(text),
        Syntax::Shell => return hash_comments(text),
        Syntax::Yaml => return yaml_comments(text),
    };
    // Every reader above gives a comment from its one-byte marker to the end of its line.
    spans
        .into_iter()
        .map(|span| lexed_comment(text, span, 1))
        .collect()
}

/// YAML: `#` at a line's start or after whitespace, outside quoted scalars. A quote opens a
/// scalar only where a value can start (a line's start, after `: `, `- `, `? `, `[`, `{` or
/// `,`); in a single-quoted one `''` is a quote, in a double-quoted one `\` escapes.
fn yaml_comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = LineState { blank_so_far: true };
    // The last byte that was not a space or tab on this line; `None` at a line's start.
    let mut last: Option<u8> = None;
    let mut after_space = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' if after_space => {
                let c = comment_to_eol(bytes, i, 1, line.blank_so_far);
                out.push(c);
                i = c.span.end;
                continue;
            }
            b'\'' | b'"'
                if matches!(last, None | Some(b':' | b'-' | b'?' | b'[' | b'{' | b',')) =>
            {
                line.see(b);
                i = if b == b'"' {
                    skip_quoted(bytes, i, b)
                } else {
                    let mut j = i + 1;
                    loop {
                        match bytes.get(j) {
                            None => break bytes.len(),
                            Some(b'\'') if bytes.get(j + 1) == Some(&b'\'') => j += 2,
                            Some(b'\'') => break j + 1,
                            Some(_) => j += 1,
                        }
                    }
                };
                last = Some(b);
                after_space = false;
                continue;
            }
            b'\n' => {
                last = None;
                after_space = true;
            }
            b' ' | b'\t' | b'\r' => after_space = true,
            _ => {
                last = Some(b);
                after_space = false;
            }
        }
        line.see(b);
        i += 1;
    }
    out
}

/// The end of the line that starts at or contains `from`, before its `\r\n` or `\n`.
fn line_end(bytes: &[u8], from: usize) -> usize {
    let end = bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p);
    if end > from && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn comment_to_eol(bytes: &[u8], at: usize, marker_len: usize, own_line: bool) -> Comment {
    let end = line_end(bytes, at);
    Comment {
        span: Span::new(at, end),
        body: Span::new((at + marker_len).min(end), end),
        own_line,
    }
}

/// Tracks whether only whitespace has been seen since the start of the current line.
struct LineState {
    blank_so_far: bool,
}

impl LineState {
    fn see(&mut self, b: u8) {
        if b == b'\n' {
            self.blank_so_far = true;
        } else if !b.is_ascii_whitespace() {
            self.blank_so_far = false;
        }
    }
}

/// Shell: `#` starts a comment at the start of a token, outside quotes.
fn hash_comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = LineState { blank_so_far: true };
    let mut token_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' if token_start => {
                let c = comment_to_eol(bytes, i, 1, line.blank_so_far);
                out.push(c);
                i = c.span.end;
                continue;
            }
            b'\'' | b'"' => {
                line.see(b);
                i = skip_quoted(bytes, i, b);
                token_start = false;
                continue;
            }
            b'\\' => {
                line.see(b);
                token_start = false;
                i += 2;
                continue;
            }
            // `${#var}` in shell is a length, not a comment.
            b'{' if i > 0 && bytes[i - 1] == b'$' => token_start = false,
            b';' | b'{' | b'}' | b'(' | b')' | b'|' | b'&' => token_start = true,
            _ if b.is_ascii_whitespace() => token_start = true,
            _ => token_start = false,
        }
        line.see(b);
        i += 1;
    }
    out
}

/// Skips a quoted string starting at `open` (the quote), where a backslash escapes the next
/// byte; returns the offset after it.
fn skip_quoted(bytes: &[u8], open: usize, quote: u8) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// A comment a reader found, with the marker `marker_len` bytes long (`/* */` loses its
/// `*/` too), and whether only whitespace precedes it on its line.
fn lexed_comment(text: &str, span: Span, marker_len: usize) -> Comment {
    let bytes = text.as_bytes();
    let end = if span.end > span.start && bytes.get(span.end - 1) == Some(&b'\r') {
        span.end - 1
    } else {
        span.end
    };
    let raw = text.get(span.start..end).unwrap_or("");
    let body_end = if raw.starts_with("/*") && raw.len() >= 4 && raw.ends_with("*/") {
        end - 2
    } else {
        end
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    Comment {
        span: Span::new(span.start, end),
        body: Span::new((span.start + marker_len).min(body_end), body_end),
        own_line: text[line_start..span.start].trim().is_empty(),
    }
}

/// Python: the comments of the app tokenizer (`parse::app`), which skips strings of every
/// kind, triple-quoted and f-strings included.
fn python_comments(text: &str) -> Vec<Comment> {
    crate::parse::app::python_comments(text)
        .into_iter()
        .map(|c| lexed_comment(text, c.span, 1))
        .collect()
}

/// JavaScript: the comments of the app tokenizer (`parse::app`), which skips strings,
/// template literals and regex literals (so `/\//` hides no later `//` comment).
fn js_comments(text: &str) -> Vec<Comment> {
    crate::parse::app::javascript_comments(text)
        .into_iter()
        .map(|c| lexed_comment(text, c.span, 2))
        .collect()
}

/// A `gen:` comment: the rules it names, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive<'t> {
    pub comment: Span,
    /// The 1-based lines, inclusive, whose findings it suppresses.
    pub lines: (usize, usize),
    /// The codes or names between the brackets, each with its span; `Err` with the span of
    /// the comment's text when it is not `gen: ignore[...]`.
    pub rules: Result<Vec<(&'t str, Span)>, Span>,
}

/// Line starts of a text, for line numbers and line texts by number (1-based).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { text, starts }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    fn of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    fn start(&self, line: usize) -> usize {
        self.starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of a line without its line ending.
    fn get(&self, line: usize) -> &'t str {
        let start = self.start(line);
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// Every `gen:` comment of `text`, with the lines each covers.
#[must_use]
pub fn directives(syntax: Syntax, text: &str) -> Vec<Directive<'_>> {
    // Every directive starts with the marker (see `parse`): a file without it has none,
    // and most files are read for nothing else than to find that out.
    if !may_have_directive(text) {
        return Vec::new();
    }
    let found = comments(syntax, text);
    let lines = Lines::new(text);
    // Lines holding nothing but comments, so a stack of suppression comments all reach the
    // statement under them.
    let mut comment_only = std::collections::HashSet::new();
    for c in found.iter().filter(|c| c.own_line) {
        comment_only.extend(lines.of(c.span.start)..=lines.of(c.span.end));
    }
    let mut out = Vec::new();
    for c in &found {
        let Some((rules, whole_file)) = parse(text, c.body) else {
            continue;
        };
        let first = lines.of(c.span.start);
        let last_of_comment = lines.of(c.span.end);
        let covered = if whole_file {
            (1, lines.count())
        } else if c.own_line {
            let next = (last_of_comment + 1..=lines.count())
                .find(|&l| !comment_only.contains(&l) && !lines.get(l).trim().is_empty());
            match next {
                Some(n) => (first, statement_end(syntax, &lines, &found, n)),
                None => (first, last_of_comment),
            }
        } else {
            (first, last_of_comment)
        };
        out.push(Directive {
            comment: c.span,
            lines: covered,
            rules,
        });
    }
    out
}

/// Whether `text` has the marker where a comment's body can start it: after a comment
/// marker's last byte (`#`, `;`, `//`, `/*`) and whitespace only, as [`parse`] reads the
/// body. A necessary condition, checked before the file is lexed for its comments: gen's
/// own scripts and supervisord configs say `gen:` in strings (`printf 'gen: %s'`), and
/// lexing them to find no directive costs more than the rest of the rule. A caller may
/// ask it before it works out the file's syntax.
#[must_use]
pub fn may_have_directive(text: &str) -> bool {
    // `contains` is vectorized, where a search for each place (`match_indices`) is not:
    // most files are ruled out by it.
    text.contains(MARKER)
        && text.match_indices(':').any(|(i, _)| {
            text[..i]
                .strip_suffix("gen")
                .is_some_and(|before| before.trim_end().ends_with(['#', ';', '/', '*']))
        })
}

/// The last line of the statement that starts on line `start`.
fn statement_end(syntax: Syntax, lines: &Lines<'_>, comments: &[Comment], start: usize) -> usize {
    let total = lines.count();
    // A line's code: its text up to a comment that starts on it.
    let code = |l: usize| {
        let text = lines.get(l);
        let at = lines.start(l);
        let cut = comments
            .iter()
            .find(|c| c.span.start >= at && c.span.start < at + text.len())
            .map_or(text.len(), |c| c.span.start - at);
        text.get(..cut).unwrap_or(text)
    };
    let mut line = start;
    match syntax {
        Syntax::Dockerfile => {
            // Docker drops comment and blank lines inside a continued instruction.
            while line < total && code(line).trim_end().ends_with('\\') {
                line += 1;
                while line < total && code(line).trim().is_empty() {
                    line += 1;
                }
            }
        }
        Syntax::Shell | Syntax::Python => {
            while line < total && code(line).trim_end().ends_with('\\') {
                line += 1;
            }
        }
        Syntax::Nginx => {
            while line < total && !code(line).contains([';', '{', '}']) {
                line += 1;
            }
        }
        Syntax::Ini => {
            // configparser's continuation lines.
            while line < total {
                let next = lines.get(line + 1);
                if next.starts_with([' ', '\t']) && !next.trim().is_empty() {
                    line += 1;
                } else {
                    break;
                }
            }
        }
        Syntax::Js | Syntax::Toml | Syntax::Yaml | Syntax::UwsgiIni | Syntax::PhpIni => {}
    }
    line
}

/// The codes or names of a `gen:` comment with their spans, or the span of a malformed one.
type Rules<'t> = Result<Vec<(&'t str, Span)>, Span>;

/// Reads `gen: ignore[A, B]` (or `gen: ignore-file[A, B]`, for the whole file: then `true`)
/// from a comment's text: `None` when the comment is not a `gen:` comment at all.
/// What a suppression comment's body starts with.
const MARKER: &str = "gen:";

fn parse(text: &str, body: Span) -> Option<(Rules<'_>, bool)> {
    let raw = text.get(body.start..body.end)?;
    let lead = raw.len() - raw.trim_start().len();
    let rest = raw[lead..].strip_prefix(MARKER)?;
    let whole = Span::new(body.start + lead, body.start + raw.trim_end().len());
    let after_colon = body.start + lead + MARKER.len();
    let trimmed = rest.trim_start();
    let (keyword, whole_file) = if trimmed.starts_with("ignore-file") {
        ("ignore-file", true)
    } else {
        ("ignore", false)
    };
    let Some(list) = trimmed
        .strip_prefix(keyword)
        .map(str::trim_start)
        .and_then(|s| s.strip_prefix('['))
    else {
        return Some((Err(whole), whole_file));
    };
    let Some(close) = list.find(']') else {
        return Some((Err(whole), whole_file));
    };
    let list_start = after_colon + (rest.len() - list.len());
    let mut rules = Vec::new();
    let mut at = list_start;
    for item in list[..close].split(',') {
        let lead = item.len() - item.trim_start().len();
        let name = item.trim();
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Some((Err(whole), whole_file));
        }
        rules.push((name, Span::new(at + lead, at + lead + name.len())));
        at += item.len() + 1;
    }
    Some((Ok(rules), whole_file))
}

/// The text to insert, and where, to allow `code` on 1-based `line` of `text`: a comment
/// line above it with the same indentation, or when that would not cover it (inside a
/// multi-line statement) a comment after it. `None` when neither would, as
/// [`directives`] reads the result: the edit is checked, never assumed.
#[must_use]
pub fn insertion(syntax: Syntax, text: &str, line: usize, code: &str) -> Option<(usize, String)> {
    let lines = Lines::new(text);
    if line == 0 || line > lines.count() {
        return None;
    }
    let start = lines.start(line);
    let this = lines.get(line);
    let indent = &this[..this.len() - this.trim_start().len()];
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let comment = match syntax {
        Syntax::Js => format!("// gen: ignore[{code}]"),
        _ => format!("{} gen: ignore[{code}]", syntax.marker()),
    };
    let above = (start, format!("{indent}{comment}{eol}"));
    let after = (start + this.len(), format!(" {comment}"));
    let covers = |(at, new): &(usize, String), covered: usize| {
        let mut edited = String::with_capacity(text.len() + new.len());
        edited.push_str(text.get(..*at).unwrap_or_default());
        edited.push_str(new);
        edited.push_str(text.get(*at..).unwrap_or_default());
        directives(syntax, &edited).iter().any(|d| {
            (d.lines.0..=d.lines.1).contains(&covered)
                && d.rules
                    .as_ref()
                    .is_ok_and(|r| r.iter().any(|(k, _)| k.eq_ignore_ascii_case(code)))
        })
    };
    if covers(&above, line + 1) {
        Some(above)
    } else if syntax.has_trailing_comments() && covers(&after, line) {
        Some(after)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comment's text and whether it is alone on its line.
    type Found = (String, bool);
    /// A directive's covered lines and its rules (`Err` when malformed).
    type Covered<'t> = ((usize, usize), Result<Vec<&'t str>, ()>);

    fn bodies(syntax: Syntax, text: &str) -> Vec<Found> {
        comments(syntax, text)
            .iter()
            .map(|c| (text[c.body.start..c.body.end].to_owned(), c.own_line))
            .collect()
    }

    #[test]
    fn a_directive_needs_the_marker_where_a_comment_body_starts() {
        for (text, may) in [
            ("# gen: ignore[NGX001]\n", true),
            ("x = 1  #gen: ignore[A]", true),
            ("; \t gen: ignore[A]", true),
            ("// gen: ignore[A]", true),
            ("/*\n   gen: ignore[A] */", true),
            ("printf 'gen: %s\\n' \"$*\"", false),
            ("echo \"gen: failed\"; kill 1", false),
            ("origen: x\n# gen:", true),
            ("regen: 1", false),
            ("no marker here", false),
        ] {
            assert_eq!(may_have_directive(text), may, "{text:?}");
        }
        // What it rules out has no directive.
        for syntax in [Syntax::Shell, Syntax::Ini, Syntax::Yaml] {
            assert!(directives(syntax, "printf 'gen: ignore[A]'\n").is_empty());
        }
    }

    #[test]
    fn insertion_covers_the_line() {
        let cases = [
            (
                Syntax::Nginx,
                "http {\n    server {\n        listen 80;\n    }\n}\n",
                3,
                "http {\n    server {\n        # gen: ignore[PORT001]\n        listen 80;\n    }\n}\n",
            ),
            (
                Syntax::Ini,
                "[program:app]\ncommand=x\n",
                2,
                "[program:app]\n; gen: ignore[PORT001]\ncommand=x\n",
            ),
            (
                Syntax::Js,
                "app.listen(3000);\r\n",
                1,
                "// gen: ignore[PORT001]\r\napp.listen(3000);\r\n",
            ),
        ];
        for (syntax, text, line, want) in cases {
            let (at, new) = insertion(syntax, text, line, "PORT001").expect("an insertion");
            let edited = format!("{}{new}{}", &text[..at], &text[at..]);
            assert_eq!(edited, want, "{syntax:?} line {line}");
        }
        assert_eq!(insertion(Syntax::Nginx, "x;\n", 9, "PORT001"), None);
    }

    #[test]
    fn syntax_table() {
        let cases = [
            ("Dockerfile", Some(Syntax::Dockerfile)),
            ("dir/Dockerfile.dev", Some(Syntax::Dockerfile)),
            ("app.Dockerfile", Some(Syntax::Dockerfile)),
            ("Containerfile", Some(Syntax::Dockerfile)),
            ("supervisord.conf", Some(Syntax::Ini)),
            ("supervisor/conf.d/app.conf", Some(Syntax::Ini)),
            ("programs.ini", Some(Syntax::Ini)),
            ("nginx.conf", Some(Syntax::Nginx)),
            ("conf.d/default.conf", Some(Syntax::Nginx)),
            ("nginx.conf.template", Some(Syntax::Nginx)),
            ("app.py", Some(Syntax::Python)),
            ("server.mjs", Some(Syntax::Js)),
            ("app.js", Some(Syntax::Js)),
            ("spec.toml", Some(Syntax::Toml)),
            ("entrypoint.sh", Some(Syntax::Shell)),
            ("requirements.txt", Some(Syntax::Shell)),
            ("generated/compose.yaml", Some(Syntax::Yaml)),
            ("k8s/web.yml", Some(Syntax::Yaml)),
            ("requirements-dev.txt", Some(Syntax::Shell)),
            ("package.json", None),
            ("README.md", None),
            (".conf", None),
            ("notes.txt", None),
        ];
        for (path, want) in cases {
            assert_eq!(syntax_for(path), want, "{path}");
        }
    }

    #[test]
    fn comment_table() {
        let own = |s: &str| (s.to_owned(), true);
        let trail = |s: &str| (s.to_owned(), false);
        let cases: Vec<(Syntax, &str, Vec<Found>)> = vec![
            (
                Syntax::Dockerfile,
                "# a\nFROM x # not a comment\n  # b\r\nRUN y \\\n # c\n z\n",
                vec![own(" a"), own(" b"), own(" c")],
            ),
            (
                Syntax::Nginx,
                "# a\nlisten 80; # b\nreturn 200 \"x # y\";#c\nset $v a#b;\nadd 'q#'; # d\n",
                vec![own(" a"), trail(" b"), trail("c"), trail(" d")],
            ),
            (Syntax::Nginx, "root /x\\ #y; # z\n", vec![trail(" z")]),
            (
                Syntax::Shell,
                "echo ${#v} # n\nx='#' #m\n",
                vec![trail(" n"), trail("m")],
            ),
            (
                Syntax::Ini,
                "; a\n[program:x]\ncommand=a;b ; c\n  # d\nx=1 #e\n",
                vec![own(" a"), trail(" c"), own(" d"), trail("e")],
            ),
            (
                Syntax::Python,
                "# a\nx = '#' # b\ns = \"\"\"\n# not\n\"\"\"  # c\nt = 'it\\'s # no' #d\n",
                vec![own(" a"), trail(" b"), trail(" c"), trail("d")],
            ),
            (
                Syntax::Js,
                "// a\nconst u = 'http://x'; // b\n/* c */\nlet t = `// no\n${x}`; /* d */ f();\n",
                vec![own(" a"), trail(" b"), own(" c "), trail(" d ")],
            ),
            (
                Syntax::Js,
                "const r = /\\//; // b\nx = a / b; // c\nif (/'[/]/g.test(s)) f(); // d\nreturn /\\/\\*/ // e\ny = (a) / 2 / c; // f\n",
                vec![
                    trail(" b"),
                    trail(" c"),
                    trail(" d"),
                    trail(" e"),
                    trail(" f"),
                ],
            ),
            (
                Syntax::Toml,
                "# a\nk = \"#\" # b\nm = '''\n# no\n''' #c\nj = 'x\\' # e\n",
                vec![own(" a"), trail(" b"), trail("c"), trail(" e")],
            ),
            (
                Syntax::Yaml,
                "# a\nmessage: it's here # b\nk: 'x # y' #c\nq: 'it''s # no' # d\n- \"a\\\" # no\" # e\nurl: http://x#frag\n  # f\n",
                vec![
                    own(" a"),
                    trail(" b"),
                    trail("c"),
                    trail(" d"),
                    trail(" e"),
                    own(" f"),
                ],
            ),
        ];
        for (syntax, text, want) in cases {
            assert_eq!(bodies(syntax, text), want, "{syntax:?}: {text:?}");
        }
    }

    /// Each reader's decision where a `#` or `;` is not a comment to the program, or where a
    /// file that does not parse still has comments.
    #[test]
    fn comments_as_the_program_reads_them() {
        let own = |s: &str| (s.to_owned(), true);
        let trail = |s: &str| (s.to_owned(), false);
        let cases: Vec<(Syntax, &str, Vec<Found>)> = vec![
            // nginx reads the rest of the file into an unterminated string.
            (
                Syntax::Nginx,
                "# a\nreturn 200 \"x;\n# no\nlisten 80;\n",
                vec![own(" a")],
            ),
            // ... and the rest of an unclosed Lua block as Lua code.
            (
                Syntax::Nginx,
                "# a\ncontent_by_lua_block { -- }\n# no\n",
                vec![own(" a")],
            ),
            // A token ends at a closing quote followed by the wrong character.
            (Syntax::Nginx, "return 200 \"a\"#b;\n", vec![trail("b;")]),
            // Stray braces and semicolons, a missing `;`, a Lua directive without its block.
            (
                Syntax::Nginx,
                "} # a\n;; # b\nx { y } # c\n{ # d\ncontent_by_lua_block; # e\n",
                vec![
                    trail(" a"),
                    trail(" b"),
                    trail(" c"),
                    trail(" d"),
                    trail(" e"),
                ],
            ),
            // `(` is part of a word to nginx, not a separator.
            (Syntax::Nginx, "if ($a)#b {\n}\n", vec![]),
            // configparser knows no quotes: ` ;` in a quoted value starts a comment.
            (
                Syntax::Ini,
                "[program:a]\ncommand=sh -c \"a ;b\"\n",
                vec![trail("b\"")],
            ),
            // A line before any section, and a line that is no `key=value`.
            (
                Syntax::Ini,
                "x=1 ; a\n[program:a]\nnot a key ; b\n; c\n",
                vec![trail(" a"), trail(" b"), own(" c")],
            ),
            // uWSGI has whole-line comments only.
            (
                Syntax::UwsgiIni,
                "[uwsgi]\n; a\nsocket = :8000 ; no\n  # b\n",
                vec![own(" a"), own(" b")],
            ),
            // PHP: `;` outside double quotes.
            (
                Syntax::PhpIni,
                "[www]\nlisten = \"a;b\" ; c\n# d\nuser=x;e\n",
                vec![trail(" c"), own(" d"), trail("e")],
            ),
            // Heredoc bodies: their `#` lines are the script's comments; `#` after code on an
            // instruction line is not a comment; parser directives are not comments.
            (
                Syntax::Dockerfile,
                "# syntax=docker/dockerfile:1\nFROM x\nRUN <<EOF\n# a\necho '# no'\nEOF\nCOPY <<-X /f\n\t# b\nX\n# c\n",
                vec![own(" a"), own(" b"), own(" c")],
            ),
            // An unterminated heredoc's body runs to the end of the file.
            (
                Syntax::Dockerfile,
                "# escape=x\n# a\nRUN <<EOF\n# b\n",
                vec![own(" a"), own(" b")],
            ),
            // TOML's lexer: strings of every kind, and a string ended by a line break.
            (
                Syntax::Toml,
                "a = \"x # no\nb = 1 # c\nd = \"\"\"\n# no\n\"\"\" # e\n",
                vec![trail(" c"), trail(" e")],
            ),
        ];
        for (syntax, text, want) in cases {
            assert_eq!(bodies(syntax, text), want, "{syntax:?}: {text:?}");
        }
    }

    /// A suppression covers the same lines in a file that parses and in the same file with
    /// a syntax error before it, for every syntax whose parser can fail.
    #[test]
    fn suppression_does_not_depend_on_the_parse() {
        let nginx = |t: &str| crate::parse::nginx::parse(t).is_ok();
        let ini = |t: &str| crate::parse::supervisord::parse(t).is_ok();
        let docker = |t: &str| crate::parse::dockerfile::parse(t).is_ok();
        let toml = |t: &str| t.parse::<toml::Table>().is_ok();
        let yaml = |t: &str| crate::parse::yaml::parse(t).is_ok();
        type Parses = dyn Fn(&str) -> bool;
        let cases: [(Syntax, &Parses, &str, &str, &str); 7] = [
            (
                Syntax::Nginx,
                &nginx,
                "x;\n",
                "}\n",
                "# gen: ignore[A]\nlisten\n  80;\ny;\n",
            ),
            (
                Syntax::Nginx,
                &nginx,
                "x;\n",
                "x \"a\"b;\n",
                "# gen: ignore[A]\nlisten\n  80;\ny;\n",
            ),
            (
                Syntax::Ini,
                &ini,
                "",
                "k=v\n",
                "[a]\n; gen: ignore[A]\nb=c\n  d\ne=f\n",
            ),
            (
                Syntax::Ini,
                &ini,
                "[a]\n",
                "[a]\nnot a key\n",
                "; gen: ignore[A]\nb=c\n  d\ne=f\n",
            ),
            (
                Syntax::Dockerfile,
                &docker,
                "# escape=\\\n",
                "# escape=x\n",
                "FROM a\n# gen: ignore[A]\nRUN b \\\n  c\nRUN d\n",
            ),
            (
                Syntax::Toml,
                &toml,
                "a = 1\n",
                "a = = 1\n",
                "# gen: ignore[A]\nb = [\n]\nc = 2\n",
            ),
            (
                Syntax::Yaml,
                &yaml,
                "a: 1\n",
                "a: [\n",
                "# gen: ignore[A]\nb: 1\n",
            ),
        ];
        for (syntax, parses, good, bad, rest) in cases {
            let (good, bad) = (format!("{good}{rest}"), format!("{bad}{rest}"));
            assert!(parses(&good), "{good:?}");
            assert!(!parses(&bad), "{bad:?}");
            let offset = bad.lines().count() - good.lines().count();
            let want: Vec<Covered<'_>> = covered(syntax, &good)
                .into_iter()
                .map(|((a, b), r)| ((a + offset, b + offset), r))
                .collect();
            assert!(!want.is_empty(), "{good:?}");
            assert_eq!(covered(syntax, &bad), want, "{syntax:?}: {bad:?}");
        }
        // An unterminated heredoc after the suppression.
        let good = "FROM a\n# gen: ignore[A]\nRUN b\nRUN <<EOF\nEOF\n";
        let bad = "FROM a\n# gen: ignore[A]\nRUN b\nRUN <<EOF\n";
        assert!(docker(good) && !docker(bad));
        assert_eq!(
            covered(Syntax::Dockerfile, good),
            covered(Syntax::Dockerfile, bad)
        );
    }

    #[test]
    fn unterminated_strings_and_comments_do_not_panic() {
        for syntax in [
            Syntax::Yaml,
            Syntax::Dockerfile,
            Syntax::Nginx,
            Syntax::Shell,
            Syntax::Ini,
            Syntax::UwsgiIni,
            Syntax::PhpIni,
            Syntax::Python,
            Syntax::Js,
            Syntax::Toml,
        ] {
            for text in [
                "'",
                "\"\"\"",
                "/*",
                "\\",
                "#",
                "é#é",
                "`",
                "x\\",
                "\r\n#\r\n",
            ] {
                let _ = directives(syntax, text);
            }
        }
    }

    const ALL: [Syntax; 10] = [
        Syntax::Dockerfile,
        Syntax::Nginx,
        Syntax::Shell,
        Syntax::Ini,
        Syntax::UwsgiIni,
        Syntax::PhpIni,
        Syntax::Python,
        Syntax::Js,
        Syntax::Toml,
        Syntax::Yaml,
    ];

    proptest::proptest! {
        /// On any text, every span lies on character boundaries inside the text and every
        /// covered line exists.
        #[test]
        fn directives_stay_inside_the_text(text in "(gen: ignore\\[|[#;/*'\"`\\\\\\]\\[ ,\n\r\t{}a-zA-Z0-9é-])*") {
            let lines = text.split('\n').count();
            for syntax in ALL {
                for c in comments(syntax, &text) {
                    for span in [c.span, c.body] {
                        proptest::prop_assert!(span.start <= span.end && text.get(span.start..span.end).is_some());
                    }
                }
                for d in directives(syntax, &text) {
                    proptest::prop_assert!(1 <= d.lines.0 && d.lines.0 <= d.lines.1 && d.lines.1 <= lines);
                    if let Ok(rules) = d.rules {
                        for (name, span) in rules {
                            proptest::prop_assert_eq!(text.get(span.start..span.end), Some(name));
                        }
                    }
                }
            }
        }
    }

    fn covered(syntax: Syntax, text: &str) -> Vec<Covered<'_>> {
        directives(syntax, text)
            .into_iter()
            .map(|d| {
                (
                    d.lines,
                    d.rules
                        .map(|r| r.into_iter().map(|(n, _)| n).collect())
                        .map_err(|_| ()),
                )
            })
            .collect()
    }

    #[test]
    fn directive_table() {
        let cases: Vec<(Syntax, &str, Vec<Covered<'_>>)> = vec![
            (
                Syntax::Nginx,
                "# gen: ignore[PORT001]\nlisten 80;\n",
                vec![((1, 2), Ok(vec!["PORT001"]))],
            ),
            (
                Syntax::Nginx,
                "listen 80; # gen: ignore[PORT001, net-loopback]\nx;\n",
                vec![((1, 1), Ok(vec!["PORT001", "net-loopback"]))],
            ),
            (
                Syntax::Nginx,
                "# gen: ignore[A]\n\n# other\n# gen:ignore [B] because\nlog_format x\n  '$a'\n  '$b';\nnext;\n",
                vec![((1, 7), Ok(vec!["A"])), ((4, 7), Ok(vec!["B"]))],
            ),
            (
                Syntax::Dockerfile,
                "# gen: ignore[X]\nRUN a \\\n  b \\\n  c\nRUN d\n",
                vec![((1, 4), Ok(vec!["X"]))],
            ),
            (
                Syntax::Dockerfile,
                "# gen: ignore[X]\nRUN a \\\n# note\n\n  b\nRUN d\n",
                vec![((1, 5), Ok(vec!["X"]))],
            ),
            (
                Syntax::Ini,
                "; gen: ignore[X]\ncommand=a\n  b\nuser=c\nx=1 ; gen: ignore[Y]\n",
                vec![((1, 3), Ok(vec!["X"])), ((5, 5), Ok(vec!["Y"]))],
            ),
            (
                Syntax::Js,
                "// gen: ignore[X]\napp.listen(3000);\n/* gen: ignore[Y] */ f();\n",
                vec![((1, 2), Ok(vec!["X"])), ((3, 3), Ok(vec!["Y"]))],
            ),
            (
                Syntax::Ini,
                "[program:a]\ncommand=x\n; gen: ignore-file[X, net-y]\nuser=b ; gen: ignore-file [Z]\n\n; gen: ignore-file\n",
                vec![
                    ((1, 7), Ok(vec!["X", "net-y"])),
                    ((1, 7), Ok(vec!["Z"])),
                    ((1, 7), Err(())),
                ],
            ),
            (
                Syntax::Python,
                "x = 1  # gen: ignore[X]\n# gen: ignore[Y]\n",
                vec![((1, 1), Ok(vec!["X"])), ((2, 2), Ok(vec!["Y"]))],
            ),
            (
                Syntax::Toml,
                "# gen: ignore\n# gen: ignore[]\n# gen: ignore[A B]\n# gen: ignore[A\n# gen: nothing\n# not gen: ignore[A]\nk = 1\n",
                vec![
                    ((1, 7), Err(())),
                    ((2, 7), Err(())),
                    ((3, 7), Err(())),
                    ((4, 7), Err(())),
                    ((5, 7), Err(())),
                ],
            ),
        ];
        for (syntax, text, want) in cases {
            assert_eq!(covered(syntax, text), want, "{syntax:?}: {text:?}");
        }
    }

    #[test]
    fn code_spans_point_at_the_codes() {
        let text = "x; # gen: ignore[ A,b-c ]\n";
        let d = directives(Syntax::Nginx, text);
        let spans: Vec<&str> = d[0]
            .rules
            .as_ref()
            .expect("well-formed")
            .iter()
            .map(|(_, s)| &text[s.start..s.end])
            .collect();
        assert_eq!(spans, ["A", "b-c"]);
    }
}
