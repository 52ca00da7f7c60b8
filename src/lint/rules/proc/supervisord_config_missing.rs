//! `supervisord-config-missing`: the config supervisord is told to read (or would find on
//! its search path) is not in the image.

use crate::diagnostic::Diagnostic;
use crate::lint::analysis::absent::{Absence, known_absent, mentioned};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::{ConfigFound, EntryKind, Model, Presence, search_path};

declare_rule! {
    /// ## What it does
    /// Checks that the config file supervisord reads is in the image.
    ///
    /// That is the path given with `-c`/`--configuration`, or, without one, a file on
    /// supervisord's search path
    /// (`/etc/supervisord.conf`, `/etc/supervisor/supervisord.conf`, `supervisord.conf` in
    /// the working directory...). Paths a base image gen does not know, a volume or a RUN
    /// gen cannot follow may provide are not reported.
    ///
    /// ## Why is this bad?
    /// supervisord stops at once with `Error: could not find config file
    /// /etc/supervisor/conf.d/supervisord.conf` (or `No config file found at default
    /// paths`), and the container exits. The usual cause is a COPY that puts the config
    /// somewhere else than CMD says.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY supervisord.conf /etc/supervisord.conf
    /// CMD ["supervisord", "-c", "/etc/supervisor/conf.d/supervisord.conf"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY supervisord.conf /etc/supervisord.conf
    /// CMD ["supervisord", "-c", "/etc/supervisord.conf"]
    /// ```
    pub static SUPERVISORD_CONFIG_MISSING = {
        code: "PROC005",
        name: "supervisord-config-missing",
        severity: Error,
        check: check,
    }
}

/// Whether nothing is at a search-path entry: the two next to the binary no base image
/// ships, so only a COPY or RUN puts them there.
fn search_entry_absent(m: &Model, path: &str) -> bool {
    if path.starts_with("/usr/") {
        return m.image.presence(path) == Presence::Unknown
            && m.packaging.is_some()
            && !mentioned(m, "supervisord.conf");
    }
    known_absent(m, path).is_some()
}

/// Where the Dockerfile puts a config by the name `name` instead, when it does.
fn copied_as(m: &Model, name: &str) -> Option<(String, crate::model::Origin)> {
    m.image.iter().find_map(|(path, e)| match &e.kind {
        EntryKind::Local { file } if file.rsplit('/').next() == Some(name) => {
            Some((path.to_owned(), e.origin.clone()))
        }
        _ => None,
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for dir in &ctx.containers {
        check_dir(dir, out);
    }
}

fn check_dir(dir: &ContainerDir, out: &mut Vec<Diagnostic>) {
    let m = &dir.model;
    let Some(sup) = &m.supervisor else { return };
    let Some(command) = &sup.command else { return };
    let config = &sup.config.value;
    if !matches!(
        m.image.presence(config),
        Presence::Unknown | Presence::Removed(_)
    ) {
        return;
    }
    let instead = sup
        .stand_in
        .as_ref()
        .map(|s| (s.value.clone(), s.origin.clone()))
        .or_else(|| copied_as(m, config.rsplit('/').next().unwrap_or(config)));
    let mut d = if sup.found == ConfigFound::Flag {
        let Some(absence) = known_absent(m, config) else {
            return;
        };
        let mut d = SUPERVISORD_CONFIG_MISSING.diagnostic(
            format!("supervisord's config `{config}` is not in the image"),
            dir.label_or(
                &sup.config.origin,
                "Dockerfile",
                "supervisord is told to read this file",
            ),
        );
        if let Absence::Removed(o) = &absence {
            if let Some(l) = dir.label(o, "a RUN removes it here") {
                d = d.with_related(l);
            }
        }
        d
    } else {
        let cwd = &m.workdir.value;
        if !search_path(cwd).iter().all(|p| search_entry_absent(m, p)) {
            return;
        }
        let Some(first) = command.first() else { return };
        SUPERVISORD_CONFIG_MISSING.diagnostic(
            "supervisord finds no config: nothing on its search path is in the image",
            dir.label_or(&first.origin, "Dockerfile", "started without `-c`"),
        )
    };
    if let Some((path, origin)) = &instead {
        if let Some(l) = dir.label(origin, format!("the config is copied to `{path}` instead")) {
            d = d.with_related(l);
        }
    }
    let help = match (&instead, sup.found == ConfigFound::Flag) {
        (Some((path, _)), true) => format!(
            "point `-c` at `{path}`, or copy the config to `{config}`"
        ),
        (Some((path, _)), false) => format!("start supervisord with `-c {path}`"),
        (None, true) => format!("copy the config to `{config}`, or point `-c` at the config the image has"),
        (None, false) => {
            "copy the config to `/etc/supervisord.conf`, or start supervisord with `-c` and its path".to_owned()
        }
    };
    out.push(d.with_help(help));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testing::findings;

    fn container(lines: &str) -> Vec<Diagnostic> {
        findings(
            &SUPERVISORD_CONFIG_MISSING,
            &[
                (
                    "Dockerfile",
                    &format!("FROM ubuntu:24.04\nRUN apt-get install -y supervisor\n{lines}\n"),
                ),
                ("supervisord.conf", "[supervisord]\nnodaemon=true\n"),
            ],
        )
    }

    #[test]
    fn copied_elsewhere() {
        let found = container(
            "COPY supervisord.conf /etc/supervisord.conf\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/supervisord.conf\"]",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "supervisord's config `/etc/supervisor/conf.d/supervisord.conf` is not in the image"
        );
        assert_eq!(found[0].primary.start.line, 4);
        assert_eq!(found[0].related[0].start.line, 3);
        assert_eq!(
            found[0].related[0].message,
            "the config is copied to `/etc/supervisord.conf` instead"
        );
    }

    #[test]
    fn search_path_without_a_config() {
        let found = findings(
            &SUPERVISORD_CONFIG_MISSING,
            &[
                (
                    "Dockerfile",
                    "FROM alpine:3.22\nRUN apk add python3 py3-pip && pip install supervisor\nWORKDIR /srv\nCOPY supervisord.conf /opt/conf/supervisord.conf\nCMD [\"supervisord\", \"-n\"]\n",
                ),
                ("supervisord.conf", "[supervisord]\n"),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].help.as_deref(),
            Some("start supervisord with `-c /opt/conf/supervisord.conf`")
        );
    }

    #[test]
    fn present_or_unknown_passes() {
        let cases = [
            "COPY supervisord.conf /etc/supervisor/conf.d/x.conf\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/x.conf\"]",
            // The packaged config is on the search path.
            "CMD [\"supervisord\", \"-n\"]",
            // A RUN gen cannot follow may write it.
            "RUN ./configure.sh /etc/supervisor/conf.d/x.conf\nCMD [\"supervisord\", \"-c\", \"/etc/supervisor/conf.d/x.conf\"]",
            // Outside the package's config directories, /etc is the base image's.
            "CMD [\"supervisord\", \"-c\", \"/etc/app/supervisord.conf\"]",
        ];
        for lines in cases {
            assert_eq!(container(lines), [], "{lines}");
        }
    }
}
