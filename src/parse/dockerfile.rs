//! The Dockerfile reader: instructions with spans, as BuildKit's parser reads them, plus a
//! typed view of each instruction with variables substituted where gen can know them.
//!
//! It follows BuildKit (`frontend/dockerfile/parser` and `instructions`): parser directives
//! (`# syntax=`, `# escape=`, `# check=`) at the top only; comments (collected with spans,
//! for `# gen: ignore[..]` and `# hadolint ignore=` pragmas); escape-character line
//! continuations, with comment and blank lines inside them skipped; `--flags`; exec form (a
//! JSON array of strings; any other text is the shell form, a JSON array of non-strings is an
//! error); heredocs after RUN, COPY and ADD. Unknown instructions are kept. The typed view
//! tracks per stage what BuildKit tracks while dispatching: ENV and ARG values for `$x`
//! substitution (in the instructions BuildKit expands), the WORKDIR (relative ones resolve
//! against the previous one), the USER, and which stage a `FROM` or `COPY --from` names.
//!
//! Errors are what BuildKit's parser rejects (bad directives, an unterminated heredoc, a JSON
//! array of non-strings, an ENV or LABEL without `=`); what BuildKit rejects later, when it
//! dispatches (a FROM with two words, an invalid EXPOSE port...), is a warning in
//! `Dockerfile::warnings` and the instruction is kept. [`comments`] gives the comments of a
//! file that does not parse too: the line layer reads on past the error.

mod expand;
mod instructions;
mod lines;
mod words;

#[cfg(test)]
mod tests;

use crate::parse::span::Span;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
    pub directives: Vec<Directive>,
    /// One per FROM, in order.
    pub stages: Vec<Stage>,
    /// Problems BuildKit reports after parsing, when it dispatches; the file still parsed.
    pub warnings: Vec<ParseError>,
    /// The escape character: `\` unless a `# escape=` directive says `` ` ``.
    pub escape: char,
}

/// One instruction, e.g. `COPY --from=deps /app/node_modules /app/node_modules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case: FROM, RUN, COPY... (unknown ones too).
    pub keyword: String,
    /// The whole instruction: continuation lines and heredoc bodies included.
    pub span: Span,
    pub keyword_span: Span,
    /// The arguments after the flags, continuations joined as BuildKit joins them (the
    /// escape character and line break removed, the next line's indentation kept).
    pub args_text: String,
    /// From the first to the last character of the arguments in the file.
    pub args_span: Span,
    pub flags: Vec<Flag>,
    /// Index of the FROM stage the instruction belongs to; 0 for ARGs before the first FROM,
    /// which have `global` set.
    pub stage: usize,
    /// Set for the ARG instructions before the first FROM.
    pub global: bool,
    pub kind: Kind,
    /// The arguments as BuildKit's parser splits them: the JSON array's strings in exec form;
    /// one word (`args_text`) for RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK in shell form
    /// and for USER, WORKDIR, STOPSIGNAL, MAINTAINER, ONBUILD; quote-aware words for ENV,
    /// LABEL and ARG; whitespace-delimited words otherwise. Values are not substituted here.
    pub words: Vec<Word>,
    /// Whether the arguments were a JSON array (exec form, or COPY/ADD/VOLUME's JSON form).
    pub json: bool,
    pub heredocs: Vec<Heredoc>,
    /// The WORKDIR in effect for this instruction (after it, for WORKDIR itself).
    pub workdir: String,
}

/// A `--name=value` (or bare `--name`) flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A word of an instruction: as written, after substitution, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text as written (for JSON strings, the decoded string).
    pub raw: String,
    /// After quote removal and variable substitution, where the instruction has them;
    /// otherwise equal to `raw`.
    pub value: String,
    pub span: Span,
    /// Variables whose value is not known (declared nowhere in the Dockerfile, e.g. set by
    /// the base image); `value` keeps them as written.
    pub unresolved: Vec<String>,
}

/// A heredoc body (`RUN <<EOF ... EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// The body, each line ending in `\n`; leading tabs removed for `<<-`.
    pub content: String,
    /// False when the name was quoted (`<<'EOF'`): no substitution in the body.
    pub expand: bool,
    pub chomp: bool,
    /// The file descriptor for `3<<EOF`.
    pub fd: Option<u32>,
    /// From the first body line to the end of the terminator line.
    pub span: Span,
}

