//! nginx in the container: how it is started (by a supervisord program or as PID 1, with
//! `-c` and `-g`), its main config (the `-c` path or `/etc/nginx/nginx.conf`), the files
//! `include` brings in (globbed over the image, relative to the main config's directory,
//! with a depth and count limit and cycle detection), flattened into one tree of directives
//! that each know their file; and from that tree the listeners, the proxy targets with their
//! enclosing location, and the upstreams.

use super::cmdline;
use super::glob::{self, Dots};
use super::{Fact, Model, Origin, Problem, ProblemKind, Source};
use crate::model::path;
use crate::model::path::basename;
use crate::parse::nginx;
use crate::parse::span::Span;
use std::ops::ControlFlow;

/// Deepest include nesting followed.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Most files read for one nginx config.
const MAX_FILES: usize = 256;

/// An argument of a directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxArg {
    pub value: String,
    pub span: Span,
}

/// One directive of the flattened tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxDirective {
    pub name: String,
    pub args: Vec<NginxArg>,
    /// The file it is written in.
    pub source: Source,
    pub span: Span,
    pub name_span: Span,
    /// Index of the enclosing block directive (`http`, `server`, `location`...).
    pub parent: Option<usize>,
    /// Whether it has a `{ ... }` block.
    pub block: bool,
    /// Given with `-g` on nginx's command line.
    pub cmdline: bool,
}

impl NginxDirective {
    #[must_use]
    pub fn origin(&self) -> Origin {
        self.source.origin(self.span)
    }

    #[must_use]
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    /// The origin of argument `i` (the directive's when there is none).
    #[must_use]
    pub fn arg_origin(&self, i: usize) -> Origin {
        self.source
            .origin(self.args.get(i).map_or(self.span, |a| a.span))
    }
}

/// A file of the config, in the order nginx reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxFile {
    pub path: String,
    pub source: Source,
    /// The `include` that brought it in.
    pub included_by: Option<Origin>,
}

/// A file nginx reads that does not parse, and what nginx reads of it before the error:
/// nginx checks each directive as its `;` or `{` is read, so one of these it refuses is
/// the error `nginx -t` reports instead (see `lint::rules::ngx::load`). Kept apart from
/// [`Nginx::directives`], which the other rules read: a tree cut short is not the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnparsedFile {
    /// The block its `include` is in (`None`: the main context, or the main config).
    pub parent: Option<usize>,
    /// The directives before the error; a `parent` indexes this list.
    pub directives: Vec<NginxDirective>,
    /// The syntax error.
    pub error: Origin,
}

/// How nginx is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxCommand {
    /// The supervisord program that runs it; `None` when PID 1 does.
    pub program: Option<String>,
    pub argv: Vec<Fact<String>>,
    /// `-c FILE`.
    pub config: Option<Fact<String>>,
    /// `-g DIRECTIVES`.
    pub globals: Option<Fact<String>>,
}

/// Where a `listen` listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    /// `host` is `None` for all addresses (`80`, `*:80`).
    Tcp {
        host: Option<String>,
        port: u16,
    },
    Unix(String),
    /// Not an address gen understands (a variable, a typo): as written.
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub addr: ListenAddr,
    pub default_server: bool,
    pub ssl: bool,
    pub ipv6only: Option<bool>,
    /// The `listen` directive; `None` for a server without one (nginx's default `*:80`).
    pub directive: Option<usize>,
    /// The `server` block.
    pub server: usize,
    pub origin: Origin,
}

/// Where a proxy directive sends requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tcp {
        scheme: Option<String>,
        host: String,
        /// `None` when neither written nor implied by the scheme.
        port: Option<u16>,
        /// The port was not written: the scheme's default.
        default_port: bool,
    },
    Unix {
        path: String,
    },
    /// An `upstream` block of this config, by name.
    Upstream {
        name: String,
    },
    /// Built from variables at request time.
    Variable(String),
}

