//! The nginx configuration parser: text in, a tree of directives with byte spans out, plus the
//! comments (gen reads `# gen: ignore[CODE]` from them), which [`comments`] also gives for a
//! file that does not parse: the same parser, reading on past a syntax error. For a file
//! that does not parse, [`parse_prefix`] gives what nginx reads before the error, which the
//! load checks judge as nginx does before it reaches the error.
//!
//! The strict reading ([`parse`], [`parse_prefix`]) and the tolerant one ([`comments`]) are
//! one parser compiled twice, on a const parameter, so that the strict hot loop carries no
//! test of which it is (see `Parser`).
//!
//! Tokens follow nginx's own reader (`ngx_conf_read_token`) so that gen sees what nginx sees;
//! the tree follows crossplane's conventions so that `gen parse` prints crossplane's payload:
//! an argument's value has its quotes removed and its backslash escapes kept as written
//! (only an escaped quote of the enclosing kind is unescaped), `if (...)` arguments lose their
//! parentheses as crossplane strips them, and the Lua code of a `*_by_lua_block` directive is
//! one raw argument. Where nginx and crossplane disagree (crossplane merges `${a} ${b}` into
//! one argument, accepts `foo bar }` and `;;`, splits on any Unicode space), nginx wins; the
//! cases are listed in `tests/fixtures/crossplane-known-differences.toml`.
//!
//! The tree is flat and zero-copy, because configs of tens of megabytes exist and the parse
//! must stay within a small multiple of the input's size: [`Config`] keeps every directive in
//! one vector in file order (a directive's block follows it), every argument in another, as
//! 32-bit offsets into the input, 20 bytes a directive and 8 an argument. [`Directive`]
//! and [`Arg`] are views that read names, arguments and values back from the input; a value is
//! only allocated when an escaped quote has to be unescaped. Blocks are built with an explicit
//! stack, so deep nesting is a [`ParseErrorKind::TooDeep`] error, never a stack overflow.

pub mod analyzer;
mod lex;
pub mod payload;
pub mod table;
#[cfg(test)]
mod tests;

pub use crate::parse::span::Span;
use lex::LexError;
use std::borrow::Cow;
use std::fmt;

/// Deepest block nesting accepted; real configs stay under ten.
pub const MAX_DEPTH: usize = 256;
/// Largest input accepted, in bytes (the largest real config in the corpus is 1.3 MB). Offsets
/// are stored in 32 bits, so this must stay below 4 GiB.
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

/// A parsed file: its directives and every comment, in file order, borrowing from the text.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Config<'a> {
    text: &'a str,
    /// Every directive, a block's directives right after the one that opens it.
    nodes: Vec<Node>,
    /// Every argument, a directive's in one run; see [`Node::first_arg`].
    args: Vec<ArgSlot>,
    /// `(argument, value start, value end)` of the few arguments whose value `if` trimmed,
    /// by argument.
    trimmed: Vec<(u32, u32, u32)>,
    comments: Vec<CommentSlot>,
}

/// One directive in [`Config::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    /// The name's token, quotes included.
    name_start: u32,
    name_end: u32,
    /// Where the directive ends: after its `;`, its block's `}`, or its Lua code's `}`.
    end: u32,
    /// Its first argument in [`Config::args`]; its arguments run up to the next node's first
    /// (or the end), since a directive's arguments all come before anything in its block.
    first_arg: u32,
    /// The index of the node after its block (its next sibling, if it has one), with
    /// [`BLOCK`] set when it has a block, even an empty one.
    next: u32,
}

/// The flag of [`Node::next`] for a directive with a block. Node indices stay far below it:
/// each directive takes at least two bytes of a [`MAX_INPUT`]-long text.
const BLOCK: u32 = 1 << 31;

impl Node {
    const fn next(self) -> usize {
        (self.next & !BLOCK) as usize
    }

    const fn has_block(self) -> bool {
        self.next & BLOCK != 0
    }
}

/// One argument in [`Config::args`]: its token, `start..end`, quotes or braces included. Its
/// value (crossplane's, before unescaping) follows from the token's first byte: inside the
/// quotes of a quoted string or the braces of Lua code, else the whole word. Where `if`
/// stripped a parenthesis and that rule no longer holds, `end` carries [`TRIMMED`] and the
/// value's range is in [`Config::trimmed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArgSlot {
    start: u32,
    end: u32,
}