/// A comment line; `text` is what follows the `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// A parser directive; `name` is lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// Exec form (a JSON array of strings) or shell form (the text, run by the SHELL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Exec(Vec<String>),
    Shell(String),
}

/// The typed view of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    From(From),
    Run(Form),
    Cmd(Form),
    Entrypoint(Form),
    Shell(Form),
    Copy(Copy),
    Add(Copy),
    Env(Vec<KeyValue>),
    Label(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Expose(Vec<ExposedPort>),
    User(User),
    Workdir(Workdir),
    Healthcheck(Healthcheck),
    Stopsignal(Word),
    Volume(Vec<Word>),
    Onbuild(String),
    Maintainer(String),
    /// An unknown instruction, or a known one too malformed to type (see the warnings).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    pub image: Word,
    /// Lower-cased, as BuildKit names stages.
    pub alias: Option<Word>,
    pub platform: Option<String>,
    pub base: Base,
}

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// An image reference (after ARG substitution).
    Image(String),
    /// An earlier stage of this Dockerfile, by index.
    Stage(usize),
}

/// COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// Sources as written in the build context (or the `--from` stage); a `<<NAME` source
    /// is the heredoc of that name.
    pub sources: Vec<Word>,
    pub dest: Word,
    /// The destination made absolute against the WORKDIR; a trailing `/` (also added for
    /// `.`) says the destination is a directory.
    pub dest_path: String,
    /// `--from` as written (after substitution).
    pub from: Option<String>,
    /// The stage `--from` names, when it names one (by alias or index).
    pub from_stage: Option<usize>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
}

/// `key=value` in ENV or LABEL (or the legacy `ENV key value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Span,
    pub value: Word,
}

/// `ARG name[=default]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    pub name_span: Span,
    pub default: Option<Word>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

/// One EXPOSE argument: `80`, `53/udp`, `8000-8010/tcp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedPort {
    pub word: Word,
    /// First and last port; `None` when the argument is not a valid port (a warning says so).
    pub ports: Option<(u16, u16)>,
    pub protocol: Protocol,
}

impl ExposedPort {
    #[must_use]
    pub fn contains(&self, port: u16) -> bool {
        self.ports.is_some_and(|(a, b)| a <= port && port <= b)
    }
}

/// `USER user[:group]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub word: Word,
    pub user: String,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workdir {
    pub word: Word,
    /// Absolute and cleaned, relative paths resolved against the previous WORKDIR.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disables the base image's check.
    None,
    Cmd {
        form: Form,
        interval: Option<String>,
        timeout: Option<String>,
        start_period: Option<String>,
        start_interval: Option<String>,
        retries: Option<String>,
    },
}

/// One FROM stage and the state it ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The `AS` name, lower-cased.
    pub name: Option<String>,
    pub base: Base,
    /// Index of the FROM instruction.
    pub from: usize,
    /// The instructions of the stage, FROM included.
    pub instructions: Range<usize>,
    /// ENV at the end of the stage, substituted (inherited from a base stage, and seeded
    /// with what the caller knows of the base image).
    pub env: BTreeMap<String, String>,
    /// WORKDIR at the end of the stage.
    pub workdir: String,
    /// USER at the end of the stage, with the index of its instruction; `None` is root
    /// (or whatever the base image sets).
    pub user: Option<(String, usize)>,
}

impl Dockerfile {
    /// The last stage: what `docker build` produces without `--target`.
    #[must_use]
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The instructions of a stage, FROM included.
    pub fn stage_instructions(&self, stage: &Stage) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .get(stage.instructions.clone())
            .unwrap_or_default()
            .iter()
    }

    /// The stage with this name (lower-cased, as BuildKit compares) or index.
    #[must_use]
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_ascii_lowercase();
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// The last instruction with this keyword in the final stage (CMD, ENTRYPOINT,
    /// HEALTHCHECK, USER, STOPSIGNAL: the ones where the last wins).
    #[must_use]
    pub fn last_in_final(&self, keyword: &str) -> Option<&Instruction> {
        let stage = self.final_stage()?;
        self.stage_instructions(stage)
            .filter(|i| i.keyword == keyword)
            .last()
    }
}

