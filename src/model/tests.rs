//! Models of whole container directories: the two generated containers, the hand-written
//! projects under tests/fixtures/projects, and in-memory fixtures for the corners.

use super::runtime::Server;
use super::*;
use std::path::Path;

/// Reads a container directory (tests only: the model itself never reads the disk).
fn dir(rel: &str) -> Files {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let mut files = Files::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(&root)
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned();
                files.insert(&name, std::fs::read_to_string(&path).ok());
            }
        }
    }
    files
}

fn mem(files: &[(&str, &str)]) -> Files {
    files.iter().copied().collect()
}

/// What an origin points at, for compact assertions: `file:text` or the description.
fn shown(m: &Model, o: &Origin) -> String {
    match o {
        Origin::File { file, span } => {
            let text = m.files.text(file).unwrap_or("");
            format!("{file}:{}", text.get(span.start..span.end).unwrap_or("?"))
        }
        Origin::Packaged { distro, path, span } => {
            let text = m.packaged_text(path).unwrap_or("");
            format!(
                "{distro}:{path}:{}",
                text.get(span.start..span.end).unwrap_or("?")
            )
        }
        Origin::Default { what } | Origin::Assumed { what } => format!("({what})"),
    }
}

fn listens(app: &App) -> Vec<String> {
    app.listens
        .iter()
        .map(|l| match (&l.host, &l.port, &l.unix) {
            (_, _, Some(u)) => format!("unix:{}", u.value),
            (h, p, None) => format!(
                "{}:{}",
                h.as_ref().map_or("?", |h| h.value.as_str()),
                p.as_ref().map_or("?", |p| p.value.as_str())
            ),
        })
        .collect()
}

fn proxies(n: &Nginx) -> Vec<String> {
    n.proxies
        .iter()
        .map(|p| match &p.target {
            Target::Tcp { host, port, .. } => format!(
                "{} {host}:{}",
                p.kind,
                port.map_or("?".to_owned(), |p| p.to_string())
            ),
            Target::Unix { path } => format!("{} unix:{path}", p.kind),
            Target::Upstream { name } => format!("{} upstream {name}", p.kind),
            Target::Variable(v) => format!("{} {v}", p.kind),
        })
        .collect()
}

fn listeners(n: &Nginx) -> Vec<String> {
    n.listeners
        .iter()
        .map(|l| match &l.addr {
            ListenAddr::Tcp { host, port } => format!("{}:{port}", host.as_deref().unwrap_or("*")),
            ListenAddr::Unix(p) => format!("unix:{p}"),
            ListenAddr::Invalid(t) => format!("invalid {t}"),
        })
        .collect()
}

