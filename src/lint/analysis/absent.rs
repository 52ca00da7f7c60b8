//! Whether gen knows that a path is *not* in the image, for the rules that report a missing
//! executable, config or directory. Unknown is not wrong: the model knows the files the
//! Dockerfile COPYs, what the packages gen models install and what RUN visibly does, but a
//! base image it does not know, a RUN it cannot read (`./install.sh`, `uv sync`), a COPY
//! from another image or a volume may provide any path. So a path counts as absent only
//! when a RUN removes it, or when the base image is one gen knows, the path lies where such
//! an image has nothing of its own (outside the system directories, or in the config
//! directories of the packages gen models), and nothing that gen cannot follow could have
//! put it there.

use crate::model::path;
use crate::model::path::basename;
use crate::model::{EntryKind, Model, Origin, Presence};
use crate::parse::dockerfile::Kind;
use crate::parse::shell;

/// Why gen is sure a path is not in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// A RUN removes it (`rm -rf`).
    Removed(Origin),
    /// Nothing in the image provides it.
    NotProvided,
}

/// Directories where the base images gen knows hold files gen does not list: a path there
/// is unknown unless a package's config directory below says otherwise.
const SYSTEM: [&str; 16] = [
    "/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/var", "/proc", "/dev", "/sys", "/run",
    "/tmp", "/home", "/root", "/mnt", "/media",
];

/// Config locations whose whole contents gen knows once the package is installed: what
/// the package ships, and what the Dockerfile puts there.
const PACKAGE_CONFIG: [&str; 9] = [
    "/etc/supervisor",
    "/etc/supervisord.conf",
    "/etc/supervisor.d",
    "/etc/supervisord.d",
    "/etc/nginx/conf.d",
    "/etc/nginx/http.d",
    "/etc/nginx/sites-enabled",
    "/etc/nginx/sites-available",
    "/etc/nginx/snippets",
];

/// Every RUN's script text (heredoc bodies included), in every stage: what gen may not
/// have followed.
pub fn run_texts(m: &Model) -> Vec<String> {
    let Some(df) = &m.dockerfile else {
        return Vec::new();
    };
    df.parsed
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Run(_)))
        .map(|i| {
            let mut t = i.args_text.clone();
            for h in &i.heredocs {
                t.push('\n');
                t.push_str(&h.content);
            }
            t
        })
        .collect()
}

/// Whether a RUN names `word` (a file or directory name, a program) as a word of its own,
/// not inside another (`venv` is not named by `python3-venv`): it may make what gen cannot
/// see.
pub fn mentioned(m: &Model, word: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    !word.is_empty()
        && run_texts(m)
            .iter()
            .any(|t| t.split(|c: char| !is_name(c)).any(|w| w == word))
}

/// Commands whose effect on paths the image model follows, or that make no files.
const UNDERSTOOD: [&str; 47] = [
    "apt-get",
    "apt",
    "apk",
    "aptitude",
    "apt-mark",
    "dpkg-reconfigure",
    "rm",
    "mkdir",
    "ln",
    "cp",
    "mv",
    "touch",
    "sed",
    "echo",
    "printf",
    "tee",
    "cd",
    "useradd",
    "adduser",
    "addgroup",
    "groupadd",
    "usermod",
    "groupmod",
    "chown",
    "chmod",
    "chgrp",
    "true",
    "false",
    "set",
    "export",
    "test",
    "[",
    "find",
    "cat",
    "ls",
    "rmdir",
    "update-ca-certificates",
    "locale-gen",
    "ldconfig",
    "id",
    "virtualenv",
    ":",
    "sleep",
    "exit",
    "which",
    "command",
    "ulimit",
];

/// What RUN commands gen does not follow may have written.
#[derive(Debug, Default)]
struct Taint {
    /// A script or a shell gen cannot read ran: it may have written anywhere.
    anywhere: bool,
    /// Directories and files such commands name or run in.
    paths: Vec<String>,
}

