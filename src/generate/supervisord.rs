//! supervisord.conf, written with rust-ini: supervisord in the foreground as PID 1, nginx and
//! the app as programs logging to the container's stdout/stderr, and an event listener that
//! stops the container when a program fails for good.

use super::Layout;
use super::env;
use ini::{EscapePolicy, Ini, LineSeparator, WriteOption};

/// Sets the keys every program shares, after its own: its start order (`priority`),
/// started with supervisord and restarted, stopped with `signal` within `stopwait` seconds
/// (with its children when `group`), and logs to the container's stdout/stderr (with
/// `maxbytes=0`, since those cannot be rotated).
fn supervised(
    s: &mut ini::SectionSetter<'_>,
    priority: &str,
    signal: &str,
    stopwait: &str,
    group: bool,
) {
    s.set("priority", priority)
        .set("autostart", "true")
        .set("autorestart", "true")
        .set("startsecs", "2")
        .set("startretries", "3")
        .set("stopsignal", signal)
        .set("stopwaitsecs", stopwait);
    if group {
        s.set("stopasgroup", "true").set("killasgroup", "true");
    }
    s.set("stdout_logfile", "/dev/stdout")
        .set("stdout_logfile_maxbytes", "0")
        .set("stderr_logfile", "/dev/stderr")
        .set("stderr_logfile_maxbytes", "0");
}

pub fn render(l: &Layout<'_>) -> String {
    let c = l.c;
    let stopwait = c.stopwaitsecs().to_string();
    let mut ini = Ini::new();
    ini.with_section(Some("supervisord"))
        .set("nodaemon", "true")
        .set("user", "root")
        .set("logfile", "/dev/null")
        .set("logfile_maxbytes", "0")
        .set("pidfile", "/run/supervisord.pid");
    ini.with_section(Some("unix_http_server"))
        .set("file", "/run/supervisor.sock")
        .set("chmod", "0700");
    ini.with_section(Some("rpcinterface:supervisor")).set(
        "supervisor.rpcinterface_factory",
        "supervisor.rpcinterface:make_main_rpcinterface",
    );
    ini.with_section(Some("supervisorctl"))
        .set("serverurl", "unix:///run/supervisor.sock");

    let mut app = ini.with_section(Some("program:app"));
    app.set("command", l.app_command())
        .set("directory", l.app_dir)
        .set("user", c.app.user.as_str())
        // Only the address is fixed here (loopback: nginx is the only way in); the port and
        // the other settings come from the image's environment (ENV, `docker run -e`).
        .set("environment", l.app_environment());
    supervised(&mut app, "10", "TERM", &stopwait, true);

    let mut nginx = ini.with_section(Some("program:nginx"));
    nginx
        // `-e stderr`: nginx opens its compiled-in error log before reading the config;
        // this keeps it off the (possibly read-only) filesystem.
        .set(
            "command",
            // The entrypoint sets the config's path: the image's, or its copy with the
            // configuration variables applied.
            format!("{} -e stderr -c %(ENV_{})s", l.nginx_bin, env::NGINX_CONF),
        );
    supervised(&mut nginx, "20", "QUIT", &stopwait, false);

    // The project's programs, with the settings gen gives its own: in the foreground (the
    // spec refuses a command known to daemonize), logging to the container's output,
    // restarted, stopped with TERM with their children within the stop timeout. They start
    // after nginx and the app, and stop before them.
    for p in &c.programs {
        let mut s = ini.with_section(Some(format!("program:{}", p.name)));
        // supervisord expands `%(name)s` in these values: a literal `%` is written `%%`.
        s.set("command", p.command.replace('%', "%%"))
            .set("directory", p.directory.as_deref().unwrap_or(l.app_dir))
            .set("user", p.user.as_str());
        if !p.environment.is_empty() {
            let env: Vec<String> = p
                .environment
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('%', "%%")))
                .collect();
            s.set("environment", env.join(","));
        }
        supervised(&mut s, "30", "TERM", &stopwait, true);
    }

    ini.with_section(Some("eventlistener:exit-on-fatal"))
        .set(
            "command",
            "/bin/sh -c 'printf \"READY\\n\"; read -r header; echo \"gen: a program failed for good ($header), stopping the container\" >&2; kill -TERM \"$PPID\"'",
        )
        .set("events", "PROCESS_STATE_FATAL")
        // The shell waiting in `read` ends on the first TERM; said, so that the stop chain's
        // arithmetic (and gen check's TIME001) does not count supervisord's default 10 s.
        .set("stopwaitsecs", "2")
        .set("stderr_logfile", "/dev/stderr")
        .set("stderr_logfile_maxbytes", "0");

    let mut buf = Vec::new();
    let opt = WriteOption {
        escape_policy: EscapePolicy::Nothing,
        line_separator: LineSeparator::CR,
        kv_separator: "=",
    };
    // Writing to a Vec cannot fail.
    let _ = ini.write_to_opt(&mut buf, opt);
    let body = String::from_utf8_lossy(&buf);
    format!("; {}\n\n{}", l.header, body)
}
