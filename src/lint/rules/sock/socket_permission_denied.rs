//! `socket-permission-denied`: nginx's workers cannot connect to an app server's Unix
//! socket, given the owner and mode the server creates it with.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::wiring::{Owner, Place, Wiring, who};
use crate::lint::{Context, declare_rule};
use crate::model::{Model, Origin, Resolved};

declare_rule! {
    /// ## What it does
    /// Checks that the user nginx's workers run as may connect to each Unix socket nginx
    /// proxies to, as the app server creates it: connecting needs write permission on the
    /// socket, from its owner's bits when the worker is its owner, else from the others'
    /// bits (or the group's, which gen leaves alone: it does not know every group a user is
    /// in).
    ///
    /// The worker's user is nginx's `user` directive (the packaged `nginx.conf` has one), or
    /// the user nginx itself runs as when that is not root. The socket's owner and mode:
    /// uWSGI's `chown-socket` and `chmod-socket` (without `chown-socket`, the user uWSGI
    /// starts as: it binds before it drops privileges; without `chmod-socket`, 0777 less
    /// the umask: its `umask` option, else a container's 022, so 0755, unless a file of the
    /// container mentions `umask` or the base image is one gen does not know); PHP-FPM's `listen.owner` and
    /// `listen.mode` (default: the user the master runs as, mode 0660); gunicorn's `--user`
    /// and `--umask` (default umask 0: anyone may connect). Silent when any of these is
    /// unknown, or when a user is given by number and the other by name.
    ///
    /// ## Why is this bad?
    /// nginx's `connect()` fails with "Permission denied" (13) and every request through
    /// the socket is a 502, while the app server runs and looks healthy.
    ///
    /// ## Example
    /// ```nginx
    /// user www-data;
    /// ...
    /// uwsgi_pass unix:/run/app.sock;
    /// ```
    /// ```ini
    /// [uwsgi]
    /// socket = /run/app.sock
    /// chmod-socket = 600
    /// ```
    ///
    /// Use instead:
    /// ```ini
    /// chown-socket = www-data:www-data
    /// chmod-socket = 660
    /// ```
    pub static SOCKET_PERMISSION_DENIED = {
        code: "SOCK003",
        name: "socket-permission-denied",
        severity: Error,
        check: check,
    }
}

/// The user nginx's workers run as, and where that is set.
fn worker_user(m: &Model, w: &Wiring<'_>) -> Option<(String, Origin)> {
    // nginx run as another user than root cannot switch: its workers keep that user.
    let started_as = w.nginx.commands.first().and_then(|c| match &c.program {
        Some(p) => {
            let prog = m.supervisor.as_ref()?.program(p)?;
            let u = prog.program.user.as_ref()?;
            Some((
                u.value.clone(),
                prog.origin(u.place.map_or_else(Default::default, |pl| pl.value_span)),
            ))
        }
        None => m.user.as_ref().map(|u| (u.value.clone(), u.origin.clone())),
    });
    if let Some((u, o)) = started_as {
        if !is_root(&u) {
            return (!u.contains('$')).then_some((user_part(&u).to_owned(), o));
        }
    }
    if w.nginx.commands.len() > 1 || !w.nginx.unknown_files.is_empty() {
        return None;
    }
    let (_, d) = w
        .nginx
        .directive("user")
        .into_iter()
        .rfind(|(_, d)| d.parent.is_none())?;
    let u = d.arg(0)?;
    (!u.contains('$')).then(|| (u.to_owned(), d.arg_origin(0)))
}

/// `user:group` or `uid:gid` to the user.
fn user_part(u: &str) -> &str {
    u.split(':').next().unwrap_or(u)
}

fn is_root(u: &str) -> bool {
    matches!(user_part(u), "root" | "0")
}

fn is_numeric(u: &str) -> bool {
    !u.is_empty() && u.chars().all(|c| c.is_ascii_digit())
}

fn mode_bits(v: &Resolved) -> Option<u32> {
    let t = v.value.trim();
    let t = t.strip_prefix("0o").unwrap_or(t);
    if t.is_empty() || t.len() > 4 {
        return None;
    }
    u32::from_str_radix(t, 8).ok()
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        let Some(w) = Wiring::of(dir) else { continue };
        let Some((worker, worker_origin)) = worker_user(&dir.model, &w) else {
            continue;
        };
        if is_root(&worker) {
            continue;
        }
        let mut done: Vec<usize> = Vec::new();
        for d in &w.dispatches {
            let Place::Unix(path) = &d.place else {
                continue;
            };
            for &(i, _) in &d.reaches {
                let Owner::App { app, listen } = w.sockets[i].owner else {
                    continue;
                };
                if done.contains(&i) {
                    continue;
                }
                let Some(perm) = &listen.perm else { continue };
                let (Some(owner), Some(mode)) = (&perm.owner, &perm.mode) else {
                    continue;
                };
                let Some(bits) = mode_bits(mode) else {
                    continue;
                };
                let owner_name = user_part(&owner.value);
                if owner_name.contains('$') || is_numeric(owner_name) != is_numeric(&worker) {
                    continue;
                }
                let is_owner = owner_name == worker;
                let denied = if is_owner {
                    bits & 0o200 == 0
                } else {
                    // The group's bit may let it in: gen does not know the user's groups.
                    bits & 0o002 == 0 && bits & 0o020 == 0
                };
                if !denied {
                    continue;
                }
                done.push(i);
                let name = who(app);
                let why = if is_owner {
                    format!(
                        "its owner `{owner_name}` has no write permission in mode {:04o}",
                        bits
                    )
                } else {
                    format!(
                        "it is owned by `{owner_name}` with mode {:04o}, which lets neither its group nor others write",
                        bits
                    )
                };
                let mut help = if is_owner {
                    "give the owner write permission (mode 0660 or 0600)".to_owned()
                } else {
                    format!(
                        "make `{worker}` the socket's owner or group (uWSGI `chown-socket = {worker}:{worker}`, PHP-FPM `listen.owner = {worker}`) with mode 0660, or allow others with 0666"
                    )
                };
                let mut diag = SOCKET_PERMISSION_DENIED
                    .diagnostic(
                        format!(
                            "nginx's workers run as `{worker}` and cannot connect to the socket `{path}`: {why}"
                        ),
                        w.target_label(d, "connect() here fails with \"Permission denied\""),
                    )
                    ;
                let mut defaults: Vec<String> = Vec::new();
                if let Some(l) =
                    dir.label(&worker_origin, format!("nginx's workers run as `{worker}`"))
                {
                    diag = diag.with_related(l);
                }
                for l in w.socket_labels(i, &format!("{name} creates the socket here")) {
                    diag = diag.with_related(l);
                }
                let described = |r: &Resolved, what: &str| match &r.origin {
                    Origin::Default { what: d } | Origin::Assumed { what: d } => {
                        format!("{what} ({d})")
                    }
                    _ => what.to_owned(),
                };
                for (r, what) in [
                    (mode, format!("mode {:04o}", bits)),
                    (owner, format!("owned by `{owner_name}`")),
                ] {
                    if let Some(l) = dir.label(&r.origin, described(r, &what)) {
                        diag = diag.with_related(l);
                    } else {
                        defaults.push(described(r, &what));
                    }
                }
                if !defaults.is_empty() {
                    help.push_str(&format!("; {}", defaults.join("; ")));
                }
                out.push(diag.with_help(help));
            }
        }
    }
}