#[test]
fn generated_fastapi_container() {
    let m = build(&dir("generated/fastapi-nginx"));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(
        m.packaging.as_ref().map(|p| p.value),
        Some(Packaging::Distro(crate::spec::Distro::Ubuntu))
    );
    assert_eq!(m.workdir.value, "/app");
    assert_eq!(m.image.local_file("/app/app.py"), Some("app.py"));
    assert_eq!(
        m.image.local_file("/etc/supervisor/supervisord.conf"),
        Some("supervisord.conf")
    );
    assert!(matches!(
        m.image.presence("/etc/nginx/sites-enabled/default"),
        Presence::Removed(_)
    ));
    assert!(m.image.entry("/opt/venv/bin/python").is_some());
    assert_eq!(
        m.env_value("PATH"),
        Some("/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    );
    let argv: Vec<&str> = m.argv.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(
        argv,
        [
            "/usr/local/bin/gen-entrypoint",
            "/usr/bin/supervisord",
            "-c",
            "/etc/supervisor/supervisord.conf"
        ]
    );
    assert_eq!(m.env_value("APP_PORT"), Some("8000"));
    assert_eq!(m.env_value("NGINX_CONF"), Some("/etc/nginx/nginx.conf"));
    let expose: Vec<Option<(u16, u16)>> = m.expose.iter().map(|e| e.value.ports).collect();
    assert_eq!(expose, [Some((80, 80))]);

    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisor/supervisord.conf");
    assert_eq!(
        shown(&m, &s.config.origin),
        "Dockerfile:\"/etc/supervisor/supervisord.conf\""
    );
    assert_eq!(s.files.len(), 1);
    assert!(s.nodaemon().value);
    assert_eq!(shown(&m, &s.nodaemon().origin), "supervisord.conf:true");
    let names: Vec<&str> = s.programs.iter().map(|p| p.program.name.as_str()).collect();
    assert_eq!(names, ["app", "nginx", "exit-on-fatal"]);

    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(n.main.value, "/etc/nginx/nginx.conf");
    assert_eq!(n.commands.len(), 1);
    assert_eq!(n.commands[0].program.as_deref(), Some("nginx"));
    assert_eq!(listeners(n), ["*:80"]);
    assert_eq!(
        proxies(n),
        [
            "server 127.0.0.1:8000",
            "proxy_pass upstream app",
            "proxy_pass upstream app"
        ]
    );
    let loc = n.proxies[1]
        .location
        .and_then(|l| n.directives.get(l))
        .expect("location");
    assert_eq!(
        loc.args
            .iter()
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>(),
        ["=", "/healthz"]
    );
    assert_eq!(n.upstreams[0].servers, [0]);
    assert_eq!(shown(&m, &n.proxies[0].origin), "nginx.conf:127.0.0.1:8000");
    assert_eq!(n.directive("daemon").len(), 1);

    assert_eq!(m.apps.len(), 1);
    let app = &m.apps[0];
    assert_eq!(app.program.as_deref(), Some("app"));
    assert_eq!(app.runtime, Server::Uvicorn);
    assert_eq!(app.source.as_ref().map(|s| s.file.as_str()), Some("app.py"));
    assert_eq!(listens(app), ["127.0.0.1:8000"]);
    let port = app.listens[0].port.as_ref().expect("port");
    assert_eq!(port.port(), Some(8000));
    // Set by the Dockerfile's ENV, read by the app through os.environ.get.
    assert_eq!(shown(&m, &port.origin), "Dockerfile:APP_PORT=8000");
    let via: Vec<String> = port.via.iter().map(|o| shown(&m, o)).collect();
    assert_eq!(
        via,
        [
            "app.py:os.environ.get(\"APP_PORT\", \"8000\")",
            "app.py:int(os.environ.get(\"APP_PORT\", \"8000\"))"
        ]
    );
    assert_eq!(
        app.forwarded_allow_ips.as_ref().map(|f| f.value.as_str()),
        Some("127.0.0.1")
    );
}

#[test]
fn generated_express_container() {
    let m = build(&dir("generated/express-nginx"));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(
        m.packaging.as_ref().map(|p| p.value),
        Some(Packaging::Distro(crate::spec::Distro::Alpine))
    );
    assert!(matches!(
        m.image.presence("/etc/nginx/http.d/default.conf"),
        Presence::Removed(_)
    ));
    assert!(m.image.is_dir("/app/node_modules"));
    assert_eq!(
        m.image.local_file("/etc/supervisord.conf"),
        Some("supervisord.conf")
    );
    assert!(m.users.iter().any(|u| u.value == "app"));
    assert!(m.users.iter().any(|u| u.value == "nginx"));
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisord.conf");
    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(listeners(n), ["*:80"]);
    assert_eq!(proxies(n)[0], "server 127.0.0.1:3000");
    let app = &m.apps[0];
    assert_eq!(app.runtime, Server::Node);
    assert_eq!(listens(app), ["127.0.0.1:3000"]);
    let host = app.listens[0].host.as_ref().expect("host");
    assert_eq!(shown(&m, &host.origin), "supervisord.conf:\"127.0.0.1\"");
    assert_eq!(
        app.trust_proxy.as_ref().map(|t| t.value.as_str()),
        Some("loopback")
    );
    assert_eq!(
        app.keep_alive_timeout.as_ref().map(|t| t.value.as_str()),
        Some("65000")
    );
    assert!(matches!(
        m.image.presence("/usr/bin/wget"),
        Presence::Present(_)
    ));
}

#[test]
fn reference_broken_project() {
    let m = build(&dir("tests/fixtures/projects/reference-broken"));
    // CMD's -c names a path the Dockerfile never COPYs to.
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisor/conf.d/supervisord.conf");
    assert!(m.problems.iter().any(|p| {
        p.message
            .contains("/etc/supervisor/conf.d/supervisord.conf")
    }));
    // The config that was meant is the one the Dockerfile COPYs elsewhere: it stands in,
    // and its programs are read.
    let stand_in = s.stand_in.as_ref().expect("a stand-in");
    assert_eq!(stand_in.value, "/etc/supervisord.conf");
    assert_eq!(
        shown(&m, &stand_in.origin),
        "Dockerfile:COPY supervisord.conf /etc/supervisord.conf"
    );
    assert_eq!(s.recovered, None);
    assert_eq!(s.files.len(), 1);
    assert_eq!(s.files[0].path, "/etc/supervisord.conf");
    let names: Vec<&str> = s.programs.iter().map(|p| p.program.name.as_str()).collect();
    assert_eq!(names, ["nginx", "fastapi"]);
    assert_eq!(m.apps.len(), 1);
    assert_eq!(listens(&m.apps[0]), ["0.0.0.0:8000"]);
    assert_eq!(m.nginx.as_ref().map(|n| n.commands.len()), Some(1));
    assert_eq!(
        m.image.local_file("/etc/supervisord.conf"),
        Some("supervisord.conf")
    );
    assert!(!s.nodaemon().value);
    let expose: Vec<Option<(u16, u16)>> = m.expose.iter().map(|e| e.value.ports).collect();
    assert_eq!(expose, [Some((8000, 8000))]);
    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(listeners(n), ["*:80"]);
    assert_eq!(
        proxies(n),
        ["server 127.0.0.1:8080", "proxy_pass upstream fastapi"]
    );
    // The packaged default site is still enabled, but the copied nginx.conf does not
    // include it.
    assert!(matches!(
        m.image.presence("/etc/nginx/sites-enabled/default"),
        Presence::Present(_)
    ));
    assert_eq!(n.files.len(), 1);
    let pip = &m.pip_installs[0];
    assert_eq!(
        (pip.venv.as_deref(), pip.break_system_packages),
        (None, false)
    );
}

#[test]
fn gunicorn_confd_project() {
    let m = build(&dir("tests/fixtures/projects/gunicorn-confd"));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let s = m.supervisor.as_ref().expect("supervisord");
    // The packaged main config includes the copied conf.d/app.conf.
    assert_eq!(s.files.len(), 2);
    assert!(matches!(s.files[0].source, Source::Packaged { .. }));
    assert_eq!(s.files[1].path, "/etc/supervisor/conf.d/app.conf");
    assert!(s.nodaemon_flag.is_some() && s.nodaemon().value);
    let n = m.nginx.as_ref().expect("nginx");
    assert!(matches!(n.files[0].source, Source::Packaged { .. }));
    let paths: Vec<&str> = n.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/site.conf"]
    );
    assert_eq!(listeners(n), ["*:80"]);
    assert_eq!(
        proxies(n),
        ["server 127.0.0.1:8000", "proxy_pass upstream backend"]
    );
    let daemon: Vec<bool> = n
        .directive("daemon")
        .iter()
        .map(|(_, d)| d.cmdline)
        .collect();
    assert_eq!(daemon, [true]);
    let (_, d) = n.directive("daemon")[0];
    assert_eq!(shown(&m, &d.origin()), "supervisor/app.conf:daemon off;");
    let app = &m.apps[0];
    assert_eq!(app.runtime, Server::Gunicorn);
    assert_eq!(app.cwd.value, "/srv");
    assert_eq!(listens(app), ["127.0.0.1:8000"]);
    assert_eq!(app.workers.as_ref().map(|w| w.value.as_str()), Some("2"));
    assert_eq!(
        app.source.as_ref().map(|s| s.file.as_str()),
        Some("main.py")
    );
    assert!(m.image.entry("/opt/venv/bin/gunicorn").is_some());
}

#[test]
fn express_env_port_project() {
    let m = build(&dir("tests/fixtures/projects/express-env-port"));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisord.conf");
    let paths: Vec<&str> = s.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/etc/supervisord.conf", "/etc/supervisor.d/app.ini"]
    );
    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(listeners(n), ["*:8080"]);
    assert_eq!(proxies(n), ["proxy_pass localhost:3001"]);
    let app = &m.apps[0];
    assert_eq!(app.program.as_deref(), Some("shop"));
    assert_eq!(listens(app), ["127.0.0.1:3001"]);
    let port = app.listens[0].port.as_ref().expect("port");
    assert_eq!(shown(&m, &port.origin), "supervisord.ini:\"3001\"");
}