/// The flag of [`ArgSlot::end`] for a value kept in [`Config::trimmed`]. Offsets stay far
/// below it, as [`MAX_INPUT`] does.
const TRIMMED: u32 = 1 << 31;

/// An argument's token and value ranges, as [`Config::ranges`] decodes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ArgRanges {
    start: usize,
    end: usize,
    value_start: usize,
    value_end: usize,
}

impl ArgRanges {
    /// Cuts `front` bytes from the start and `back` bytes from the end of the value; for an
    /// unquoted argument, whose value is its token, from its token too.
    fn trim(&mut self, front: usize, back: usize) {
        let unquoted = self.value_start == self.start;
        self.value_start += front;
        self.value_end -= back;
        if unquoted {
            self.start = self.value_start;
            self.end = self.value_end;
        }
    }
}

/// The value of the token `start..end` by its first byte: see [`ArgSlot`].
fn default_value(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    match bytes.get(start) {
        Some(b'"' | b'\'' | b'{') if end >= start + 2 => (start + 1, end - 1),
        _ => (start, end),
    }
}

/// A comment in [`Config::comments`]: from its `#` to the end of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CommentSlot {
    start: u32,
    end: u32,
}

/// One directive, `name args;`, `name args { ... }` or a Lua block: a view into a [`Config`].
/// Two are equal when they are the same directive of the same config.
#[derive(Clone, Copy)]
pub struct Directive<'c, 'a> {
    config: &'c Config<'a>,
    index: usize,
}

/// One argument of a directive, read from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg<'a> {
    /// The token as written: quotes included; for a Lua block, the braces included.
    pub raw: &'a str,
    pub quote: Quote,
    pub span: Span,
    /// crossplane's value before an escaped quote is unescaped; see [`Arg::value`].
    inner: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// A `#` comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A stored offset back to a `usize`.
const fn at(offset: u32) -> usize {
    offset as usize
}

/// An offset into a text of at most [`MAX_INPUT`] bytes, stored in 32 bits.
fn pos(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl<'a> Config<'a> {
    /// The text the config was parsed from.
    #[must_use]
    pub const fn text(&self) -> &'a str {
        self.text
    }

    /// `text[start..end]`, or `""` for a range the parser never stores.
    fn slice(&self, start: u32, end: u32) -> &'a str {
        self.text.get(at(start)..at(end)).unwrap_or_default()
    }

    /// The top-level directives.
    #[must_use]
    pub fn directives(&self) -> Directives<'_, 'a> {
        Directives {
            config: self,
            at: 0,
            end: self.nodes.len(),
        }
    }

    /// Every comment, in file order.
    pub fn comments(&self) -> impl ExactSizeIterator<Item = Comment<'a>> + Clone + '_ {
        self.comments.iter().map(|c| Comment {
            text: self.slice(c.start + 1, c.end),
            span: Span::new(at(c.start), at(c.end)),
        })
    }

    /// How many directives the file has, at every depth.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The first top-level directive called `name`.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<Directive<'_, 'a>> {
        self.directives().find(|d| d.name() == name)
    }

    /// Every directive, depth first in file order, each with the blocks it is in (outermost
    /// first).
    #[must_use]
    pub fn walk(&self) -> Walk<'_, 'a> {
        Walk {
            config: self,
            at: 0,
            parents: Vec::new(),
        }
    }

    /// The token and value ranges of argument `i`.
    fn ranges(&self, i: usize) -> Option<ArgRanges> {
        let slot = self.args.get(i)?;
        let (start, end) = (at(slot.start), at(slot.end & !TRIMMED));
        let (value_start, value_end) = if slot.end & TRIMMED == 0 {
            default_value(self.text.as_bytes(), start, end)
        } else {
            let k = self.trimmed.binary_search_by_key(&pos(i), |t| t.0).ok()?;
            let (_, value_start, value_end) = self.trimmed[k];
            (at(value_start), at(value_end))
        };
        Some(ArgRanges {
            start,
            end,
            value_start,
            value_end,
        })
    }

    /// The quote of an argument: none for a word, whose value is its whole token.
    fn quote(&self, r: &ArgRanges) -> Quote {
        if r.value_start == r.start {
            return Quote::None;
        }
        match self.text.as_bytes().get(r.start) {
            Some(b'"') => Quote::Double,
            Some(b'\'') => Quote::Single,
            _ => Quote::None,
        }
    }

    fn arg(&self, i: usize) -> Option<Arg<'a>> {
        let r = self.ranges(i)?;
        let text = self.text;
        Some(Arg {
            raw: text.get(r.start..r.end).unwrap_or_default(),
            quote: self.quote(&r),
            span: Span::new(r.start, r.end),
            inner: text.get(r.value_start..r.value_end).unwrap_or_default(),
        })
    }

    /// Stores argument `i` (an existing slot, or the next one) with these ranges.
    fn set_arg(&mut self, i: usize, r: ArgRanges) {
        let mut slot = ArgSlot {
            start: pos(r.start),
            end: pos(r.end),
        };
        if (r.value_start, r.value_end) != default_value(self.text.as_bytes(), r.start, r.end) {
            slot.end |= TRIMMED;
            self.trimmed
                .push((pos(i), pos(r.value_start), pos(r.value_end)));
        }
        match self.args.get_mut(i) {
            Some(s) => *s = slot,
            None => self.args.push(slot),
        }
    }
}

