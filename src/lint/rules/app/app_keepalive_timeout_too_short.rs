//! `app-keepalive-timeout-too-short`: the app closes idle keep-alive connections before
//! nginx stops reusing them.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::app::routes;
use crate::lint::analysis::nginx::{closes, keepalive};
use crate::lint::{Context, declare_rule};
use crate::model::runtime::KeepAlive;
use crate::model::{App, Nginx, Resolved};

declare_rule! {
    /// ## What it does
    /// Checks that the app keeps idle connections open longer than nginx reuses them, when
    /// an upstream has `keepalive`.
    ///
    /// For each upstream with `keepalive` whose locations do keep connections alive, the
    /// app behind it must outlast nginx's upstream `keepalive_timeout` (60 s by default):
    /// Node's `server.keepAliveTimeout` (5 s by default), uvicorn's `--timeout-keep-alive`
    /// / `timeout_keep_alive` (5 s), and gunicorn's `--keep-alive` (2 s) for workers that
    /// keep connections (uvicorn's, `gthread`, `gevent`, `eventlet`; the default sync
    /// worker closes each one).
    ///
    /// ## Why is this bad?
    /// When the app closes an idle connection at the moment nginx sends the next request
    /// on it, the request fails and the client gets a 502 (`upstream prematurely closed
    /// connection`). It happens rarely and at random, under light load, which makes it hard
    /// to trace; the idle side that closes first must be nginx.
    ///
    /// ## Example
    /// ```javascript
    /// const server = app.listen(3000, "127.0.0.1");
    /// // keepAliveTimeout stays at Node's 5 s, below nginx's 60 s
    /// ```
    ///
    /// Use instead:
    /// ```javascript
    /// const server = app.listen(3000, "127.0.0.1");
    /// server.keepAliveTimeout = 65000;
    /// server.headersTimeout = 66000;
    /// ```
    pub static APP_KEEPALIVE_TIMEOUT_TOO_SHORT = {
        code: "APP003",
        name: "app-keepalive-timeout-too-short",
        severity: Warning,
        check: check,
    }
}

/// An nginx time (`60s`, `1m`, `500ms`, `75`) in milliseconds.
fn nginx_ms(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1000,
        "ms" => 1,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// A number, or a product of numbers (`65 * 1000`), in the app's unit.
fn number(text: &str) -> Option<f64> {
    let mut product = 1.0;
    for part in text.split('*') {
        let p = part.trim().trim_matches(['(', ')']).replace('_', "");
        product *= p.parse::<f64>().ok()?;
    }
    Some(product)
}

/// The app's keep-alive timeout in milliseconds, with the name of its setting; `None` when
/// the app does not keep connections alive or gen cannot tell.
fn app_ms(app: &App) -> Option<(f64, &Resolved, &'static KeepAlive)> {
    let t = app.keep_alive_timeout.as_ref()?;
    let k = app.runtime.row()?.keep_alive.as_ref()?;
    // Only some worker classes keep connections alive (gunicorn's sync worker does not).
    if !k.worker_classes.is_empty() {
        let class = app.worker_class.as_ref()?.value.to_ascii_lowercase();
        k.worker_classes
            .iter()
            .any(|c| class.contains(c))
            .then_some(())?;
    }
    let mut value = number(&t.value)?;
    // 0 turns Node's idle timeout off: it never closes an idle connection first.
    if k.zero_is_off {
        value = Some(value).filter(|v| *v > 0.0)?;
    }
    Some((value * k.unit_ms, t, k))
}

/// nginx's upstream `keepalive_timeout` in milliseconds and the directive, if written.
fn upstream_timeout(n: &Nginx, name: &str) -> Option<(u64, Option<usize>)> {
    let u = n.upstreams.iter().find(|u| u.name == name)?;
    match n
        .children(Some(u.directive))
        .filter(|(_, d)| d.name == "keepalive_timeout")
        .last()
    {
        Some((k, d)) => Some((nginx_ms(d.arg(0)?)?, Some(k))),
        None => Some((60_000, None)),
    }
}

fn seconds(ms: f64) -> String {
    let s = ms / 1000.0;
    if (s - s.round()).abs() < 1e-9 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let Some(n) = &c.model.nginx else { continue };
        for app in &c.model.apps {
            let Some((app_ms, setting, keep_alive)) = app_ms(app) else {
                continue;
            };
            let name = keep_alive.setting;
            let found = routes(n, app).into_iter().find_map(|r| {
                let (upstream, ka) = keepalive(n, r.proxy)?;
                // A location that closes its connections never reuses one.
                closes(n, r.proxy)?.is_none().then_some(())?;
                let (nginx_ms, directive) = upstream_timeout(n, &upstream)?;
                #[allow(clippy::cast_precision_loss)]
                let longer = nginx_ms as f64 >= app_ms;
                longer.then_some((r, upstream, ka, nginx_ms, directive))
            });
            let Some((route, upstream, ka, nginx_ms, directive)) = found else {
                continue;
            };
            #[allow(clippy::cast_precision_loss)]
            let nginx_s = seconds(nginx_ms as f64);
            let app_s = seconds(app_ms);
            let note = format!("{app_s} here");
            // A default has no place of its own: the command (or listen call) that runs it.
            let default = format!("{name} is {app_s} by default");
            let Some(primary) = c
                .label(&setting.origin, note)
                .or_else(|| {
                    app.command
                        .first()
                        .and_then(|w| c.label(&w.origin, default.clone()))
                })
                .or_else(|| c.label(&route.listen.origin, default))
            else {
                continue;
            };
            let mut d = APP_KEEPALIVE_TIMEOUT_TOO_SHORT.diagnostic(
                format!(
                    "the app closes idle connections after {app_s}, before nginx stops reusing them ({nginx_s})"
                ),
                primary,
            );
            let nginx_note = if directive.is_some() {
                format!("nginx reuses idle connections to `{upstream}` for {nginx_s}")
            } else {
                format!(
                    "nginx reuses idle connections for {nginx_s} (the default `keepalive_timeout`)"
                )
            };
            if let Some(l) = c.label(&n.directives[directive.unwrap_or(ka)].origin(), nginx_note) {
                d = d.with_related(l);
            }
            #[allow(clippy::cast_precision_loss)]
            let above = nginx_ms as f64 / 1000.0 + 5.0;
            let raise = keep_alive
                .raise
                .replace("{s}", &above.to_string())
                .replace("{ms}", &(above * 1000.0).to_string())
                .replace("{ms_headers}", &(above * 1000.0 + 1000.0).to_string());
            d = d.with_help(format!(
                "nginx must give up an idle connection first, or a request sent as the app closes it fails with 502: {raise}, or lower `keepalive_timeout` in upstream `{upstream}` below {app_s}"
            ));
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_ms_table() {
        let cases = [
            ("60s", Some(60_000)),
            ("60", Some(60_000)),
            ("1m", Some(60_000)),
            ("500ms", Some(500)),
            ("1h", Some(3_600_000)),
            ("x", None),
            ("10y", None),
        ];
        for (t, want) in cases {
            assert_eq!(nginx_ms(t), want, "{t}");
        }
    }

    #[test]
    fn number_table() {
        assert_eq!(number("65000"), Some(65000.0));
        assert_eq!(number("65 * 1000"), Some(65000.0));
        assert_eq!(number("(61) * 1_000"), Some(61000.0));
        assert_eq!(number("TIMEOUT"), None);
    }
}