fn taint(m: &Model) -> Taint {
    let mut t = Taint::default();
    let Some(df) = &m.dockerfile else {
        t.anywhere = true;
        return t;
    };
    for ins in df
        .parsed
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Run(_)))
    {
        let mut scripts = vec![ins.args_text.clone()];
        if let Kind::Run(crate::parse::dockerfile::Form::Exec(argv)) = &ins.kind {
            scripts = vec![argv.join(" ")];
        }
        scripts.extend(ins.heredocs.iter().map(|h| h.content.clone()));
        let mut cwd = ins.workdir.clone();
        for script in &scripts {
            for cmd in shell::simple_commands(script) {
                let words: Vec<&str> = cmd.iter().map(|w| w.value.as_str()).collect();
                let Some((&first, args)) = words.split_first() else {
                    continue;
                };
                let prog = basename(first);
                if prog == "cd" {
                    if let Some(d) = args.first() {
                        cwd = path::join(&cwd, d);
                    }
                    continue;
                }
                let understood = UNDERSTOOD.contains(&prog)
                    || (prog.starts_with("python")
                        && matches!(args, ["-m", "venv" | "pip" | "compileall", ..]))
                    || (prog.starts_with("pip")
                        && !args
                            .iter()
                            .any(|a| *a == "-e" || *a == "--editable" || a.starts_with('.')))
                    || (matches!(prog, "npm" | "yarn" | "pnpm")
                        && matches!(args.first(), Some(&("ci" | "install" | "i"))));
                if understood {
                    continue;
                }
                let script_like =
                    first.contains('/') && !prog.starts_with("pip") && !prog.starts_with("python");
                if script_like
                    || matches!(
                        prog,
                        "sh" | "bash"
                            | "ash"
                            | "dash"
                            | "zsh"
                            | "make"
                            | "cmake"
                            | "ninja"
                            | "install"
                    )
                {
                    t.anywhere = true;
                    return t;
                }
                if cwd != "/" {
                    t.paths.push(cwd.clone());
                }
                // Any operand may be a file it writes (`tar -C /opt`, `git clone url app`).
                for a in args
                    .iter()
                    .filter(|a| !a.is_empty() && !a.starts_with('-') && !a.contains("://"))
                {
                    t.paths.push(path::join(&cwd, a));
                }
            }
        }
    }
    t
}

/// Whether something gen cannot see into covers `path`: a COPY from another stage or
/// image, an ADD of a URL or archive, a VOLUME, or an opaque entry above it.
fn covered(m: &Model, path: &str) -> bool {
    let Some(df) = &m.dockerfile else {
        return true;
    };
    for ins in &df.parsed.instructions {
        match &ins.kind {
            Kind::Copy(c) | Kind::Add(c) => {
                let dest = path::clean(&c.dest_path);
                let foreign = c.from.is_some()
                    || (ins.keyword == "ADD"
                        && c.sources.iter().any(|s| {
                            s.value.contains("://")
                                || [".tar", ".tgz", ".gz", ".xz", ".bz2", ".zst"]
                                    .iter()
                                    .any(|ext| s.value.ends_with(ext))
                        }));
                if foreign && (path::is_under(path, &dest) || path::is_under(&dest, path)) {
                    return true;
                }
            }
            Kind::Volume(words)
                if words.iter().any(|w| {
                    let v = path::clean(w.value.trim_matches(['[', ']', '"', ',']));
                    path::is_under(path, &v)
                }) =>
            {
                return true;
            }
            _ => {}
        }
    }
    let mut at = path.to_owned();
    while let Some(i) = at.rfind('/').filter(|&i| i > 0) {
        at.truncate(i);
        if m.image
            .entry(&at)
            .is_some_and(|e| !matches!(e.kind, EntryKind::Dir))
        {
            return true;
        }
    }
    false
}

/// Whether a WORKDIR of the Dockerfile makes `path` (a directory) exist.
fn made_by_workdir(m: &Model, path: &str) -> bool {
    m.dockerfile.as_ref().is_some_and(|df| {
        df.parsed.instructions.iter().any(|i| match &i.kind {
            Kind::Workdir(w) => path::is_under(&w.path, path),
            _ => false,
        })
    })
}

/// Whether gen knows that nothing is at `path` (absolute) in the image, and why.
#[must_use]
pub fn known_absent(m: &Model, path: &str) -> Option<Absence> {
    m.dockerfile.as_ref()?;
    let path = path::clean(path);
    match m.image.presence(&path) {
        Presence::Present(_) | Presence::Dir => return None,
        Presence::Removed(o) => return Some(Absence::Removed(o.clone())),
        Presence::Unknown => {}
    }
    m.packaging.as_ref()?;
    let system = SYSTEM.iter().any(|d| path::is_under(&path, d));
    if system && !PACKAGE_CONFIG.iter().any(|d| path::is_under(&path, d)) {
        return None;
    }
    nothing_else_provides(m, &path).then_some(Absence::NotProvided)
}

/// Whether nothing gen cannot follow may put `path` in the image: no COPY from elsewhere,
/// volume, WORKDIR, RUN naming it, or RUN gen does not understand writing there.
fn nothing_else_provides(m: &Model, path: &str) -> bool {
    if covered(m, path) || made_by_workdir(m, path) || mentioned(m, basename(path)) {
        return false;
    }
    // A pip install whose packages gen does not all see (a local project, an editable, a
    // `-r` file it cannot read) may put any script in its environment's `bin`.
    let pip_may = m.pip_installs.iter().any(|p| {
        let prefix = p.venv.as_deref().unwrap_or("/usr/local");
        !p.complete && path::is_under(path, &format!("{}/bin", prefix.trim_end_matches('/')))
    });
    if pip_may {
        return false;
    }
    let t = taint(m);
    !(t.anywhere
        || t.paths
            .iter()
            .any(|p| path::is_under(path, p) || path::is_under(p, path)))
}