impl fmt::Debug for Config<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("directives", &self.directives().collect::<Vec<_>>())
            .field("comments", &self.comments().collect::<Vec<_>>())
            .finish()
    }
}

impl<'c, 'a> Directive<'c, 'a> {
    fn node(&self) -> Node {
        self.config.nodes[self.index]
    }

    /// The name as written, without quotes when it was quoted (escapes kept).
    #[must_use]
    pub fn name(&self) -> &'a str {
        let node = self.node();
        let raw = self.config.slice(node.name_start, node.name_end);
        match raw.as_bytes().first() {
            Some(b'"' | b'\'') => raw.get(1..raw.len() - 1).unwrap_or_default(),
            _ => raw,
        }
    }

    /// The name's token, quotes included.
    #[must_use]
    pub fn name_span(&self) -> Span {
        let node = self.node();
        Span::new(at(node.name_start), at(node.name_end))
    }

    /// From the name to the `;` or the closing `}`, both included.
    #[must_use]
    pub fn span(&self) -> Span {
        let node = self.node();
        Span::new(at(node.name_start), at(node.end))
    }

    /// The arguments, in order.
    #[must_use]
    pub fn args(&self) -> Args<'c, 'a> {
        let first = at(self.node().first_arg);
        let end = self
            .config
            .nodes
            .get(self.index + 1)
            .map_or(self.config.args.len(), |n| at(n.first_arg));
        Args {
            config: self.config,
            range: first..end,
        }
    }

    /// The value of each argument, as [`Arg::value`] gives it, read straight from the stored
    /// ranges (`gen parse` prints every one).
    pub fn values(&self) -> impl ExactSizeIterator<Item = Cow<'a, str>> + use<'c, 'a> {
        let config = self.config;
        let text = config.text;
        self.args().range.map(move |i| {
            let slot = config.args.get(i).copied();
            let slot = slot.unwrap_or(ArgSlot { start: 0, end: 0 });
            if slot.end & TRIMMED == 0 {
                // The common case, decoded in place: see `ArgSlot`.
                let (start, end) = (at(slot.start), at(slot.end));
                let inner = || {
                    text.get(start + 1..end.saturating_sub(1))
                        .unwrap_or_default()
                };
                return match text.as_bytes().get(start) {
                    Some(b'"') => unquote(inner(), Quote::Double),
                    Some(b'\'') => unquote(inner(), Quote::Single),
                    Some(b'{') => Cow::Borrowed(inner()),
                    _ => Cow::Borrowed(text.get(start..end).unwrap_or_default()),
                };
            }
            let Some(r) = config.ranges(i) else {
                return Cow::Borrowed("");
            };
            let value = text.get(r.value_start..r.value_end);
            unquote(value.unwrap_or_default(), config.quote(&r))
        })
    }

    /// Argument `i`.
    #[must_use]
    pub fn arg(&self, i: usize) -> Option<Arg<'a>> {
        self.args().nth(i)
    }

    /// Whether it is `name args { ... }`, even with an empty block.
    #[must_use]
    pub fn has_block(&self) -> bool {
        self.node().has_block()
    }

    /// The directives of its block; none when there is no block.
    #[must_use]
    pub fn children(&self) -> Directives<'c, 'a> {
        Directives {
            config: self.config,
            at: self.index + 1,
            end: self.node().next(),
        }
    }

    /// The first directive called `name` directly inside this one's block.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<Self> {
        self.children().find(|d| d.name() == name)
    }

    /// Every directive called `name` directly inside this one's block.
    pub fn find_all<'n>(&self, name: &'n str) -> impl Iterator<Item = Self> + use<'c, 'a, 'n> {
        self.children().filter(move |d| d.name() == name)
    }

    #[must_use]
    pub fn is_lua_block(&self) -> bool {
        is_lua_block(self.name())
    }

    /// Where the head ends: the offset of its `;` or `{` (for a Lua block, of the code's `{`).
    /// Comments before it sit among the directive's arguments.
    #[must_use]
    pub fn head_end(&self) -> usize {
        let text = self.config.text;
        let bytes = text.as_bytes();
        // The last argument that is not Lua code ends where the search starts.
        let mut i = self
            .args()
            .rev()
            .find(|a| !a.is_lua_code())
            .map_or(self.name_span().end, |a| a.span.end);
        loop {
            i = lex::blanks(bytes, i);
            match bytes.get(i) {
                None | Some(b';' | b'{' | b'}') => return i,
                Some(b'#') => i = lex::comment(bytes, i).1,
                Some(_) => match word(text, i) {
                    Ok(w) => i = w.end,
                    Err(_) => return i,
                },
            }
        }
    }
}