#[test]
fn no_dockerfile_falls_back_on_file_names() {
    let m = build(&mem(&[
        (
            "nginx.conf",
            "events {}\nhttp { server { listen 8080; location / { proxy_pass http://127.0.0.1:9000; } } }\n",
        ),
        (
            "supervisord.conf",
            "[supervisord]\nnodaemon=true\n[program:api]\ncommand=uvicorn main:app --port 9000\ndirectory=/app\n",
        ),
        ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
    ]));
    assert!(m.dockerfile.is_none());
    let s = m.supervisor.as_ref().expect("supervisord");
    assert!(matches!(s.config.origin, Origin::Default { .. }));
    assert!(matches!(
        m.image.entry("/etc/nginx/nginx.conf").map(|e| &e.origin),
        Some(Origin::Assumed { .. })
    ));
    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(listeners(n), ["*:8080"]);
    assert_eq!(listens(&m.apps[0]), ["127.0.0.1:9000"]);
    assert_eq!(
        m.apps[0].source.as_ref().map(|s| s.file.as_str()),
        Some("main.py")
    );
}

#[test]
fn app_files_alone_are_read_by_their_names() {
    let m = build(&mem(&[
        (
            "server.js",
            "app.listen(process.env.PORT || 3000, '127.0.0.1');\n",
        ),
        ("notes.py", "uvicorn.run(app, port=1)\n"),
    ]));
    assert_eq!(m.apps.len(), 1);
    assert_eq!(m.apps[0].runtime, Server::Node);
    assert_eq!(listens(&m.apps[0]), ["127.0.0.1:3000"]);
    assert!(matches!(
        m.apps[0].command[0].origin,
        Origin::Assumed { .. }
    ));
}

