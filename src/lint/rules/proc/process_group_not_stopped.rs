//! `process-group-not-stopped`: a program that runs child processes is stopped without
//! its process group.

use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::text;
use crate::lint::{Context, declare_rule};
use crate::model::path::basename;
use crate::model::runtime::{self, Children, SeenBy};
use crate::model::{Fact, Runtime};
use crate::parse::shell;

declare_rule! {
    /// ## What it does
    /// Checks that a supervisord program whose command runs child processes sets both
    /// `stopasgroup=true` and `killasgroup=true`.
    ///
    /// Such commands are gunicorn (a master and
    /// its workers), uvicorn or hypercorn with more than one worker, `npm start` / `npm
    /// run` / `yarn start` (npm runs a shell that runs node), and `sh -c` scripts or shell
    /// scripts that run a program without `exec`.
    ///
    /// ## Why is this bad?
    /// supervisord signals only the process it started. A shell or npm does not pass the
    /// signal on, and when the stop times out supervisord kills only that process: the
    /// children live on as orphans, keep the port bound, and the restarted program fails
    /// with `Address already in use`. With the group options, supervisord signals the
    /// whole process group.
    ///
    /// ## Example
    /// ```ini
    /// [program:web]
    /// command=npm start
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:web]
    /// command=npm start
    /// stopasgroup=true
    /// killasgroup=true
    /// ```
    pub static PROCESS_GROUP_NOT_STOPPED = {
        code: "PROC008",
        name: "process-group-not-stopped",
        severity: Warning,
        check: check,
    }
}

/// Shell builtins (and `sleep`): commands a script runs that leave no child behind.
const BUILTINS: [&str; 26] = [
    "cd", "echo", "printf", "read", "kill", "test", "[", "[[", "true", "false", ":", "set",
    "export", "unset", "trap", "wait", "exit", "shift", "source", ".", "eval", "umask", "ulimit",
    "break", "continue", "sleep",
];

/// Reserved words that open a compound command; the command follows them (`while read
/// line`, `do kill "$PPID"`).
const OPENERS: [&str; 9] = [
    "while", "until", "do", "then", "else", "elif", "if", "!", "{",
];

/// Reserved words that close one, alone as a command (`done`, `fi`).
const CLOSERS: [&str; 4] = ["done", "fi", "esac", "}"];

/// The command a piece of script runs, past the reserved words that open a compound command;
/// `None` for a piece that runs none (`done`, `for x in a b`, `case "$x" in`).
fn command_word(words: &[shell::ShellWord]) -> Option<&shell::ShellWord> {
    let mut it = words
        .iter()
        .skip_while(|w| OPENERS.contains(&w.value.as_str()));
    let first = it.next()?;
    if CLOSERS.contains(&first.value.as_str()) || matches!(first.value.as_str(), "for" | "case") {
        return None;
    }
    Some(first)
}

/// Whether a shell script leaves a child running: some command that is not a builtin and
/// not the `exec`ed last one.
fn script_spawns(script: &str) -> bool {
    // `>&2`, `2>&1` and `&>` redirect; their `&` does not end a command.
    let script = &script
        .replace(">&", "> ")
        .replace("<&", "< ")
        .replace("&>", " >");
    let cmds = shell::simple_commands(script);
    let last = cmds.len().saturating_sub(1);
    let last = cmds
        .iter()
        .rposition(|c| command_word(c).is_some())
        .unwrap_or(last);
    cmds.iter().enumerate().any(|(i, c)| {
        let Some(first) = command_word(c) else {
            return false;
        };
        if BUILTINS.contains(&basename(&first.value)) {
            return false;
        }
        if i == last {
            // The last command, run with `exec`, replaces the shell.
            let before = &script[..first.range.start];
            let start = before
                .rfind([';', '&', '|', '\n', '('])
                .map_or(0, |i| i + 1);
            return before[start..].split_whitespace().next() != Some("exec");
        }
        true
    })
}

