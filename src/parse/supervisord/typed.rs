//! Typed views of a supervisord config: what supervisord 4 makes of each option, with its
//! default when unset, the place it was set, and the problems supervisord would refuse to
//! start with (a bad boolean, an unknown `%(name)s`, `stopasgroup` without `killasgroup`...).
//! Values are expanded as supervisord expands them: `%(here)s`, `%(ENV_X)s` everywhere, and
//! in program sections also `%(program_name)s`, `%(group_name)s`, `%(process_num)d`,
//! `%(numprocs)d`. `%(host_node_name)s` is left as written: the container's host name is not
//! known before it runs.

use super::env;
use super::format::{self, FormatError, FormatValue};
use super::{Config, Entry};
use crate::model::path;
use crate::parse::shell;
use crate::parse::span::Span;
use std::collections::BTreeMap;

/// What supervisord expands `%(..)s` with, besides what each section adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansions {
    /// The environment supervisord starts with (`%(ENV_X)s`): the image's ENV.
    pub env: BTreeMap<String, String>,
    /// The directory of the config file in the image (`%(here)s`).
    pub here: String,
}

/// Where a setting was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub key_span: Span,
    pub value_span: Span,
}

impl Place {
    fn of(e: &Entry) -> Self {
        Self {
            key_span: e.key_span,
            value_span: e.value_span,
        }
    }
}

/// A setting's effective value; `place` is `None` when it is supervisord's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub place: Option<Place>,
}

impl<T> Setting<T> {
    #[must_use]
    pub const fn is_default(&self) -> bool {
        self.place.is_none()
    }
}

/// Something supervisord would reject in a section, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub span: Span,
}

/// `stdout_logfile=` and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFile {
    /// `AUTO`, the default: a file in the child log directory, rotated by supervisord.
    Auto,
    /// `NONE`: output discarded.
    None,
    Syslog,
    Path(String),
}

impl LogFile {
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Path(p) => Some(p),
            _ => None,
        }
    }

    /// A path that is the container's own stdout or stderr (what `docker logs` shows).
    #[must_use]
    pub fn is_console(&self) -> bool {
        self.path().is_some_and(|p| {
            matches!(
                p,
                "/dev/stdout"
                    | "/dev/stderr"
                    | "/dev/fd/1"
                    | "/dev/fd/2"
                    | "/proc/self/fd/1"
                    | "/proc/self/fd/2"
                    | "/proc/1/fd/1"
                    | "/proc/1/fd/2"
            )
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoRestart {
    Never,
    Always,
    /// The default: restart when the exit code is not in `exitcodes`.
    Unexpected,
}

/// A word of a value, expanded, with its span in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub value: String,
    pub span: Span,
}

/// `command=`, split as supervisord splits it (`shlex.split` after expansion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// As written.
    pub raw: String,
    /// After `%(..)s` expansion.
    pub expanded: String,
    /// Empty when the value cannot be split (a problem says why).
    pub argv: Vec<Arg>,
    pub place: Place,
}

impl Command {
    /// The program run: `argv[0]`.
    #[must_use]
    pub fn program(&self) -> Option<&Arg> {
        self.argv.first()
    }

    /// The last file name component of `argv[0]`.
    #[must_use]
    pub fn program_name(&self) -> Option<&str> {
        self.program()
            .map(|a| a.value.rsplit('/').next().unwrap_or(&a.value))
    }
}

/// One `KEY=value` of `environment=`, the value expanded and unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    /// The value as written, quotes included.
    pub value_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessKind {
    Program,
    EventListener,
    FcgiProgram,
}

/// A `[program:x]`, `[eventlistener:x]` or `[fcgi-program:x]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub kind: ProcessKind,
    pub name: String,
    /// The full section name, e.g. `program:app`.
    pub section: String,
    pub header_span: Span,
    /// `None` is a problem: supervisord refuses a program without a command.
    pub command: Option<Command>,
    pub directory: Option<Setting<String>>,
    pub user: Option<Setting<String>>,
    pub environment: Vec<EnvVar>,
    pub autostart: Setting<bool>,
    pub autorestart: Setting<AutoRestart>,
    pub startsecs: Setting<i64>,
    pub startretries: Setting<i64>,
    /// Without the `SIG` prefix, upper-case: `TERM`, `QUIT`... (or a number).
    pub stopsignal: Setting<String>,
    pub stopwaitsecs: Setting<i64>,
    pub stopasgroup: Setting<bool>,
    /// Defaults to `stopasgroup`'s value, as in supervisord.
    pub killasgroup: Setting<bool>,
    pub redirect_stderr: Setting<bool>,
    pub stdout_logfile: Setting<LogFile>,
    pub stdout_logfile_maxbytes: Setting<u64>,
    pub stderr_logfile: Setting<LogFile>,
    pub stderr_logfile_maxbytes: Setting<u64>,
    pub priority: Setting<i64>,
    pub numprocs: Setting<i64>,
    pub process_name: Setting<String>,
    /// `events=` of an event listener.
    pub events: Option<Setting<Vec<String>>>,
    pub problems: Vec<Problem>,
}

