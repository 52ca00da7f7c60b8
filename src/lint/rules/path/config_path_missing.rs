//! `config-path-missing`: a file or directory that nginx's or supervisord's config names
//! is not in the image.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::absent::{Absence, copied_beside, known_absent};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::path;
use crate::model::path::{basename, parent};
use crate::model::{EntryKind, Model, Origin, Source};
use crate::parse::supervisord::{Expansions, LogFile};

declare_rule! {
    /// ## What it does
    /// Checks that the files and directories nginx and supervisord need at start are in
    /// the image.
    ///
    /// These are nginx's `include`d files (`mime.types`, site configs), its certificates and keys
    /// (`ssl_certificate`, `ssl_certificate_key`, `ssl_dhparam`...), `auth_basic_user_file`,
    /// the `root` or `alias` it serves, and the directories of supervisord's log and pid
    /// files. Reported only when gen knows the path is absent: a RUN removes it, it lies
    /// where the base image has nothing of its own and nothing may put it there, or the
    /// Dockerfile COPYs other files of the project into its directory but not this one.
    /// Paths that a volume may provide at run time (certificates mounted into
    /// `/etc/nginx/certs`, say) are not reported.
    ///
    /// ## Why is this bad?
    /// nginx refuses to start on a missing include or certificate (`[emerg] open()
    /// "/etc/nginx/conf.d/site.conf" failed (2: No such file or directory)`,
    /// `cannot load certificate`), supervisord on a missing log directory (`The directory
    /// named as part of the path ... does not exist`); under supervisord that is a restart
    /// loop ending in `FATAL`. A missing `root` answers every request with 404.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY site.conf /etc/nginx/sites-available/site.conf
    /// ```
    /// with `include /etc/nginx/conf.d/site.conf;` in nginx.conf.
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY site.conf /etc/nginx/conf.d/site.conf
    /// ```
    pub static CONFIG_PATH_MISSING = {
        code: "PATH001",
        name: "config-path-missing",
        severity: Error,
        check: check,
    }
}

/// nginx directives whose first argument is a file it opens at start.
const NGINX_FILES: [&str; 8] = [
    "include",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_trusted_certificate",
    "ssl_client_certificate",
    "ssl_dhparam",
    "ssl_password_file",
    "auth_basic_user_file",
];

/// Where the project's file of this name is copied instead.
fn copied_as(m: &Model, name: &str, not: &str) -> Option<(String, Origin)> {
    m.image.iter().find_map(|(path, e)| match &e.kind {
        EntryKind::Local { file } if basename(file) == name && path != not => {
            Some((path.to_owned(), e.origin.clone()))
        }
        _ => None,
    })
}

/// Reports `path` (named at `at`) when gen knows it is not in the image. `mountable`
/// paths (certificates, served content) are often mounted at run time: for them an empty
/// place is not enough, the Dockerfile must copy other files beside them.
fn missing(
    dir: &ContainerDir,
    path: &str,
    at: &Origin,
    what: &str,
    mountable: bool,
    out: &mut Vec<Diagnostic>,
) {
    let m = &dir.model;
    let absence = known_absent(m, path).filter(|a| !mountable || matches!(a, Absence::Removed(_)));
    let (related, reason): (Option<(Origin, String)>, &str) = match absence {
        Some(Absence::Removed(o)) => (
            Some((o, "a RUN removes it here".to_owned())),
            "a RUN removes it",
        ),
        Some(Absence::NotProvided) => (
            copied_as(m, basename(path), path).map(|(p, o)| {
                (
                    o,
                    format!("`{}` is copied to `{p}` instead", basename(path)),
                )
            }),
            "nothing copies or installs it",
        ),
        None => match copied_beside(m, path) {
            Some(o) => (
                Some((
                    o,
                    format!("the Dockerfile copies other files to `{}`", parent(path)),
                )),
                "the files beside it are copied, not it",
            ),
            None => return,
        },
    };
    let Some(primary) = dir.label(at, format!("{what} `{path}`")) else {
        return;
    };
    let mut d =
        CONFIG_PATH_MISSING.diagnostic(format!("`{path}` is not in the image: {reason}"), primary);
    if let Some((o, note)) = related {
        if let Some(l) = dir.label(&o, note) {
            d = d.with_related(l);
        }
    }
    out.push(d.with_help(format!(
        "COPY it to `{path}` in the Dockerfile, or correct the path"
    )));
}

fn check_nginx(dir: &ContainerDir, out: &mut Vec<Diagnostic>) {
    let Some(n) = &dir.model.nginx else { return };
    if n.loose {
        return;
    }
    let conf_dir = parent(&n.main.value).to_owned();
    for d in n.directives.iter().filter(|d| !d.cmdline) {
        let Some(arg) = d.arg(0) else { continue };
        if arg.contains('$') || arg.starts_with("data:") || arg.starts_with("engine:") {
            continue;
        }
        let (path, what) = if NGINX_FILES.contains(&d.name.as_str()) {
            if crate::model::glob::is_pattern(arg) {
                continue;
            }
            (path::join(&conf_dir, arg), format!("`{}` opens", d.name))
        } else if matches!(d.name.as_str(), "root" | "alias") && arg.starts_with('/') {
            (path::clean(arg), format!("`{}` serves", d.name))
        } else {
            continue;
        };
        let mountable = d.name != "include";
        missing(
            dir,
            &path,
            &d.arg_origin(0),
            &format!("nginx's {what}"),
            mountable,
            out,
        );
    }
}