/// A `proxy_pass`, `uwsgi_pass`, `fastcgi_pass`, `scgi_pass`, `grpc_pass`, or a `server`
/// of an `upstream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTarget {
    /// The directive's name (`server` for an upstream's).
    pub kind: String,
    pub raw: String,
    pub target: Target,
    pub directive: usize,
    /// The enclosing `location`, when there is one.
    pub location: Option<usize>,
    /// For an upstream's `server`, the upstream's name.
    pub upstream: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub name: String,
    pub directive: usize,
    /// Indices into [`Nginx::proxies`].
    pub servers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nginx {
    /// The main config's path in the image, and what says so.
    pub main: Fact<String>,
    pub commands: Vec<NginxCommand>,
    pub files: Vec<NginxFile>,
    pub directives: Vec<NginxDirective>,
    pub listeners: Vec<Listener>,
    pub proxies: Vec<ProxyTarget>,
    pub upstreams: Vec<Upstream>,
    /// No main config could be read: the site files were read as if inside `http`.
    pub loose: bool,
    /// Files nginx reads whose text gen does not know (made by a RUN, copied from another
    /// image, or edited in place by a RUN; an edited file's text as copied is still read):
    /// directives gen cannot see may be in them. Each with the include or edit.
    pub unknown_files: Vec<Fact<String>>,
    /// A config nginx reads is not text gen can read (binary, too large), or there is no
    /// main config gen can read and no site file stands in for it: listeners and proxy
    /// targets may be missing from the model.
    pub unseen: bool,
    pub problems: Vec<Problem>,
    /// The files with a syntax error, each with what nginx reads of it before the error.
    pub unparsed: Vec<UnparsedFile>,
}

impl Nginx {
    /// The directives whose parent is `parent` (`None`: the main context), in order.
    pub fn children(
        &self,
        parent: Option<usize>,
    ) -> impl Iterator<Item = (usize, &NginxDirective)> {
        self.directives
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.parent == parent)
    }

    /// The enclosing blocks of directive `i`, innermost first.
    #[must_use]
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.directives.get(i).and_then(|d| d.parent);
        while let Some(p) = at {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            at = self.directives.get(p).and_then(|d| d.parent);
        }
        out
    }

    /// Every directive named `name`.
    pub fn find<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (usize, &'a NginxDirective)> + 'a {
        self.directives
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.name == name)
    }

    /// The `name` directive in effect at directive `i`'s block: in the block itself, or
    /// inherited from the nearest enclosing block that has one (nginx's inheritance for
    /// `proxy_set_header`, `proxy_http_version`, `client_max_body_size`...).
    #[must_use]
    pub fn inherited(&self, i: usize, name: &str) -> Option<(usize, &NginxDirective)> {
        let here = self
            .directives
            .get(i)
            .map(|d| if d.block { Some(i) } else { d.parent })?;
        let mut scopes = vec![here];
        let mut at = here;
        while let Some(p) = at {
            at = self.directives.get(p).and_then(|d| d.parent);
            scopes.push(at);
        }
        scopes
            .into_iter()
            .find_map(|scope| self.children(scope).filter(|(_, d)| d.name == name).last())
    }

    /// The enclosing directive named `name` (`server`, `location`, `http`).
    #[must_use]
    pub fn enclosing(&self, i: usize, name: &str) -> Option<usize> {
        self.ancestors(i)
            .into_iter()
            .find(|&p| self.directives.get(p).is_some_and(|d| d.name == name))
    }

    /// The main-context directives named `name` (`daemon`, `pid`, `user`...), from the
    /// files and from `-g` (`cmdline` set). nginx reads `-g` before the file; a directive
    /// that may appear once is fatal when both give it.
    #[must_use]
    pub fn directive(&self, name: &str) -> Vec<(usize, &NginxDirective)> {
        self.children(None)
            .filter(|(_, d)| d.name == name)
            .collect()
    }
}

