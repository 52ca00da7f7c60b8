//! `duplicate-host-port`: two `ports:` entries of a compose project publish the same host
//! port.

use crate::diagnostic::Diagnostic;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that no two `ports:` entries of a compose file publish the same host port on
    /// the same address and protocol.
    ///
    /// Ranges count by every port in them, and an entry without a host address (or with
    /// `0.0.0.0` or `::`) takes the port on every address, so it clashes with any entry for
    /// that port. Entries whose host port Docker picks (`"80"`, `127.0.0.1::80`) or that
    /// come from a variable are not judged.
    ///
    /// ## Why is this bad?
    /// Only one container can bind a host port: `docker compose up` starts the first and
    /// fails the second with "Bind for 0.0.0.0:8080 failed: port is already allocated",
    /// leaving the project half up.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]
    ///   admin:
    ///     ports: ["8080:80"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]
    ///   admin:
    ///     ports: ["8081:80"]
    /// ```
    pub static DUPLICATE_HOST_PORT = {
        code: "PORT005",
        name: "duplicate-host-port",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for project in &ctx.projects {
        let Some(compose) = &project.compose else {
            continue;
        };
        let entries: Vec<(&str, &crate::deploy::compose::PortMapping)> = compose
            .services
            .iter()
            .flat_map(|s| s.ports.iter().map(move |p| (s.name.value.as_str(), p)))
            .collect();
        for (i, (service, p)) in entries.iter().enumerate() {
            // Reported once, at the later entry, against the first it clashes with.
            let Some((first, q)) = entries[..i].iter().find(|(_, q)| q.clashes(p)) else {
                continue;
            };
            let here = p.published_loc.unwrap_or(p.loc);
            let there = q.published_loc.unwrap_or(q.loc);
            let whose = if first == service {
                format!("`{service}` publishes it already")
            } else {
                format!("`{first}` publishes it")
            };
            out.push(
                DUPLICATE_HOST_PORT
                    .diagnostic(
                        format!(
                            "`{service}` publishes host port {}/{}, which `{first}` publishes too",
                            p.shown_published(),
                            p.protocol
                        ),
                        project.label(here, "published twice"),
                    )
                    .with_related(project.label(there, whose))
                    .with_help(
                        "give each service its own host port (or host address): only one container can bind it",
                    ),
            );
        }
    }
}
