//! `program-path-missing`: a program's `directory=`, or the app module or script its
//! command names, is not where the Dockerfile puts the app. Where the runtime looks for
//! the app is [`crate::lint::analysis::entry_point`]'s.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::absent::{Absence, known_absent};
use crate::lint::analysis::entry_point;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::path;
use crate::model::path::basename;
use crate::model::{App, EntryKind, Model, Origin};
use crate::parse::supervisord::ProcessKind;

declare_rule! {
    /// ## What it does
    /// Checks that a supervisord program's `directory=`, and the app its command names,
    /// are where the Dockerfile puts them.
    ///
    /// The app is `main:app` for uvicorn, gunicorn or hypercorn, `app.py` for Python,
    /// `server.js` for Node, uWSGI's `module` (`mysite.wsgi:application`) or `wsgi-file`,
    /// looked for where the runtime looks: the working directory (`directory=`, else
    /// WORKDIR), gunicorn's `--chdir` and `--pythonpath`, uvicorn's `--app-dir`, uWSGI's
    /// `chdir`, and `PYTHONPATH`. Reported only when gen knows the path is absent (see
    /// `program-executable-missing`) in every place; not when a package the build installs
    /// may provide the module (a pip install of the project itself, `-e`, a requirement or
    /// distribution package of that name), nor when a server config file (`-c`,
    /// `gunicorn.conf.py`, a uWSGI file gen cannot read whole, uWSGI's `pythonpath`) may
    /// move it. The help names the app the image has there instead, when one file defines
    /// one (`app = FastAPI()`, `def application(environ, start_response)`, `express()`).
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

/// Where the Dockerfile puts the project's file `name` instead, or `None` when it does not.
fn copied_to(m: &Model, name: &str) -> Option<(String, Origin)> {
    m.image.iter().find_map(|(path, e)| match &e.kind {
        EntryKind::Local { file } if basename(file) == name => {
            Some((path.to_owned(), e.origin.clone()))
        }
        _ => None,
    })
}

fn check_app(dir: &ContainerDir, app: &App, pythonpath: Option<&str>, out: &mut Vec<Diagnostic>) {
    let m = &dir.model;
    if app.source.is_some() {
        return;
    }
    let Some(lookup) = entry_point::lookup(m, app, pythonpath) else {
        return;
    };
    let paths: Vec<String> = lookup
        .dirs
        .iter()
        .flat_map(|d| lookup.names.iter().map(move |n| path::join(d, n)))
        .collect();
    // Found, or somewhere gen cannot see into: not reported.
    if paths.iter().any(|p| known_absent(m, p).is_none()) {
        return;
    }
    let (Some(first), Some(search)) = (paths.first(), lookup.dirs.first()) else {
        return;
    };
    let Some(absence) = known_absent(m, first) else {
        return;
    };
    // The word: on the command line, or where a config file sets it (uWSGI's ini).
    let Some(word_origin) = lookup.at.clone().or_else(|| {
        app.command
            .iter()
            .find(|w| w.value == lookup.word)
            .map(|w| w.origin.clone())
    }) else {
        return;
    };
    let name = basename(first).to_owned();
    let what = if lookup.module { "module" } else { "script" };
    let mut d = PROGRAM_PATH_MISSING.diagnostic(
        format!(
            "the app {what} `{}` is not in the image: no `{first}`",
            lookup.word
        ),
        dir.label_or(
            &word_origin,
            "Dockerfile",
            format!("looked for in `{search}`"),
        ),
    );
    // A package's module (`mysite.wsgi`): a file of the same base name elsewhere is likely
    // another package's; the module that defines the app is the better hint.
    let suggested = (lookup.module
        && lookup
            .word
            .split(':')
            .next()
            .is_some_and(|w| w.contains('.')))
    .then(|| entry_point::defined_app(m, &lookup, search))
    .flatten();
    let copied = if suggested.is_some() {
        None
    } else {
        copied_to(m, &name)
    };
    let help = match (&absence, copied) {
        (Absence::Removed(o), _) => {
            if let Some(l) = dir.label(o, "a RUN removes it here") {
                d = d.with_related(l);
            }
            format!("keep `{first}` in the image")
        }
        (Absence::NotProvided, Some((path, origin))) => {
            if let Some(l) = dir.label(&origin, format!("`{name}` is copied to `{path}` instead")) {
                d = d.with_related(l);
            }
            let parent = path
                .rsplit_once('/')
                .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p });
            format!(
                "run the program in `{parent}` (`directory={parent}`), or COPY `{name}` to `{search}`"
            )
        }
        (Absence::NotProvided, None) => match entry_point::defined_app(m, &lookup, search) {
            Some(other) => {
                format!("did you mean `{other}`? it is the app the image has in `{search}`")
            }
            None if m.files.paths().any(|p| basename(p) == name) => {
                format!("COPY `{name}` to `{search}` in the Dockerfile")
            }
            None => format!("name the {what} the image has in `{search}`, or COPY it there"),
        },
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
                let path = path::join(&m.workdir.value, &d.value);
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
                let pythonpath = p
                    .program
                    .env("PYTHONPATH")
                    .map(|v| v.value.as_str())
                    .or_else(|| {
                        sup.supervisord
                            .as_ref()
                            .and_then(|(_, s)| {
                                s.environment.iter().rev().find(|v| v.key == "PYTHONPATH")
                            })
                            .map(|v| v.value.as_str())
                    })
                    .or_else(|| m.env_value("PYTHONPATH"));
                check_app(dir, app, pythonpath, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(copy: &str, program: &str) -> Vec<Diagnostic> {
        container_with(copy, program, &[])
    }

    fn container_with(copy: &str, program: &str, more: &[(&str, &str)]) -> Vec<Diagnostic> {
        let conf = format!("[supervisord]\nnodaemon=true\n[program:app]\n{program}\n");
        let dockerfile = format!(
            "FROM node:22-alpine\nRUN apk add supervisor py3-uvicorn\nWORKDIR /srv\n{copy}\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\"]\n"
        );
        let mut files: Vec<(&str, &str)> = vec![
            ("Dockerfile", dockerfile.as_str()),
            (
                "server.js",
                "require('http').createServer().listen(3000);\n",
            ),
            ("main.py", "app = None\n"),
            ("s.conf", conf.as_str()),
        ];
        files.extend_from_slice(more);
        findings(&PROGRAM_PATH_MISSING, &files)
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

    /// uvicorn's `--app-dir` (and gunicorn's `--chdir`) is where the module is imported
    /// from: the app's file in the working directory does not count.
    #[test]
    fn app_dir_is_where_the_module_is_looked_for() {
        let found = container(
            "COPY main.py .",
            "command=uvicorn --app-dir /nowhere main:app",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "the app module `main:app` is not in the image: no `/nowhere/main.py`"
        );
        assert!(container("COPY main.py .", "command=uvicorn --app-dir /srv main:app").is_empty());
        assert!(
            container(
                "COPY main.py src/",
                "command=uvicorn --app-dir src main:app"
            )
            .is_empty()
        );
        assert_eq!(
            container(
                "COPY main.py .",
                "command=gunicorn --chdir /elsewhere main:app"
            )
            .len(),
            1
        );
    }

    /// issue 16: `uvicorn main:app` when the image has `app.py` only, `node server.js` when
    /// it has `app.js`: the app the image has is named.
    #[test]
    fn app_the_project_does_not_have() {
        let found = container_with(
            "COPY app.py .",
            "command=uvicorn main:app",
            &[("app.py", "from fastapi import FastAPI\n\napp = FastAPI()\n")],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "the app module `main:app` is not in the image: no `/srv/main.py`"
        );
        assert_eq!(
            found[0]
                .help
                .as_deref()
                .map(|h| h.lines().next().unwrap_or("")),
            Some("did you mean `app:app`? it is the app the image has in `/srv`")
        );
        let found = container_with(
            "COPY app.js .",
            "command=node server2.js",
            &[(
                "app.js",
                "const app = require('express')();\napp.listen(3000);\n",
            )],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean `app.js`?")),
            "{:?}",
            found[0].help
        );
        // gunicorn's --chdir moves where the module is looked for.
        let found = container_with(
            "COPY app.py /opt/web/",
            "command=gunicorn --chdir /opt/web main:app",
            &[("app.py", "from flask import Flask\napp = Flask(__name__)\n")],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "the app module `main:app` is not in the image: no `/opt/web/main.py`"
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
            // A module an installed package may provide.
            ("COPY . .", "command=uvicorn uvicorn:app"),
            (
                "COPY . .\nRUN pip install --break-system-packages .",
                "command=uvicorn other:app",
            ),
            (
                "COPY . .\nCOPY --from=build /srv/lib /srv",
                "command=uvicorn other:app",
            ),
            // gen does not read gunicorn's config, which may move the import path.
            ("COPY . .", "command=gunicorn -c conf.py other:app"),
            // Found through --chdir and PYTHONPATH.
            (
                "COPY main.py /opt/",
                "command=gunicorn --chdir /opt main:app",
            ),
            (
                "COPY main.py /opt/",
                "command=uvicorn main:app\nenvironment=PYTHONPATH=\"/opt\"",
            ),
        ];
        for (copy, program) in cases {
            assert_eq!(container(copy, program), [], "{copy} / {program}");
        }
    }
}
