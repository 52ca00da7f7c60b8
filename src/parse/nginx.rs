//! The nginx configuration parser: text in, a tree of directives with byte spans out, plus the
//! comments (gen reads `# gen: ignore[CODE]` from them).
//!
//! Tokens follow nginx's own reader (`ngx_conf_read_token`) so that gen sees what nginx sees;
//! the tree follows crossplane's conventions so that `gen parse` prints crossplane's payload:
//! an argument's `value` has its quotes removed and its backslash escapes kept as written
//! (only an escaped quote of the enclosing kind is unescaped), `if (...)` arguments lose their
//! parentheses as crossplane strips them, and the Lua code of a `*_by_lua_block` directive is
//! one raw argument. Where nginx and crossplane disagree (crossplane merges `${a} ${b}` into
//! one argument, accepts `foo bar }` and `;;`, splits on any Unicode space), nginx wins; the
//! cases are listed in `tests/fixtures/crossplane-known-differences.toml`.
//!
//! The parser is zero-copy: names, raw arguments and comments borrow from the input, and a
//! value is only allocated when an escaped quote has to be unescaped. Blocks are built with an
//! explicit stack, so deep nesting is a [`ParseErrorKind::TooDeep`] error, never a stack
//! overflow.

mod lex;
pub mod payload;
#[cfg(test)]
mod tests;

pub use crate::parse::span::Span;
use lex::LexError;
use std::borrow::Cow;
use std::fmt;

/// Deepest block nesting accepted; real configs stay under ten.
pub const MAX_DEPTH: usize = 256;
/// Largest input accepted, in bytes (the largest real config in the corpus is 1.3 MB).
pub const MAX_INPUT: usize = 64 * 1024 * 1024;

/// Lua-nginx-module directives whose `{ ... }` is Lua code, kept as one raw argument.
pub const LUA_BLOCK_DIRECTIVES: &[&str] = &[
    "access_by_lua_block",
    "balancer_by_lua_block",
    "body_filter_by_lua_block",
    "content_by_lua_block",
    "exit_worker_by_lua_block",
    "header_filter_by_lua_block",
    "init_by_lua_block",
    "init_worker_by_lua_block",
    "log_by_lua_block",
    "rewrite_by_lua_block",
    "server_rewrite_by_lua_block",
    "set_by_lua_block",
    "ssl_certificate_by_lua_block",
    "ssl_client_hello_by_lua_block",
    "ssl_session_fetch_by_lua_block",
    "ssl_session_store_by_lua_block",
];

/// A parsed file: its top-level directives and every comment, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config<'a> {
    pub directives: Vec<Directive<'a>>,
    pub comments: Vec<Comment<'a>>,
}

/// One directive: `name args;`, `name args { ... }` or a Lua block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive<'a> {
    /// The name as written, without quotes when it was quoted (escapes kept).
    pub name: &'a str,
    /// The name's token, quotes included.
    pub name_span: Span,
    pub args: Vec<Arg<'a>>,
    /// `Some` for `name args { ... }`, even when the block is empty.
    pub block: Option<Vec<Directive<'a>>>,
    /// From the name to the `;` or the closing `}`, both included.
    pub span: Span,
}

/// One argument of a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg<'a> {
    /// The token as written: quotes included; for a Lua block, the braces included.
    pub raw: &'a str,
    /// crossplane's value: quotes removed, escapes kept as written except an escaped quote of
    /// the enclosing kind (`"a\"b"` gives `a"b`); for a Lua block, the code between the braces.
    pub value: Cow<'a, str>,
    pub quote: Quote,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// A `#` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment<'a> {
    /// The text after `#` up to the end of the line, without the line ending.
    pub text: &'a str,
    /// From the `#` to the end of the text.
    pub span: Span,
}