#[test]
fn include_cycles_and_missing_includes_are_problems() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM debian:12\nRUN apt-get install -y nginx && rm /etc/nginx/mime.types\nCOPY a.conf b.conf /etc/nginx/\nCMD [\"nginx\", \"-c\", \"/etc/nginx/a.conf\"]\n",
        ),
        (
            "a.conf",
            "events {}\nhttp { include b.conf; include /etc/nginx/mime.types; }\n",
        ),
        ("b.conf", "include a.conf;\nserver { listen 81; }\n"),
    ]));
    let n = m.nginx.as_ref().expect("nginx");
    assert_eq!(n.main.value, "/etc/nginx/a.conf");
    assert_eq!(listeners(n), ["*:81"]);
    let msgs: Vec<&str> = m.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(msgs.iter().any(|p| p.contains("loops back")), "{msgs:?}");
    assert!(
        m.problems
            .iter()
            .all(|p| p.kind == ProblemKind::Unfollowable),
        "{:?}",
        m.problems
    );
    assert!(
        msgs.iter()
            .any(|p| p.contains("mime.types") && p.contains("removes")),
        "{msgs:?}"
    );
    assert!(m.supervisor.is_none());
}

#[test]
fn alpine_conf_d_is_in_the_main_context() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM alpine:3.22\nRUN apk add nginx supervisor\nCOPY site.conf /etc/nginx/conf.d/site.conf\nCMD [\"supervisord\", \"-n\"]\n",
        ),
        ("site.conf", "server { listen 8000; }\n"),
    ]));
    let n = m.nginx.as_ref().expect("nginx");
    let (i, _) = n
        .find("server")
        .find(|(_, d)| d.source == Source::Local("site.conf".to_owned()))
        .expect("the copied server");
    // Not inside `http`: nginx refuses `server` there, which a rule can say.
    assert!(n.enclosing(i, "http").is_none());
    assert_eq!(n.directives[i].parent, None);
    // The packaged default site still listens.
    assert_eq!(listeners(n), ["*:80", ":::80"]);
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisord.conf");
    assert!(matches!(s.config.origin, Origin::Default { .. }));
}