/// For a file gen cannot otherwise judge (in a system directory, say): the COPY that fills
/// its directory with other files of the project but not with it, when nothing else may
/// provide it. That COPY says the directory is the project's, so the file was meant to be
/// copied too. Not on a base image gen does not know: it may well ship the file (an
/// in-house base with nginx installed has `/etc/nginx/mime.types`).
#[must_use]
pub fn copied_beside(m: &Model, path: &str) -> Option<Origin> {
    m.dockerfile.as_ref()?;
    m.packaging.as_ref()?;
    let path = path::clean(path);
    if m.image.presence(&path) != Presence::Unknown {
        return None;
    }
    let dir = match path.rfind('/') {
        Some(0) | None => return None,
        Some(i) => &path[..i],
    };
    let sibling = m.image.iter().find_map(|(p, e)| {
        let in_dir = p.rsplit_once('/').is_some_and(|(d, _)| d == dir);
        (in_dir && matches!(e.kind, EntryKind::Local { .. })).then(|| e.origin.clone())
    })?;
    nothing_else_provides(m, &path).then_some(sibling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Files, build};

    fn model(dockerfile: &str) -> Model {
        let mut f = Files::new();
        f.insert("Dockerfile", Some(dockerfile.to_owned()));
        f.insert("a.conf", Some("[supervisord]\n".to_owned()));
        build(&f)
    }

    #[test]
    fn known_absent_table() {
        let base = "FROM ubuntu:24.04\nRUN apt-get install -y supervisor nginx\nWORKDIR /srv/app\nCOPY a.conf /etc/supervisor/conf.d/a.conf\n";
        let cases: [(&str, &str, bool); 21] = [
            ("", "/etc/supervisor/conf.d/a.conf", false),
            (
                "RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir /srv/app\n",
                "/opt/venv/bin/uvicorn",
                false,
            ),
            (
                "RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir /srv/app\n",
                "/opt/other/bin/uvicorn",
                true,
            ),
            ("", "/etc/supervisor/conf.d/b.conf", true),
            ("", "/opt/venv/bin/uvicorn", true),
            (
                "RUN apt-get install -y python3-uvicorn\n",
                "/opt/venv/bin/uvicorn",
                true,
            ),
            ("RUN echo uvicorn\n", "/opt/venv/bin/uvicorn", false),
            ("", "/srv/app", false),
            ("", "/srv", false),
            ("", "/usr/bin/perl", false),
            ("", "/etc/ssl/x.pem", false),
            (
                "RUN ./setup.sh b.conf\n",
                "/etc/supervisor/conf.d/b.conf",
                false,
            ),
            (
                "COPY --from=ghcr.io/x/venv / /opt/venv\n",
                "/opt/venv/bin/uvicorn",
                false,
            ),
            ("VOLUME /data\n", "/data/x", false),
            (
                "RUN rm -rf /etc/supervisor/conf.d\n",
                "/etc/supervisor/conf.d/a.conf",
                true,
            ),
            ("ADD https://x/y.tgz /opt/\n", "/opt/y/bin/z", false),
            (
                "RUN curl -fsSL https://x/i.sh | sh\n",
                "/opt/venv/bin/uvicorn",
                false,
            ),
            ("RUN ./install.sh\n", "/opt/venv/bin/uvicorn", false),
            (
                "RUN git clone https://x/y.git /opt/venv\n",
                "/opt/venv/bin/uvicorn",
                false,
            ),
            ("RUN npm run build\n", "/srv/app/dist/server.js", false),
            (
                "RUN curl -o /tmp/k https://x/k\n",
                "/opt/venv/bin/uvicorn",
                true,
            ),
        ];
        for (extra, path, absent) in cases {
            let m = model(&format!("{base}{extra}"));
            assert_eq!(known_absent(&m, path).is_some(), absent, "{extra}{path}");
        }
        let unknown_base = model("FROM ghcr.io/acme/base:1\n");
        assert_eq!(known_absent(&unknown_base, "/opt/venv/bin/uvicorn"), None);
    }

    #[test]
    fn copied_beside_needs_a_copied_sibling() {
        let m = model("FROM alpine:3.22\nCOPY a.conf /etc/nginx/certs/cert.pem\n");
        assert!(copied_beside(&m, "/etc/nginx/certs/key.pem").is_some());
        assert!(copied_beside(&m, "/etc/nginx/certs/cert.pem").is_none());
        assert!(copied_beside(&m, "/etc/nginx/other/key.pem").is_none());
        let m = model(
            "FROM alpine:3.22\nCOPY a.conf /etc/nginx/certs/cert.pem\nVOLUME /etc/nginx/certs\n",
        );
        assert!(copied_beside(&m, "/etc/nginx/certs/key.pem").is_none());
    }
}