fn nginx_command(program: Option<String>, cmd: &[Fact<String>]) -> Option<NginxCommand> {
    let first = cmd.first()?;
    if basename(&first.value) != "nginx" {
        return None;
    }
    let mut c = NginxCommand {
        program,
        argv: cmd.to_vec(),
        config: None,
        globals: None,
    };
    let mut i = 1;
    while let Some(w) = cmd.get(i) {
        i += 1;
        match w.value.as_str() {
            "-c" => {
                c.config = cmd.get(i).cloned();
                i += 1;
            }
            "-g" => {
                c.globals = cmd.get(i).cloned();
                i += 1;
            }
            "-p" | "-e" => i += 1,
            _ => {}
        }
    }
    Some(c)
}

/// Parses a listen address: `80`, `127.0.0.1:8080`, `[::]:80`, `*:80`, `unix:/path`.
fn listen_addr(text: &str) -> ListenAddr {
    if let Some(path) = text.strip_prefix("unix:") {
        return ListenAddr::Unix(path.to_owned());
    }
    let port = |p: &str| p.parse::<u16>().ok();
    if let Some(rest) = text.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return ListenAddr::Invalid(text.to_owned());
        };
        let p = match after.strip_prefix(':') {
            Some(p) => port(p),
            None if after.is_empty() => Some(80),
            None => None,
        };
        return p.map_or_else(
            || ListenAddr::Invalid(text.to_owned()),
            |port| ListenAddr::Tcp {
                host: Some(host.to_owned()),
                port,
            },
        );
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return port(text).map_or_else(
            || ListenAddr::Invalid(text.to_owned()),
            |port| ListenAddr::Tcp { host: None, port },
        );
    }
    match text.rsplit_once(':') {
        Some((host, p)) => port(p).map_or_else(
            || ListenAddr::Invalid(text.to_owned()),
            |port| ListenAddr::Tcp {
                host: (host != "*").then(|| host.to_owned()),
                port,
            },
        ),
        None if text.contains('$') || text.is_empty() => ListenAddr::Invalid(text.to_owned()),
        None => ListenAddr::Tcp {
            host: (text != "*").then(|| text.to_owned()),
            port: 80,
        },
    }
}

/// Parses a proxy directive's address, given the upstream names of the config.
fn target(kind: &str, raw: &str, upstreams: &[String]) -> Target {
    if raw.contains('$') {
        return Target::Variable(raw.to_owned());
    }
    // `uwsgi_pass unix:///tmp/app.sock`: a path with extra slashes, not a scheme.
    if let Some(path) = raw.strip_prefix("unix:") {
        return Target::Unix {
            path: path.to_owned(),
        };
    }
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, r)) => (Some(s.to_ascii_lowercase()), r),
        None => (None, raw),
    };
    if let Some(path) = rest.strip_prefix("unix:") {
        // `http://unix:/run/app.sock:/uri`: the path ends at the next `:`.
        let path = if scheme.is_some() {
            path.split(':').next().unwrap_or(path)
        } else {
            path
        };
        return Target::Unix {
            path: path.to_owned(),
        };
    }
    let hostport = rest.split('/').next().unwrap_or(rest);
    if upstreams.iter().any(|u| u == hostport) {
        return Target::Upstream {
            name: hostport.to_owned(),
        };
    }
    let default = match scheme.as_deref() {
        Some("http" | "ws") => Some(80),
        Some("https" | "wss" | "grpcs") => Some(443),
        _ if kind == "server" => Some(80),
        _ => None,
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, after)) => (h, after.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (hostport, None),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (hostport, None),
        }
    };
    Target::Tcp {
        scheme,
        host: host.to_owned(),
        default_port: port.is_none() && default.is_some(),
        port: port.or(default),
    }
}

const PROXY_DIRECTIVES: [&str; 5] = [
    "proxy_pass",
    "uwsgi_pass",
    "fastcgi_pass",
    "scgi_pass",
    "grpc_pass",
];

struct Flatten<'m> {
    m: &'m Model,
    prefix: String,
    out: Vec<NginxDirective>,
    files: Vec<NginxFile>,
    problems: Vec<Problem>,
    stack: Vec<String>,
    unknown: Vec<Fact<String>>,
    unseen: bool,
    unparsed: Vec<UnparsedFile>,
    /// Reading a file cut short by a syntax error: its `include`s are not followed.
    partial: bool,
}