#[test]
fn files_edited_or_made_by_run_are_unknown() {
    let m = build(&mem(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apt-get install -y nginx supervisor && echo 'daemon off;' >> /etc/nginx/nginx.conf\nRUN echo '[program:x]' > /etc/supervisor/conf.d/x.conf\nCMD [\"supervisord\", \"-n\"]\n",
    )]));
    let n = m.nginx.as_ref().expect("nginx");
    let unknown: Vec<&str> = n.unknown_files.iter().map(|f| f.value.as_str()).collect();
    assert_eq!(unknown, ["/etc/nginx/nginx.conf"]);
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/supervisor/supervisord.conf");
    let unknown: Vec<&str> = s.unknown_files.iter().map(|f| f.value.as_str()).collect();
    assert_eq!(unknown, ["/etc/supervisor/conf.d/x.conf"]);
    assert!(s.stand_in.is_none());
}

#[test]
fn script_words_point_into_the_script_past_its_comments() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM alpine:3.22\nRUN apk add supervisor\nCOPY start.sh /start.sh\nCMD [\"/start.sh\"]\n",
        ),
        (
            "start.sh",
            "#!/bin/sh\n# Démarrage — commentaire\nexec supervisord -n\n",
        ),
    ]));
    let s = m.supervisor.as_ref().expect("supervisord");
    let cmd = s.command.as_ref().expect("the command");
    assert_eq!(shown(&m, &cmd[0].origin), "start.sh:supervisord");
    assert_eq!(shown(&m, &cmd[1].origin), "start.sh:-n");
}

#[test]
fn entrypoint_script_runs_its_arguments() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM alpine:3.22\nRUN apk add supervisor\nCOPY entrypoint.sh /entrypoint.sh\nCOPY s.conf /etc/s.conf\nENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"supervisord\", \"-c\", \"/etc/s.conf\"]\n",
        ),
        (
            "entrypoint.sh",
            "#!/bin/sh\nset -e\nmkdir -p /run/app\nexec \"$@\"\n",
        ),
        ("s.conf", "[supervisord]\nnodaemon=true\n"),
    ]));
    let s = m.supervisor.as_ref().expect("supervisord");
    assert_eq!(s.config.value, "/etc/s.conf");
    assert!(s.nodaemon().value);
    let cmd = s.command.as_ref().expect("the command");
    assert_eq!(shown(&m, &cmd[0].origin), "Dockerfile:\"supervisord\"");
}

#[test]
fn sh_c_programs_and_npm_start() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM node:22-alpine\nRUN apk add --no-cache supervisor\nWORKDIR /srv\nCOPY . .\nENV PORT=4000\nCMD [\"supervisord\", \"-c\", \"/srv/supervisord.conf\"]\n",
        ),
        (
            "supervisord.conf",
            "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/bin/sh -c 'cd /srv && exec npm start'\n[program:py]\ncommand=sh -c \"exec uvicorn api:app --port ${API_PORT:-7000} --uds /run/api.sock\"\n",
        ),
        (
            "package.json",
            "{\"scripts\": {\"start\": \"node server.js\"}}",
        ),
        (
            "server.js",
            "const port = process.env.PORT || 3000;\nrequire('http').createServer(() => {}).listen(port);\n",
        ),
        ("api.py", "app = object()\n"),
    ]));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let web = &m.apps[0];
    assert_eq!(web.runtime, Server::Node);
    assert_eq!(listens(web), [":::4000"]);
    let port = web.listens[0].port.as_ref().expect("port");
    assert_eq!(shown(&m, &port.origin), "Dockerfile:PORT=4000");
    let cmd: Vec<&str> = web.command.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(cmd, ["node", "server.js"]);
    assert_eq!(shown(&m, &web.command[1].origin), "package.json:server.js");
    let py = &m.apps[1];
    assert_eq!(py.runtime, Server::Uvicorn);
    assert_eq!(listens(py), ["unix:/run/api.sock"]);
}

