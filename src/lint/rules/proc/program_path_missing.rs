//! `program-path-missing`: a program's `directory=`, or the app module or script its
//! command names, is not where the Dockerfile puts the app.

use super::absent::{Absence, known_absent};
use crate::diagnostic::Diagnostic;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::{App, EntryKind, Fact, Model, Origin, Presence, Runtime};
use crate::parse::app::{Word, server_command};
use crate::parse::dockerfile::join_path;
use crate::parse::supervisord::ProcessKind;

declare_rule! {
    /// ## What it does
    /// Checks that a supervisord program's `directory=`, and the app its command names,
    /// are where the Dockerfile puts them.
    ///
    /// The app is `main:app` for uvicorn or gunicorn, `app.py` for Python, `server.js` for
    /// Node, relative to that directory. Reported only when gen knows the path is absent (see
    /// `program-executable-missing`), and for the app only when the project has the file
    /// (it was copied elsewhere, or not at all).
    ///
    /// ## Why is this bad?
    /// supervisord cannot change into a missing directory (`spawnerr: couldn't chdir to
    /// /app`), and the server cannot import a module that is not there (`Error loading
    /// ASGI app. Could not import module "main"`, `Cannot find module '/app/server.js'`).
    /// The program restarts until `FATAL`, and nginx answers 502.
    ///
    /// ## Example
    /// ```ini
    /// [program:api]
    /// command=uvicorn main:app   ; but the Dockerfile has `COPY main.py /srv/`
    /// directory=/app
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:api]
    /// command=uvicorn main:app
    /// directory=/srv
    /// ```
    pub static PROGRAM_PATH_MISSING = {
        code: "PROC007",
        name: "program-path-missing",
        severity: Error,
        check: check,
    }
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The file the app's command names, relative to its working directory: the candidates
/// the runtime tries, and the word that names it.
fn app_file(app: &App) -> Option<(Vec<String>, Fact<String>)> {
    let words = &app.command;
    let find = |value: &str| words.iter().find(|w| w.value == value).cloned();
    match app.runtime {
        Runtime::Uvicorn | Runtime::Gunicorn | Runtime::Hypercorn => {
            // Options that move the import path elsewhere: gen does not follow them.
            let moved = [
                "--app-dir",
                "--chdir",
                "--pythonpath",
                "-c",
                "--config",
                "--factory",
            ];
            if words.iter().any(|w| {
                moved
                    .iter()
                    .any(|o| w.value == *o || w.value.starts_with(&format!("{o}=")))
            }) {
                return None;
            }
            let ws: Vec<Word> = words
                .iter()
                .map(|w| Word {
                    value: w.value.clone(),
                    span: w.origin.file_span().map(|(_, s)| s).unwrap_or_default(),
                })
                .collect();
            let app_word = server_command(&ws)?.app?;
            let module = app_word.value.split(':').next()?.to_owned();
            if module.is_empty() || module.contains('/') {
                return None;
            }
            let rel = module.replace('.', "/");
            Some((
                vec![format!("{rel}.py"), format!("{rel}/__init__.py")],
                find(&app_word.value)?,
            ))
        }
        Runtime::Python => {
            let script = words
                .iter()
                .skip(1)
                .find(|w| !w.value.starts_with('-'))
                .filter(|w| w.value.ends_with(".py"))?;
            if words.iter().any(|w| w.value == "-m" || w.value == "-c") {
                return None;
            }
            Some((vec![script.value.clone()], script.clone()))
        }
        Runtime::Node => {
            let first = words.first()?;
            if !matches!(basename(&first.value), "node" | "nodejs") {
                return None;
            }
            if words
                .iter()
                .any(|w| matches!(w.value.as_str(), "-e" | "--eval" | "-p" | "--print"))
            {
                return None;
            }
            let script = words.iter().skip(1).find(|w| !w.value.starts_with('-'))?;
            let v = &script.value;
            Some((
                vec![v.clone(), format!("{v}.js"), format!("{v}/index.js")],
                script.clone(),
            ))
        }
        Runtime::Daphne | Runtime::Uwsgi | Runtime::PhpFpm | Runtime::Other(_) => None,
    }
}

/// Where the Dockerfile puts the project's file `name` instead, or `None` when it does not.
fn copied_to(m: &Model, name: &str) -> Option<(String, Origin)> {
    m.image.iter().find_map(|(path, e)| match &e.kind {
        EntryKind::Local { file } if basename(file) == name => {
            Some((path.to_owned(), e.origin.clone()))
        }
        _ => None,
    })
}

