//! `program-executable-missing`: supervisord (or PID 1) runs an executable that nothing
//! in the image provides.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::absent::{Absence, known_absent, mentioned, run_texts};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::path;
use crate::model::path::{basename, parent};
use crate::model::runtime;
use crate::model::{EntryKind, Fact, Model, Origin, Presence};

declare_rule! {
    /// ## What it does
    /// Checks that the executable of each supervisord program (and supervisord itself) is
    /// in the image.
    ///
    /// That is a path that a COPY, a package or a RUN puts there, or a name found on the
    /// PATH. Reported only when gen knows it is absent: a virtual environment's
    /// `bin/uvicorn` where nothing makes the environment, a path a RUN removes, a program
    /// of a package (nginx, Node, uvicorn...) that is never installed, or one installed
    /// off the PATH.
    ///
    /// ## Why is this bad?
    /// supervisord cannot start the program: `spawnerr: can't find command
    /// '/opt/venv/bin/uvicorn'`, retried until `FATAL`. The container runs on without the
    /// app, and nginx answers every request with 502.
    ///
    /// ## Example
    /// ```ini
    /// [program:app]
    /// command=/opt/venv/bin/uvicorn main:app   ; but the Dockerfile ran `pip3 install`
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
    /// ```
    pub static PROGRAM_EXECUTABLE_MISSING = {
        code: "PROC006",
        name: "program-executable-missing",
        severity: Error,
        check: check,
    }
}

/// What is wrong with one executable.
struct Missing {
    message: String,
    note: String,
    /// Where it is instead, or what removes it.
    related: Option<(Origin, String)>,
    help: String,
}

/// Another place in the image with an executable of this name, in a `bin` directory.
fn elsewhere(m: &Model, name: &str) -> Option<(String, Origin)> {
    m.image.iter().find_map(|(path, e)| {
        // The name first: a comparison of the path's end rejects almost every entry of
        // the image before its directories are looked for.
        let named = path.ends_with(name) && basename(path) == name;
        (named && basename(parent(path)) == "bin" && !matches!(e.kind, EntryKind::Dir))
            .then(|| (path.to_owned(), e.origin.clone()))
    })
}

fn missing_path(m: &Model, path: &str) -> Option<Missing> {
    let name = basename(path);
    let instead = elsewhere(m, name).filter(|(p, _)| p != path);
    let related = instead
        .as_ref()
        .map(|(p, o)| (o.clone(), format!("`{name}` is installed at `{p}` instead")));
    // `<venv>/bin/<script>`: the environment itself must be made somewhere.
    let bin = parent(path);
    if basename(bin) == "bin" {
        let venv = parent(bin);
        let known_venv = m.venvs.iter().any(|v| v.value == venv);
        if !known_venv && venv != "/" {
            if let Some(Absence::NotProvided) = known_absent(m, venv) {
                let create = format!(
                    "create the environment (`RUN python3 -m venv {venv} && {venv}/bin/pip install -r requirements.txt`)"
                );
                let help = match &instead {
                    Some((p, _)) => format!("{create}, or run `{p}`"),
                    None => create,
                };
                return Some(Missing {
                    message: format!(
                        "`{path}` is not in the image: nothing makes a virtual environment at `{venv}`"
                    ),
                    note: "supervisord cannot find this executable".to_owned(),
                    related,
                    help,
                });
            }
        }
    }
    let absence = known_absent(m, path)?;
    let (message, related) = match absence {
        Absence::Removed(o) => (
            format!("`{path}` is not in the image: a RUN removes it"),
            Some((o, "removed here".to_owned())),
        ),
        Absence::NotProvided => (
            format!("`{path}` is not in the image: nothing copies or installs it"),
            related,
        ),
    };
    Some(Missing {
        message,
        note: "supervisord cannot find this executable".to_owned(),
        related,
        help: format!("COPY or install `{path}`, or correct the path"),
    })
}