impl PartialEq for Directive<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.config, other.config) && self.index == other.index
    }
}

impl Eq for Directive<'_, '_> {}

impl fmt::Debug for Directive<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Directive");
        s.field("name", &self.name())
            .field("span", &self.span())
            .field("args", &self.args().collect::<Vec<_>>());
        if self.has_block() {
            s.field("block", &self.children().collect::<Vec<_>>());
        }
        s.finish()
    }
}

fn is_lua_block(name: &str) -> bool {
    name.ends_with("_by_lua_block") && LUA_BLOCK_DIRECTIVES.contains(&name)
}

/// Directives that follow one another: the top level, or a block.
#[derive(Clone)]
pub struct Directives<'c, 'a> {
    config: &'c Config<'a>,
    at: usize,
    end: usize,
}

impl<'c, 'a> Iterator for Directives<'c, 'a> {
    type Item = Directive<'c, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.end {
            return None;
        }
        let d = Directive {
            config: self.config,
            index: self.at,
        };
        // A stored `next` always lies past its node; `max` keeps a walk finite regardless.
        self.at = d.node().next().max(self.at + 1);
        Some(d)
    }
}

impl fmt::Debug for Directives<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// The arguments of a directive.
#[derive(Clone)]
pub struct Args<'c, 'a> {
    config: &'c Config<'a>,
    range: std::ops::Range<usize>,
}

impl<'a> Iterator for Args<'_, 'a> {
    type Item = Arg<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.range.next().and_then(|i| self.config.arg(i))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        self.range.nth(n).and_then(|i| self.config.arg(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.range.size_hint()
    }
}

impl DoubleEndedIterator for Args<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.range.next_back().and_then(|i| self.config.arg(i))
    }
}

impl ExactSizeIterator for Args<'_, '_> {}

impl fmt::Debug for Args<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a> Arg<'a> {
    /// crossplane's value: quotes removed, escapes kept as written except an escaped quote of
    /// the enclosing kind (`"a\"b"` gives `a"b`); for a Lua block, the code between the
    /// braces. Borrowed unless a quote had to be unescaped.
    #[must_use]
    pub fn value(&self) -> Cow<'a, str> {
        unquote(self.inner, self.quote)
    }

    /// Whether this is the `{ ... }` Lua code of a `*_by_lua_block` directive.
    #[must_use]
    pub fn is_lua_code(&self) -> bool {
        self.quote == Quote::None && self.raw.len() != self.inner.len()
    }

    /// The value as nginx itself stores it: nginx also turns `\\`, `\"`, `\'`, `\t`, `\r` and
    /// `\n` into the characters they stand for, and keeps other backslashes.
    #[must_use]
    pub fn unescaped(&self) -> Cow<'a, str> {
        let value = self.value();
        if self.is_lua_code() || !value.contains('\\') {
            return value;
        }
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars();
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
pub struct Visit<'c, 'a> {
    /// The enclosing block directives, outermost first.
    pub parents: Vec<Directive<'c, 'a>>,
    pub directive: Directive<'c, 'a>,
}