impl Program {
    /// The value of `key` in `environment=` (the last one wins, as in a dict).
    #[must_use]
    pub fn env(&self, key: &str) -> Option<&EnvVar> {
        self.environment.iter().rev().find(|v| v.key == key)
    }
}

/// The `[supervisord]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisord {
    pub header_span: Span,
    /// Default false: supervisord daemonizes, and a container whose PID 1 it is exits.
    pub nodaemon: Setting<bool>,
    pub user: Option<Setting<String>>,
    /// Default `$CWD/supervisord.log`.
    pub logfile: Option<Setting<String>>,
    pub logfile_maxbytes: Setting<u64>,
    /// Default `$CWD/supervisord.pid`.
    pub pidfile: Option<Setting<String>>,
    pub directory: Option<Setting<String>>,
    pub childlogdir: Option<Setting<String>>,
    pub loglevel: Setting<String>,
    pub environment: Vec<EnvVar>,
    pub problems: Vec<Problem>,
}

/// `[include] files=`: the glob patterns, made absolute against `%(here)s` as supervisord
/// does, each with the span of the pattern as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub header_span: Span,
    pub files: Vec<Arg>,
    pub problems: Vec<Problem>,
}

/// `[unix_http_server]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixHttpServer {
    pub header_span: Span,
    pub file: Option<Setting<String>>,
    pub chmod: Option<Setting<String>>,
}

/// `[group:x] programs=a,b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub header_span: Span,
    pub programs: Vec<Arg>,
}

const SIGNALS: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "IOT", "BUS", "FPE", "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
    "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",
];

fn boolean(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn integer(s: &str) -> Option<i64> {
    s.trim().replace('_', "").parse().ok()
}

/// supervisord's `byte_size`: digits with an optional `KB`, `MB` or `GB` suffix.
fn byte_size(s: &str) -> Option<u64> {
    let upper = s.trim().to_uppercase();
    let (digits, mult) = [("KB", 1u64 << 10), ("MB", 1 << 20), ("GB", 1 << 30)]
        .iter()
        .find_map(|&(suffix, m)| upper.strip_suffix(suffix).map(|d| (d.to_owned(), m)))
        .unwrap_or((upper.clone(), 1));
    digits.trim().parse::<u64>().ok()?.checked_mul(mult)
}

fn signal(s: &str) -> Option<String> {
    let t = s.trim();
    if t.parse::<u32>().is_ok() {
        return Some(t.to_owned());
    }
    let upper = t.to_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS.contains(&name).then(|| name.to_owned())
}

fn logfile(s: &str) -> LogFile {
    match s.to_lowercase().as_str() {
        "none" => LogFile::None,
        "auto" => LogFile::Auto,
        "syslog" => LogFile::Syslog,
        _ => LogFile::Path(s.to_owned()),
    }
}

fn auto_restart(s: &str) -> Option<AutoRestart> {
    if s.trim().eq_ignore_ascii_case("unexpected") {
        return Some(AutoRestart::Unexpected);
    }
    boolean(s).map(|b| {
        if b {
            AutoRestart::Always
        } else {
            AutoRestart::Never
        }
    })
}

/// Reads one section's options, expanding and recording problems as it goes.
struct Reader<'c> {
    config: &'c Config,
    section: &'c str,
    /// The names `%(name)s` expands besides `ENV_*`, which are looked up in `env` when
    /// used (rather than copied into `vars` for every section).
    vars: BTreeMap<String, FormatValue>,
    env: &'c BTreeMap<String, String>,
    problems: Vec<Problem>,
}

impl<'c> Reader<'c> {
    fn new(config: &'c Config, section: &'c str, x: &'c Expansions) -> Self {
        let vars = BTreeMap::from([("here".to_owned(), FormatValue::Str(x.here.clone()))]);
        Self {
            config,
            section,
            vars,
            env: &x.env,
            problems: Vec::new(),
        }
    }

