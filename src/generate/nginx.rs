//! nginx.conf: the main config, replacing the distribution's, so nothing else is loaded.

use super::Layout;
use askama::Template;

#[derive(Template)]
#[template(path = "nginx.conf", escape = "none")]
struct NginxConf<'a> {
    header: &'a str,
    nginx_user: &'a str,
    graceful_timeout: u32,
    worker_connections: u32,
    client_max_body_size: &'a str,
    upstream: &'a str,
    app_host: &'a str,
    app_port: u16,
    upstream_keepalive: u32,
    nginx_port: u16,
    proxy_connect_timeout: u32,
    proxy_send_timeout: u32,
    proxy_read_timeout: u32,
    lb_subnet: Option<&'a str>,
}

pub fn render(l: &Layout<'_>) -> Result<String, askama::Error> {
    let c = l.c;
    NginxConf {
        header: &l.header,
        nginx_user: l.distro().nginx_user(),
        graceful_timeout: c.graceful_timeout(),
        worker_connections: c.nginx.worker_connections,
        client_max_body_size: &c.nginx.client_max_body_size,
        upstream: l.upstream,
        app_host: &c.app.host,
        app_port: c.app.port,
        upstream_keepalive: c.nginx.upstream_keepalive,
        nginx_port: c.nginx.port,
        proxy_connect_timeout: c.nginx.proxy_connect_timeout,
        proxy_send_timeout: c.nginx.proxy_send_timeout,
        proxy_read_timeout: c.nginx.proxy_read_timeout,
        lb_subnet: l.lb.map(|lb| lb.subnet.as_str()),
    }
    .render()
}
