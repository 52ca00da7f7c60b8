//! `nginx-daemonizes`: supervisord (or PID 1) starts nginx, and nothing turns its
//! daemonizing off.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text;
use crate::lint::analysis::launch::launch;
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::{Nginx, NginxCommand, NginxDirective};

declare_rule! {
    /// ## What it does
    /// Checks that nginx started by supervisord (or as PID 1) stays in the foreground.
    ///
    /// That is `daemon off`, given with `-g 'daemon off;'` on its command line or in the
    /// main context of the config it loads (its includes followed).
    ///
    /// ## Why is this bad?
    /// By default nginx forks into the background and the process that was started exits
    /// at once. supervisord takes that for a crash and starts nginx again; the new one
    /// cannot bind the port the first one still holds (`bind() to 0.0.0.0:80 failed
    /// (98: Address already in use)`), and supervisord restarts it until it gives up with
    /// `FATAL`, while the first nginx runs on unsupervised. As PID 1, a forking nginx ends
    /// the container the moment it starts.
    ///
    /// ## Example
    /// ```ini
    /// [program:nginx]
    /// command=/usr/sbin/nginx
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:nginx]
    /// command=/usr/sbin/nginx -g 'daemon off;'
    /// ```
    /// or `daemon off;` at the top of nginx.conf (one of the two, not both).
    pub static NGINX_DAEMONIZES = {
        code: "PROC001",
        name: "nginx-daemonizes",
        severity: Error,
        check: check,
    }
}

/// The `daemon` directives `-g` of this command gives, in order.
pub(crate) fn cmdline_daemons<'n>(n: &'n Nginx, c: &NginxCommand) -> Vec<&'n NginxDirective> {
    let Some((file, span)) = c.globals.as_ref().and_then(|g| g.origin.file_span()) else {
        return Vec::new();
    };
    n.directives
        .iter()
        .filter(|d| d.cmdline && d.parent.is_none() && d.name == "daemon")
        .filter(|d| {
            d.origin()
                .file_span()
                .is_some_and(|(f, s)| f == file && span.start <= s.start && s.end <= span.end)
        })
        .collect()
}

/// The `daemon` directives of the config files, in the order nginx reads them.
pub(crate) fn config_daemons(n: &Nginx) -> Vec<&NginxDirective> {
    n.directive("daemon")
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| !d.cmdline)
        .collect()
}

/// A label on the main config nginx loads: its first directive, or its start.
fn main_label(dir: &ContainerDir, n: &Nginx, message: String) -> Option<crate::diagnostic::Label> {
    let main = n.files.first()?;
    let first = n
        .directives
        .iter()
        .find(|d| !d.cmdline && d.source == main.source)
        .map_or_else(
            || main.source.origin(crate::parse::span::Span::default()),
            |d| d.source.origin(d.name_span),
        );
    dir.label(&first, message)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(n) = &m.nginx else { continue };
        // Without the whole config, a `daemon off;` gen cannot see may be there.
        if n.loose || n.files.is_empty() || !n.unknown_files.is_empty() {
            continue;
        }
        let conf = config_daemons(n);
        for c in &n.commands {
            let Some(first_word) = c.argv.first() else {
                continue;
            };
            if c.program.is_none() {
                // Only nginx that PID 1 ends with (itself, `exec`ed, or the last command
                // of its shell); a script may start it as a daemon on purpose before it
                // runs something else.
                let pid1 = launch(m, first_word).is_some_and(|l| l.execd || l.last);
                if !pid1 {
                    continue;
                }
            }
            let globals = cmdline_daemons(n, c);
            if globals.is_empty()
                && c.globals
                    .as_ref()
                    .is_some_and(|g| g.value.contains("daemon"))
            {
                // `-g` says something about `daemon` that gen could not place.
                continue;
            }
            let first = globals.first().or_else(|| conf.first()).copied();
            if first.is_some_and(|d| d.arg(0) == Some("off")) {
                continue;
            }
            let main = &n.main.value;
            let (message, note) = match &c.program {
                Some(p) => (
                    format!("nginx is started by supervisord without `daemon off` (program `{p}`)"),
                    "nginx forks into the background from here".to_owned(),
                ),
                None => (
                    "nginx is PID 1 without `daemon off`".to_owned(),
                    "nginx forks into the background and PID 1 exits".to_owned(),
                ),
            };
            let primary = dir.label_or(&first_word.origin, "Dockerfile", note);
            let mut d = NGINX_DAEMONIZES.diagnostic(message, primary);
            match first {
                Some(on) => {
                    if let Some(l) = dir.label(&on.origin(), "`daemon on` keeps it forking") {
                        d = d.with_related(l);
                    }
                }
                None => {
                    if let Some(l) = main_label(
                        dir,
                        n,
                        format!("nginx loads `{main}`: no `daemon off;` in it or its includes"),
                    ) {
                        d = d.with_related(l);
                    }
                }
            }
            let help = match &c.program {
                Some(p) => format!(
                    "add `-g 'daemon off;'` to the `command=` of `[program:{p}]`, or `daemon off;` to the main context of `{main}` (one of the two, not both)"
                ),
                None => format!(
                    "run `nginx -g 'daemon off;'`, or add `daemon off;` to the main context of `{main}`"
                ),
            };
            out.push(d.with_help(help).with_fix(fix(dir, n, c, first)));
        }
    }
}