/// A Dockerfile that cannot be read, or a problem in one: a kind and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    DuplicateDirective(String),
    InvalidEscape(String),
    UnterminatedHeredoc(String),
    /// A JSON array with a non-string element.
    NotStringArray,
    /// `ENV key` / `LABEL key` without a value.
    MissingValue(String),
    /// A word without `=` in `ENV a=1 b`.
    MissingEquals(String),
    // The rest are warnings: BuildKit rejects them when dispatching, not when parsing.
    EmptyContinuationLine,
    UnknownInstruction(String),
    MissingArguments(String),
    FromArguments,
    InvalidStageName(String),
    InvalidPort(String),
    HealthcheckType(String),
    Substitution(String),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateDirective(name) => {
                write!(f, "only one `{name}` parser directive can be used")
            }
            Self::InvalidEscape(v) => {
                write!(f, "invalid escape character `{v}`: use `\\` or `` ` ``")
            }
            Self::UnterminatedHeredoc(name) => write!(f, "unterminated heredoc `{name}`"),
            Self::NotStringArray => write!(f, "the JSON array must contain only strings"),
            Self::MissingValue(k) => write!(f, "`{k}` must have two arguments"),
            Self::MissingEquals(word) => write!(
                f,
                "cannot find `=` in `{word}`: must be of the form `name=value`"
            ),
            Self::EmptyContinuationLine => write!(f, "empty continuation line"),
            Self::UnknownInstruction(k) => write!(f, "unknown instruction `{k}`"),
            Self::MissingArguments(k) => write!(f, "`{k}` is missing arguments"),
            Self::FromArguments => write!(
                f,
                "`FROM` requires either one argument, or three: `FROM image AS name`"
            ),
            Self::InvalidStageName(n) => write!(f, "invalid stage name `{n}`"),
            Self::InvalidPort(p) => write!(f, "invalid port `{p}`"),
            Self::HealthcheckType(t) => {
                write!(
                    f,
                    "unknown type `{t}` in `HEALTHCHECK`: use `CMD` or `NONE`"
                )
            }
            Self::Substitution(m) => write!(f, "cannot substitute variables: {m}"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for ParseError {}

/// Parses a Dockerfile, knowing nothing of the base images' environment.
///
/// # Errors
/// What BuildKit's parser rejects; see the module documentation.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    parse_with(text, &|_| BTreeMap::new())
}

/// Parses a Dockerfile; `image_env` gives the environment a base image is known to set
/// (e.g. `PATH`), so `$PATH` in `ENV PATH=/opt/venv/bin:$PATH` can be substituted.
///
/// # Errors
/// What BuildKit's parser rejects; see the module documentation.
pub fn parse_with(
    text: &str,
    image_env: &dyn Fn(&str) -> BTreeMap<String, String>,
) -> Result<Dockerfile, ParseError> {
    let mut layout = lines::layout(text, &heredoc_names);
    if let Some(e) = layout.error.take() {
        return Err(e);
    }
    instructions::build(layout, image_env)
}

/// Every comment of a Dockerfile, whether or not it parses (the line layer reads on past
/// an error; see `lines`), with the `#` lines of heredoc bodies, which are the script's or
/// the written file's comments, not the Dockerfile's: `(comments, body comments)`. When
/// [`parse`] succeeds, the first are its comments.
#[must_use]
pub fn comments(text: &str) -> (Vec<Comment>, Vec<Comment>) {
    let layout = lines::layout(text, &heredoc_names);
    (layout.comments, layout.body_comments)
}

/// The heredocs a joined instruction line opens, `(name, chomp)`: only `RUN`, `COPY` and
/// `ADD` in the shell form have them.
fn heredoc_names(line: &str, escape: char) -> Vec<(String, bool)> {
    let (kw, rest) = words::keyword(line);
    let kw = line[kw].to_ascii_uppercase();
    if !matches!(kw.as_str(), "RUN" | "COPY" | "ADD") {
        return Vec::new();
    }
    // The exec form has no heredocs.
    let (_, args) = words::flags(line, rest);
    if matches!(words::json_array(line, args), words::Json::Strings(_)) {
        return Vec::new();
    }
    words::heredoc_openers(line, escape)
        .into_iter()
        .map(|o| (o.name, o.chomp))
        .collect()
}