#[test]
fn reference_clean_project() {
    let m = build(&dir("tests/fixtures/projects/reference-clean"));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    let s = m.supervisor.as_ref().expect("supervisord");
    assert!(!s.files.is_empty());
    assert!(s.nodaemon().value);
    let n = m.nginx.as_ref().expect("nginx");
    assert!(!n.listeners.is_empty());
    let app = m.apps.first().expect("an app");
    assert_eq!(app.runtime, Server::Uvicorn);
    let nginx_ports: Vec<u16> = n
        .proxies
        .iter()
        .filter_map(|p| match p.target {
            Target::Tcp { port, .. } => port,
            _ => None,
        })
        .collect();
    let app_ports: Vec<u16> = app
        .listens
        .iter()
        .filter_map(|l| l.port.as_ref()?.port())
        .collect();
    assert!(
        !app_ports.is_empty() && app_ports.iter().all(|p| nginx_ports.contains(p)),
        "{nginx_ports:?} {app_ports:?}"
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const DOCKERFILE: &str = "(FROM (alpine:3.22|ubuntu:24.04|node:22|deps|scratch)( AS deps)?|COPY (--from=deps )?(\\.|a|conf|\\*\\.conf|/x|<<EOF) (/etc/nginx/|/etc/supervisor/conf\\.d/|\\.|/app/|/etc/supervisord\\.conf)|RUN (apt-get install -y nginx supervisor|apk add nginx|rm -rf /etc/nginx|ln -s /a /b|mkdir /run/x|python3 -m venv /v|/v/bin/pip install -r a|cd \\.\\.|sed -i x /etc/nginx/nginx\\.conf|mv /a /b)|CMD \\[\"(supervisord|nginx|sh)\"(, \"(-c|-n|-g)\")?(, \"(/etc/supervisord\\.conf|a|daemon off;)\")?\\]|WORKDIR (/app|\\.\\.)|ENV (PORT=1|A \\$B)|EXPOSE (80|x)|EOF|\n)*";
    const NGINX: &str = "(events \\{\\}|http \\{|server \\{|\\}|listen (80|\\[::\\]|unix:/s|x);|proxy_pass (http://a|http://127\\.0\\.0\\.1:8000|unix:/s|\\$x);|upstream a \\{|server (127\\.0\\.0\\.1:1|b);|include (a|conf/\\*|/etc/nginx/nginx\\.conf);|location / \\{|daemon off;|[ \n])*";
    const SUPERVISOR: &str = "(\\[supervisord\\]|\\[program:(a|nginx)\\]|\\[include\\]|files=(\\*\\.conf|/etc/nginx/\\*)|command=(nginx -g 'daemon off;'|uvicorn m:a --port 1|node s\\.js|npm start|sh -c 'exec uvicorn m:a'|python a)|environment=P=\"1\"|directory=(/app|\\.\\.)|nodaemon=true|\n)*";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn on_generated_directories(
            dockerfile in DOCKERFILE,
            nginx in NGINX,
            supervisor in SUPERVISOR,
            app in "(const port = process\\.env\\.P \\|\\| 3;|app\\.listen\\(port\\)|uvicorn\\.run\\(a, port=int\\(os\\.getenv\\('P', '1'\\)\\)\\)|[ \n])*",
        ) {
            let files = mem(&[
                ("Dockerfile", dockerfile.as_str()),
                ("a", nginx.as_str()),
                ("conf/x.conf", nginx.as_str()),
                ("b.conf", supervisor.as_str()),
                ("supervisord.conf", supervisor.as_str()),
                ("s.js", app.as_str()),
                ("a.py", app.as_str()),
                ("package.json", "{\"scripts\":{\"start\":\"node s.js\"}}"),
            ]);
            let _ = build(&files);
            let mut no_dockerfile = files.clone();
            no_dockerfile.insert("Dockerfile", Some(String::new()));
            let _ = build(&no_dockerfile);
        }
    }
}