/// Why the command runs children, and the word that says so.
fn spawns(
    argv: &[Fact<String>],
    runtime: Option<(&Runtime, Option<u32>)>,
) -> Option<(usize, String)> {
    let words: Vec<&str> = argv.iter().map(|w| w.value.as_str()).collect();
    // The wrappers in front of it ([`runtime::WRAPPERS`]) pass the stop signal on.
    let i = runtime::skip_wrappers(|k| words.get(k).copied(), 0, SeenBy::Model);
    let first = basename(words.get(i)?);
    match first {
        "sh" | "bash" | "ash" | "dash" | "zsh" => {
            let flag = words.get(i + 1)?;
            let script = words
                .get(i + 2)
                .filter(|_| flag.starts_with('-') && flag.ends_with('c'));
            if script.is_some_and(|s| script_spawns(s)) {
                return Some((i, format!("`{first} -c` runs a child without `exec`")));
            }
            // A script that `exec`s the server: the server's own children count.
            server_children(i, runtime)
        }
        "npm" | "yarn" | "pnpm" => {
            matches!(words.get(i + 1), Some(&("start" | "run" | "run-script")))
                .then(|| (i, format!("`{first}` runs the app as its child")))
        }
        _ => server_children(i, runtime),
    }
}

/// A server that runs workers: gunicorn always, uvicorn and hypercorn with more than one.
fn server_children(at: usize, runtime: Option<(&Runtime, Option<u32>)>) -> Option<(usize, String)> {
    let (runtime, workers) = runtime?;
    let row = runtime.row()?;
    match (row.children, workers) {
        (Children::Always, _) => Some((at, format!("{} runs its workers as children", row.name))),
        (Children::Workers, Some(n)) if n > 1 => Some((at, format!("{n} workers run as children"))),
        _ => None,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        for p in &sup.programs {
            let prog = &p.program;
            if prog.stopasgroup.value && prog.killasgroup.value {
                continue;
            }
            let app = m
                .apps
                .iter()
                .find(|a| a.program.as_deref() == Some(prog.name.as_str()));
            let runtime = app.map(|a| {
                let workers = a
                    .workers
                    .as_ref()
                    .and_then(|w| w.value.trim().parse::<u32>().ok());
                (&a.runtime, workers)
            });
            let argv = p.argv();
            let script = || {
                let first = argv.first()?;
                let (path, _) = m.which(&first.value, &m.workdir.value)?;
                let body = m.files.text(m.image.local_file(&path)?)?;
                let is_sh = body
                    .lines()
                    .next()
                    .is_some_and(|l| l.starts_with("#!") && l.contains("sh"));
                let body: Vec<&str> = body
                    .lines()
                    .map(|l| {
                        if l.trim_start().starts_with('#') {
                            ""
                        } else {
                            l
                        }
                    })
                    .collect();
                (is_sh && script_spawns(&body.join("\n")))
                    .then(|| (0, "the script runs a child without `exec`".to_owned()))
            };
            let Some((at, why)) = spawns(&argv, runtime).or_else(script) else {
                continue;
            };
            let Some(word) = argv.get(at) else { continue };
            let primary = dir.label_or(&word.origin, "Dockerfile", why);
            let mut d = PROCESS_GROUP_NOT_STOPPED.diagnostic(
                format!(
                    "program `{}` runs child processes, but supervisord stops only the process it started",
                    prog.name
                ),
                primary,
            );
            if let Some(place) = prog.stopasgroup.place.filter(|_| !prog.stopasgroup.value) {
                if let Some(l) = dir.label(&p.origin(place.value_span), "set to false here") {
                    d = d.with_related(l);
                }
            }
            out.push(
                d.with_help(format!(
                    "add `stopasgroup=true` and `killasgroup=true` to `[{}]`",
                    prog.section
                ))
                .with_fix(group_fix(dir, p)),
            );
        }
    }
}