/// Why a file is not a well-formed nginx configuration, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A `}` with no block open.
    UnexpectedCloseBrace,
    /// A directive's arguments run into `}` or the end of the file; the span is the empty
    /// place after the last token, where the `;` belongs.
    MissingSemicolon { directive: String },
    /// A `;` where a directive name belongs (`;;`, `{ ; }`).
    EmptyDirective,
    /// A `{` where a directive name belongs.
    UnexpectedOpenBrace,
    /// A quoted string runs to the end of the file; the span is the opening quote.
    UnterminatedQuote { quote: char },
    /// The file ends inside a block; `open` is the block's `{`, the span the end of the text.
    UnexpectedEof { open: Span },
    /// A closing quote followed by something other than a blank, `;`, `{` or `)`.
    UnexpectedAfterQuote { found: char },
    /// A `*_by_lua_block` directive not followed by `{`.
    ExpectedLuaBlock { directive: String },
    /// Blocks nested deeper than [`MAX_DEPTH`]; the span is the `{` one too deep.
    TooDeep { limit: usize },
    /// An input longer than [`MAX_INPUT`].
    TooLarge { size: usize, limit: usize },
}

impl ParseErrorKind {
    /// The message in crossplane's and nginx's words (double quotes, as `nginx -t` prints
    /// them), for crossplane-shaped payloads.
    #[must_use]
    pub fn crossplane_message(&self) -> String {
        match self {
            Self::UnexpectedCloseBrace => "unexpected \"}\"".into(),
            Self::MissingSemicolon { directive } => {
                format!("directive \"{directive}\" is not terminated by \";\"")
            }
            Self::EmptyDirective => "unexpected \";\"".into(),
            Self::UnexpectedOpenBrace => "unexpected \"{\"".into(),
            Self::UnterminatedQuote { .. } => {
                "unexpected end of file, expecting \";\" or \"}\"".into()
            }
            Self::UnexpectedEof { .. } => "unexpected end of file, expecting \"}\"".into(),
            Self::UnexpectedAfterQuote { found } => format!("unexpected \"{found}\""),
            Self::ExpectedLuaBlock { .. } => "expected { to start Lua block".into(),
            Self::TooDeep { limit } => format!("blocks nested deeper than {limit}"),
            Self::TooLarge { size, limit } => {
                format!("file of {size} bytes is larger than the limit of {limit}")
            }
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedCloseBrace => write!(f, "unexpected `}}`: no block is open"),
            Self::MissingSemicolon { directive } => {
                write!(f, "expected `;` after the arguments of `{directive}`")
            }
            Self::EmptyDirective => write!(f, "unexpected `;`: expected a directive name"),
            Self::UnexpectedOpenBrace => {
                write!(f, "unexpected `{{`: a block needs a directive name")
            }
            Self::UnterminatedQuote { quote } => write!(f, "unterminated `{quote}` string"),
            Self::UnexpectedEof { .. } => {
                write!(f, "unexpected end of file: a block is not closed with `}}`")
            }
            Self::UnexpectedAfterQuote { found } => write!(
                f,
                "unexpected `{}` after a quoted string: expected a space, `;` or `{{`",
                found.escape_debug()
            ),
            Self::ExpectedLuaBlock { directive } => write!(f, "expected `{{` after `{directive}`"),
            Self::TooDeep { limit } => write!(f, "blocks are nested deeper than {limit}"),
            Self::TooLarge { size, limit } => {
                write!(
                    f,
                    "the file has {size} bytes, more than the {limit} gen reads"
                )
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for ParseError {}

impl<'a> Config<'a> {
    /// The first top-level directive called `name`.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Directive<'a>> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// Every directive, depth first in file order, each with the blocks it is in (outermost
    /// first).
    #[must_use]
    pub fn walk(&self) -> Walk<'_, 'a> {
        Walk {
            stack: vec![self.directives.iter()],
            parents: Vec::new(),
        }
    }
}

impl<'a> Directive<'a> {
    /// The first directive called `name` directly inside this one's block.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Self> {
        self.children().iter().find(|d| d.name == name)
    }

    /// Every directive called `name` directly inside this one's block.
    pub fn find_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Self> + 's {
        self.children().iter().filter(move |d| d.name == name)
    }

    /// The directives of the block; empty when there is none.
    #[must_use]
    pub fn children(&self) -> &[Self] {
        self.block.as_deref().unwrap_or_default()
    }

    /// The value of argument `i`.
    #[must_use]
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_ref())
    }