/// `daemon on` turned off where it is written; else `-g 'daemon off;'` after the nginx of
/// a supervisord program's command (when it has no `-g` yet, and no single quote around it
/// would cut the new one); else `daemon off;` as the first directive of the main config.
fn fix(
    dir: &ContainerDir,
    n: &Nginx,
    c: &NginxCommand,
    on: Option<&NginxDirective>,
) -> Option<Fix> {
    if let Some(on) = on {
        let arg = on.args.first()?;
        let (file, text, span) = text::local_span(dir, &on.source, arg.span)?;
        let edit = text::replace_checked(file, text, span, "on", "off")?;
        return Some(Fix::safe("set `daemon off`", vec![edit]));
    }
    let word = c.argv.first()?;
    if c.program.is_some() && c.globals.is_none() {
        if let Some((file, text, span)) = text::local(dir, &word.origin) {
            let before = text.get(text::line_start(text, span.start)..span.start)?;
            if text.get(span.start..span.end) == Some(word.value.as_str()) && !before.contains('\'')
            {
                let edit = Edit::insert(file, text, span.end, " -g 'daemon off;'");
                return Some(Fix::safe(
                    "add `-g 'daemon off;'` to the command",
                    vec![edit],
                ));
            }
        }
    }
    // A `daemon` in the config would repeat one given with `-g` to another nginx command.
    let given = n.commands.iter().flat_map(|c| &c.globals);
    if given.into_iter().any(|g| g.value.contains("daemon")) {
        return None;
    }
    let main = n.files.first()?;
    if !matches!(main.source, crate::model::Source::Local(_)) {
        // The image's own config: `-g` on the command PID 1 runs, when it has none yet.
        if c.program.is_some() || c.globals.is_some() {
            return None;
        }
        let (file, text, span) = text::local(dir, &word.origin)?;
        let edit = text::after_word(file, text, span, &["-g", "daemon off;"], "-g 'daemon off;'")?;
        return Some(Fix::safe(
            "add `-g 'daemon off;'` to the command",
            vec![edit],
        ));
    }
    let (file, text, _) = text::local_span(dir, &main.source, crate::parse::span::Span::default())?;
    // After the comments that head the file, before its first directive.
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !(t.is_empty() || t.starts_with('#')) {
            break;
        }
        at += line.len();
    }
    let edit = Edit::insert(file, text, at, format!("daemon off;{}", text::eol(text)));
    Some(Fix::safe(
        format!("add `daemon off;` to `{}`", n.main.value),
        vec![edit],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    #[test]
    fn nginx_program_without_daemon_off() {
        let files = [
            (
                "Dockerfile",
                "FROM debian:12\nRUN apt-get install -y nginx supervisor\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCMD [\"supervisord\", \"-n\"]\n",
            ),
            ("s.conf", "[program:nginx]\ncommand=/usr/sbin/nginx\n"),
        ];
        let found = findings(&NGINX_DAEMONIZES, &files);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].primary.file, "c/s.conf");
        assert_eq!(found[0].primary.start.line, 2);
        assert_eq!(
            found[0].related[0].file,
            "/etc/nginx/nginx.conf (packaged by debian)"
        );
    }

    #[test]
    fn daemon_off_anywhere_passes_and_unknown_configs_are_not_judged() {
        let cases = [
            "[program:nginx]\ncommand=nginx -g 'daemon off;'\n",
            "[program:nginx]\ncommand=nginx -c /etc/nginx/own.conf\n",
        ];
        for conf in cases {
            let files = [
                (
                    "Dockerfile",
                    "FROM debian:12\nRUN apt-get install -y nginx supervisor\nCOPY own.conf /etc/nginx/own.conf\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("s.conf", conf),
                ("own.conf", "daemon off;\nevents {}\n"),
            ];
            assert_eq!(findings(&NGINX_DAEMONIZES, &files), [], "{conf}");
        }
        let edited = [
            (
                "Dockerfile",
                "FROM debian:12\nRUN apt-get install -y nginx supervisor && echo 'daemon off;' >> /etc/nginx/nginx.conf\nCOPY s.conf /etc/supervisor/conf.d/s.conf\nCMD [\"supervisord\", \"-n\"]\n",
            ),
            ("s.conf", "[program:nginx]\ncommand=nginx\n"),
        ];
        assert_eq!(findings(&NGINX_DAEMONIZES, &edited), []);
    }

    #[test]
    fn pid1_nginx_and_daemon_on() {
        let files = [
            (
                "Dockerfile",
                "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n",
            ),
            ("nginx.conf", "daemon on;\nevents {}\n"),
        ];
        let found = findings(&NGINX_DAEMONIZES, &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "nginx is PID 1 without `daemon off`");
        assert_eq!(
            (found[0].primary.file.as_str(), found[0].primary.start.line),
            ("c/Dockerfile", 3)
        );
        assert_eq!(found[0].related[0].message, "`daemon on` keeps it forking");
        // A script that starts nginx as a daemon before its real work is left alone.
        let script = [
            (
                "Dockerfile",
                "FROM nginx:1.27\nCOPY start.sh /start.sh\nCMD [\"/start.sh\"]\n",
            ),
            ("start.sh", "#!/bin/sh\nnginx\nexec sleep infinity\n"),
        ];
        assert_eq!(findings(&NGINX_DAEMONIZES, &script), []);
        // Behind an entrypoint that `exec`s the CMD, nginx is PID 1 all the same.
        let entrypoint = [
            (
                "Dockerfile",
                "FROM nginx:1.27\nCOPY start.sh /start.sh\nENTRYPOINT [\"/start.sh\"]\nCMD [\"nginx\"]\n",
            ),
            ("start.sh", "#!/bin/sh\nexec \"$@\"\n"),
        ];
        assert_eq!(findings(&NGINX_DAEMONIZES, &entrypoint).len(), 1);
    }
}