fn missing_name(m: &Model, name: &str, command_text: &str) -> Option<Missing> {
    if let Some((path, origin)) = elsewhere(m, name) {
        // Installed, but where the PATH does not look (a venv's `bin` not on ENV PATH),
        // unless the command sets the PATH or activates the environment itself.
        if command_text.contains("activate") || command_text.contains("PATH=") {
            return None;
        }
        let dir = parent(&path);
        return Some(Missing {
            message: format!("`{name}` is not on the PATH: it is installed at `{path}`"),
            note: "supervisord looks this name up on its PATH".to_owned(),
            related: Some((origin, format!("installed in `{dir}` here"))),
            help: format!("run `{path}`, or put `{dir}` on the PATH with `ENV PATH={dir}:$PATH`"),
        });
    }
    // Programs of packages gen knows (the runtime table's): a missing one is absent
    // unless some RUN names it (an install gen cannot follow).
    let packages: Vec<&runtime::Package> = runtime::installing(name).collect();
    if packages.is_empty() || m.packaging.is_none() || m.dockerfile.is_none() {
        return None;
    }
    // A package or RUN that names the program's family may install it (`python3-pip`
    // brings `python3`, pip's `supervisor` brings `supervisord`).
    let texts = run_texts(m);
    if mentioned(m, name)
        || packages
            .iter()
            .any(|p| texts.iter().any(|t| t.contains(p.family)))
    {
        return None;
    }
    // The pip packages whose console script it is.
    let pip: Vec<&str> = packages.iter().filter_map(|p| p.pip).collect();
    if !pip.is_empty() && m.pip_installs.iter().any(|p| !p.complete) {
        return None;
    }
    // Installed in another stage, part of whose install directory is copied: not its `bin`.
    let left_behind = m
        .pip_installs
        .iter()
        .find(|p| p.copied && p.packages.iter().any(|n| pip.contains(&n.as_str())));
    if let Some(p) = left_behind {
        let bin = format!("{}/bin", p.into.as_deref().unwrap_or("/usr/local"));
        return Some(Missing {
            message: format!(
                "`{name}` is not in the image: another stage installs it in `{bin}`, which no COPY brings over"
            ),
            note: "supervisord cannot find this executable".to_owned(),
            related: Some((p.command.clone(), "installed here".to_owned())),
            help: format!(
                "copy the whole install directory (`COPY --from=... {} /usr/local`), or `{bin}` too",
                p.into.as_deref().unwrap_or("/usr/local")
            ),
        });
    }
    // The requirements are where an app's server or framework goes; supervisord is a
    // tool of the image, installed from the distribution as often as from pip.
    let requirements: Vec<&str> = packages
        .iter()
        .filter(|p| p.app_dependency)
        .filter_map(|p| p.pip)
        .collect();
    let help = match requirements.as_slice() {
        [] => format!("install the package that provides `{name}`"),
        [one] => format!("add `{one}` to the requirements the Dockerfile installs"),
        [first, rest @ ..] => format!(
            "add `{first}` (or {}) to the requirements the Dockerfile installs",
            rest.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(Missing {
        message: format!("`{name}` is not in the image: no package or RUN installs it"),
        note: "supervisord cannot find this executable".to_owned(),
        related: None,
        help,
    })
}

/// The first executable of a command line that is missing, with its word.
fn first_missing(
    m: &Model,
    argv: &[Fact<String>],
    cwd: &str,
    text: &str,
) -> Option<(Fact<String>, Missing)> {
    for cmd in m.commands(argv, cwd) {
        let Some(first) = cmd.first() else { continue };
        let exe = first.value.as_str();
        if exe.is_empty() || exe.contains('$') {
            continue;
        }
        let missing = if exe.contains('/') {
            let path = path::join(cwd, exe);
            match m.image.presence(&path) {
                Presence::Present(_) | Presence::Dir => None,
                _ => missing_path(m, &path),
            }
        } else if m.which(exe, cwd).is_some() {
            None
        } else {
            missing_name(m, exe, text)
        };
        if let Some(x) = missing {
            return Some((first.clone(), x));
        }
    }
    None
}

fn report(dir: &ContainerDir, word: &Fact<String>, x: Missing, out: &mut Vec<Diagnostic>) {
    let primary = dir.label_or(&word.origin, "Dockerfile", x.note);
    let mut d = PROGRAM_EXECUTABLE_MISSING.diagnostic(x.message, primary);
    if let Some((o, note)) = x.related {
        if let Some(l) = dir.label(&o, note) {
            d = d.with_related(l);
        }
    }
    out.push(d.with_help(x.help));
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(sup) = &m.supervisor else { continue };
        if let Some(cmd) = &sup.command {
            let text: Vec<&str> = cmd.iter().map(|w| w.value.as_str()).collect();
            if let Some((w, x)) = first_missing(m, cmd, &m.workdir.value, &text.join(" ")) {
                report(dir, &w, x, out);
            }
        }
        for p in &sup.programs {
            let cwd = p.program.directory.as_ref().map_or_else(
                || m.workdir.value.clone(),
                |d| path::join(&m.workdir.value, &d.value),
            );
            let text = p
                .program
                .command
                .as_ref()
                .map(|c| c.expanded.clone())
                .unwrap_or_default();
            if let Some((w, x)) = first_missing(m, &p.argv(), &cwd, &text) {
                report(dir, &w, x, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(run: &str, command: &str) -> Vec<Diagnostic> {
        let conf = format!("[supervisord]\nnodaemon=true\n[program:app]\ncommand={command}\n");
        findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    &format!(
                        "FROM ubuntu:24.04\nRUN apt-get install -y supervisor python3 python3-venv\n{run}\nWORKDIR /app\nCOPY requirements.txt main.py ./\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/supervisord.conf\"]\n"
                    ),
                ),
                ("requirements.txt", "fastapi\nuvicorn\n"),
                ("main.py", "app = None\n"),
                ("s.conf", &conf),
            ],
        )
    }

    #[test]
    fn venv_script_without_the_venv() {
        let found = container(
            "RUN pip3 install --break-system-packages uvicorn",
            "/opt/venv/bin/uvicorn main:app",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`/opt/venv/bin/uvicorn` is not in the image: nothing makes a virtual environment at `/opt/venv`"
        );
        assert_eq!(found[0].primary.file, "c/s.conf");
        assert_eq!(
            found[0].related[0].message,
            "`uvicorn` is installed at `/usr/local/bin/uvicorn` instead"
        );
    }

    #[test]
    fn script_off_the_path_and_package_never_installed() {
        let found = findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM ubuntu:24.04\nRUN apt-get install -y supervisor python3-venv\nCOPY requirements.txt /r.txt\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r /r.txt\nENV PATH=/opt/venv/bin:$PATH\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("requirements.txt", "fastapi\n"),
                ("s.conf", "[program:app]\ncommand=uvicorn main:app\n"),
            ],
        );
        // The requirements lack uvicorn, and no RUN names it.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`uvicorn` is not in the image: no package or RUN installs it"
        );
        let found = findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM ubuntu:24.04\nRUN apt-get install -y supervisor python3-venv\nCOPY requirements.txt /r.txt\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r /r.txt\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("requirements.txt", "uvicorn\n"),
                ("s.conf", "[program:app]\ncommand=uvicorn main:app\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`uvicorn` is not on the PATH: it is installed at `/opt/venv/bin/uvicorn`"
        );
    }

    #[test]
    fn present_or_unknown_passes() {
        let cases = [
            (
                "RUN python3 -m venv /opt/venv\nCOPY requirements.txt /r.txt\nRUN /opt/venv/bin/pip install -r /r.txt",
                "/opt/venv/bin/uvicorn main:app",
            ),
            // `uv` is not followed: it may make the environment.
            (
                "RUN uv venv /opt/venv && uv pip install uvicorn",
                "/opt/venv/bin/uvicorn main:app",
            ),
            ("RUN true", "/usr/bin/perl x.pl"),
            ("RUN true", "sh -c 'cd /app && exec python3 main.py'"),
            ("RUN ./install.sh", "/opt/app/bin/server"),
        ];
        for (run, command) in cases {
            assert_eq!(container(run, command), [], "{run} / {command}");
        }
        // `python3-pip` brings `python3`, and pip's `supervisor` brings `supervisord`.
        let found = findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y python3-pip && pip install --break-system-packages supervisor\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", "[program:app]\ncommand=python3 -m http.server\n"),
            ],
        );
        assert_eq!(found, []);
        // Nothing installs supervisord: a tool of the image, not one of the requirements.
        let found = findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y python3-venv\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", "[program:app]\ncommand=/bin/true\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].help.as_deref(),
            Some("install the package that provides `supervisord`")
        );
        // Nothing installs Node.
        let found = findings(
            &PROGRAM_EXECUTABLE_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y supervisor\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", "[program:app]\ncommand=node server.js\n"),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`node` is not in the image: no package or RUN installs it"
        );
    }
}
