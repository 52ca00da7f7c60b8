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
    /// URL prefix, directory in the image.
    statics: Vec<(&'a str, String)>,
    /// The snippet as the spec names it, and where the image has it.
    snippets: Vec<(String, String)>,
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
        statics: l
            .statics()
            .into_iter()
            .map(|(_, dir, s)| (s.path.as_str(), dir))
            .collect(),
        snippets: l
            .snippets()
            .into_iter()
            .map(|(_, path, s)| (format!("`{}`", s.path.replace(['\n', '\r'], " ")), path))
            .collect(),
    }
    .render()
}