/// The iterator of [`Config::walk`]: the nodes are stored depth first already, so it goes
/// through them in order and keeps the chain of blocks that contain the current one.
#[derive(Debug)]
pub struct Walk<'c, 'a> {
    config: &'c Config<'a>,
    at: usize,
    parents: Vec<Directive<'c, 'a>>,
}

impl<'c, 'a> Iterator for Walk<'c, 'a> {
    type Item = Visit<'c, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.config.nodes.len() {
            return None;
        }
        while self
            .parents
            .last()
            .is_some_and(|p| p.node().next() <= self.at)
        {
            self.parents.pop();
        }
        let directive = Directive {
            config: self.config,
            index: self.at,
        };
        let visit = Visit {
            parents: self.parents.clone(),
            directive,
        };
        if directive.has_block() {
            self.parents.push(directive);
        }
        self.at += 1;
        Some(visit)
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
    let mut parser = Parser::<false>::new(text);
    parser.run()?;
    Ok(parser.config)
}

/// The directives nginx reads before the first syntax error of `text`, and that error
/// (`None` when the file parses: then the whole tree). nginx checks each directive as soon
/// as its `;` or `{` is read, so a directive it refuses before the syntax error is what
/// `nginx -t` reports, not the error: an unquoted `{` in a regular expression
/// (`location ~ ^/x/\d{3}$ {`) ends the word and opens a block, whose first directive is
/// `3}$`, and the unbalanced brace only shows at the end of the file. Blocks still open at
/// the error end there; the directive whose name or arguments the error is in is left out,
/// as nginx never checks it. A file longer than [`MAX_INPUT`] gives no directives.
#[must_use]
pub fn parse_prefix(text: &str) -> (Config<'_>, Option<ParseError>) {
    let mut parser = Parser::<false>::new(text);
    if text.len() > MAX_INPUT {
        return (parser.config, parse(text).err());
    }
    match parser.run() {
        Ok(()) => (parser.config, None),
        Err(e) => {
            parser.close_at(e.span.start);
            (parser.config, Some(e))
        }
    }
}

/// Every `#` comment of a file, whether or not it parses: the parser's own reading, which
/// on a syntax error reads on where `parse` stops, so that a suppression comment works the
/// same in a file with an error as in one without. nginx itself stops at the first error,
/// so where the error is in a token the reading goes on as nginx's token reader would:
/// after an unterminated quote the rest of the file is inside the string, and after an
/// unclosed Lua block it is Lua code, so no comment follows; a closing quote followed by
/// something other than a blank, `;`, `{` or `)` ends its token there, as if a blank
/// followed (`"a"#b` has the comment `#b`). Errors of structure (a stray `;`, `{` or `}`, a
/// missing `;`, a Lua directive without its block, blocks nested too deep) are stepped
/// over. A file longer than [`MAX_INPUT`] gives none. When `parse` succeeds, this gives
/// exactly its comments (the fuzz target `nginx_parse` checks it).
#[must_use]
pub fn comments(text: &str) -> Vec<Comment<'_>> {
    if text.len() > MAX_INPUT {
        return Vec::new();
    }
    // The tolerant reading never fails (the rest of the file is one token where nginx would
    // read it so); an error here would be a bug, and no comments the safe answer.
    let mut parser = Parser::<true>::new(text);
    match parser.run() {
        Ok(()) => parser.config.comments().collect(),
        Err(_) => Vec::new(),
    }
}

/// A block being read: its directive's node and the offset of its `{`.
struct Open {
    node: usize,
    brace: usize,
}

/// A directive whose name and arguments are being read: its node, and where its last token
/// ends (a missing `;` belongs there).
#[derive(Clone, Copy)]
struct Head {
    node: usize,
    end: usize,
    /// Whether it is `if`, whose arguments lose their parentheses when the head ends.
    is_if: bool,
}