fn check_supervisor(dir: &ContainerDir, out: &mut Vec<Diagnostic>) {
    let Some(sup) = &dir.model.supervisor else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    let mut log_dir = |source: &Source, path: &str, span, key: &str, out: &mut Vec<Diagnostic>| {
        let log = LogFile::Path(path.to_owned());
        if log.is_console() || path.starts_with("/dev/") || !path.starts_with('/') {
            return;
        }
        let d = parent(path).to_owned();
        if seen.contains(&d) {
            return;
        }
        seen.push(d.clone());
        missing(
            dir,
            &d,
            &source.origin(span),
            &format!("supervisord writes `{key}` in"),
            false,
            out,
        );
    };
    for f in &sup.files {
        let x = Expansions {
            env: sup.expansions.env.clone(),
            here: parent(&f.path).to_owned(),
        };
        if let Some(s) = f.parsed.supervisord(&x) {
            for (key, setting) in [("logfile", &s.logfile), ("pidfile", &s.pidfile)] {
                if let Some(v) = setting {
                    if let Some(p) = v.place {
                        log_dir(&f.source, &v.value, p.value_span, key, out);
                    }
                }
            }
        }
    }
    for p in &sup.programs {
        for (key, setting) in [
            ("stdout_logfile", &p.program.stdout_logfile),
            ("stderr_logfile", &p.program.stderr_logfile),
        ] {
            if let (Some(path), Some(place)) = (setting.value.path(), setting.place) {
                log_dir(&p.source, path, place.value_span, key, out);
            }
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        check_nginx(dir, out);
        check_supervisor(dir, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(copies: &str, nginx: &str, sup: &str) -> Vec<Diagnostic> {
        findings(
            &CONFIG_PATH_MISSING,
            &[
                (
                    "Dockerfile",
                    &format!(
                        "FROM debian:12\nRUN apt-get install -y nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY s.conf /etc/supervisor/conf.d/s.conf\n{copies}\nCMD [\"supervisord\", \"-n\"]\n"
                    ),
                ),
                ("nginx.conf", nginx),
                ("s.conf", sup),
                ("site.conf", "server { listen 80; }\n"),
                ("cert.pem", ""),
                ("key.pem", ""),
            ],
        )
    }

    #[test]
    fn missing_include_cert_root_and_log_dir() {
        let found = container(
            "COPY site.conf /etc/nginx/sites-available/site.conf\nCOPY cert.pem /etc/nginx/certs/cert.pem\nCOPY site.conf /srv/app/site.conf\nRUN rm /etc/nginx/mime.types",
            "events {}\nhttp {\n include mime.types;\n include /etc/nginx/conf.d/site.conf;\n server {\n  ssl_certificate /etc/nginx/certs/cert.pem;\n  ssl_certificate_key /etc/nginx/certs/key.pem;\n  root /srv/www;\n  location /static/ { alias /srv/app/static/; }\n }\n}\n",
            "[program:a]\ncommand=a\nstdout_logfile=/srv/logs/a.log\n",
        );
        let got: Vec<(&str, usize, &str)> = found
            .iter()
            .map(|d| {
                (
                    d.primary.file.as_str(),
                    d.primary.start.line,
                    d.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "c/nginx.conf",
                    3,
                    "`/etc/nginx/mime.types` is not in the image: a RUN removes it"
                ),
                (
                    "c/nginx.conf",
                    4,
                    "`/etc/nginx/conf.d/site.conf` is not in the image: nothing copies or installs it"
                ),
                (
                    "c/nginx.conf",
                    7,
                    "`/etc/nginx/certs/key.pem` is not in the image: the files beside it are copied, not it"
                ),
                (
                    "c/nginx.conf",
                    9,
                    "`/srv/app/static` is not in the image: the files beside it are copied, not it"
                ),
                (
                    "c/s.conf",
                    3,
                    "`/srv/logs` is not in the image: nothing copies or installs it"
                ),
            ]
        );
        assert_eq!(
            found[1].related[0].message,
            "`site.conf` is copied to `/etc/nginx/sites-available/site.conf` instead"
        );
    }

    #[test]
    fn present_mounted_or_unknown_passes() {
        let found = container(
            "COPY site.conf /etc/nginx/conf.d/site.conf\nRUN mkdir -p /srv/logs",
            "events {}\nhttp {\n include mime.types;\n include /etc/nginx/conf.d/*.conf;\n include /etc/nginx/conf.d/site.conf;\n server {\n  ssl_certificate /etc/nginx/certs/cert.pem;\n  ssl_certificate_key $key;\n  root /usr/share/nginx/html;\n }\n}\n",
            "[supervisord]\nlogfile=/var/log/supervisor/s.log\n[program:a]\ncommand=a\nstdout_logfile=/srv/logs/a.log\nstderr_logfile=/dev/stderr\n",
        );
        assert_eq!(found, []);
    }

    /// On a base image gen does not know (an in-house one with nginx installed), the files
    /// of `/etc/nginx` beside the copied `nginx.conf` may all be the base's: silent. The
    /// same config on a known base without them is reported.
    #[test]
    fn an_unknown_base_may_ship_what_is_beside_a_copied_file() {
        let nginx =
            "events {}\nhttp {\n include /etc/nginx/mime.types;\n server { listen 80; }\n}\n";
        let run = |from: &str| {
            findings(
                &CONFIG_PATH_MISSING,
                &[
                    (
                        "Dockerfile",
                        &format!(
                            "FROM {from}\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
                        ),
                    ),
                    ("nginx.conf", nginx),
                ],
            )
        };
        assert_eq!(run("example.org/team/python-nginx-base"), []);
        let known = run("debian:12");
        assert_eq!(
            known.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
            ["`/etc/nginx/mime.types` is not in the image: the files beside it are copied, not it"]
        );
    }
}
