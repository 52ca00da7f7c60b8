//! For `program-path-missing`: where the app a server command names is looked for, as the
//! runtime looks for it. uvicorn imports `module:attr` from `--app-dir` (default: its
//! working directory) and `PYTHONPATH`; gunicorn from its working directory (after
//! `--chdir`), `--pythonpath` and `PYTHONPATH`; hypercorn and `python -m` from the working
//! directory and `PYTHONPATH`; `python app.py` and `node server.js` open a file relative
//! to the working directory; uWSGI imports its `module` from `chdir` (else the working
//! directory) and `PYTHONPATH`, or opens its `wsgi-file` there. Also: the project's module or script that defines an app
//! (`FastAPI(`, `Flask(`, `express()`...), for a "did you mean".
//!
//! `None` wherever gen cannot follow where the runtime looks: a server config file that may
//! move it (`-c`, a `gunicorn.conf.py`), a `PYTHONPATH` made of variables, a module name
//! that an installed package may provide (a pip install of the project itself, `-e`, a URL,
//! or a requirement of the same name).

use crate::model::path;
use crate::model::path::basename;
use crate::model::runtime::{Server, UWSGI_OTHER_APP_OPTIONS};
use crate::model::{App, Model, Origin};
use crate::parse::app::{Word, server_command};

/// Where the runtime looks for the app, and the file names it tries in each place.
pub struct Lookup {
    /// The directories searched, in order.
    pub dirs: Vec<String>,
    /// Paths relative to each directory: `main.py`, `main/__init__.py`, `main` (a namespace
    /// package), or `server.js`, `server.js.js`, `server.js/index.js`.
    pub names: Vec<String>,
    /// `main:app`, `server.js`: the word as written.
    pub word: String,
    /// A module (`import`ed) rather than a script (opened).
    pub module: bool,
    /// Python's (a module, a script, uWSGI's `wsgi-file`) rather than Node's.
    pub python: bool,
    /// Where the word is written, when not on the command line (uWSGI's ini file).
    pub at: Option<Origin>,
}

/// Python module name characters only: anything else (a variable, a path) is not followed.
fn plain_module(m: &str) -> bool {
    !m.is_empty()
        && m.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with(|c: char| c.is_ascii_digit())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Whether an installed package may provide the top-level module `top`.
fn package_may_provide(m: &Model, top: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    let distro = |n: &str| {
        ["py3-", "python3-", "python-"].iter().any(|pre| {
            n.strip_prefix(pre)
                .is_some_and(|rest| norm(rest) == norm(top))
        })
    };
    m.pip_installs
        .iter()
        .any(|p| !p.complete || p.packages.iter().any(|n| norm(n) == norm(top)))
        || m.packages.iter().any(|p| distro(&p.value))
}

/// Where the app of `app` is looked for; `pythonpath` is the program's `PYTHONPATH`.
#[must_use]
pub fn lookup(m: &Model, app: &App, pythonpath: Option<&str>) -> Option<Lookup> {
    let words: Vec<String> = app.command.iter().map(|w| w.value.clone()).collect();
    let cwd = app.cwd.value.clone();
    let extra: Vec<String> = match pythonpath {
        Some(pp) if pp.contains('$') || pp.contains('%') => return None,
        Some(pp) => pp
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| path::join(&cwd, d))
            .collect(),
        None => Vec::new(),
    };
    match app.runtime.server()? {
        Server::Uvicorn | Server::Gunicorn | Server::Hypercorn => {
            let ws: Vec<Word> = words
                .iter()
                .map(|w| Word {
                    value: w.clone(),
                    span: crate::parse::span::Span::default(),
                })
                .collect();
            let cmd = server_command(&ws)?;
            if app.config_file.is_some() || cmd.config.is_some() {
                return None;
            }
            let app_word = cmd.app?;
            let module = app_word.value.split(':').next()?.to_owned();
            if !plain_module(&module) {
                return None;
            }
            let top = module.split('.').next()?;
            if package_may_provide(m, top) {
                return None;
            }
            // `--chdir` / `--app-dir`, and gunicorn's `--pythonpath` after it.
            let base = cmd
                .chdir
                .as_ref()
                .map_or_else(|| cwd.clone(), |d| path::join(&cwd, &d.value));
            let mut dirs = vec![base.clone()];
            match &cmd.pythonpath {
                Some(pp) if !pp.value.contains('$') => dirs.extend(
                    pp.value
                        .split(',')
                        .filter(|d| !d.is_empty())
                        .map(|d| path::join(&base, d.trim())),
                ),
                Some(_) => return None,
                None => {}
            }
            dirs.extend(extra);
            let rel = module.replace('.', "/");
            Some(Lookup {
                dirs,
                names: vec![format!("{rel}.py"), format!("{rel}/__init__.py"), rel],
                word: app_word.value,
                module: true,
                python: true,
                at: None,
            })
        }
        Server::Python => {
            if words.iter().any(|w| w == "-m" || w == "-c") {
                return None;
            }
            let script = words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .filter(|w| w.ends_with(".py") && !w.contains('$'))?;
            Some(Lookup {
                dirs: vec![cwd],
                names: vec![script.clone()],
                word: script.clone(),
                module: false,
                python: true,
                at: None,
            })
        }
        Server::Node => {
            let first = words.first()?;
            if !Server::Node.row().runs(basename(first)) {
                return None;
            }
            if words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "-e" | "--eval" | "-p" | "--print" | "-r" | "--require" | "--import"
                )
            }) {
                return None;
            }
            let script = words.iter().skip(1).find(|w| !w.starts_with('-'))?;
            if script.contains('$') {
                return None;
            }
            Some(Lookup {
                dirs: vec![cwd],
                names: vec![
                    script.clone(),
                    format!("{script}.js"),
                    format!("{script}/index.js"),
                ],
                word: script.clone(),
                module: false,
                python: false,
                at: None,
            })
        }
        Server::Uwsgi => uwsgi(m, app, extra),
        Server::Daphne | Server::PhpFpm => None,
    }
}

