//! nginx's config as `nginx -t` loads it, offline: every directive of the flattened tree
//! (the model follows `include`s, so a file is judged in the context it really ends up in)
//! is looked up in nginx's own directive table ([`table`]) for the nginx the image runs
//! ([`build`]), the way `ngx_conf_handler` does: unknown name, then module type and
//! context, then block or no block, then the argument count. Then the values nginx checks
//! while it reads ([`values`]) and the variables every argument refers to ([`variables`]).
//!
//! [`of`] does it once for a container directory (kept in its [`super::Cache`]) and gives
//! every finding with its kind; the rules `NGX010`-`NGX014` show their kind each
//! (`lint::rules::ngx::report`), and `lint::fold` holds back what follows from a config
//! nginx does not load.

pub mod build;
pub mod condition;
mod regex;
pub use crate::parse::nginx::table;
mod values;
mod variables;

use crate::lint::ContainerDir;
use crate::model::{Model, Nginx, NginxDirective, Origin, Source, path};
use build::{Build, ModuleState, Provide};
use table::{ModuleType, Row, ctx, table};

/// What is wrong with a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No module of this nginx declares it (or its module is not loaded).
    Unknown,
    /// Declared, but not for the block it is in.
    Context,
    /// Wrong number of arguments, a block where none belongs or none where one does, or a
    /// `;` missing so that the next line became arguments.
    Arguments,
    /// A value nginx refuses while reading the file.
    Value,
    /// A variable no module, `set`, `map`, `geo`, `split_clients` or capture defines.
    Variable,
}

/// One finding of [`analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub message: String,
    pub origin: Origin,
    /// What the primary label says.
    pub label: String,
    pub help: String,
    /// More places: the `include` that put a file in its context.
    pub related: Vec<(Origin, String)>,
}

/// Where a directive is, as nginx's `cf->module_type` and `cf->cmd_type` say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Known {
        bits: u32,
        module_type: ModuleType,
    },
    /// Inside a block nginx reads with its own handler (`map`, `types`, Lua code...), or
    /// one of a directive gen could not judge: not directives.
    Opaque,
    /// gen cannot tell (the site files read without a main config).
    Unknown,
}

impl Place {
    const fn known(bits: u32, module_type: ModuleType) -> Self {
        Self::Known { bits, module_type }
    }

    /// What the block of directive `name` opens, when it is in `self`.
    fn inside(self, name: &str) -> Self {
        let Self::Known { bits, .. } = self else {
            return match (self, name) {
                (Self::Unknown, "location") => Self::known(ctx::LOC, ModuleType::Http),
                (Self::Unknown, "limit_except") => Self::known(ctx::LMT, ModuleType::Http),
                (Self::Unknown, "server" | "if" | "upstream") => Self::Unknown,
                _ => Self::Opaque,
            };
        };
        match name {
            "events" if bits == ctx::MAIN => Self::known(ctx::EVENT, ModuleType::Event),
            "http" if bits == ctx::MAIN => Self::known(ctx::HTTP, ModuleType::Http),
            "mail" if bits == ctx::MAIN => Self::known(ctx::MAIL, ModuleType::Mail),
            "stream" if bits == ctx::MAIN => Self::known(ctx::STREAM, ModuleType::Stream),
            "server" if bits == ctx::HTTP => Self::known(ctx::SRV, ModuleType::Http),
            "server" if bits == ctx::MAIL => Self::known(ctx::MSRV, ModuleType::Mail),
            "server" if bits == ctx::STREAM => Self::known(ctx::SSRV, ModuleType::Stream),
            "location" => Self::known(ctx::LOC, ModuleType::Http),
            "if" if bits == ctx::SRV => Self::known(ctx::SIF, ModuleType::Http),
            "if" if bits == ctx::LOC => Self::known(ctx::LIF, ModuleType::Http),
            "limit_except" => Self::known(ctx::LMT, ModuleType::Http),
            "upstream" if bits == ctx::HTTP => Self::known(ctx::UPS, ModuleType::Http),
            "upstream" if bits == ctx::STREAM => Self::known(ctx::SUPS, ModuleType::Stream),
            _ => Self::Opaque,
        }
    }