fn check_app(dir: &ContainerDir, app: &App, out: &mut Vec<Diagnostic>) {
    let m = &dir.model;
    if app.source.is_some() {
        return;
    }
    let Some((candidates, word)) = app_file(app) else {
        return;
    };
    let paths: Vec<String> = candidates
        .iter()
        .map(|c| join_path(&app.cwd.value, c))
        .collect();
    if paths.iter().any(|p| {
        !matches!(
            m.image.presence(p),
            Presence::Unknown | Presence::Removed(_)
        )
    }) {
        return;
    }
    let Some(first) = paths.first() else { return };
    let name = basename(first).to_owned();
    // The project has the file: it is meant to be in the image.
    if !m.files.paths().any(|p| basename(p) == name) {
        return;
    }
    let Some(absence) = known_absent(m, first) else {
        return;
    };
    let what = if matches!(app.runtime, Runtime::Node | Runtime::Python) {
        "script"
    } else {
        "module"
    };
    let cwd = &app.cwd.value;
    let mut d = PROGRAM_PATH_MISSING.diagnostic(
        format!(
            "the app {what} `{}` is not in the image: no `{first}`",
            word.value
        ),
        dir.label_or(&word.origin, "Dockerfile", format!("looked for in `{cwd}`")),
    );
    let help = match (copied_to(m, &name), &absence) {
        (_, Absence::Removed(o)) => {
            if let Some(l) = dir.label(o, "a RUN removes it here") {
                d = d.with_related(l);
            }
            format!("keep `{first}` in the image")
        }
        (Some((path, origin)), Absence::NotProvided) => {
            if let Some(l) = dir.label(&origin, format!("`{name}` is copied to `{path}` instead")) {
                d = d.with_related(l);
            }
            let parent = path
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            format!(
                "run the program in `{parent}` (`directory={parent}`), or COPY `{name}` to `{cwd}`"
            )
        }
        (None, Absence::NotProvided) => format!("COPY `{name}` to `{cwd}` in the Dockerfile"),
    };
    out.push(d.with_help(help));
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        for p in &sup.programs {
            if p.program.kind == ProcessKind::EventListener {
                continue;
            }
            if let Some(d) = &p.program.directory {
                let path = join_path(&m.workdir.value, &d.value);
                if let Some(absence) = known_absent(m, &path) {
                    let origin = p.origin(d.place.map(|pl| pl.value_span).unwrap_or_default());
                    let mut diag = PROGRAM_PATH_MISSING.diagnostic(
                        format!(
                            "program `{}` runs in `{path}`, which is not in the image",
                            p.program.name
                        ),
                        dir.label_or(
                            &origin,
                            "Dockerfile",
                            "supervisord cannot change into this directory",
                        ),
                    );
                    if let Absence::Removed(o) = absence {
                        if let Some(l) = dir.label(&o, "a RUN removes it here") {
                            diag = diag.with_related(l);
                        }
                    }
                    out.push(diag.with_help(
                        "set `directory=` to where the Dockerfile copies the app, or make the directory with `WORKDIR`",
                    ));
                    // The app is looked for in a directory that is not there: one finding.
                    continue;
                }
            }
            if let Some(app) = m
                .apps
                .iter()
                .find(|a| a.program.as_deref() == Some(p.program.name.as_str()))
            {
                check_app(dir, app, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::proc::testing::findings;

    fn container(copy: &str, program: &str) -> Vec<Diagnostic> {
        let conf = format!("[supervisord]\nnodaemon=true\n[program:app]\n{program}\n");
        findings(
            &PROGRAM_PATH_MISSING,
            &[
                (
                    "Dockerfile",
                    &format!(
                        "FROM node:22-alpine\nRUN apk add supervisor py3-uvicorn\nWORKDIR /srv\n{copy}\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\"]\n"
                    ),
                ),
                (
                    "server.js",
                    "require('http').createServer().listen(3000);\n",
                ),
                ("main.py", "app = None\n"),
                ("s.conf", &conf),
            ],
        )
    }

    #[test]
    fn app_copied_elsewhere() {
        let found = container(
            "COPY server.js /opt/web/server.js",
            "command=node server.js\ndirectory=/srv",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "the app script `server.js` is not in the image: no `/srv/server.js`"
        );
        assert_eq!(found[0].primary.file, "c/s.conf");
        assert_eq!(found[0].related[0].start.line, 4);
        let found = container("COPY main.py /opt/", "command=uvicorn main:app");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("`main:app`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn missing_directory() {
        let found = container("COPY . .", "command=node server.js\ndirectory=/app");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "program `app` runs in `/app`, which is not in the image"
        );
    }

    #[test]
    fn found_or_unknown_passes() {
        let cases = [
            ("COPY . .", "command=node server.js"),
            ("COPY . .", "command=uvicorn main:app --port 8000"),
            (
                "COPY server.js /opt/web/",
                "command=node /opt/web/server.js",
            ),
            // gen does not follow `--app-dir`.
            (
                "COPY main.py /opt/",
                "command=uvicorn main:app --app-dir /opt",
            ),
            // Built by a RUN gen cannot follow.
            ("COPY . .\nRUN npm run build", "command=node dist/server.js"),
            // Not a file of the project: may come from a package.
            ("COPY . .", "command=uvicorn other:app"),
        ];
        for (copy, program) in cases {
            assert_eq!(container(copy, program), [], "{copy} / {program}");
        }
    }
}