    fn entry(&self, key: &str) -> Option<&'c Entry> {
        self.config.get(self.section, key)
    }

    fn problem(&mut self, message: String, span: Span) {
        self.problems.push(Problem { message, span });
    }

    fn expand(&mut self, key: &str, text: &str, span: Span) -> String {
        let lookup = |name: &str| {
            if name == "host_node_name" {
                return Some(FormatValue::Str("%(host_node_name)s".to_owned()));
            }
            match name.strip_prefix("ENV_") {
                Some(var) => self.env.get(var).map(|v| FormatValue::Str(v.clone())),
                None => self.vars.get(name).cloned(),
            }
        };
        match format::expand(text, &lookup) {
            Ok(v) => v,
            Err(FormatError::UnknownName(name)) => {
                self.problem(
                    format!("`{key}` uses `%({name})s`, which supervisord cannot expand"),
                    span,
                );
                text.to_owned()
            }
            Err(FormatError::Bad(m)) => {
                self.problem(
                    format!("`{key}` is badly formatted for supervisord's `%` expansion: {m} (write `%%` for a literal `%`)"),
                    span,
                );
                text.to_owned()
            }
        }
    }

    fn string(&mut self, key: &str) -> Option<Setting<String>> {
        let e = self.entry(key)?;
        Some(Setting {
            value: self.expand(key, &e.value, e.value_span),
            place: Some(Place::of(e)),
        })
    }

    fn parsed<T>(
        &mut self,
        key: &str,
        default: T,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Setting<T> {
        let Some(e) = self.entry(key) else {
            return Setting {
                value: default,
                place: None,
            };
        };
        let text = self.expand(key, &e.value, e.value_span);
        match parse(&text) {
            Some(value) => Setting {
                value,
                place: Some(Place::of(e)),
            },
            None => {
                self.problem(format!("`{key}` is not {what}: `{text}`"), e.value_span);
                Setting {
                    value: default,
                    place: None,
                }
            }
        }
    }

    fn boolean(&mut self, key: &str, default: bool) -> Setting<bool> {
        self.parsed(key, default, "a boolean (true/false)", boolean)
    }

    fn integer(&mut self, key: &str, default: i64) -> Setting<i64> {
        self.parsed(key, default, "an integer", integer)
    }

    fn bytes(&mut self, key: &str) -> Setting<u64> {
        self.parsed(key, 50 << 20, "a byte size (e.g. 50MB)", byte_size)
    }

    fn logfile(&mut self, key: &str) -> Setting<LogFile> {
        self.parsed(key, LogFile::Auto, "a log file", |s| Some(logfile(s)))
    }

    fn environment(&mut self) -> Vec<EnvVar> {
        let Some(e) = self.entry("environment") else {
            return Vec::new();
        };
        match env::pairs(&e.value) {
            Ok(pairs) => pairs
                .into_iter()
                .map(|p| {
                    let value_span = e.source_span(p.value_range.clone());
                    EnvVar {
                        value: self.expand("environment", &p.value, value_span),
                        key: p.key,
                        key_span: e.source_span(p.key_range),
                        value_span,
                    }
                })
                .collect(),
            Err(m) => {
                self.problem(
                    format!("`environment` is not `KEY=value` pairs: {m}"),
                    e.value_span,
                );
                Vec::new()
            }
        }
    }

    fn command(&mut self) -> Option<Command> {
        let e = self.entry("command")?;
        let expanded = self.expand("command", &e.value, e.value_span);
        let place = Place::of(e);
        let words = match shell::split(&expanded) {
            Ok(w) => w,
            Err(err) => {
                self.problem(format!("`command` cannot be split: {err}"), e.value_span);
                return Some(Command {
                    raw: e.value.clone(),
                    expanded,
                    argv: Vec::new(),
                    place,
                });
            }
        };
        // Spans come from the text as written; when expansion changed the words, each
        // word gets the whole value's span.
        let raw_words = shell::split(&e.value).unwrap_or_default();
        let exact = raw_words.len() == words.len();
        let argv = words
            .into_iter()
            .enumerate()
            .map(|(i, w)| Arg {
                span: match raw_words.get(i).filter(|_| exact) {
                    Some(r) => e.source_span(r.range.clone()),
                    None => e.value_span,
                },
                value: w.value,
            })
            .collect();
        Some(Command {
            raw: e.value.clone(),
            expanded,
            argv,
            place,
        })
    }
}