    #[must_use]
    pub fn is_lua_block(&self) -> bool {
        LUA_BLOCK_DIRECTIVES.contains(&self.name)
    }
}

impl Arg<'_> {
    /// The value as nginx itself stores it: nginx also turns `\\`, `\"`, `\'`, `\t`, `\r` and
    /// `\n` into the characters they stand for, and keeps other backslashes.
    #[must_use]
    pub fn unescaped(&self) -> Cow<'_, str> {
        if (self.quote == Quote::None && self.raw.starts_with('{')) || !self.value.contains('\\') {
            return Cow::Borrowed(self.value.as_ref());
        }
        let mut out = String::with_capacity(self.value.len());
        let mut chars = self.value.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some(e @ ('"' | '\'' | '\\')) => out.push(e),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('n') => out.push('\n'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        }
        Cow::Owned(out)
    }
}

/// One step of [`Config::walk`].
#[derive(Debug, Clone)]
pub struct Visit<'b, 'a> {
    /// The enclosing block directives, outermost first.
    pub parents: Vec<&'b Directive<'a>>,
    pub directive: &'b Directive<'a>,
}

/// The iterator of [`Config::walk`].
#[derive(Debug)]
pub struct Walk<'b, 'a> {
    stack: Vec<std::slice::Iter<'b, Directive<'a>>>,
    parents: Vec<&'b Directive<'a>>,
}

impl<'b, 'a> Iterator for Walk<'b, 'a> {
    type Item = Visit<'b, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            if let Some(d) = top.next() {
                let visit = Visit {
                    parents: self.parents.clone(),
                    directive: d,
                };
                if let Some(block) = &d.block {
                    self.stack.push(block.iter());
                    self.parents.push(d);
                }
                return Some(visit);
            }
            self.stack.pop();
            self.parents.pop();
        }
    }
}

/// crossplane's value of a quoted token: the inner text with escaped quotes of its own kind
/// unescaped. Allocates only when there is one.
fn unquote(inner: &str, quote: Quote) -> Cow<'_, str> {
    let q = match quote {
        Quote::None => return Cow::Borrowed(inner),
        Quote::Single => '\'',
        Quote::Double => '"',
    };
    let escaped = [b'\\', q as u8];
    if !inner.as_bytes().windows(2).any(|w| w == escaped) {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) if n == q => out.push(q),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A directive whose name and arguments are read but whose `;` or `{` is not yet.
struct Head<'a> {
    name: &'a str,
    name_span: Span,
    args: Vec<Arg<'a>>,
    /// Where the last token ends: a missing `;` belongs here.
    end: usize,
}

impl<'a> Head<'a> {
    fn finish(mut self, block: Option<Vec<Directive<'a>>>, end: usize) -> Directive<'a> {
        if self.name == "if" {
            strip_if_parens(&mut self.args);
        }
        Directive {
            name: self.name,
            name_span: self.name_span,
            args: self.args,
            block,
            span: Span::new(self.name_span.start, end),
        }
    }
}

/// A block being read: its directive's head, its `{`, and the directives read so far.
struct Open<'a> {
    head: Head<'a>,
    brace: Span,
    children: Vec<Directive<'a>>,
}