/// The parser. `TOLERANT` reads on after a syntax error, for [`comments`] (the tree may
/// then be inconsistent and is not given out); [`parse`] is `Parser<false>`. A const
/// parameter rather than a field, so that each reading is compiled on its own and the
/// strict one, the hot loop of `gen check` and `gen parse`, carries no test of it: as a
/// field it cost `parse` 5.7 % more instructions (docs/performance.md).
struct Parser<'a, const TOLERANT: bool> {
    config: Config<'a>,
    open: Vec<Open>,
    head: Option<Head>,
    /// Where the last token or comment ends: the end of file is reported there.
    last_end: usize,
}

impl<'a, const TOLERANT: bool> Parser<'a, TOLERANT> {
    fn new(text: &'a str) -> Self {
        Parser {
            config: Config {
                text,
                ..Config::default()
            },
            open: Vec::new(),
            head: None,
            last_end: 0,
        }
    }

    /// A syntax error the tolerant reading steps over: `parse` stops at it.
    #[cold]
    fn fail(e: ParseError) -> Result<(), ParseError> {
        if TOLERANT { Ok(()) } else { Err(e) }
    }

    /// The word at `i` after the lexer's error `e`: in the tolerant reading, a quoted
    /// string followed by the wrong character ends at its quote, and an unterminated one
    /// runs to the end of the file; else the error. Kept out of line, so that the hot path
    /// (`word`, inlined into `token`) stays as it was.
    #[cold]
    #[inline(never)]
    fn recover_word(&self, i: usize, e: LexError) -> Result<Word, ParseError> {
        let text = self.config.text;
        let end = match e.kind {
            ParseErrorKind::UnexpectedAfterQuote { .. } if TOLERANT && e.at > i + 1 => e.at,
            ParseErrorKind::UnterminatedQuote { .. } if TOLERANT => text.len(),
            _ => return Err(self.lex_error(e)),
        };
        Ok(Word {
            start: i,
            end,
            value: default_value(text.as_bytes(), i, end),
        })
    }

    fn error(kind: ParseErrorKind, start: usize, end: usize) -> ParseError {
        ParseError {
            kind,
            span: Span::new(start, end),
        }
    }

    fn lex_error(&self, e: LexError) -> ParseError {
        let len = if e.len == 0 {
            let rest = self.config.text.get(e.at..).unwrap_or_default();
            rest.chars().next().map_or(0, char::len_utf8)
        } else {
            e.len
        };
        Self::error(e.kind, e.at, e.at + len)
    }