/// uWSGI's app, from its config as the model read it: `module = pkg.wsgi:application` (or
/// `pkg.wsgi` with `callable`) imported from `chdir` (else the working directory) and
/// `PYTHONPATH`, or `wsgi-file = app.py` opened there. `None` where something else decides:
/// a config gen could not read whole, `pythonpath` (relative to a directory that depends on
/// when uWSGI reads it), `mount`, `paste`, `eval`, or more than one way at once.
fn uwsgi(m: &Model, app: &App, extra: Vec<String>) -> Option<Lookup> {
    if app.partial {
        return None;
    }
    let setting = |k: &str| {
        app.settings
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v)
    };
    if UWSGI_OTHER_APP_OPTIONS.iter().any(|k| setting(k).is_some()) {
        return None;
    }
    let cwd = app.cwd.value.clone();
    let mut dirs = vec![cwd.clone()];
    dirs.extend(extra);
    match (setting("module"), setting("wsgi-file")) {
        (Some(module), None) => {
            let value = module.value.trim();
            if value.contains('$') || value.contains('%') {
                return None;
            }
            let name = value.split(':').next()?.trim();
            // uWSGI loads a `module` that is a path (`app.py`, `src/wsgi.py`) as a file.
            if name.ends_with(".py") || name.contains('/') {
                return Some(Lookup {
                    dirs: vec![cwd],
                    names: vec![name.to_owned()],
                    word: value.to_owned(),
                    module: false,
                    python: true,
                    at: Some(module.origin.clone()),
                });
            }
            if !plain_module(name) {
                return None;
            }
            let top = name.split('.').next()?;
            if package_may_provide(m, top) {
                return None;
            }
            let rel = name.replace('.', "/");
            Some(Lookup {
                dirs,
                names: vec![format!("{rel}.py"), format!("{rel}/__init__.py"), rel],
                word: value.to_owned(),
                module: true,
                python: true,
                at: Some(module.origin.clone()),
            })
        }
        (None, Some(file)) => {
            let value = file.value.trim();
            if value.is_empty() || value.contains('$') || value.contains('%') {
                return None;
            }
            Some(Lookup {
                dirs: vec![cwd],
                names: vec![value.to_owned()],
                word: value.to_owned(),
                module: false,
                python: true,
                at: Some(file.origin.clone()),
            })
        }
        _ => None,
    }
}

/// Calls that make an app object, by runtime.
const PYTHON_APPS: [&str; 8] = [
    "FastAPI(",
    "Flask(",
    "Starlette(",
    "Quart(",
    "Sanic(",
    "Litestar(",
    "get_asgi_application(",
    "get_wsgi_application(",
];
const NODE_APPS: [&str; 5] = [
    "express()",
    "createServer(",
    "fastify(",
    "new Koa(",
    ".listen(",
];

/// The project's file in the image that defines an app, as the command would name it from
/// `dir`: `app:app` for `/app/app.py` with `app = FastAPI()`, `app.js` for `/app/app.js`.
#[must_use]
pub fn defined_app(m: &Model, lookup: &Lookup, dir: &str) -> Option<String> {
    let prefix = if dir == "/" {
        "/".to_owned()
    } else {
        format!("{}/", dir.trim_end_matches('/'))
    };
    let ext = if lookup.python { ".py" } else { ".js" };
    let mut found: Vec<String> = Vec::new();
    for (path, _) in m.image.iter() {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        if !rel.ends_with(ext) || rel.contains("node_modules/") || rel.contains("/test") {
            continue;
        }
        let Some(text) = m.image.local_file(path).and_then(|f| m.files.text(f)) else {
            continue;
        };
        if lookup.python {
            let Some(attr) = text.lines().find_map(|l| {
                // A WSGI callable of its own: `def application(environ, start_response):`.
                if let Some(def) = l.strip_prefix("def ") {
                    let (name, params) = def.split_once('(')?;
                    let name = name.trim();
                    return (params.trim_start().starts_with("environ")
                        && !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .then(|| name.to_owned());
                }
                let (lhs, rhs) = l.split_once('=')?;
                let name = lhs.trim();
                let plain = !name.is_empty()
                    && !l.starts_with(char::is_whitespace)
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                (plain && PYTHON_APPS.iter().any(|a| rhs.contains(a))).then(|| name.to_owned())
            }) else {
                continue;
            };
            let module = rel
                .trim_end_matches(".py")
                .trim_end_matches("/__init__")
                .replace('/', ".");
            if !lookup.module {
                // A script is named by its path (uWSGI's `wsgi-file`, `python app.py`).
                found.push(rel.to_owned());
            } else if plain_module(&module) {
                found.push(format!("{module}:{attr}"));
            }
        } else if !rel.contains('/') && NODE_APPS.iter().any(|a| text.contains(a)) {
            found.push(rel.to_owned());
        }
    }
    // Only a single candidate is a suggestion; several would be a guess.
    (found.len() == 1).then(|| found.remove(0))
}
