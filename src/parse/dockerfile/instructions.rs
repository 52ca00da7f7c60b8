//! From the line layer's raw instructions to typed ones, keeping the state BuildKit keeps
//! while it dispatches a stage: ENV and ARG values, WORKDIR, USER, and the stages so far.

use super::expand::{self, Lookup};
use super::lines::{Layout, Logical, RawInstruction};
use super::words::{self, Json, RawWord};
use super::{
    ArgDecl, Base, Copy, Dockerfile, ExposedPort, Flag, Form, From, Healthcheck, Heredoc,
    Instruction, KeyValue, Kind, ParseError, ParseErrorKind, Protocol, Stage, User, Word, Workdir,
};
use crate::model::path;
use crate::parse::span::Span;
use std::collections::BTreeMap;

/// What a stage has accumulated so far.
#[derive(Debug, Clone, Default)]
struct State {
    env: BTreeMap<String, String>,
    /// Declared ARGs: `None` when declared without a value.
    args: BTreeMap<String, Option<String>>,
    workdir: String,
    user: Option<(String, usize)>,
}

struct Builder<'a> {
    escape: char,
    image_env: &'a dyn Fn(&str) -> BTreeMap<String, String>,
    warnings: Vec<ParseError>,
    global_args: BTreeMap<String, Option<String>>,
    stages: Vec<Stage>,
    /// The open stage: its index in `stages` is `stages.len()` until it closes.
    state: Option<(State, Stage)>,
    instructions: Vec<Instruction>,
}

/// The per-instruction inputs, in one place so helpers stay short.
struct Ctx<'t> {
    logical: &'t Logical,
    text: &'t str,
    args_start: usize,
    args_end: usize,
}

impl Ctx<'_> {
    fn span(&self, r: &std::ops::Range<usize>) -> Span {
        self.logical.span(r.start, r.end)
    }

    fn args_word(&self) -> RawWord {
        RawWord {
            text: self.text[self.args_start..self.args_end].to_owned(),
            range: self.args_start..self.args_end,
        }
    }
}

pub(super) fn build(
    layout: Layout,
    image_env: &dyn Fn(&str) -> BTreeMap<String, String>,
) -> Result<Dockerfile, ParseError> {
    let mut b = Builder {
        escape: layout.escape,
        image_env,
        warnings: layout.warnings,
        global_args: BTreeMap::new(),
        stages: Vec::new(),
        state: None,
        instructions: Vec::new(),
    };
    for raw in &layout.instructions {
        b.instruction(raw)?;
    }
    b.close_stage();
    b.warnings.sort_by_key(|w| w.span.start);
    Ok(Dockerfile {
        instructions: b.instructions,
        comments: layout.comments,
        directives: layout.directives,
        stages: b.stages,
        warnings: b.warnings,
        escape: layout.escape,
    })
}

fn is_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