impl Flatten<'_> {
    fn file(&mut self, path: &str, parent: Option<usize>, included_by: Option<Origin>) {
        if self.files.len() >= MAX_FILES {
            // Said once: every include past the limit would say the same.
            let said = self
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Limit && p.message.starts_with("more than"));
            if let (Some(o), false) = (included_by, said) {
                self.problems.push(Problem {
                    kind: ProblemKind::Limit,
                    message: format!(
                        "more than {MAX_FILES} nginx config files: gen stops following includes"
                    ),
                    origin: o,
                });
            }
            return;
        }
        if self.stack.iter().any(|p| p == path) {
            if let Some(o) = included_by {
                self.problems.push(Problem {
                    kind: ProblemKind::Unfollowable,
                    message: format!(
                        "`include` of `{path}` loops back to a file that includes it: nginx never finishes reading its config"
                    ),
                    origin: o,
                });
            }
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            if let Some(o) = included_by {
                self.problems.push(Problem {
                    kind: ProblemKind::Limit,
                    message: format!(
                        "includes nest more than {MAX_INCLUDE_DEPTH} deep: gen stops following them at `{path}`"
                    ),
                    origin: o,
                });
            }
            return;
        }
        if let Some((_, e)) = self.m.image.resolve(path) {
            let unknown = match (&e.kind, &e.edited) {
                (_, Some(edit)) => Some(edit.clone()),
                // A packaged file without text (mime.types) holds what its package ships.
                (super::EntryKind::Opaque, _) => {
                    Some(included_by.clone().unwrap_or_else(|| e.origin.clone()))
                }
                _ => None,
            };
            if let Some(origin) = unknown {
                self.unknown.push(Fact {
                    value: path.to_owned(),
                    origin,
                });
            }
            if let super::EntryKind::Local { file } = &e.kind {
                self.unseen |= self.m.files.text(file).is_none();
            }
        }
        let Some((source, text)) = self.m.read(path) else {
            return;
        };
        let parsed = match nginx::parse(text) {
            Ok(c) => c,
            Err(e) => {
                // Too large or too deep is gen's limit, not nginx's.
                let kind = match e.kind {
                    nginx::ParseErrorKind::TooDeep { .. }
                    | nginx::ParseErrorKind::TooLarge { .. } => ProblemKind::Limit,
                    _ => ProblemKind::NginxSyntax,
                };
                if kind == ProblemKind::NginxSyntax {
                    self.unparsed_file(text, &source, parent, source.origin(e.span));
                }
                self.problems.push(Problem {
                    kind,
                    message: format!("cannot read the nginx config: {e}"),
                    origin: source.origin(e.span),
                });
                return;
            }
        };
        self.files.push(NginxFile {
            path: path.to_owned(),
            source: source.clone(),
            included_by,
        });
        self.stack.push(path.to_owned());
        self.directives(parsed.directives(), &source, parent, false);
        self.stack.pop();
    }

    /// What nginx reads of a file with a syntax error before the error, as an
    /// [`UnparsedFile`].
    fn unparsed_file(&mut self, text: &str, source: &Source, parent: Option<usize>, error: Origin) {
        let (prefix, _) = nginx::parse_prefix(text);
        let out = std::mem::take(&mut self.out);
        self.partial = true;
        self.directives(prefix.directives(), source, None, false);
        self.partial = false;
        let directives = std::mem::replace(&mut self.out, out);
        self.unparsed.push(UnparsedFile {
            parent,
            directives,
            error,
        });
    }

    fn directives<'c, 'a: 'c>(
        &mut self,
        list: impl Iterator<Item = nginx::Directive<'c, 'a>>,
        source: &Source,
        parent: Option<usize>,
        cmdline: bool,
    ) {
        for d in list {
            let index = self.out.len();
            self.out.push(NginxDirective {
                name: d.name().to_owned(),
                args: d
                    .args()
                    .map(|a| NginxArg {
                        value: a.value().into_owned(),
                        span: a.span,
                    })
                    .collect(),
                source: source.clone(),
                span: d.span(),
                name_span: d.name_span(),
                parent,
                block: d.has_block(),
                cmdline,
            });
            if d.has_block() {
                self.directives(d.children(), source, Some(index), cmdline);
            }
            if d.name() == "include" && !self.partial {
                if let Some(arg) = d.args().next() {
                    self.include(&arg.value(), source.origin(arg.span), parent);
                }
            }
        }
    }

    fn include(&mut self, pattern: &str, origin: Origin, parent: Option<usize>) {
        let path = path::join(&self.prefix, pattern);
        if glob::is_pattern(&path) {
            for p in self.m.image.glob(&path, Dots::Literal) {
                if !self.m.image.is_dir(&p)
                    || self
                        .m
                        .image
                        .entry(&p)
                        .is_some_and(|e| e.kind != super::EntryKind::Dir)
                {
                    self.file(&p, parent, Some(origin.clone()));
                }
            }
            return;
        }
        match self.m.image.presence(&path) {
            super::Presence::Present(_) => self.file(&path, parent, Some(origin)),
            super::Presence::Removed(_) => self.problems.push(Problem {
                kind: ProblemKind::Unfollowable,
                message: format!(
                    "`include` of `{path}`, which a RUN removes: nginx will not start"
                ),
                origin,
            }),
            _ => {}
        }
    }
}

