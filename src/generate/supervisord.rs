//! supervisord.conf: supervisord in the foreground as PID 1, nginx and the app as programs
//! logging to the container's stdout/stderr, and an event listener that stops the container
//! when a program fails for good.
//!
//! Written line by line rather than with an INI library: every section and key is written
//! once (the spec refuses two programs of one name and the names of gen's own), values are
//! written as they are (supervisord has no escapes), so all a library adds is its ordered
//! map, which cost some 150 K instructions a file on every `gen check` (that renders the
//! spec to compare it with `generated/`).

use super::Layout;
use super::env;

/// The file being written: `[section]` headers, `key=value` lines, a blank line between
/// sections.
struct Conf {
    text: String,
}

impl Conf {
    fn section(&mut self, name: &str) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push('[');
        self.text.push_str(name);
        self.text.push_str("]\n");
        self
    }

    fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.text.push_str(key);
        self.text.push('=');
        self.text.push_str(value);
        self.text.push('\n');
        self
    }
}

/// Sets the keys every program shares, after its own: its start order (`priority`),
/// started with supervisord and restarted, stopped with `signal` within `stopwait` seconds
/// (with its children when `group`), and logs to the container's stdout/stderr (with
/// `maxbytes=0`, since those cannot be rotated).
fn supervised(s: &mut Conf, priority: &str, signal: &str, stopwait: &str, group: bool) {
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
    let mut ini = Conf {
        text: String::with_capacity(1536),
    };
    ini.section("supervisord")
        .set("nodaemon", "true")
        .set("user", "root")
        .set("logfile", "/dev/null")
        .set("logfile_maxbytes", "0")
        .set("pidfile", "/run/supervisord.pid");
    ini.section("unix_http_server")
        .set("file", "/run/supervisor.sock")
        .set("chmod", "0700");
    ini.section("rpcinterface:supervisor").set(
        "supervisor.rpcinterface_factory",
        "supervisor.rpcinterface:make_main_rpcinterface",
    );
    ini.section("supervisorctl")
        .set("serverurl", "unix:///run/supervisor.sock");

    let app = ini.section("program:app");
    app.set("command", &l.app_command())
        .set("directory", l.app_dir)
        .set("user", c.app.user.as_str())
        // Only the address is fixed here (loopback: nginx is the only way in); the port and
        // the other settings come from the image's environment (ENV, `docker run -e`).
        .set("environment", &l.app_environment());
    supervised(app, "10", "TERM", &stopwait, true);

    let nginx = ini.section("program:nginx");
    nginx
        // `-e stderr`: nginx opens its compiled-in error log before reading the config;
        // this keeps it off the (possibly read-only) filesystem.
        .set(
            "command",
            // The entrypoint sets the config's path: the image's, or its copy with the
            // configuration variables applied.
            &format!("{} -e stderr -c %(ENV_{})s", l.nginx_bin, env::NGINX_CONF),
        );
    supervised(nginx, "20", "QUIT", &stopwait, false);

    // The project's programs, with the settings gen gives its own: in the foreground (the
    // spec refuses a command known to daemonize), logging to the container's output,
    // restarted, stopped with TERM with their children within the stop timeout. They start
    // after nginx and the app, and stop before them.
    for p in &c.programs {
        let s = ini.section(&format!("program:{}", p.name));
        // supervisord expands `%(name)s` in these values: a literal `%` is written `%%`.
        s.set("command", &p.command.replace('%', "%%"))
            .set("directory", p.directory.as_deref().unwrap_or(l.app_dir))
            .set("user", p.user.as_str());
        if !p.environment.is_empty() {
            let env: Vec<String> = p
                .environment
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('%', "%%")))
                .collect();
            s.set("environment", &env.join(","));
        }
        supervised(s, "30", "TERM", &stopwait, true);
    }

    ini.section("eventlistener:exit-on-fatal")
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

    format!("; {}\n\n{}", l.header, ini.text)
}