impl Builder<'_> {
    fn warn(&mut self, kind: ParseErrorKind, span: Span) {
        self.warnings.push(ParseError { kind, span });
    }

    fn lookup(&self, name: &str) -> Lookup {
        let Some((state, _)) = &self.state else {
            return match self.global_args.get(name) {
                Some(Some(v)) => Lookup::Known(v.clone()),
                Some(None) => Lookup::Unset,
                None => Lookup::Unknown,
            };
        };
        if let Some(v) = state.env.get(name) {
            return Lookup::Known(v.clone());
        }
        match state.args.get(name) {
            Some(Some(v)) => Lookup::Known(v.clone()),
            Some(None) => Lookup::Unset,
            None => Lookup::Unknown,
        }
    }

    /// A word, substituted when `substitute` (the instructions BuildKit expands).
    fn word(&mut self, cx: &Ctx<'_>, raw: &RawWord, substitute: bool) -> Word {
        let span = cx.span(&raw.range);
        self.word_at(&raw.text, span, substitute)
    }

    fn word_at(&mut self, text: &str, span: Span, substitute: bool) -> Word {
        let mut word = Word {
            raw: text.to_owned(),
            value: text.to_owned(),
            span,
            unresolved: Vec::new(),
        };
        if substitute {
            let lookup = |name: &str| self.lookup(name);
            match expand::expand(text, self.escape, &lookup) {
                Ok(e) => {
                    word.value = e.value;
                    word.unresolved = e.unresolved;
                }
                Err(m) => self.warn(ParseErrorKind::Substitution(m), span),
            }
        }
        word
    }

    fn close_stage(&mut self) {
        if let Some((state, mut stage)) = self.state.take() {
            stage.instructions = stage.from..self.instructions.len();
            stage.env = state.env;
            stage.workdir = state.workdir;
            stage.user = state.user;
            self.stages.push(stage);
        }
    }

    fn instruction(&mut self, raw: &RawInstruction) -> Result<(), ParseError> {
        let logical = &raw.logical;
        let text = logical.text.as_str();
        let (kw_range, rest) = words::keyword(text);
        let keyword = text[kw_range.clone()].to_ascii_uppercase();
        let (raw_flags, args_start) = words::flags(text, rest);
        let args_end = text.trim_end().len().max(args_start);
        let cx = Ctx {
            logical,
            text,
            args_start,
            args_end,
        };
        let flags: Vec<Flag> = raw_flags
            .iter()
            .map(|f| {
                let body = f.text.trim_start_matches('-');
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                    None => (body.to_owned(), None),
                };
                Flag {
                    name,
                    value,
                    span: cx.span(&f.range),
                }
            })
            .collect();
        if keyword == "FROM" {
            self.close_stage();
        }
        let index = self.instructions.len();
        let mut ins = Instruction {
            keyword_span: cx.span(&kw_range),
            args_text: text[args_start..args_end].to_owned(),
            args_span: logical.span(args_start, args_end),
            span: raw.span,
            flags,
            stage: self.stages.len(),
            global: self.state.is_none() && keyword != "FROM",
            kind: Kind::Other,
            words: Vec::new(),
            json: false,
            heredocs: heredocs(raw, text, self.escape),
            workdir: String::new(),
            keyword,
        };
        if ins.global {
            ins.stage = 0;
        }
        ins.kind = match ins.keyword.as_str() {
            "FROM" => self.from(&cx, &mut ins, index),
            "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" => {
                let form = self.form(&cx, &mut ins)?;
                if ins.args_text.is_empty() && ins.heredocs.is_empty() && ins.keyword != "CMD" {
                    self.warn(
                        ParseErrorKind::MissingArguments(ins.keyword.clone()),
                        ins.span,
                    );
                }
                match ins.keyword.as_str() {
                    "RUN" => Kind::Run(form),
                    "CMD" => Kind::Cmd(form),
                    "ENTRYPOINT" => Kind::Entrypoint(form),
                    _ => Kind::Shell(form),
                }
            }
            "COPY" | "ADD" => self.copy(&cx, &mut ins)?,
            "ENV" | "LABEL" => self.key_values(&cx, &mut ins)?,
            "ARG" => self.arg(&cx, &mut ins),
            "EXPOSE" => self.expose(&cx, &mut ins),
            "USER" | "WORKDIR" | "STOPSIGNAL" => self.single(&cx, &mut ins, index),
            "HEALTHCHECK" => self.healthcheck(&cx, &mut ins)?,
            "VOLUME" => {
                let raws = self.list(&cx, &mut ins)?;
                Kind::Volume(raws.iter().map(|r| self.word(&cx, r, true)).collect())
            }
            "ONBUILD" | "MAINTAINER" => {
                ins.words = vec![self.word(&cx, &cx.args_word(), false)];
                if ins.keyword == "ONBUILD" {
                    Kind::Onbuild(ins.args_text.clone())
                } else {
                    Kind::Maintainer(ins.args_text.clone())
                }
            }
            _ => {
                ins.words = words::whitespace_split(text, args_start)
                    .iter()
                    .map(|r| self.word(&cx, r, false))
                    .collect();
                self.warn(
                    ParseErrorKind::UnknownInstruction(ins.keyword.clone()),
                    ins.keyword_span,
                );
                Kind::Other
            }
        };
        ins.workdir = self
            .state
            .as_ref()
            .map_or_else(|| "/".to_owned(), |(s, _)| s.workdir.clone());
        self.instructions.push(ins);
        Ok(())
    }

    fn from(&mut self, cx: &Ctx<'_>, ins: &mut Instruction, index: usize) -> Kind {
        let raws = words::whitespace_split(cx.text, cx.args_start);
        ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
        // FROM sees only the ARGs declared before the first FROM.
        let image = match raws.first() {
            Some(r) => self.word(cx, r, true),
            None => self.word_at("", ins.args_span, false),
        };
        let alias = match raws.as_slice() {
            [_] => None,
            [_, as_, name] if as_.text.eq_ignore_ascii_case("as") => {
                let mut w = self.word(cx, name, false);
                w.value = w.value.to_ascii_lowercase();
                if !is_stage_name(&w.value) {
                    self.warn(ParseErrorKind::InvalidStageName(w.raw.clone()), w.span);
                }
                Some(w)
            }
            _ => {
                self.warn(ParseErrorKind::FromArguments, ins.span);
                None
            }
        };
        let lower = image.value.to_ascii_lowercase();
        let base = self
            .stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map_or_else(
                || Base::Image(image.value.clone()),
                |s| Base::Stage(s.index),
            );
        let state = match &base {
            Base::Stage(i) => self.stages.get(*i).map_or_else(State::default, |s| State {
                env: s.env.clone(),
                args: BTreeMap::new(),
                workdir: s.workdir.clone(),
                user: s.user.clone(),
            }),
            Base::Image(name) => State {
                env: (self.image_env)(name),
                args: BTreeMap::new(),
                workdir: "/".to_owned(),
                user: None,
            },
        };
        let stage = Stage {
            index: self.stages.len(),
            name: alias.as_ref().map(|a| a.value.clone()),
            base: base.clone(),
            from: index,
            instructions: index..index,
            env: BTreeMap::new(),
            workdir: String::new(),
            user: None,
        };
        self.state = Some((state, stage));
        Kind::From(From {
            image,
            alias,
            platform: flag(ins, "platform").map(str::to_owned),
            base,
        })
    }

    /// Exec or shell form, as BuildKit's `parseMaybeJSON`.
    fn form(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Result<Form, ParseError> {
        match words::json_array(cx.text, cx.args_start) {
            Json::Strings(raws) => {
                ins.json = true;
                ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
                Ok(Form::Exec(raws.into_iter().map(|r| r.text).collect()))
            }
            Json::NotStrings => Err(ParseError {
                kind: ParseErrorKind::NotStringArray,
                span: ins.args_span,
            }),
            Json::No => {
                if !ins.args_text.is_empty() {
                    ins.words = vec![self.word(cx, &cx.args_word(), false)];
                }
                Ok(Form::Shell(ins.args_text.clone()))
            }
        }
    }

    /// A JSON array or whitespace-delimited words, as BuildKit's `parseMaybeJSONToList`.
    fn list(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Result<Vec<RawWord>, ParseError> {
        let raws = match words::json_array(cx.text, cx.args_start) {
            Json::Strings(raws) => {
                ins.json = true;
                raws
            }
            Json::NotStrings => {
                return Err(ParseError {
                    kind: ParseErrorKind::NotStringArray,
                    span: ins.args_span,
                });
            }
            Json::No => words::whitespace_split(cx.text, cx.args_start),
        };
        ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
        Ok(raws)
    }

    fn copy(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Result<Kind, ParseError> {
        let raws = self.list(cx, ins)?;
        let Some((dest_raw, sources_raw)) = raws.split_last().filter(|(_, s)| !s.is_empty()) else {
            self.warn(
                ParseErrorKind::MissingArguments(ins.keyword.clone()),
                ins.span,
            );
            return Ok(Kind::Other);
        };
        let sources = sources_raw.iter().map(|r| self.word(cx, r, true)).collect();
        let dest = self.word(cx, dest_raw, true);
        let workdir = self
            .state
            .as_ref()
            .map_or_else(|| "/".to_owned(), |(s, _)| s.workdir.clone());
        let mut dest_path = path::join(&workdir, &dest.value);
        if (dest.value.ends_with('/') || dest.value == "." || dest.value.is_empty())
            && !dest_path.ends_with('/')
        {
            dest_path.push('/');
        }
        let mut flag_value = |name: &str| {
            let f = ins.flags.iter().rev().find(|f| f.name == name)?;
            let (value, span) = (f.value.clone().unwrap_or_default(), f.span);
            Some(self.word_at(&value, span, true).value)
        };
        let from = flag_value("from");
        let chown = flag_value("chown");
        let chmod = flag_value("chmod");
        let from_stage = from.as_deref().and_then(|f| {
            let lower = f.to_ascii_lowercase();
            self.stages
                .iter()
                .find(|s| s.name.as_deref() == Some(lower.as_str()))
                .map(|s| s.index)
                .or_else(|| f.parse::<usize>().ok().filter(|&i| i < self.stages.len()))
        });
        let link = ins
            .flags
            .iter()
            .rev()
            .find(|f| f.name == "link")
            .is_some_and(|f| f.value.as_deref().is_none_or(|v| v != "false"));
        let copy = Copy {
            sources,
            dest,
            dest_path,
            from,
            from_stage,
            chown,
            chmod,
            link,
        };
        Ok(if ins.keyword == "COPY" {
            Kind::Copy(copy)
        } else {
            Kind::Add(copy)
        })
    }

    /// ENV and LABEL, as BuildKit's `parseNameVal`: `k=v ...`, or the legacy `k v`.
    fn key_values(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Result<Kind, ParseError> {
        let raws = words::quoted_words(cx.text, cx.args_start, self.escape);
        let is_env = ins.keyword == "ENV";
        let mut pairs = Vec::new();
        match raws.first() {
            None => {
                self.warn(
                    ParseErrorKind::MissingArguments(ins.keyword.clone()),
                    ins.span,
                );
            }
            Some(first) if !first.text.contains('=') => {
                let parts = words::whitespace_split(cx.text, cx.args_start);
                let Some(key) = parts.first() else {
                    return Ok(Kind::Other);
                };
                let value_start = parts.get(1).map_or(cx.args_end, |p| p.range.start);
                if value_start >= cx.args_end {
                    return Err(ParseError {
                        kind: ParseErrorKind::MissingValue(ins.keyword.clone()),
                        span: ins.span,
                    });
                }
                let value = RawWord {
                    text: cx.text[value_start..cx.args_end].to_owned(),
                    range: value_start..cx.args_end,
                };
                ins.words = vec![self.word(cx, key, false), self.word(cx, &value, false)];
                pairs.push(KeyValue {
                    key: key.text.clone(),
                    key_span: cx.span(&key.range),
                    value: self.word(cx, &value, true),
                });
            }
            Some(_) => {
                ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
                for r in &raws {
                    let Some(eq) = r.text.find('=') else {
                        return Err(ParseError {
                            kind: ParseErrorKind::MissingEquals(r.text.clone()),
                            span: cx.span(&r.range),
                        });
                    };
                    let key_range = r.range.start..r.range.start + eq;
                    let value = RawWord {
                        text: r.text[eq + 1..].to_owned(),
                        range: r.range.start + eq + 1..r.range.end,
                    };
                    let key = if is_env {
                        r.text[..eq].to_owned()
                    } else {
                        let key_raw = RawWord {
                            text: r.text[..eq].to_owned(),
                            range: key_range.clone(),
                        };
                        self.word(cx, &key_raw, true).value
                    };
                    pairs.push(KeyValue {
                        key,
                        key_span: cx.span(&key_range),
                        value: self.word(cx, &value, true),
                    });
                }
            }
        }
        if is_env {
            // All pairs of one ENV see the environment from before it, as in BuildKit.
            if let Some((state, _)) = &mut self.state {
                for p in &pairs {
                    state.env.insert(p.key.clone(), p.value.value.clone());
                }
            }
            Ok(Kind::Env(pairs))
        } else {
            Ok(Kind::Label(pairs))
        }
    }

    fn arg(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Kind {
        let raws = words::quoted_words(cx.text, cx.args_start, self.escape);
        ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
        if raws.is_empty() {
            self.warn(ParseErrorKind::MissingArguments("ARG".to_owned()), ins.span);
        }
        let mut decls = Vec::new();
        for r in &raws {
            let (name, name_range, default) = match r.text.find('=') {
                Some(eq) => {
                    let value = RawWord {
                        text: r.text[eq + 1..].to_owned(),
                        range: r.range.start + eq + 1..r.range.end,
                    };
                    (
                        r.text[..eq].to_owned(),
                        r.range.start..r.range.start + eq,
                        Some(self.word(cx, &value, true)),
                    )
                }
                None => (r.text.clone(), r.range.clone(), None),
            };
            let value = default.as_ref().map(|w| w.value.clone());
            match &mut self.state {
                None => {
                    let entry = self.global_args.entry(name.clone()).or_default();
                    if value.is_some() {
                        *entry = value;
                    }
                }
                Some((state, _)) => {
                    // `ARG NAME` in a stage brings in the global default, if any.
                    let value = value.or_else(|| self.global_args.get(&name).cloned().flatten());
                    state.args.insert(name.clone(), value);
                }
            }
            decls.push(ArgDecl {
                name,
                name_span: cx.span(&name_range),
                default,
            });
        }
        Kind::Arg(decls)
    }

    fn expose(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Kind {
        let raws = words::whitespace_split(cx.text, cx.args_start);
        ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
        if raws.is_empty() {
            self.warn(
                ParseErrorKind::MissingArguments("EXPOSE".to_owned()),
                ins.span,
            );
        }
        let mut ports = Vec::new();
        for r in &raws {
            let word = self.word(cx, r, true);
            let parsed = parse_port(&word.value);
            if parsed.is_none() {
                self.warn(ParseErrorKind::InvalidPort(word.value.clone()), word.span);
            }
            let (range, protocol) = parsed.map_or((None, Protocol::Tcp), |(r, p)| (Some(r), p));
            ports.push(ExposedPort {
                word,
                ports: range,
                protocol,
            });
        }
        Kind::Expose(ports)
    }

    /// USER, WORKDIR, STOPSIGNAL: the whole argument text is one word.
    fn single(&mut self, cx: &Ctx<'_>, ins: &mut Instruction, index: usize) -> Kind {
        if ins.args_text.is_empty() {
            self.warn(
                ParseErrorKind::MissingArguments(ins.keyword.clone()),
                ins.span,
            );
            return Kind::Other;
        }
        let raw = cx.args_word();
        ins.words = vec![self.word(cx, &raw, false)];
        let word = self.word(cx, &raw, true);
        match ins.keyword.as_str() {
            "USER" => {
                let (user, group) = match word.value.split_once(':') {
                    Some((u, g)) => (u.to_owned(), Some(g.to_owned())),
                    None => (word.value.clone(), None),
                };
                if let Some((state, _)) = &mut self.state {
                    state.user = Some((word.value.clone(), index));
                }
                Kind::User(User { word, user, group })
            }
            "WORKDIR" => {
                let Some((state, _)) = &mut self.state else {
                    return Kind::Other;
                };
                let path = path::join(&state.workdir, &word.value);
                state.workdir.clone_from(&path);
                Kind::Workdir(Workdir { word, path })
            }
            _ => Kind::Stopsignal(word),
        }
    }

    /// As BuildKit's `parseHealthConfig`: a type word (`CMD` or `NONE`), then for `CMD` the
    /// command in exec or shell form.
    fn healthcheck(&mut self, cx: &Ctx<'_>, ins: &mut Instruction) -> Result<Kind, ParseError> {
        let args = &cx.text[cx.args_start..cx.args_end];
        let sep = args.find(words::is_space).unwrap_or(args.len());
        let typ = &args[..sep];
        if typ.is_empty() {
            self.warn(
                ParseErrorKind::MissingArguments("HEALTHCHECK".to_owned()),
                ins.span,
            );
            return Ok(Kind::Other);
        }
        if typ.eq_ignore_ascii_case("NONE") {
            ins.words = vec![self.word(cx, &cx.args_word(), false)];
            return Ok(Kind::Healthcheck(Healthcheck::None));
        }
        if !typ.eq_ignore_ascii_case("CMD") {
            let span = cx.logical.span(cx.args_start, cx.args_start + sep);
            self.warn(ParseErrorKind::HealthcheckType(typ.to_owned()), span);
            return Ok(Kind::Other);
        }
        let cmd_start = args[sep..]
            .find(|c: char| !words::is_space(c))
            .map_or(cx.args_end, |i| cx.args_start + sep + i);
        let form = match words::json_array(cx.text, cmd_start) {
            Json::Strings(raws) => {
                ins.json = true;
                ins.words = raws.iter().map(|r| self.word(cx, r, false)).collect();
                Form::Exec(raws.into_iter().map(|r| r.text).collect())
            }
            Json::NotStrings => {
                return Err(ParseError {
                    kind: ParseErrorKind::NotStringArray,
                    span: ins.args_span,
                });
            }
            Json::No => {
                ins.words = vec![self.word(cx, &cx.args_word(), false)];
                Form::Shell(cx.text[cmd_start..cx.args_end].to_owned())
            }
        };
        let opt = |name: &str| flag(ins, name).map(str::to_owned);
        Ok(Kind::Healthcheck(Healthcheck::Cmd {
            form,
            interval: opt("interval"),
            timeout: opt("timeout"),
            start_period: opt("start-period"),
            start_interval: opt("start-interval"),
            retries: opt("retries"),
        }))
    }
}

/// The value of the last `--name=value` flag.
fn flag<'i>(ins: &'i Instruction, name: &str) -> Option<&'i str> {
    ins.flags
        .iter()
        .rev()
        .find(|f| f.name == name)
        .and_then(|f| f.value.as_deref())
}

/// `80`, `80/tcp`, `8000-8010/udp` (protocol case-insensitive).
pub(super) fn parse_port(text: &str) -> Option<((u16, u16), Protocol)> {
    let (ports, proto) = match text.split_once('/') {
        Some((p, proto)) => (p, proto),
        None => (text, "tcp"),
    };
    let protocol = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => return None,
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let range = match ports.split_once('-') {
        Some((a, b)) => (number(a)?, number(b)?),
        None => {
            let p = number(ports)?;
            (p, p)
        }
    };
    (range.0 <= range.1).then_some((range, protocol))
}

fn heredocs(raw: &RawInstruction, text: &str, escape: char) -> Vec<Heredoc> {
    if raw.heredocs.is_empty() {
        return Vec::new();
    }
    words::heredoc_openers(text, escape)
        .into_iter()
        .zip(&raw.heredocs)
        .map(|(o, body)| Heredoc {
            name: o.name,
            content: body.content.clone(),
            expand: o.expand,
            chomp: o.chomp,
            fd: o.fd,
            span: body.span,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_port_table() {
        let cases = [
            ("80", Some(((80, 80), Protocol::Tcp))),
            ("53/udp", Some(((53, 53), Protocol::Udp))),
            ("8000-8010/TCP", Some(((8000, 8010), Protocol::Tcp))),
            ("9-8", None),
            ("70000", None),
            ("80/http", None),
            ("", None),
            ("+80", None),
            ("$PORT", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_port(text), want, "{text}");
        }
    }
}