/// crossplane's `_prepare_if_args`: when the first argument starts with `(` and the last ends
/// with `)`, strip them (and the blanks next to them), then drop the first and last arguments
/// if that left them empty. An unquoted argument's span and raw text shrink with it.
fn strip_if_parens(args: &mut Vec<Arg<'_>>) {
    let (Some(first), Some(last)) = (args.first(), args.last()) else {
        return;
    };
    if !(first.value.starts_with('(') && last.value.ends_with(')')) {
        return;
    }
    trim_arg(&mut args[0], |v| {
        let inner = &v[1..];
        (v.len() - inner.trim_start().len(), 0)
    });
    let n = args.len() - 1;
    trim_arg(&mut args[n], |v| {
        let Some(inner) = v.strip_suffix(')') else {
            return (0, 0);
        };
        (0, v.len() - inner.trim_end().len())
    });
    if args.last().is_some_and(|a| a.value.is_empty()) {
        args.pop();
    }
    if args.first().is_some_and(|a| a.value.is_empty()) {
        args.remove(0);
    }
}

/// Cuts `front` bytes from the start and `back` bytes from the end of an argument's value (as
/// computed by `cut` from the value); for an unquoted argument, from its raw text and span too.
fn trim_arg(arg: &mut Arg<'_>, cut: impl Fn(&str) -> (usize, usize)) {
    let (front, back) = cut(&arg.value);
    let end = arg.value.len() - back;
    arg.value = match std::mem::take(&mut arg.value) {
        Cow::Borrowed(v) => Cow::Borrowed(&v[front..end]),
        Cow::Owned(v) => Cow::Owned(v[front..end].to_owned()),
    };
    if arg.quote == Quote::None {
        arg.raw = &arg.raw[front..arg.raw.len() - back];
        arg.span = Span::new(arg.span.start + front, arg.span.end - back);
    }
}

/// Parses one nginx configuration file.
///
/// # Errors
/// The first syntax error, with its kind and span; see [`ParseErrorKind`].
pub fn parse(text: &str) -> Result<Config<'_>, ParseError> {
    if text.len() > MAX_INPUT {
        return Err(ParseError {
            kind: ParseErrorKind::TooLarge {
                size: text.len(),
                limit: MAX_INPUT,
            },
            span: Span::new(0, 0),
        });
    }
    Parser {
        text,
        root: Vec::new(),
        comments: Vec::new(),
        open: Vec::new(),
        head: None,
        last_end: 0,
    }
    .run()
}

struct Parser<'a> {
    text: &'a str,
    root: Vec<Directive<'a>>,
    comments: Vec<Comment<'a>>,
    open: Vec<Open<'a>>,
    head: Option<Head<'a>>,
    /// Where the last token or comment ends: the end of file is reported there.
    last_end: usize,
}

impl<'a> Parser<'a> {
    fn offset(&self, rest: &str) -> usize {
        self.text.len() - rest.len()
    }

    fn error(kind: ParseErrorKind, start: usize, end: usize) -> ParseError {
        ParseError {
            kind,
            span: Span::new(start, end),
        }
    }

