//! `pip-install-outside-venv`: `pip install` into the distribution's own Python, which
//! Ubuntu 23.04, Debian 12 and Alpine 3.19 on refuse (PEP 668).

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::analysis::image::externally_managed;
use crate::lint::{Context, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that `pip install` runs in a virtual environment on images whose Python
    /// refuses system-wide installs (PEP 668).
    ///
    /// That is when the base image's Python is the distribution's own and marked
    /// externally managed: `ubuntu` 23.04 and later (24.04 included), `debian` 12 and
    /// later, and `alpine` 3.19 and later. The pip that runs is found as the shell would: a path
    /// (`/opt/venv/bin/pip`), or the first on the PATH in effect (`ENV
    /// PATH=/opt/venv/bin:$PATH`, `. /opt/venv/bin/activate`); `python3 -m pip` likewise.
    ///
    /// `--break-system-packages` (or `PIP_BREAK_SYSTEM_PACKAGES`) makes pip install anyway:
    /// that is reported as a warning. `--target`, `--prefix` and `--root` install into a
    /// directory, which PEP 668 allows. `python3 -m ensurepip` installs pip into the
    /// system Python with pip itself, and is refused the same way (Debian's and Ubuntu's
    /// Python refuse it outright). The official `python` images build their own
    /// Python, which pip may install into: they are not checked.
    ///
    /// ## Why is this bad?
    /// pip refuses (`error: externally-managed-environment`) and `docker build` fails: a
    /// Dockerfile that built on `ubuntu:22.04` stops building on 24.04. Forcing it with
    /// `--break-system-packages` lets pip overwrite files apt installed, which breaks the
    /// distribution's own Python tools (supervisor is one) in ways that show up later.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y python3 python3-pip
    /// RUN pip3 install -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y python3 python3-venv
    /// RUN python3 -m venv /opt/venv
    /// ENV PATH=/opt/venv/bin:$PATH
    /// RUN pip install -r requirements.txt
    /// ```
    pub static PIP_INSTALL_OUTSIDE_VENV = {
        code: "DKR001",
        name: "pip-install-outside-venv",
        severity: Error,
        check: check,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.containers {
        let m = &c.model;
        let Some(base) = &m.base_image else { continue };
        let Some(image) = externally_managed(&base.value) else {
            continue;
        };
        let has = |p: &str| m.packages.iter().any(|f| f.value == p);
        let alpine = image.starts_with("alpine");
        // Without the distribution's pip, the pip that runs is not the system's (or there
        // is none, and the build fails for that reason instead), unless the system Python
        // is asked to install one (`python3 -m ensurepip`).
        let system_pip = has("python3-pip")
            || has("py3-pip")
            || m.pip_installs
                .iter()
                .any(|p| p.ensurepip && p.venv.is_none() && !p.into_directory && !p.copied);
        if !system_pip {
            continue;
        }
        for pip in &m.pip_installs {
            // One of another stage, copied in: that stage's pip ran it.
            if pip.venv.is_some() || pip.into_directory || pip.copied {
                continue;
            }
            let refusal = if pip.ensurepip && !alpine {
                // Debian's and Ubuntu's Python refuses before pip runs.
                "Python refuses this: `ensurepip is disabled in Debian/Ubuntu for the system python`"
            } else if pip.break_system_packages {
                "installs over the distribution's Python packages"
            } else {
                "pip refuses this: `error: externally-managed-environment`"
            };
            let Some(primary) = c.label(&pip.command, refusal) else {
                continue;
            };
            let venv_package = if alpine || has("python3-venv") {
                String::new()
            } else {
                " (install `python3-venv` for it)".to_owned()
            };
            let make_venv = format!(
                "`RUN python3 -m venv /opt/venv` then `ENV PATH=/opt/venv/bin:$PATH`{venv_package}, so `pip` and the app's executables are the venv's"
            );
            let mut d = if pip.break_system_packages {
                let mut d = PIP_INSTALL_OUTSIDE_VENV
                    .diagnostic(
                        format!(
                            "`{} install` forces packages into the system Python of `{image}`",
                            pip.pip
                        ),
                        primary,
                    )
                    .with_help(format!(
                        "`--break-system-packages` lets pip overwrite what apt installed and break the distribution's Python tools: install into a virtual environment instead: {make_venv}"
                    ));
                d.severity = Severity::Warning;
                d
            } else {
                let command = if pip.ensurepip {
                    format!("`{}`", pip.pip)
                } else {
                    format!("`{} install`", pip.pip)
                };
                PIP_INSTALL_OUTSIDE_VENV
                    .diagnostic(
                        format!(
                            "{command} outside a virtual environment fails on `{image}` (PEP 668)"
                        ),
                        primary,
                    )
                    .with_help(format!(
                        "`docker build` fails here: install into a virtual environment: {make_venv}"
                    ))
            };
            if let Some(l) = c.label(
                &base.origin,
                "its Python is externally managed: pip installs only into a virtual environment",
            ) {
                d = d.with_related(l);
            }
            out.push(d);
        }
    }
}