    fn name(&self, node: usize) -> &'a str {
        Directive {
            config: &self.config,
            index: node,
        }
        .name()
    }

    fn missing_semicolon(&self, head: Head) -> ParseError {
        let kind = ParseErrorKind::MissingSemicolon {
            directive: self.name(head.node).to_owned(),
        };
        Self::error(kind, head.end, head.end)
    }

    fn run(&mut self) -> Result<(), ParseError> {
        let bytes = self.config.text.as_bytes();
        let mut i = 0;
        loop {
            i = lex::blanks(bytes, i);
            let Some(&c) = bytes.get(i) else {
                return self.eof();
            };
            match c {
                b'#' => i = self.comment(i),
                b';' => {
                    if let Some(head) = self.head.take() {
                        self.end_head(head);
                        self.finish(head.node, i + 1, false);
                    } else {
                        Self::fail(Self::error(ParseErrorKind::EmptyDirective, i, i + 1))?;
                    }
                    i += 1;
                    self.last_end = i;
                }
                b'{' => {
                    if let Some(head) = self.head.take() {
                        self.end_head(head);
                        if self.open.len() < MAX_DEPTH {
                            self.open.push(Open {
                                node: head.node,
                                brace: i,
                            });
                        } else {
                            let kind = ParseErrorKind::TooDeep { limit: MAX_DEPTH };
                            Self::fail(Self::error(kind, i, i + 1))?;
                        }
                    } else {
                        let kind = ParseErrorKind::UnexpectedOpenBrace;
                        Self::fail(Self::error(kind, i, i + 1))?;
                    }
                    i += 1;
                    self.last_end = i;
                }
                b'}' => {
                    if let Some(head) = self.head.take() {
                        Self::fail(self.missing_semicolon(head))?;
                        self.end_head(head);
                        self.finish(head.node, i, false);
                    }
                    if let Some(open) = self.open.pop() {
                        self.finish(open.node, i + 1, true);
                    } else {
                        let kind = ParseErrorKind::UnexpectedCloseBrace;
                        Self::fail(Self::error(kind, i, i + 1))?;
                    }
                    i += 1;
                    self.last_end = i;
                }
                _ => i = self.token(i)?,
            }
        }
    }

    /// Records the comment at `i`; returns the index after it.
    fn comment(&mut self, i: usize) -> usize {
        let (end, next) = lex::comment(self.config.text.as_bytes(), i);
        self.config.comments.push(CommentSlot {
            start: pos(i),
            end: pos(end),
        });
        self.last_end = end;
        next
    }

    /// Ends directive `node` at `end`: after its `;`, its block's `}` or its Lua code. Its
    /// block, if any, holds every node added since.
    fn finish(&mut self, node: usize, end: usize, block: bool) {
        let next = pos(self.config.nodes.len()) | if block { BLOCK } else { 0 };
        if let Some(n) = self.config.nodes.get_mut(node) {
            n.end = pos(end);
            n.next = next;
        }
    }

    /// The head of directive `node` ends at its `;` or `{`: its arguments are complete.
    fn end_head(&mut self, head: Head) {
        if head.is_if {
            self.strip_if_parens(head.node);
        }
    }

    /// Stores a token just read, whose value is always the one its first byte gives: a bare
    /// word never starts with a quote or `{`.
    fn push_arg(&mut self, word: &Word) {
        debug_assert_eq!(
            word.value,
            default_value(self.config.text.as_bytes(), word.start, word.end)
        );
        self.config.args.push(ArgSlot {
            start: pos(word.start),
            end: pos(word.end),
        });
    }

    /// Reads the word or quoted string at `i`, a directive's name or its next argument;
    /// returns the index after it.
    fn token(&mut self, i: usize) -> Result<usize, ParseError> {
        let w = match word(self.config.text, i) {
            Ok(w) => w,
            Err(e) => self.recover_word(i, e)?,
        };
        self.last_end = w.end;
        if let Some(head) = &mut self.head {
            head.end = w.end;
            self.push_arg(&w);
            return Ok(w.end);
        }
        let node = self.config.nodes.len();
        self.config.nodes.push(Node {
            name_start: pos(w.start),
            name_end: pos(w.end),
            end: pos(w.end),
            first_arg: pos(self.config.args.len()),
            next: pos(node + 1),
        });
        // A name keeps its escapes as written; crossplane's unescaping of a quoted name is
        // left to the payload.
        let name = self.config.text.get(w.value.0..w.value.1);
        let name = name.unwrap_or_default();
        let head = Head {
            node,
            end: w.end,
            is_if: name == "if",
        };
        if is_lua_block(name) {
            return self.lua(head, w.end);
        }
        self.head = Some(head);
        Ok(w.end)
    }

    /// The rest of a `*_by_lua_block` directive from `i`: `set_by_lua_block` takes one
    /// argument, then every one takes `{ lua code }` as a single raw argument and needs no
    /// `;`. Returns the index after the code.
    fn lua(&mut self, mut head: Head, mut i: usize) -> Result<usize, ParseError> {
        let text = self.config.text;
        let bytes = text.as_bytes();
        let mut wants_arg = self.name(head.node) == "set_by_lua_block";
        loop {
            i = lex::blanks(bytes, i);
            match bytes.get(i) {
                Some(b'#') => i = self.comment(i),
                Some(b'{') => {
                    // Unclosed, the rest of the file is Lua code to the tolerant reading.
                    let end = lex::lua_block(bytes, i).or(TOLERANT.then_some(text.len()));
                    let Some(end) = end else {
                        let open = Span::new(i, i + 1);
                        let kind = ParseErrorKind::UnexpectedEof { open };
                        return Err(Self::error(kind, text.len(), text.len()));
                    };
                    let code = Word {
                        start: i,
                        end,
                        value: default_value(bytes, i, end),
                    };
                    self.push_arg(&code);
                    self.finish(head.node, end, false);
                    self.last_end = end;
                    return Ok(end);
                }
                Some(&c) if wants_arg && !matches!(c, b';' | b'}') => {
                    let w = match word(text, i) {
                        Ok(w) => w,
                        Err(e) => self.recover_word(i, e)?,
                    };
                    self.push_arg(&w);
                    head.end = w.end;
                    self.last_end = w.end;
                    wants_arg = false;
                    i = w.end;
                }
                _ => {
                    let kind = ParseErrorKind::ExpectedLuaBlock {
                        directive: self.name(head.node).to_owned(),
                    };
                    let rest = text.get(i..).unwrap_or_default();
                    let len = rest.chars().next().map_or(0, char::len_utf8);
                    Self::fail(Self::error(kind, i, i + len))?;
                    // Read on from here as from after a directive.
                    self.finish(head.node, i, false);
                    return Ok(i);
                }
            }
        }
    }

    /// crossplane's `_prepare_if_args`: when the first argument starts with `(` and the last
    /// ends with `)`, strip them (and the blanks next to them), then drop the first and last
    /// arguments if that left them empty. An unquoted argument's span and raw text shrink with
    /// it. The directive's arguments are the last ones read.
    fn strip_if_parens(&mut self, node: usize) {
        let text = self.config.text;
        let first = self
            .config
            .nodes
            .get(node)
            .map_or(usize::MAX, |n| at(n.first_arg));
        let Some(last) = self
            .config
            .args
            .len()
            .checked_sub(1)
            .filter(|&l| l >= first)
        else {
            return;
        };
        let (Some(mut f), Some(mut l)) = (self.config.ranges(first), self.config.ranges(last))
        else {
            return;
        };
        let value = |r: &ArgRanges| text.get(r.value_start..r.value_end).unwrap_or("");
        if !(value(&f).starts_with('(') && value(&l).ends_with(')')) {
            return;
        }
        let v = value(&f);
        f.trim(v.len() - v[1..].trim_start().len(), 0);
        if first == last {
            l = f;
        }
        let v = value(&l);
        if let Some(inner) = v.strip_suffix(')') {
            l.trim(0, v.len() - inner.trim_end().len());
        }
        if first == last {
            f = l;
        }
        // Rewritten in order, so that `trimmed` stays sorted: the first, then the last.
        let empty = |r: &ArgRanges| r.value_start == r.value_end;
        self.config.args.truncate(last);
        if first != last {
            if empty(&f) {
                self.config.args.remove(first);
            } else {
                self.config.set_arg(first, f);
            }
        }
        if !empty(&l) {
            self.config.set_arg(self.config.args.len(), l);
        }
    }

    fn eof(&mut self) -> Result<(), ParseError> {
        if TOLERANT {
            return Ok(());
        }
        if let Some(head) = self.head.take() {
            return Err(self.missing_semicolon(head));
        }
        if let Some(open) = self.open.last() {
            let kind = ParseErrorKind::UnexpectedEof {
                open: Span::new(open.brace, open.brace + 1),
            };
            return Err(Self::error(kind, self.last_end, self.last_end));
        }
        Ok(())
    }

    /// After a syntax error at `error`, the tree of what came before: the directive being
    /// read (a name and arguments without their `;` or `{`, or a Lua directive without
    /// its code) is dropped, and the blocks still open end at `error`.
    #[cold]
    fn close_at(&mut self, error: usize) {
        let nodes = &mut self.config.nodes;
        let last = nodes.len().checked_sub(1);
        let unfinished = last.filter(|&k| {
            let open = self.open.last().is_some_and(|o| o.node == k);
            // A directive ends after its name: at its `;`, `}` or Lua code.
            !open && nodes.get(k).is_some_and(|n| n.end == n.name_end)
        });
        if let Some(k) = unfinished {
            let first = nodes.get(k).map_or(0, |n| n.first_arg);
            nodes.truncate(k);
            self.config.args.truncate(at(first));
            self.config.trimmed.retain(|t| t.0 < first);
        }
        while let Some(open) = self.open.pop() {
            self.finish(open.node, error, true);
        }
    }
}

/// A quoted string or a bare word: its token `start..end`, and its value's range (inside the
/// quotes for a quoted string).
struct Word {
    start: usize,
    end: usize,
    value: (usize, usize),
}

/// The word at byte `i` of `text`.
fn word(text: &str, i: usize) -> Result<Word, LexError> {
    let bytes = text.as_bytes();
    if matches!(bytes.get(i), Some(b'"' | b'\'')) {
        let end = lex::quoted(text, i)?;
        Ok(Word {
            start: i,
            end,
            value: (i + 1, end - 1),
        })
    } else {
        let end = lex::bare(bytes, i)?;
        Ok(Word {
            start: i,
            end,
            value: (i, end),
        })
    }
}