    fn lex_error(&self, e: nom::Err<LexError<'_>>) -> ParseError {
        match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => {
                let at = self.offset(e.rest);
                // A token parser only fails without a kind when called on a character that
                // cannot start a token, which the dispatch in `run` rules out; name that
                // character as nginx would rather than panic.
                let kind = e.kind.unwrap_or(match e.rest.chars().next() {
                    Some(';') => ParseErrorKind::EmptyDirective,
                    Some('{') => ParseErrorKind::UnexpectedOpenBrace,
                    _ => ParseErrorKind::UnexpectedCloseBrace,
                });
                let len = if e.len == 0 {
                    e.rest.chars().next().map_or(0, char::len_utf8)
                } else {
                    e.len
                };
                Self::error(kind, at, at + len)
            }
            // The parsers are all `complete` ones, which never ask for more input.
            nom::Err::Incomplete(_) => {
                let end = self.text.len();
                Self::error(
                    ParseErrorKind::UnexpectedEof {
                        open: Span::default(),
                    },
                    end,
                    end,
                )
            }
        }
    }

    fn siblings(&mut self) -> &mut Vec<Directive<'a>> {
        match self.open.last_mut() {
            Some(open) => &mut open.children,
            None => &mut self.root,
        }
    }

    fn run(mut self) -> Result<Config<'a>, ParseError> {
        let mut rest = self.text;
        loop {
            rest = lex::blanks(rest).map_err(|e| self.lex_error(e))?.0;
            let at = self.offset(rest);
            let Some(c) = rest.chars().next() else {
                return self.eof();
            };
            match c {
                '#' => {
                    let (r, text) = lex::comment(rest).map_err(|e| self.lex_error(e))?;
                    let span = Span::new(at, at + 1 + text.len());
                    self.comments.push(Comment { text, span });
                    self.last_end = span.end;
                    rest = r;
                }
                ';' => {
                    let Some(head) = self.head.take() else {
                        return Err(Self::error(ParseErrorKind::EmptyDirective, at, at + 1));
                    };
                    let d = head.finish(None, at + 1);
                    self.siblings().push(d);
                    self.last_end = at + 1;
                    rest = &rest[1..];
                }
                '{' => {
                    let Some(head) = self.head.take() else {
                        return Err(Self::error(ParseErrorKind::UnexpectedOpenBrace, at, at + 1));
                    };
                    if self.open.len() >= MAX_DEPTH {
                        let kind = ParseErrorKind::TooDeep { limit: MAX_DEPTH };
                        return Err(Self::error(kind, at, at + 1));
                    }
                    self.open.push(Open {
                        head,
                        brace: Span::new(at, at + 1),
                        children: Vec::new(),
                    });
                    self.last_end = at + 1;
                    rest = &rest[1..];
                }
                '}' => {
                    if let Some(head) = self.head.take() {
                        let kind = ParseErrorKind::MissingSemicolon {
                            directive: head.name.to_owned(),
                        };
                        return Err(Self::error(kind, head.end, head.end));
                    }
                    let Some(open) = self.open.pop() else {
                        return Err(Self::error(
                            ParseErrorKind::UnexpectedCloseBrace,
                            at,
                            at + 1,
                        ));
                    };
                    let d = open.head.finish(Some(open.children), at + 1);
                    self.siblings().push(d);
                    self.last_end = at + 1;
                    rest = &rest[1..];
                }
                _ => rest = self.token(rest)?,
            }
        }
    }

    /// Reads one word or quoted string: a directive's name or its next argument.
    fn token(&mut self, rest: &'a str) -> Result<&'a str, ParseError> {
        let at = self.offset(rest);
        let (r, (raw, value, quote)) = word(rest).map_err(|e| self.lex_error(e))?;
        let span = Span::new(at, at + raw.len());
        self.last_end = span.end;
        match &mut self.head {
            Some(head) => {
                head.args.push(Arg {
                    raw,
                    value,
                    quote,
                    span,
                });
                head.end = span.end;
                Ok(r)
            }
            None => {
                // A name keeps its escapes as written; crossplane's unescaping of a quoted
                // name is left to the payload.
                let name = match quote {
                    Quote::None => raw,
                    Quote::Single | Quote::Double => &raw[1..raw.len() - 1],
                };
                let head = Head {
                    name,
                    name_span: span,
                    args: Vec::new(),
                    end: span.end,
                };
                if LUA_BLOCK_DIRECTIVES.contains(&name) {
                    return self.lua(head, r);
                }
                self.head = Some(head);
                Ok(r)
            }
        }
    }

    /// The rest of a `*_by_lua_block` directive: `set_by_lua_block` takes one argument, then
    /// every one takes `{ lua code }` as a single raw argument and needs no `;`.
    fn lua(&mut self, mut head: Head<'a>, mut rest: &'a str) -> Result<&'a str, ParseError> {
        let mut wants_arg = head.name == "set_by_lua_block";
        loop {
            rest = lex::blanks(rest).map_err(|e| self.lex_error(e))?.0;
            let at = self.offset(rest);
            match rest.chars().next() {
                Some('#') => {
                    let (r, text) = lex::comment(rest).map_err(|e| self.lex_error(e))?;
                    let span = Span::new(at, at + 1 + text.len());
                    self.comments.push(Comment { text, span });
                    self.last_end = span.end;
                    rest = r;
                }
                Some('{') => {
                    let (r, (raw, code)) = lex::lua_block(rest).map_err(|e| {
                        let mut err = self.lex_error(e);
                        if let ParseErrorKind::UnexpectedEof { open } = &mut err.kind {
                            *open = Span::new(at, at + 1);
                            err.span = Span::new(self.text.len(), self.text.len());
                        }
                        err
                    })?;
                    let span = Span::new(at, at + raw.len());
                    head.args.push(Arg {
                        raw,
                        value: Cow::Borrowed(code),
                        quote: Quote::None,
                        span,
                    });
                    let d = head.finish(None, span.end);
                    self.siblings().push(d);
                    self.last_end = span.end;
                    return Ok(r);
                }
                Some(c) if wants_arg && !matches!(c, ';' | '}') => {
                    let (r, (raw, value, quote)) = word(rest).map_err(|e| self.lex_error(e))?;
                    let span = Span::new(at, at + raw.len());
                    head.args.push(Arg {
                        raw,
                        value,
                        quote,
                        span,
                    });
                    head.end = span.end;
                    wants_arg = false;
                    rest = r;
                }
                _ => {
                    let kind = ParseErrorKind::ExpectedLuaBlock {
                        directive: head.name.to_owned(),
                    };
                    let len = rest.chars().next().map_or(0, char::len_utf8);
                    return Err(Self::error(kind, at, at + len));
                }
            }
        }
    }

    fn eof(mut self) -> Result<Config<'a>, ParseError> {
        if let Some(head) = self.head.take() {
            let kind = ParseErrorKind::MissingSemicolon {
                directive: head.name.to_owned(),
            };
            return Err(Self::error(kind, head.end, head.end));
        }
        if let Some(open) = self.open.pop() {
            let kind = ParseErrorKind::UnexpectedEof { open: open.brace };
            return Err(Self::error(kind, self.last_end, self.last_end));
        }
        Ok(Config {
            directives: self.root,
            comments: self.comments,
        })
    }
}