/// `stopasgroup=true` and `killasgroup=true`: each over a `false`, or as a new line under
/// `command=`. `None` when one of the places is not in a file of the directory.
fn group_fix(dir: &crate::lint::ContainerDir, p: &crate::model::ProgramFacts) -> Option<Fix> {
    let prog = &p.program;
    let command = prog.command.as_ref()?.place;
    let mut edits = Vec::new();
    for (key, setting) in [
        ("stopasgroup", &prog.stopasgroup),
        ("killasgroup", &prog.killasgroup),
    ] {
        if setting.value && setting.place.is_some() {
            continue;
        }
        let edit = match setting.place {
            Some(place) => {
                let (file, text, span) = text::local(dir, &p.origin(place.value_span))?;
                text::set_ini(file, text, Some(span), 0, None, key, "true")
            }
            None => {
                let (file, text, _) = text::local(dir, &p.origin(command.value_span))?;
                let like = Some((command.key_span, command.value_span));
                let at = command.value_span.end;
                text::set_ini(file, text, None, at, like, key, "true")
            }
        };
        edits.push(edit?);
    }
    Some(Fix::safe(
        "set `stopasgroup=true` and `killasgroup=true`",
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(program: &str) -> Vec<Diagnostic> {
        let conf = format!("[supervisord]\nnodaemon=true\n[program:app]\n{program}\n");
        findings(
            &PROCESS_GROUP_NOT_STOPPED,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nRUN pip install supervisor gunicorn uvicorn\nCOPY s.conf /etc/supervisord.conf\nCOPY *.sh /usr/local/bin/\nCMD [\"supervisord\"]\n",
                ),
                ("s.conf", &conf),
                (
                    "run.sh",
                    "#!/bin/sh\n# start the worker\npython3 worker.py\n",
                ),
                ("start.sh", "#!/bin/sh\nset -e\nexec python3 worker.py\n"),
            ],
        )
    }

    #[test]
    fn spawning_commands_warn() {
        let cases = [
            (
                "command=gunicorn main:app -k uvicorn.workers.UvicornWorker",
                4,
            ),
            ("command=uvicorn main:app --workers 4", 4),
            ("command=npm start", 4),
            ("command=sh -c 'cd /app && node server.js'", 4),
            (
                "command=/bin/bash -c \"python3 worker.py\"\nstopasgroup=false",
                4,
            ),
            ("command=/usr/local/bin/run.sh", 4),
            ("command=sh -c 'while true; do python3 worker.py; done'", 4),
            ("command=sh -c 'if true; then node server.js; fi'", 4),
            (
                "command=bash -c 'source /venv/bin/activate && exec gunicorn main:app'",
                4,
            ),
        ];
        for (program, line) in cases {
            let found = container(program);
            assert_eq!(found.len(), 1, "{program}: {found:?}");
            assert_eq!(found[0].primary.start.line, line, "{program}");
        }
        let found = container("command=npm start\nstopasgroup=false");
        assert_eq!(found[0].related[0].start.line, 5);
    }

    #[test]
    fn single_processes_and_group_stops_pass() {
        let cases = [
            "command=uvicorn main:app --workers 1",
            "command=uvicorn main:app",
            "command=sh -c 'cd /app && exec node server.js'",
            "command=/bin/sh -c 'printf \"READY\\n\"; read -r header; echo \"failed ($header)\" >&2; kill -TERM \"$PPID\"'",
            // An event listener written as a loop of builtins (issue 16).
            "command=bash -c 'printf \"READY\\n\"; while read line; do echo \"$line\" >&2; kill -QUIT $PPID; printf \"RESULT 2\\nOK\"; done'",
            "command=sh -c 'while :; do if [ -e /tmp/stop ]; then kill 1; fi; sleep 5; done'",
            "command=gunicorn main:app\nstopasgroup=true\nkillasgroup=true",
            "command=nginx -g 'daemon off;'",
            "command=node server.js",
            "command=/usr/local/bin/start.sh",
        ];
        for program in cases {
            assert_eq!(container(program), [], "{program}");
        }
    }
}