impl Config {
    /// The `[supervisord]` section, if there is one.
    #[must_use]
    pub fn supervisord(&self, x: &Expansions) -> Option<Supervisord> {
        let section = self.section("supervisord")?;
        let mut r = Reader::new(self, "supervisord", x);
        Some(Supervisord {
            header_span: section.header_span,
            nodaemon: r.boolean("nodaemon", false),
            user: r.string("user"),
            logfile: r.string("logfile"),
            logfile_maxbytes: r.bytes("logfile_maxbytes"),
            pidfile: r.string("pidfile"),
            directory: r.string("directory"),
            childlogdir: r.string("childlogdir"),
            loglevel: r.parsed("loglevel", "info".to_owned(), "a log level", |s| {
                let l = s.trim().to_lowercase();
                [
                    "critical", "error", "warn", "info", "debug", "trace", "blather",
                ]
                .contains(&l.as_str())
                .then_some(l)
            }),
            environment: r.environment(),
            problems: r.problems,
        })
    }

    /// Every program, event listener and FastCGI program, in file order.
    #[must_use]
    pub fn programs(&self, x: &Expansions) -> Vec<Program> {
        self.section_names()
            .into_iter()
            .filter_map(|name| {
                let (kind, program) = if let Some(p) = name.strip_prefix("program:") {
                    (ProcessKind::Program, p)
                } else if let Some(p) = name.strip_prefix("eventlistener:") {
                    (ProcessKind::EventListener, p)
                } else if let Some(p) = name.strip_prefix("fcgi-program:") {
                    (ProcessKind::FcgiProgram, p)
                } else {
                    return None;
                };
                Some(self.program(name, kind, program.trim(), x))
            })
            .collect()
    }

    /// The program, event listener or FastCGI program called `name`.
    #[must_use]
    pub fn program_named(&self, name: &str, x: &Expansions) -> Option<Program> {
        self.programs(x).into_iter().find(|p| p.name == name)
    }

    fn program(&self, section: &str, kind: ProcessKind, name: &str, x: &Expansions) -> Program {
        let header_span = self
            .section(section)
            .map(|s| s.header_span)
            .unwrap_or_default();
        let mut r = Reader::new(self, section, x);
        for (k, v) in [("program_name", name), ("group_name", name)] {
            r.vars.insert(k.to_owned(), FormatValue::Str(v.to_owned()));
        }
        let numprocs = r.integer("numprocs", 1);
        let numprocs_start = r.integer("numprocs_start", 0);
        r.vars
            .insert("numprocs".to_owned(), FormatValue::Int(numprocs.value));
        r.vars.insert(
            "process_num".to_owned(),
            FormatValue::Int(numprocs_start.value),
        );
        let command = r.command();
        if command.is_none() {
            r.problem(
                format!("`[{section}]` has no `command`, so supervisord refuses to start"),
                header_span,
            );
        }
        let stopasgroup = r.boolean("stopasgroup", false);
        let killasgroup = r.boolean("killasgroup", stopasgroup.value);
        if stopasgroup.value && !killasgroup.value {
            let span = killasgroup.place.map_or(header_span, |p| p.value_span);
            r.problem(
                "`stopasgroup=true` needs `killasgroup=true`: supervisord refuses the section"
                    .to_owned(),
                span,
            );
        }
        let redirect_stderr = r.boolean("redirect_stderr", false);
        if kind == ProcessKind::EventListener && redirect_stderr.value {
            let span = redirect_stderr.place.map_or(header_span, |p| p.value_span);
            r.problem(
                "an event listener cannot set `redirect_stderr=true`: it would break the event protocol"
                    .to_owned(),
                span,
            );
        }
        let process_name = match r.entry("process_name") {
            Some(e) => Setting {
                value: e.value.clone(),
                place: Some(Place::of(e)),
            },
            None => Setting {
                value: "%(program_name)s".to_owned(),
                place: None,
            },
        };
        if numprocs.value > 1 && !process_name.value.contains("%(process_num)") {
            r.problem(
                "`numprocs` > 1 needs `%(process_num)` in `process_name`".to_owned(),
                numprocs.place.map_or(header_span, |p| p.value_span),
            );
        }
        let events = (kind == ProcessKind::EventListener).then(|| {
            r.string("events").map_or(
                Setting {
                    value: Vec::new(),
                    place: None,
                },
                |s| Setting {
                    value: s
                        .value
                        .split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    place: s.place,
                },
            )
        });
        Program {
            kind,
            name: name.to_owned(),
            section: section.to_owned(),
            header_span,
            command,
            directory: r.string("directory"),
            user: r.string("user"),
            environment: r.environment(),
            autostart: r.boolean("autostart", true),
            autorestart: r.parsed(
                "autorestart",
                AutoRestart::Unexpected,
                "`true`, `false` or `unexpected`",
                auto_restart,
            ),
            startsecs: r.integer("startsecs", 1),
            startretries: r.integer("startretries", 3),
            stopsignal: r.parsed("stopsignal", "TERM".to_owned(), "a signal", signal),
            stopwaitsecs: r.integer("stopwaitsecs", 10),
            stopasgroup,
            killasgroup,
            redirect_stderr,
            stdout_logfile: r.logfile("stdout_logfile"),
            stdout_logfile_maxbytes: r.bytes("stdout_logfile_maxbytes"),
            stderr_logfile: r.logfile("stderr_logfile"),
            stderr_logfile_maxbytes: r.bytes("stderr_logfile_maxbytes"),
            priority: r.integer("priority", 999),
            numprocs,
            process_name,
            events,
            problems: r.problems,
        }
    }