/// A quoted string or a bare word: `(raw, value, quote)`.
fn word(input: &str) -> lex::LexResult<'_, (&str, Cow<'_, str>, Quote)> {
    if input.starts_with(['"', '\'']) {
        let (rest, (quote, inner)) = lex::quoted(input)?;
        let raw = &input[..inner.len() + 2];
        Ok((rest, (raw, unquote(inner, quote), quote)))
    } else {
        let (rest, raw) = lex::bare(input)?;
        Ok((rest, (raw, Cow::Borrowed(raw), Quote::None)))
    }
}

/// Where the head of directive `d` of `text` ends: the offset of its `;` or `{` (for a Lua
/// block, of the code's `{`). Comments before it sit among the directive's arguments.
#[must_use]
pub fn head_end(text: &str, d: &Directive<'_>) -> usize {
    let mut rest = text.get(d.name_span.end..).unwrap_or("");
    loop {
        rest = lex::blanks(rest).map_or(rest, |(r, _)| r);
        let at = text.len() - rest.len();
        match rest.chars().next() {
            None | Some(';' | '{' | '}') => return at,
            Some('#') => match lex::comment(rest) {
                Ok((r, _)) => rest = r,
                Err(_) => return at,
            },
            Some(_) => match word(rest) {
                Ok((r, _)) => rest = r,
                Err(_) => return at,
            },
        }
    }
}