#[test]
fn problems_say_their_kind() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM debian:12\nRUN apt-get install -y nginx supervisor\nCOPY site.conf /etc/nginx/conf.d/\nCOPY s.conf /etc/supervisor/conf.d/\nCMD [\"supervisord\", \"-n\"]\n",
        ),
        ("site.conf", "server { listen 80 }\n"),
        (
            "s.conf",
            "[program:nginx]\ncommand=nginx -g 'daemon off;'\nautostart=maybe\n",
        ),
    ]));
    let kinds: Vec<ProblemKind> = m.problems.iter().map(|p| p.kind).collect();
    assert!(
        kinds.contains(&ProblemKind::NginxSyntax),
        "{:?}",
        m.problems
    );
    assert!(
        kinds.contains(&ProblemKind::SupervisordSyntax),
        "{:?}",
        m.problems
    );
    let m = build(&mem(&[("Dockerfile", "FROM alpine:3.22\nENV A\n")]));
    assert_eq!(
        m.problems.iter().map(|p| p.kind).collect::<Vec<_>>(),
        [ProblemKind::DockerfileSyntax]
    );
}

#[test]
fn includes_past_the_depth_limit_are_a_limit_not_a_cycle() {
    let mut files = vec![(
        "Dockerfile".to_owned(),
        "FROM alpine:3.22\nRUN apk add nginx\nCOPY n /etc/nginx/n/\nCOPY nginx.conf /etc/nginx/nginx.conf\nCMD [\"nginx\"]\n".to_owned(),
    )];
    files.push(("nginx.conf".to_owned(), "include n/0.conf;\n".to_owned()));
    for i in 0..20 {
        files.push((
            format!("n/{i}.conf"),
            format!("include n/{}.conf;\n", i + 1),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let m = build(&mem(&refs));
    let kinds: Vec<ProblemKind> = m.problems.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ProblemKind::Limit], "{:?}", m.problems);
}

#[test]
fn debian_proxy_params_are_read() {
    let m = build(&mem(&[
        (
            "Dockerfile",
            "FROM debian:12\nRUN apt-get install -y nginx\nCOPY site.conf /etc/nginx/conf.d/site.conf\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
        ),
        (
            "site.conf",
            "server {\n  location / {\n    include proxy_params;\n    proxy_pass http://127.0.0.1:8000;\n  }\n}\n",
        ),
    ]));
    let n = m.nginx.as_ref().expect("nginx");
    let (i, _) = n.find("proxy_pass").next().expect("proxy_pass");
    let loc = n.enclosing(i, "location");
    let headers: Vec<String> = n
        .children(loc)
        .filter(|(_, d)| d.name == "proxy_set_header")
        .map(|(_, d)| format!("{}={}", d.arg(0).unwrap_or(""), d.arg(1).unwrap_or("")))
        .collect();
    assert_eq!(
        headers,
        [
            "Host=$http_host",
            "X-Real-IP=$remote_addr",
            "X-Forwarded-For=$proxy_add_x_forwarded_for",
            "X-Forwarded-Proto=$scheme"
        ]
    );
}

#[test]
fn gunicorn_worker_class_and_default_trusted_proxies() {
    let sup = |cmd: &str| {
        format!("[supervisord]\nnodaemon=true\n[program:app]\ncommand={cmd}\ndirectory=/app\n")
    };
    let df = "FROM python:3.12-slim\nRUN pip install gunicorn uvicorn supervisor\nCOPY main.py /app/main.py\nCOPY supervisord.conf /etc/supervisord.conf\nCMD [\"supervisord\"]\n";
    let plain = sup("gunicorn main:app --bind 127.0.0.1:8000");
    let m = build(&mem(&[
        ("Dockerfile", df),
        ("main.py", "app = None\n"),
        ("supervisord.conf", &plain),
    ]));
    let app = &m.apps[0];
    assert_eq!(app.worker_class, None);
    assert_eq!(
        app.forwarded_allow_ips.as_ref().map(|f| f.value.as_str()),
        Some("127.0.0.1,::1")
    );
    let uv = sup("gunicorn main:app -k uvicorn.workers.UvicornWorker --bind unix:/run/a.sock");
    let m = build(&mem(&[
        ("Dockerfile", df),
        ("main.py", "app = None\n"),
        ("supervisord.conf", &uv),
    ]));
    assert_eq!(
        m.apps[0].worker_class.as_ref().map(|w| w.value.as_str()),
        Some("uvicorn.workers.UvicornWorker")
    );
}

#[test]
fn a_setting_the_source_gives_but_gen_cannot_evaluate_is_unknown_not_the_default() {
    let df = "FROM node:22-alpine\nWORKDIR /app\nCOPY server.js .\nCMD [\"node\", \"server.js\"]\n";
    let app = |src: &str| {
        let m = build(&mem(&[("Dockerfile", df), ("server.js", src)]));
        m.apps[0]
            .keep_alive_timeout
            .as_ref()
            .map(|t| t.value.clone())
    };
    assert_eq!(
        app("const s = app.listen(3000);\n").as_deref(),
        Some("5000")
    );
    assert_eq!(
        app("const s = app.listen(3000);\ns.keepAliveTimeout = 65000;\n").as_deref(),
        Some("65000")
    );
    assert_eq!(
        app("const s = app.listen(3000);\ns.keepAliveTimeout = config.keepAlive;\n"),
        None
    );
}

#[test]
fn how_supervisords_config_was_found() {
    let conf = ("supervisord.conf", "[supervisord]\nnodaemon=true\n");
    let found = |cmd: &str, dest: &str| {
        let dockerfile = format!(
            "FROM python:3.12-slim\nRUN pip install supervisor\nWORKDIR /srv\nCOPY supervisord.conf {dest}\nCMD {cmd}\n"
        );
        let m = build(&mem(&[("Dockerfile", &dockerfile), conf]));
        let s = m.supervisor.expect("supervisord");
        (s.found, s.config.value)
    };
    assert_eq!(
        found("[\"supervisord\", \"-c\", \"/srv/s.conf\"]", "/srv/s.conf"),
        (ConfigFound::Flag, "/srv/s.conf".to_owned())
    );
    // Without `-c`: the first entry of the search path that is in the image; the working
    // directory's comes before /etc's.
    let path = search_path("/srv");
    let etc = path
        .iter()
        .position(|p| p == "/etc/supervisor/supervisord.conf");
    assert_eq!(
        found("[\"supervisord\"]", "/etc/supervisor/supervisord.conf"),
        (
            ConfigFound::SearchPath {
                index: etc.expect("on the path")
            },
            "/etc/supervisor/supervisord.conf".to_owned()
        )
    );
    assert_eq!(
        found("[\"supervisord\"]", "/srv/supervisord.conf"),
        (
            ConfigFound::SearchPath { index: 2 },
            "/srv/supervisord.conf".to_owned()
        )
    );
    assert_eq!(
        found("[\"supervisord\"]", "/opt/elsewhere.conf").0,
        ConfigFound::NotFound
    );
}

/// Each server reads only its own environment variables: uvicorn's command line prefers
/// `UVICORN_<OPTION>` to the variables its config falls back on; gunicorn reads
/// `WEB_CONCURRENCY` and `FORWARDED_ALLOW_IPS` but not uvicorn's; hypercorn and daphne
/// read neither (hypercorn 0.17, daphne 4).
#[test]
fn servers_read_only_their_own_environment() {
    let df = "FROM python:3.12-slim\nRUN pip install gunicorn uvicorn hypercorn daphne supervisor\nCOPY main.py /app/main.py\nCOPY supervisord.conf /etc/supervisord.conf\nCMD [\"supervisord\"]\n";
    let env = "environment=WEB_CONCURRENCY=\"4\",FORWARDED_ALLOW_IPS=\"10.0.0.1\",UVICORN_WORKERS=\"3\",UVICORN_FORWARDED_ALLOW_IPS=\"*\"";
    let app = |cmd: &str| {
        let conf = format!(
            "[supervisord]\nnodaemon=true\n[program:app]\ncommand={cmd}\ndirectory=/app\n{env}\n"
        );
        let m = build(&mem(&[
            ("Dockerfile", df),
            ("main.py", "app = None\n"),
            ("supervisord.conf", &conf),
        ]));
        let a = &m.apps[0];
        let value = |r: Option<&Resolved>| r.map(|r| r.value.clone());
        (
            value(a.workers.as_ref()),
            value(a.forwarded_allow_ips.as_ref()),
        )
    };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(app("uvicorn main:app"), (s("3"), s("*")));
    assert_eq!(
        app("gunicorn main:app -k uvicorn.workers.UvicornWorker"),
        (s("4"), s("10.0.0.1"))
    );
    assert_eq!(app("hypercorn main:app"), (s("1"), None));
    assert_eq!(app("daphne main:app"), (s("1"), None));
}
