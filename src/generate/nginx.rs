//! nginx.conf: the main config, replacing the distribution's, so nothing else is loaded.

use super::Layout;
use super::env;
use askama::Template;

#[derive(Template)]
#[template(path = "nginx.conf", escape = "none")]
struct NginxConf<'a> {
    header: &'a str,
    nginx_user: &'a str,
    graceful_timeout: u32,
    worker_connections: u32,
    client_max_body_size: String,
    upstream: &'a str,
    app_host: &'a str,
    app_port: String,
    upstream_keepalive: u32,
    nginx_port: u16,
    proxy_connect_timeout: String,
    proxy_send_timeout: String,
    proxy_read_timeout: String,
    lb_subnet: Option<&'a str>,
    health: Health<'a>,
    /// The statuses that mean the app answered, for [`Health::Reached`].
    answered: String,
}

/// What nginx's `/healthz` asks the app.
enum Health<'a> {
    /// The starter app's own `/healthz`.
    Starter,
    /// The user's app's `app.health_path`.
    Path(&'a str),
    /// No health path: any answer of the app counts, only nginx's own 502 and 504 (the app
    /// down, or not answering in time) fail.
    Reached,
}

/// Every standard status from 300 up, but 502 and 504: what nginx's `error_page` turns into
/// "the app answered" when the spec names no health path.
fn answered() -> String {
    let codes: [u16; 41] = [
        300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
        410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431,
        451, 500, 501, 503, 505,
    ];
    let mut out = String::new();
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            // One line per class keeps the directive readable.
            out.push_str(if *c == 400 || *c == 421 || *c == 500 {
                "\n                "
            } else {
                " "
            });
        }
        out.push_str(&c.to_string());
    }
    out
}

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let c = l.c;
    let vars = env::vars(c);
    // The value and its `# env NAME` marker; every name below is in the list.
    let marked = |name: &str| {
        env::find(&vars, name)
            .map(env::Var::nginx_value)
            .unwrap_or_default()
    };
    NginxConf {
        header: &l.header,
        nginx_user: l.distro().nginx_user(),
        graceful_timeout: c.graceful_timeout(),
        worker_connections: c.nginx.worker_connections,
        client_max_body_size: marked("NGINX_CLIENT_MAX_BODY_SIZE"),
        upstream: l.upstream,
        app_host: &c.app.host,
        app_port: marked(env::APP_PORT),
        upstream_keepalive: c.nginx.upstream_keepalive,
        nginx_port: c.nginx.port,
        proxy_connect_timeout: marked("NGINX_PROXY_CONNECT_TIMEOUT"),
        proxy_send_timeout: marked("NGINX_PROXY_SEND_TIMEOUT"),
        proxy_read_timeout: marked("NGINX_PROXY_READ_TIMEOUT"),
        lb_subnet: l.lb.map(|lb| lb.subnet.as_str()),
        health: match (c.app.source(), c.app.health_path.as_deref()) {
            (None, _) => Health::Starter,
            (Some(_), Some(path)) => Health::Path(path),
            (Some(_), None) => Health::Reached,
        },
        answered: answered(),
    }
    .render()
}