pub(super) fn build(m: &Model) -> Option<Nginx> {
    let cwd = m.workdir.value.clone();
    let mut commands = Vec::new();
    if let Some(sup) = &m.supervisor {
        for p in &sup.programs {
            cmdline::each_command_through_scripts(m, &p.argv(), &cwd, |cmd| {
                if let Some(c) = nginx_command(Some(p.program.name.clone()), &cmd) {
                    commands.push(c);
                }
                ControlFlow::Continue(())
            });
        }
    }
    cmdline::each_command_through_scripts(m, &m.argv, &cwd, |cmd| {
        if let Some(c) = nginx_command(None, &cmd) {
            commands.push(c);
        }
        ControlFlow::Continue(())
    });
    let main = commands.iter().find_map(|c| c.config.clone()).map_or_else(
        || Fact {
            value: "/etc/nginx/nginx.conf".to_owned(),
            origin: Origin::Default {
                what: "nginx's default config path".to_owned(),
            },
        },
        |c| Fact {
            value: path::join("/etc/nginx", &c.value),
            origin: c.origin,
        },
    );
    let readable = m.read(&main.value).is_some();
    let loose: Vec<String> = if readable {
        Vec::new()
    } else {
        // No main config: the site files nginx's packaged config would include.
        [
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/sites-enabled/*",
            "/etc/nginx/http.d/*.conf",
        ]
        .iter()
        .flat_map(|p| m.image.glob(p, Dots::Literal))
        .collect()
    };
    if !readable && commands.is_empty() && loose.is_empty() {
        return None;
    }
    let mut f = Flatten {
        m,
        prefix: path::parent(&main.value).to_owned(),
        out: Vec::new(),
        files: Vec::new(),
        problems: Vec::new(),
        stack: Vec::new(),
        unknown: Vec::new(),
        unseen: (!readable && loose.is_empty()) || binary(m, &main.value),
        unparsed: Vec::new(),
        partial: false,
    };
    if readable {
        f.file(&main.value, None, None);
    } else if loose.is_empty() {
        f.problems.push(Problem {
            kind: ProblemKind::Unreadable,
            message: format!(
                "nginx's config `{}` is not a file gen can read in the image",
                main.value
            ),
            origin: main.origin.clone(),
        });
    } else {
        // Read the site files as if in the `http` block they are meant for.
        for p in loose {
            f.file(&p, None, None);
        }
    }
    for c in &commands {
        let Some(g) = &c.globals else { continue };
        match nginx::parse(&g.value) {
            Ok(parsed) => {
                let (source, shift) = match &g.origin {
                    Origin::File { file, span } => (Source::Local(file.clone()), *span),
                    _ => continue,
                };
                let start = f.out.len();
                f.directives(parsed.directives(), &source, None, true);
                let quoted = usize::from(shift.len() == g.value.len() + 2);
                for d in &mut f.out[start..] {
                    let off = shift.start + quoted;
                    d.span = Span::new(d.span.start + off, d.span.end + off);
                    d.name_span = Span::new(d.name_span.start + off, d.name_span.end + off);
                    for a in &mut d.args {
                        a.span = Span::new(a.span.start + off, a.span.end + off);
                    }
                }
            }
            Err(e) => f.problems.push(Problem {
                kind: ProblemKind::NginxSyntax,
                message: format!("nginx's `-g` directives do not parse: {e}"),
                origin: g.origin.clone(),
            }),
        }
    }
    let mut n = Nginx {
        main,
        commands,
        files: f.files,
        directives: f.out,
        listeners: Vec::new(),
        proxies: Vec::new(),
        upstreams: Vec::new(),
        loose: !readable,
        unknown_files: f.unknown,
        unseen: f.unseen,
        problems: f.problems,
        unparsed: f.unparsed,
    };
    derive(&mut n);
    Some(n)
}

/// Whether the image has a container-directory file at `path` that is not text.
fn binary(m: &Model, path: &str) -> bool {
    matches!(m.image.resolve(path), Some((_, e)) if matches!(&e.kind, super::EntryKind::Local { file } if m.files.text(file).is_none()))
}

/// Listeners, upstreams and proxy targets from the flattened tree.
fn derive(n: &mut Nginx) {
    let (listeners, upstreams, proxies) = derived(n);
    n.listeners = listeners;
    n.upstreams = upstreams;
    n.proxies = proxies;
}

fn derived(n: &Nginx) -> (Vec<Listener>, Vec<Upstream>, Vec<ProxyTarget>) {
    let mut listeners = Vec::new();
    let mut upstreams: Vec<Upstream> = Vec::new();
    let mut proxies = Vec::new();
    let names: Vec<String> = n
        .find("upstream")
        .filter_map(|(_, d)| d.arg(0).map(str::to_owned))
        .collect();
    for (i, d) in n.directives.iter().enumerate() {
        match d.name.as_str() {
            "server"
                if d.block
                    && (n.enclosing(i, "http").is_some() || (n.loose && d.parent.is_none())) =>
            {
                let listens: Vec<(usize, &NginxDirective)> = n
                    .children(Some(i))
                    .filter(|(_, c)| c.name == "listen")
                    .collect();
                if listens.is_empty() {
                    listeners.push(Listener {
                        addr: ListenAddr::Tcp {
                            host: None,
                            port: 80,
                        },
                        default_server: false,
                        ssl: false,
                        ipv6only: None,
                        directive: None,
                        server: i,
                        origin: Origin::Default {
                            what: "nginx listens on *:80 in a server without `listen`".to_owned(),
                        },
                    });
                }
                for (li, l) in listens {
                    let flags: Vec<&str> =
                        l.args.iter().skip(1).map(|a| a.value.as_str()).collect();
                    listeners.push(Listener {
                        addr: listen_addr(l.arg(0).unwrap_or("")),
                        default_server: flags
                            .iter()
                            .any(|f| *f == "default_server" || *f == "default"),
                        ssl: flags.contains(&"ssl"),
                        ipv6only: flags
                            .iter()
                            .find_map(|f| f.strip_prefix("ipv6only="))
                            .map(|v| v == "on"),
                        directive: Some(li),
                        server: i,
                        origin: l.arg_origin(0),
                    });
                }
            }
            "upstream" if d.block => upstreams.push(Upstream {
                name: d.arg(0).unwrap_or("").to_owned(),
                directive: i,
                servers: Vec::new(),
            }),
            _ => {}
        }
    }
    for (i, d) in n.directives.iter().enumerate() {
        let in_upstream = d.name == "server"
            && !d.block
            && d.parent
                .and_then(|p| n.directives.get(p))
                .is_some_and(|p| p.name == "upstream");
        if !(PROXY_DIRECTIVES.contains(&d.name.as_str()) || in_upstream) {
            continue;
        }
        let Some(raw) = d.arg(0) else { continue };
        let upstream = if in_upstream {
            d.parent
                .and_then(|p| n.directives.get(p))
                .and_then(|p| p.arg(0))
                .map(str::to_owned)
        } else {
            None
        };
        let index = proxies.len();
        proxies.push(ProxyTarget {
            kind: d.name.clone(),
            raw: raw.to_owned(),
            target: target(&d.name, raw, if in_upstream { &[] } else { &names }),
            directive: i,
            location: n.enclosing(i, "location"),
            upstream: upstream.clone(),
            origin: d.arg_origin(0),
        });
        if let Some(u) = upstream.and_then(|name| upstreams.iter_mut().find(|u| u.name == name)) {
            u.servers.push(index);
        }
    }
    (listeners, upstreams, proxies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addr_table() {
        let tcp = |h: Option<&str>, p: u16| ListenAddr::Tcp {
            host: h.map(str::to_owned),
            port: p,
        };
        let cases = [
            ("80", tcp(None, 80)),
            ("*:8080", tcp(None, 8080)),
            ("127.0.0.1:8000", tcp(Some("127.0.0.1"), 8000)),
            ("127.0.0.1", tcp(Some("127.0.0.1"), 80)),
            ("[::]:80", tcp(Some("::"), 80)),
            ("[::1]", tcp(Some("::1"), 80)),
            ("localhost:3000", tcp(Some("localhost"), 3000)),
            (
                "unix:/run/nginx.sock",
                ListenAddr::Unix("/run/nginx.sock".to_owned()),
            ),
            ("$port", ListenAddr::Invalid("$port".to_owned())),
            ("80000", ListenAddr::Invalid("80000".to_owned())),
        ];
        for (text, want) in cases {
            assert_eq!(listen_addr(text), want, "{text}");
        }
    }

    #[test]
    fn target_table() {
        let ups = vec!["app".to_owned()];
        let tcp = |s: Option<&str>, h: &str, p: Option<u16>, d: bool| Target::Tcp {
            scheme: s.map(str::to_owned),
            host: h.to_owned(),
            port: p,
            default_port: d,
        };
        let cases = [
            (
                "proxy_pass",
                "http://app",
                Target::Upstream {
                    name: "app".to_owned(),
                },
            ),
            (
                "proxy_pass",
                "http://app/api/",
                Target::Upstream {
                    name: "app".to_owned(),
                },
            ),
            (
                "proxy_pass",
                "http://127.0.0.1:8000",
                tcp(Some("http"), "127.0.0.1", Some(8000), false),
            ),
            (
                "proxy_pass",
                "http://localhost",
                tcp(Some("http"), "localhost", Some(80), true),
            ),
            (
                "proxy_pass",
                "https://[::1]:8443/x",
                tcp(Some("https"), "::1", Some(8443), false),
            ),
            (
                "proxy_pass",
                "http://unix:/run/app.sock:/",
                Target::Unix {
                    path: "/run/app.sock".to_owned(),
                },
            ),
            (
                "proxy_pass",
                "http://$backend",
                Target::Variable("http://$backend".to_owned()),
            ),
            (
                "uwsgi_pass",
                "unix:/run/uwsgi.sock",
                Target::Unix {
                    path: "/run/uwsgi.sock".to_owned(),
                },
            ),
            (
                "fastcgi_pass",
                "127.0.0.1:9000",
                tcp(None, "127.0.0.1", Some(9000), false),
            ),
            (
                "server",
                "127.0.0.1:3000",
                tcp(None, "127.0.0.1", Some(3000), false),
            ),
            ("server", "backend", tcp(None, "backend", Some(80), true)),
        ];
        for (kind, raw, want) in cases {
            assert_eq!(target(kind, raw, &ups), want, "{kind} {raw}");
        }
    }
}