    /// Whether a row of the table is a directive nginx takes here.
    const fn takes(self, row: &Row) -> bool {
        let Self::Known { bits, module_type } = self else {
            return false;
        };
        let type_ok = matches!(row.module_type, ModuleType::Conf)
            || row.module_type as u8 == module_type as u8
            // Main-context directives are the core modules'.
            || (bits == ctx::MAIN && matches!(row.module_type, ModuleType::Core));
        type_ok && (row.contexts & (bits | ctx::ANY) != 0)
    }
}

/// The name of a context for messages.
fn context_name(bits: u32) -> &'static str {
    match bits {
        ctx::MAIN => "the main context",
        ctx::EVENT => "`events`",
        ctx::HTTP => "`http`",
        ctx::SRV => "`server`",
        ctx::LOC => "`location`",
        ctx::UPS => "`upstream`",
        ctx::SIF => "`if` in `server`",
        ctx::LIF => "`if` in `location`",
        ctx::LMT => "`limit_except`",
        ctx::MAIL => "`mail`",
        ctx::MSRV => "`server` in `mail`",
        ctx::STREAM => "`stream`",
        ctx::SSRV => "`server` in `stream`",
        ctx::SUPS => "`upstream` in `stream`",
        _ => "this block",
    }
}

/// Where a row's directive is allowed, for help texts.
fn allowed_in(rows: &[&Row]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        for bit in 0..16 {
            let b = 1u32 << bit;
            if r.contexts & b != 0 && b != ctx::ANY {
                let name = context_name(b);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    match names.as_slice() {
        [] => "nowhere here".to_owned(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The text of the file a directive is written in.
fn text_of<'m>(m: &'m Model, source: &Source) -> Option<&'m str> {
    match source {
        Source::Local(file) => m.files.text(file),
        Source::Packaged { text, .. } => Some(text),
    }
}

/// The first argument that, by the look of it, is the next directive because a `;` is
/// missing at the end of the line before: an unquoted directive name at the start of a
/// later line than the directive's name. Its index, at least 1 when `from_first` is false.
fn swallowed(m: &Model, d: &NginxDirective) -> Option<usize> {
    let text = text_of(m, &d.source)?;
    let t = table();
    let mut prev_end = d.name_span.end;
    for (k, a) in d.args.iter().enumerate() {
        let raw = text.get(a.span.start..a.span.end).unwrap_or("");
        let starts_line = text
            .get(prev_end..a.span.start)
            .is_some_and(|between| between.contains('\n'));
        if k > 0 && starts_line && raw == a.value && !t.rows(raw).is_empty() {
            return Some(k);
        }
        prev_end = a.span.end;
    }
    None
}

/// The help for a regular expression with an unquoted `{` quantifier, when `d`'s block
/// opens at such a `{`: glued to `d`'s last argument and followed by a digit or `,`
/// (`^/x/\d{3}$`). nginx's token reader ends a word at `{` and opens a block there, so
/// the quantifier's rest (`3}$`) becomes a directive. The help writes `d`'s line with the
/// whole expression quoted.
fn regex_brace(m: &Model, d: &NginxDirective) -> Option<String> {
    let text = text_of(m, &d.source)?;
    let bytes = text.as_bytes();
    // The last word of the head: a `map` key is the entry's name.
    let last = d.args.last().map_or(d.name_span, |a| a.span);
    let brace = last.end;
    let quantifier = bytes.get(brace) == Some(&b'{')
        && bytes
            .get(brace + 1)
            .is_some_and(|b| b.is_ascii_digit() || *b == b',');
    if !d.block || !quantifier {
        return None;
    }
    // The expression as written: the argument, the `{` and what follows up to a blank or
    // `;` (for `if`, without the condition's closing parenthesis).
    let start = last.start + usize::from(d.name == "if" && bytes.get(last.start) == Some(&b'('));
    let mut end = (brace..text.len())
        .find(|&i| matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b';'))
        .unwrap_or(text.len());
    if d.name == "if" && bytes.get(end - 1) == Some(&b')') {
        end -= 1;
    }
    let pattern = text.get(start..end)?;
    let quote = if !pattern.contains('"') {
        '"'
    } else if !pattern.contains('\'') {
        '\''
    } else {
        return Some(format!(
            "a `{{` outside quotes ends a word and opens a block, so nginx reads `{pattern}` as `{}` then a block: quote the regular expression",
            text.get(start..brace).unwrap_or("")
        ));
    };
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = format!(
        "{}{quote}{pattern}{quote}{}",
        text.get(line_start..start).unwrap_or(""),
        text.get(end..line_end).unwrap_or("")
    );
    Some(format!(
        "a `{{` outside quotes ends a word and opens a block, so nginx reads `{pattern}` as `{}` then a block: quote the regular expression, `{}`",
        text.get(start..brace).unwrap_or(""),
        line.trim()
    ))
}

/// [`regex_brace`] for the directive whose block `d` is the first directive of.
fn regex_brace_of_parent(m: &Model, n: &Nginx, d: &NginxDirective) -> Option<String> {
    let p = n.directives.get(d.parent?)?;
    let brace = p.args.last().map_or(p.name_span, |a| a.span).end;
    (p.source == d.source && d.name_span.start == brace + 1)
        .then(|| regex_brace(m, p))
        .flatten()
}

/// A finding for a `;` missing after argument `k - 1` of `d`: at the end of that line.
/// A finding of kind [`Kind::Arguments`] at directive `d`'s name.
fn arguments(d: &NginxDirective, message: String, label: String, help: String) -> Finding {
    Finding {
        kind: Kind::Arguments,
        message,
        origin: d.source.origin(d.name_span),
        label,
        help,
        related: Vec::new(),
    }
}

fn missing_semicolon(d: &NginxDirective, k: usize, takes: &str) -> Finding {
    let before = d.args.get(k - 1).map_or(d.name_span, |a| a.span);
    let next = d.args.get(k).map_or("", |a| a.value.as_str());
    Finding {
        kind: Kind::Arguments,
        message: format!(
            "`;` missing at the end of the line: `{}` reads the next line's `{next}` as its arguments",
            d.name
        ),
        origin: d
            .source
            .origin(crate::parse::span::Span::new(before.end, before.end)),
        label: "`;` belongs here".to_owned(),
        help: format!("end the line with `;` (`{}` takes {takes})", d.name),
        related: Vec::new(),
    }
}

/// Every load-time finding of the directory's nginx, in directive order; empty when it has
/// none. Worked out once per directory, on the first call.
#[must_use]
pub fn of(dir: &ContainerDir) -> &[Finding] {
    dir.analysis.nginx_load.get_or_init(|| analyze(&dir.model))
}

/// Every load-time finding of a container's nginx, in directive order, then those nginx
/// reports before a file's syntax error ([`before_syntax_errors`]); empty when it has no
/// nginx.
fn analyze(m: &Model) -> Vec<Finding> {
    let Some(n) = &m.nginx else {
        return Vec::new();
    };
    let mut out = analyze_tree(m, n, true);
    out.extend(before_syntax_errors(m, n));
    out
}

/// What nginx refuses in a file that does not parse before it reaches the syntax error:
/// nginx judges each directive when its `;` or `{` is read (name, context, block, argument
/// count, the values its handler reads), so `nginx -t` reports the first of these, not the
/// error. An unquoted `{` in a regular expression is the common case: it opens a block
/// (`location ~ ^/x/\d{3}$ {` gives the directive `3}$`), and the brace it leaves open only
/// shows at the end of the file. The file's directives before the error are judged where
/// it is read, and the first finding is nginx's error; what nginx checks once a block or
/// the file is complete (duplicate locations and default servers, variables) is not, as
/// nginx never gets there.
fn before_syntax_errors(m: &Model, n: &Nginx) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &n.unparsed {
        let Some((file, error)) = origin_place(&u.error) else {
            continue;
        };
        let mut tree = n.clone();
        let offset = tree.directives.len();
        tree.directives
            .extend(u.directives.iter().map(|d| NginxDirective {
                parent: d.parent.map(|p| p + offset).or(u.parent),
                ..d.clone()
            }));
        // nginx stops at the first: what follows it in the file is read as nginx never
        // would (the rest of a quantifier as a directive, the file's blocks inside a `map`).
        let first = analyze_tree(m, &tree, false)
            .into_iter()
            .filter_map(|f| {
                let (f_file, at) = origin_place(&f.origin)?;
                (f_file == file && at.start < error.start).then_some((at.start, f))
            })
            .min_by_key(|(at, _)| *at);
        out.extend(first.map(|(_, f)| f));
    }
    out
}

/// The file (its path in the directory or the image) and span of an origin in a file.
fn origin_place(o: &Origin) -> Option<(&str, crate::parse::span::Span)> {
    match o {
        Origin::File { file, span } => Some((file, *span)),
        Origin::Packaged { path, span, .. } => Some((path, *span)),
        _ => None,
    }
}

/// The findings of one tree; `complete` when it is the whole config, so that the checks
/// nginx makes once a block or the file is read are made too.
fn analyze_tree(m: &Model, n: &Nginx, complete: bool) -> Vec<Finding> {
    let build = Build::of(m, n);
    let mut out = Vec::new();
    // What each directive's block opens, by index: a parent comes before its children.
    let mut places: Vec<Place> = Vec::with_capacity(n.directives.len());
    let mut judged: Vec<(usize, &'static Row)> = Vec::new();
    for (i, d) in n.directives.iter().enumerate() {
        let here = match d.parent {
            None if n.loose => Place::Unknown,
            None => Place::known(ctx::MAIN, ModuleType::Core),
            Some(p) => places.get(p).copied().unwrap_or(Place::Opaque),
        };
        let (place, finding, row) = judge(m, n, &build, d, here);
        places.push(place);
        if let Some(f) = finding {
            out.push(f);
        } else if let Some(row) = row {
            judged.push((i, row));
        }
    }
    // A start script that rewrites nginx's config in place (`sed -i "s/\$PORT/.../"`,
    // `envsubst`) fills in placeholders before nginx reads it: values and variables are
    // not what nginx will see.
    if templated_at_start(m) {
        return out;
    }
    values::check(m, n, &build, &judged, complete, &mut out);
    // nginx merges each module's configuration once it has read all of it, and stops at
    // a read error first.
    if complete && out.is_empty() {
        values::merged(n, &judged, &mut out);
    }
    // nginx resolves variables only once the whole config has loaded: after any error it
    // stops first, and a variable a refused `set` or `map` would define is not missing.
    if complete && !build.open && !build.variables_open && out.is_empty() {
        variables::check(n, &build, &places, &mut out);
    }
    out
}

/// Whether a script the container starts with (its command, or a supervisord program's)
/// edits a file under `/etc/nginx` in place or renders one with `envsubst`.
fn templated_at_start(m: &Model) -> bool {
    let mut argvs = vec![m.argv.clone()];
    if let Some(s) = &m.supervisor {
        argvs.extend(s.programs.iter().map(crate::model::ProgramFacts::argv));
    }
    let edits =
        |t: &str| t.contains("/etc/nginx") && (t.contains("sed -i") || t.contains("envsubst"));
    argvs.iter().flatten().any(|w| {
        let path = path::join(&m.workdir.value, &w.value);
        m.image
            .local_file(&path)
            .and_then(|f| m.files.text(f))
            .is_some_and(edits)
    })
}

/// Judges directive `i` in `here`: what its block opens (for its children), and the
/// finding, if any.
fn judge(
    m: &Model,
    n: &Nginx,
    build: &Build,
    d: &NginxDirective,
    here: Place,
) -> (Place, Option<Finding>, Option<&'static Row>) {
    if here == Place::Opaque {
        return (Place::Opaque, None, None);
    }
    let t = table();
    let all = t.rows(&d.name);
    let in_version: Vec<&'static Row> = all.iter().filter(|r| build.declares(r)).collect();
    let opaque_block = if d.block { Place::Opaque } else { here };
    if all.is_empty() {
        if build.open {
            return (opaque_block, None, None);
        }
        let mut f = unknown(d, build, None);
        if let Some(help) = regex_brace_of_parent(m, n, d) {
            f.help = help;
        }
        return (opaque_block, Some(f), None);
    }
    if in_version.is_empty() {
        if let Some(r) = all.iter().find(|r| r.third_party()) {
            if build.open {
                return (opaque_block, None, None);
            }
            return (opaque_block, Some(other_release(d, build, r)), None);
        }
        let since = all.iter().filter_map(Row::since).min_by_key(|v| v.0);
        return (
            opaque_block,
            Some(unknown(d, build, since.map(table::Version::name))),
            None,
        );
    }
    let loaded: Vec<&'static Row> = in_version
        .iter()
        .copied()
        .filter(|r| build.module(r) == ModuleState::Loaded)
        .collect();
    if loaded.is_empty() {
        if let Some(ModuleState::NotLoaded { so, how }) =
            in_version.first().map(|r| build.module(r))
        {
            let how = match how {
                Provide::Package(p) => format!(
                    "install `{p}` (it loads the module), or add `load_module modules/{so};` at the top of nginx.conf"
                ),
                Provide::Include(dir) => format!(
                    "its package is installed, but this nginx.conf does not read the file that loads it: add `include {dir};` (or `load_module modules/{so};`) at the top of nginx.conf"
                ),
                Provide::LoadModule => {
                    format!("add `load_module modules/{so};` at the top of nginx.conf")
                }
                Provide::Unpackaged => format!(
                    "{} has no package of this module: build `{so}` for this nginx and load it with `load_module`, or remove the directive",
                    build.who.unwrap_or("this distribution")
                ),
            };
            let module = in_version.first().map_or("", |r| r.module());
            return (
                opaque_block,
                Some(Finding {
                    kind: Kind::Unknown,
                    message: format!(
                        "unknown directive `{}`: its module `{module}` is not loaded here",
                        d.name
                    ),
                    origin: d.source.origin(d.name_span),
                    label: "not loaded here".to_owned(),
                    help: how,
                    related: Vec::new(),
                }),
                None,
            );
        }
        return (opaque_block, None, None);
    }
    let Place::Known { bits, .. } = here else {
        // Unknown place: the block's contents are judged if the name says what it opens.
        return (
            if d.block { here.inside(&d.name) } else { here },
            None,
            None,
        );
    };
    let Some(row) = loaded.iter().copied().find(|r| here.takes(r)) else {
        return (opaque_block, Some(context(n, d, bits, &loaded)), None);
    };
    if d.block && !row.block {
        return (
            Place::Opaque,
            Some(arguments(
                d,
                format!(
                    "directive `{}` is not terminated by `;`: it takes no block",
                    d.name
                ),
                "a block after a directive that takes none".to_owned(),
                regex_brace(m, d).unwrap_or_else(|| {
                    format!(
                        "`{}` takes {}, then `;`; remove the `{{ ... }}`",
                        d.name,
                        row.args.describe()
                    )
                }),
            )),
            None,
        );
    }
    if !d.block && row.block {
        return (
            here,
            Some(arguments(
                d,
                format!("directive `{}` has no opening `{{`", d.name),
                "a block directive without its block".to_owned(),
                format!(
                    "write `{} ... {{ ... }}`: it opens a block of directives",
                    d.name
                ),
            )),
            None,
        );
    }
    let place = if d.block { here.inside(&d.name) } else { here };
    if let Some(f) = types_include(m, d, bits) {
        return (place, Some(f), None);
    }
    if !row.args.accepts(d.args.len()) {
        let takes = row.args.describe();
        if let Some(k) = swallowed(m, d).filter(|&k| row.args.accepts(k)) {
            return (place, Some(missing_semicolon(d, k, &takes)), None);
        }
        return (
            place,
            Some(arguments(
                d,
                format!("invalid number of arguments in `{}` directive", d.name),
                format!("{} argument(s) given", d.args.len()),
                format!("`{}` takes {takes}", d.name),
            )),
            None,
        );
    }
    (place, None, Some(row))
}

/// An `include` of the packaged `mime.types` (a `types { ... }` block) where `types` is
/// not allowed: gen does not read that file, but knows what it holds.
fn types_include(m: &Model, d: &NginxDirective, bits: u32) -> Option<Finding> {
    let path = d.arg(0)?;
    if d.name != "include"
        || !path.ends_with("mime.types")
        || bits & (ctx::HTTP | ctx::SRV | ctx::LOC) != 0
    {
        return None;
    }
    let full = path::join("/etc/nginx", path);
    let packaged = m.image.entry(&full).is_some_and(|e| {
        e.edited.is_none() && matches!(e.kind, crate::model::EntryKind::Packaged { .. })
    });
    packaged.then(|| Finding {
        kind: Kind::Context,
        message: format!(
            "`types` directive is not allowed here: `{path}` holds a `types {{ ... }}` block"
        ),
        origin: d.arg_origin(0),
        label: format!("includes a `types` block in {}", context_name(bits)),
        help: "include `mime.types` in `http` (or a `server` or `location`)".to_owned(),
        related: Vec::new(),
    })
}

/// An unknown directive: with "did you mean", or the version that has it.
fn unknown(d: &NginxDirective, build: &Build, since: Option<&str>) -> Finding {
    let t = table();
    let nginx = build.who.unwrap_or("this nginx");
    let version = build
        .version
        .map_or(String::new(), |v| format!(" {}", v.name()));
    let help = match since {
        Some(s) => format!(
            "`{}` is a directive of nginx {s} and later; this image has {nginx}{version}",
            d.name
        ),
        None => match crate::spec::nearest(&d.name, &t.names().collect::<Vec<_>>()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "no module of {nginx}{version} declares it; a third-party module's directive needs that module installed and loaded"
            ),
        },
    };
    Finding {
        kind: Kind::Unknown,
        message: format!("unknown directive `{}`", d.name),
        origin: d.source.origin(d.name_span),
        label: "nginx does not know this directive".to_owned(),
        help,
        related: Vec::new(),
    }
}

/// A third-party module's directive that the module version this image's package has does
/// not declare.
fn other_release(d: &NginxDirective, build: &Build, row: &Row) -> Finding {
    let nginx = build.who.unwrap_or("this nginx");
    Finding {
        kind: Kind::Unknown,
        message: format!("unknown directive `{}`", d.name),
        origin: d.source.origin(d.name_span),
        label: "nginx does not know this directive".to_owned(),
        help: format!(
            "`{}` is a directive of another version of the third-party module `{}` than the one packaged for {nginx}",
            d.name,
            row.module()
        ),
        related: Vec::new(),
    }
}

/// A directive in a block that does not take it; names the `include` that put the file
/// there when the directive is at the top of an included file.
fn context(n: &Nginx, d: &NginxDirective, bits: u32, rows: &[&Row]) -> Finding {
    let same: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| r.block == d.block)
        .collect();
    let rows = if same.is_empty() { rows } else { &same };
    let mut related = Vec::new();
    let top_of_file = d
        .parent
        .and_then(|p| n.directives.get(p))
        .is_none_or(|p| p.source != d.source);
    let mut via = String::new();
    if top_of_file {
        if let Some(by) = n
            .files
            .iter()
            .find(|f| f.source == d.source)
            .and_then(|f| f.included_by.clone())
        {
            related.push((
                by,
                format!("this `include` puts the file in {}", context_name(bits)),
            ));
            via = format!(" (this file is included in {})", context_name(bits));
        }
    }
    Finding {
        kind: Kind::Context,
        message: format!("`{}` directive is not allowed here{via}", d.name),
        origin: d.source.origin(d.name_span),
        label: format!("in {}", context_name(bits)),
        help: format!(
            "`{}` belongs in {}{}",
            d.name,
            allowed_in(rows),
            elsewhere(n, d, rows)
        ),
        related,
    }
}

/// For a file at the top of the wrong context: where a glob `include` of the config would
/// read it in the right one.
fn elsewhere(n: &Nginx, d: &NginxDirective, rows: &[&Row]) -> String {
    let Source::Local(_) = d.source else {
        return String::new();
    };
    let wants_http = rows.iter().any(|r| r.contexts & ctx::HTTP != 0);
    let pattern = n.find("include").find_map(|(_, inc)| {
        let pat = inc.arg(0)?;
        let in_http = inc
            .parent
            .and_then(|p| n.directives.get(p))
            .is_some_and(|p| p.name == "http");
        (wants_http && in_http && pat.contains('*')).then_some(pat)
    });
    pattern.map_or(String::new(), |p| {
        format!("; this nginx reads `{p}` in `http`: put the file there")
    })
}
