//! `supervisord-behind-shell`: a shell that does not `exec` stands between PID 1's signals
//! and supervisord.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::fix::text;
use crate::lint::analysis::launch::{Via, launch};
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that supervisord gets the signals the container gets.
    ///
    /// That is: started by the exec form of CMD/ENTRYPOINT, or by a shell or script that
    /// `exec`s it, or behind an init such as `tini`.
    ///
    /// ## Why is this bad?
    /// The shell form (`CMD supervisord -n`) runs `/bin/sh -c`, and a wrapper script runs
    /// supervisord as its child unless it `exec`s it. The shell is then PID 1: `docker
    /// stop` sends SIGTERM to the shell, which neither passes it on nor exits, so Docker
    /// waits its whole timeout (10 s) and kills everything with SIGKILL. supervisord never
    /// stops its programs: no graceful shutdown for nginx or the app, and requests in
    /// flight are cut off.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD supervisord -n -c /etc/supervisord.conf
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["supervisord", "-n", "-c", "/etc/supervisord.conf"]
    /// ```
    /// or, in an entrypoint script, `exec supervisord -n -c /etc/supervisord.conf`.
    pub static SUPERVISORD_BEHIND_SHELL = {
        code: "PROC004",
        name: "supervisord-behind-shell",
        severity: Warning,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let m = &dir.model;
        let Some(first) = m
            .supervisor
            .as_ref()
            .and_then(|s| s.command.as_ref())
            .and_then(|c| c.first())
        else {
            continue;
        };
        let Some(l) = launch(m, first) else { continue };
        if l.execd || l.init {
            continue;
        }
        let (message, note, help) = match &l.via {
            Via::ExecForm => continue,
            Via::ShellForm { keyword } => (
                format!(
                    "shell-form `{keyword}` runs supervisord under `/bin/sh -c`, which does not pass `docker stop`'s signal on"
                ),
                "run by `/bin/sh -c`, not as PID 1".to_owned(),
                format!(
                    "write `{keyword}` in the exec form (`{keyword} [\"supervisord\", ...]`), or start it with `exec supervisord`"
                ),
            ),
            Via::ShellC => (
                "`sh -c` runs supervisord without `exec`: the shell does not pass `docker stop`'s signal on".to_owned(),
                "run as a child of the shell".to_owned(),
                "start it with `exec supervisord ...` so that it replaces the shell".to_owned(),
            ),
            Via::Script { file } => {
                let name = file.rsplit('/').next().unwrap_or(file);
                (
                    format!(
                        "`{name}` runs supervisord without `exec`: the script does not pass `docker stop`'s signal on"
                    ),
                    "run as a child of the script".to_owned(),
                    format!(
                        "write `exec` in front of the command in `{name}`, so that supervisord replaces the shell"
                    ),
                )
            }
        };
        // Behind `"$@"` the place to fix is the script's line; the command is in CMD.
        let primary_origin = if matches!(l.via, Via::Script { .. }) {
            &l.at
        } else {
            &first.origin
        };
        let primary = dir.label_or(primary_origin, "Dockerfile", note);
        let mut d = SUPERVISORD_BEHIND_SHELL.diagnostic(message, primary);
        if primary_origin != &first.origin {
            if let Some(r) = dir.label(&first.origin, "supervisord is this command") {
                d = d.with_related(r);
            }
        }
        // `exec` in front of the command (of `"$@"` in a script): the shell becomes
        // supervisord. Unsafe when the shell has more to run after it, which never runs then.
        let edit = text::local(dir, primary_origin)
            .map(|(file, text, span)| Edit::insert(file, text, span.start, "exec "));
        let title = "start supervisord with `exec`";
        let fix = edit.map(|e| {
            if l.last {
                Fix::safe(title, vec![e])
            } else {
                Fix::unsafe_(title, vec![e])
            }
        });
        out.push(d.with_help(help).with_fix(fix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(cmd: &str, script: &str) -> Vec<Diagnostic> {
        findings(
            &SUPERVISORD_BEHIND_SHELL,
            &[
                (
                    "Dockerfile",
                    &format!(
                        "FROM alpine:3.22\nRUN apk add supervisor\nCOPY start.sh /usr/local/bin/start.sh\n{cmd}\n"
                    ),
                ),
                ("start.sh", script),
            ],
        )
    }

    #[test]
    fn shells_without_exec_warn() {
        let found = container("CMD supervisord -n", "");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "shell-form `CMD` runs supervisord under `/bin/sh -c`, which does not pass `docker stop`'s signal on"
        );
        assert_eq!(found[0].primary.start.line, 4);
        let found = container(
            "CMD [\"start.sh\"]",
            "#!/bin/sh\nmkdir -p /run/x\nsupervisord -n\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].primary.file.as_str(), found[0].primary.start.line),
            ("c/start.sh", 3)
        );
        let found = container(
            "ENTRYPOINT [\"start.sh\"]\nCMD [\"supervisord\", \"-n\"]",
            "#!/bin/sh\n\"$@\"\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].primary.file, "c/start.sh");
        assert_eq!(found[0].related[0].file, "c/Dockerfile");
    }

    #[test]
    fn exec_and_inits_pass() {
        let cases = [
            ("CMD [\"supervisord\", \"-n\"]", ""),
            ("CMD exec supervisord -n", ""),
            (
                "CMD [\"start.sh\"]",
                "#!/bin/sh\nset -e\nexec /usr/bin/supervisord -n\n",
            ),
            (
                "ENTRYPOINT [\"start.sh\"]\nCMD [\"supervisord\", \"-n\"]",
                "#!/bin/sh\nexec \"$@\"\n",
            ),
            ("ENTRYPOINT [\"tini\", \"--\"]\nCMD supervisord -n", ""),
        ];
        for (cmd, script) in cases {
            assert_eq!(container(cmd, script), [], "{cmd}");
        }
    }
}