    /// `[include] files=`, if there is such a section.
    #[must_use]
    pub fn include(&self, x: &Expansions) -> Option<Include> {
        let section = self.section("include")?;
        let mut r = Reader::new(self, "include", x);
        let Some(e) = r.entry("files") else {
            r.problem(
                "`[include]` has no `files`: supervisord refuses to start".to_owned(),
                section.header_span,
            );
            return Some(Include {
                header_span: section.header_span,
                files: Vec::new(),
                problems: r.problems,
            });
        };
        let mut files = Vec::new();
        let mut start = None;
        let value = format!("{} ", e.value);
        for (i, c) in value.char_indices() {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    let span = e.source_span(s..i);
                    let pattern = r.expand("files", &value[s..i], span);
                    files.push(Arg {
                        value: path::join(&x.here, &pattern),
                        span,
                    });
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        Some(Include {
            header_span: section.header_span,
            files,
            problems: r.problems,
        })
    }

    /// `[unix_http_server]`, if there is one.
    #[must_use]
    pub fn unix_http_server(&self, x: &Expansions) -> Option<UnixHttpServer> {
        let section = self.section("unix_http_server")?;
        let mut r = Reader::new(self, "unix_http_server", x);
        Some(UnixHttpServer {
            header_span: section.header_span,
            file: r.string("file"),
            chmod: r.string("chmod"),
        })
    }

    /// Every `[group:x]`, in file order.
    #[must_use]
    pub fn groups(&self) -> Vec<Group> {
        self.section_names()
            .into_iter()
            .filter_map(|name| {
                let group = name.strip_prefix("group:")?;
                let section = self.section(name)?;
                let programs = self.get(name, "programs").map_or_else(Vec::new, |e| {
                    let mut out = Vec::new();
                    let mut from = 0;
                    for part in e.value.split(',') {
                        let lead = part.len() - part.trim_start().len();
                        let s = from + lead;
                        let t = part.trim();
                        if !t.is_empty() {
                            out.push(Arg {
                                value: t.to_owned(),
                                span: e.source_span(s..s + t.len()),
                            });
                        }
                        from += part.len() + 1;
                    }
                    out
                });
                Some(Group {
                    name: group.trim().to_owned(),
                    header_span: section.header_span,
                    programs,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers_table() {
        assert_eq!(boolean(" Yes "), Some(true));
        assert_eq!(boolean("off"), Some(false));
        assert_eq!(boolean("maybe"), None);
        assert_eq!(byte_size("50MB"), Some(50 << 20));
        assert_eq!(byte_size("1kb"), Some(1024));
        assert_eq!(byte_size("0"), Some(0));
        assert_eq!(byte_size("5 MB"), Some(5 << 20));
        assert_eq!(byte_size("lots"), None);
        assert_eq!(signal("SIGQUIT").as_deref(), Some("QUIT"));
        assert_eq!(signal("term").as_deref(), Some("TERM"));
        assert_eq!(signal("15").as_deref(), Some("15"));
        assert_eq!(signal("SIGNOPE"), None);
        assert_eq!(auto_restart("unexpected"), Some(AutoRestart::Unexpected));
        assert_eq!(auto_restart("true"), Some(AutoRestart::Always));
        assert_eq!(
            logfile("/dev/stdout"),
            LogFile::Path("/dev/stdout".to_owned())
        );
        assert_eq!(logfile("NONE"), LogFile::None);
        assert!(logfile("/dev/fd/1").is_console());
        assert!(!logfile("/var/log/app.log").is_console());
        assert_eq!(integer(" 8 "), Some(8));
    }
}
