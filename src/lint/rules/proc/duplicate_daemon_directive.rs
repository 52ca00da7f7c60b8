//! `duplicate-daemon-directive`: `daemon` given twice, on nginx's command line and in its
//! config, or twice in the config.

use super::nginx_daemonizes::{cmdline_daemons, config_daemons};
use crate::diagnostic::{Diagnostic, Fix};
use crate::fix::text;
use crate::lint::{Context, declare_rule};
use crate::model::NginxDirective;

declare_rule! {
    /// ## What it does
    /// Checks that nginx gets the `daemon` directive once.
    ///
    /// Either with `-g 'daemon off;'` on its command line or in the main context of its
    /// config, not in both, and not twice in the config (its includes followed).
    ///
    /// ## Why is this bad?
    /// `daemon` may appear once. nginx reads `-g` before the config, and refuses to start
    /// on the second one: `nginx: [emerg] "daemon" directive is duplicate in
    /// /etc/nginx/nginx.conf:3`. Under supervisord that is a restart loop ending in
    /// `FATAL`; the container serves nothing.
    ///
    /// ## Example
    /// ```ini
    /// [program:nginx]
    /// command=nginx -g 'daemon off;'   ; and nginx.conf also says `daemon off;`
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// [program:nginx]
    /// command=nginx   ; `daemon off;` in nginx.conf only
    /// ```
    pub static DUPLICATE_DAEMON_DIRECTIVE = {
        code: "PROC002",
        name: "duplicate-daemon-directive",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(n) = &dir.model.nginx else { continue };
        let conf = config_daemons(n);
        let mut sequences: Vec<Vec<&NginxDirective>> = n
            .commands
            .iter()
            .map(|c| {
                let mut all = cmdline_daemons(n, c);
                all.extend(conf.iter().copied());
                all
            })
            .collect();
        sequences.push(conf.clone());
        let mut seen: Vec<(crate::model::Origin, crate::model::Origin)> = Vec::new();
        for seq in sequences {
            let [first, second, ..] = seq.as_slice() else {
                continue;
            };
            let key = (first.origin(), second.origin());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let in_config = !second.cmdline;
            let (message, help) = if first.cmdline {
                (
                    "`daemon` is given with `-g` and again in the config: nginx refuses to start",
                    "keep one: drop `daemon` from the config, or `-g 'daemon off;'` from the command",
                )
            } else {
                (
                    "`daemon` is given twice in the config: nginx refuses to start",
                    "keep one `daemon off;` in the main context",
                )
            };
            let note = if in_config {
                "\"daemon\" directive is duplicate"
            } else {
                "given again here"
            };
            let Some(primary) = dir.label(&second.origin(), note) else {
                continue;
            };
            let mut d = DUPLICATE_DAEMON_DIRECTIVE.diagnostic(message, primary);
            let first_note = if first.cmdline {
                "first given here, with `-g`"
            } else {
                "first given here"
            };
            if let Some(l) = dir.label(&first.origin(), first_note) {
                d = d.with_related(l);
            }
            // The repeat in the config goes, line and all; safe when the `daemon` kept
            // is `off`, which a container needs.
            let edit = (!second.cmdline)
                .then(|| text::local_span(dir, &second.source, second.span))
                .flatten()
                .and_then(|(file, text, span)| text::delete_lines(file, text, span));
            let fix = edit.map(|e| {
                let title = "remove the repeated `daemon`";
                if first.arg(0) == Some("off") {
                    Fix::safe(title, vec![e])
                } else {
                    Fix::unsafe_(title, vec![e])
                }
            });
            out.push(d.with_help(help).with_fix(fix));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(command: &str, conf: &str) -> Vec<Diagnostic> {
        let sup = format!("[supervisord]\nnodaemon=true\n[program:nginx]\ncommand={command}\n");
        findings(
            &DUPLICATE_DAEMON_DIRECTIVE,
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY s.conf /etc/supervisord.conf\nCMD [\"supervisord\"]\n",
                ),
                ("nginx.conf", conf),
                ("s.conf", &sup),
            ],
        )
    }

    #[test]
    fn cmdline_and_config() {
        let found = container("nginx -g 'daemon off;'", "daemon off;\nevents {}\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].primary.file, "c/nginx.conf");
        assert_eq!(found[0].related[0].file, "c/s.conf");
        assert_eq!(found[0].related[0].start.line, 4);
    }

    #[test]
    fn twice_in_the_config_through_an_include() {
        let found = findings(
            &DUPLICATE_DAEMON_DIRECTIVE,
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add nginx\nCOPY nginx.conf main.conf /etc/nginx/\nCMD [\"nginx\"]\n",
                ),
                ("nginx.conf", "include main.conf;\ndaemon off;\nevents {}\n"),
                ("main.conf", "daemon off;\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].primary.file, "c/nginx.conf");
        assert_eq!(found[0].related[0].file, "c/main.conf");
    }

    #[test]
    fn once_passes() {
        assert_eq!(container("nginx -g 'daemon off;'", "events {}\n"), []);
        assert_eq!(container("nginx", "daemon off;\nevents {}\n"), []);
        // Inside `http`, `daemon` is another error (not allowed here), not this one.
        assert_eq!(
            container(
                "nginx -g 'daemon off;'",
                "events {}\nhttp { daemon off; }\n"
            ),
            []
        );
    }
}
