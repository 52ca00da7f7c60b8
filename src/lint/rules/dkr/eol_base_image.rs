//! `eol-base-image`: a container's base image release no longer gets security updates.
//!
//! Judged against a dated table: from the spec's `base` when checking a spec, and from the
//! Dockerfile's final `FROM` for container directories checked as paths.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::analysis::runtime_eol;
use crate::lint::date::Date;
use crate::lint::{Context, declare_rule};
use crate::spec::{Base, Distro};

declare_rule! {
    /// ## What it does
    /// Checks that each container's base image is a release that still gets security
    /// updates.
    ///
    /// The base is the spec's `base`, or, for a container directory checked as a path (`gen
    /// check DIR`), the image of the Dockerfile's final stage (through `FROM stage`). An
    /// official language image counts by the release its tag names (`node:18-alpine3.17`
    /// is Alpine 3.17, `python:3.9-slim-buster` is Debian 10). An official `python`, `php`
    /// or `node` image whose release is supported (or not named) counts by the runtime its
    /// tag names: `python:3.6`, `php:7.3-fpm` and `node:18.15-alpine` are past the end of
    /// life of Python 3.6, PHP 7.3 and Node.js 18.
    ///
    /// The end of life is the last day of free security updates that reach the image:
    /// Alpine's end of support for the branch, the end of Ubuntu's standard security
    /// maintenance (Expanded Security Maintenance needs Ubuntu Pro, which the public images
    /// do not have), and the end of Debian LTS; for a runtime, the end of its security
    /// fixes. Releases gen has no date for are not reported.
    ///
    /// ## Why is this bad?
    /// Past its end of life a release gets no fixes for nginx, OpenSSL or the C library (a
    /// runtime: for the interpreter and its standard library), so every known vulnerability
    /// found afterwards stays in the image, and its package mirrors may disappear, breaking
    /// the next build.
    ///
    /// ## Example
    /// ```toml
    /// [[container]]
    /// name = "express-nginx"
    /// base = "alpine:3.18"   # end of life on 2025-05-09
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[container]]
    /// name = "express-nginx"
    /// base = "alpine:3.22"
    /// ```
    pub static EOL_BASE_IMAGE = {
        code: "DKR003",
        name: "eol-base-image",
        severity: Warning,
        check: check,
    }
}

/// One release and the day its security updates end.
struct Release {
    distro: Distro,
    version: &'static str,
    codename: &'static str,
    eol: Date,
}

const fn r(
    distro: Distro,
    version: &'static str,
    codename: &'static str,
    eol: (i32, u8, u8),
) -> Release {
    Release {
        distro,
        version,
        codename,
        // A day that does not exist stops the build.
        eol: Date::ymd(eol.0, eol.1, eol.2),
    }
}

use Distro::{Alpine, Debian, Ubuntu};

/// From the vendors' release pages as collected by endoflife.date: Alpine's end of support,
/// Ubuntu's end of standard support, the end of Debian LTS. Sorted by version per family.
const RELEASES: &[Release] = &[
    r(Alpine, "3.0", "", (2016, 5, 1)),
    r(Alpine, "3.1", "", (2016, 11, 1)),
    r(Alpine, "3.2", "", (2017, 5, 1)),
    r(Alpine, "3.3", "", (2017, 11, 1)),
    r(Alpine, "3.4", "", (2018, 5, 1)),
    r(Alpine, "3.5", "", (2018, 11, 1)),
    r(Alpine, "3.6", "", (2019, 5, 1)),
    r(Alpine, "3.7", "", (2019, 11, 1)),
    r(Alpine, "3.8", "", (2020, 5, 1)),
    r(Alpine, "3.9", "", (2020, 11, 1)),
    r(Alpine, "3.10", "", (2021, 5, 1)),
    r(Alpine, "3.11", "", (2021, 11, 1)),
    r(Alpine, "3.12", "", (2022, 5, 1)),
    r(Alpine, "3.13", "", (2022, 11, 1)),
    r(Alpine, "3.14", "", (2023, 5, 1)),
    r(Alpine, "3.15", "", (2023, 11, 1)),
    r(Alpine, "3.16", "", (2024, 5, 23)),
    r(Alpine, "3.17", "", (2024, 11, 22)),
    r(Alpine, "3.18", "", (2025, 5, 9)),
    r(Alpine, "3.19", "", (2025, 11, 1)),
    r(Alpine, "3.20", "", (2026, 4, 1)),
    r(Alpine, "3.21", "", (2026, 11, 1)),
    r(Alpine, "3.22", "", (2027, 5, 1)),
    r(Alpine, "3.23", "", (2027, 11, 1)),
    r(Ubuntu, "10.04", "lucid", (2015, 4, 30)),
    r(Ubuntu, "12.04", "precise", (2017, 4, 28)),
    r(Ubuntu, "14.04", "trusty", (2019, 4, 30)),
    r(Ubuntu, "16.04", "xenial", (2021, 4, 2)),
    r(Ubuntu, "18.04", "bionic", (2023, 5, 31)),
    r(Ubuntu, "20.04", "focal", (2025, 5, 31)),
    r(Ubuntu, "22.04", "jammy", (2027, 4, 1)),
    r(Ubuntu, "22.10", "kinetic", (2023, 7, 20)),
    r(Ubuntu, "23.04", "lunar", (2024, 1, 20)),
    r(Ubuntu, "23.10", "mantic", (2024, 7, 12)),
    r(Ubuntu, "24.04", "noble", (2029, 5, 31)),
    r(Ubuntu, "24.10", "oracular", (2025, 7, 10)),
    r(Ubuntu, "25.04", "plucky", (2026, 1, 17)),
    r(Ubuntu, "25.10", "questing", (2026, 7, 1)),
    r(Ubuntu, "26.04", "resolute", (2031, 4, 30)),
    r(Debian, "6", "squeeze", (2016, 2, 29)),
    r(Debian, "7", "wheezy", (2018, 5, 31)),
    r(Debian, "8", "jessie", (2020, 6, 30)),
    r(Debian, "9", "stretch", (2022, 6, 30)),
    r(Debian, "10", "buster", (2024, 6, 30)),
    r(Debian, "11", "bullseye", (2026, 8, 31)),
    r(Debian, "12", "bookworm", (2028, 6, 30)),
    r(Debian, "13", "trixie", (2030, 6, 30)),
];

/// The release a tag names: `3.18.4` is Alpine 3.18, `12.5-slim` and `bookworm-slim` are
/// Debian 12, `focal-20240123` is Ubuntu 20.04.
fn release(base: &Base) -> Option<&'static Release> {
    let tag = base.release.split('-').next().unwrap_or_default();
    let version = match base.distro {
        Alpine => tag.splitn(3, '.').take(2).collect::<Vec<_>>().join("."),
        Debian => tag.split('.').next().unwrap_or_default().to_owned(),
        Ubuntu => tag.to_owned(),
    };
    RELEASES.iter().find(|r| {
        r.distro == base.distro
            && (r.version == version
                || (!r.codename.is_empty() && r.codename.eq_ignore_ascii_case(tag)))
    })
}

fn distro_name(d: Distro) -> &'static str {
    Distro::ALL
        .iter()
        .find(|(_, x)| *x == d)
        .map_or("", |(name, _)| name)
}

/// The release to move to: the newest supported one that gen pins packages for, else the
/// newest supported one.
fn replacement(distro: Distro, today: Date) -> Option<(String, Date)> {
    let supported = || {
        RELEASES
            .iter()
            .filter(move |r| r.distro == distro && r.eol > today)
    };
    let image = |r: &Release| format!("{}:{}", distro_name(distro), r.version);
    let pinned = supported()
        .filter(|r| Base::parse(&image(r)).is_ok_and(|b| b.packages().is_some()))
        .max_by_key(|r| r.eol);
    pinned
        .or_else(|| supported().max_by_key(|r| r.eol))
        .map(|r| (image(r), r.eol))
}

/// The release of any image reference: a plain `alpine`, `debian` or `ubuntu` image by
/// its tag, another one by a release its tag names (`alpine3.17`, `bookworm`, `jammy`).
fn image_release(image: &str) -> Option<&'static Release> {
    let (name, tag) = crate::lint::analysis::image::name_and_tag(image)?;
    if Distro::ALL.iter().any(|(n, _)| *n == name) {
        return release(&Base::parse(image).ok()?);
    }
    let tag = tag.to_ascii_lowercase();
    tag.split('-').find_map(|part| {
        if let Some(v) = part.strip_prefix("alpine").filter(|v| !v.is_empty()) {
            let base = Base {
                image: image.to_owned(),
                distro: Alpine,
                release: v.to_owned(),
            };
            return release(&base);
        }
        RELEASES
            .iter()
            .find(|r| r.distro != Alpine && !r.codename.is_empty() && r.codename == part)
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    check_dockerfiles(ctx, out);
    let Some(spec) = &ctx.spec else {
        return;
    };
    for c in &spec.spec.containers {
        let Some(rel) = release(&c.base) else {
            continue;
        };
        if ctx.today < rel.eol {
            continue;
        }
        let image = &c.base.image;
        let (span, note, message) = match c.base_span {
            Some(span) => (
                span,
                format!("end of life since {}", rel.eol),
                format!(
                    "base image `{image}` reached its end of life on {}",
                    rel.eol
                ),
            ),
            None => (
                c.span,
                format!("`{}` uses the default base `{image}`", c.name),
                format!(
                    "the default base image `{image}` reached its end of life on {}",
                    rel.eol
                ),
            ),
        };
        let help = match replacement(c.base.distro, ctx.today) {
            Some((to, until)) => format!(
                "set `base` to a supported release, e.g. `{to}` (supported until {until}), then run `gen build`"
            ),
            None => format!(
                "set `base` to a supported release of `{}`, then run `gen build`",
                distro_name(c.base.distro)
            ),
        };
        out.push(
            EOL_BASE_IMAGE
                .diagnostic(message, Label::new(&spec.path, &spec.text, span, note))
                .with_help(help),
        );
    }
}

/// Container directories not generated from the spec: the final stage's base image.
fn check_dockerfiles(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in ctx.containers.iter().filter(|c| c.spec_index.is_none()) {
        let Some(base) = &c.model.base_image else {
            continue;
        };
        let Some(rel) = image_release(&base.value).filter(|r| ctx.today >= r.eol) else {
            check_runtime(ctx, c, base, out);
            continue;
        };
        let Some(primary) = c.label(&base.origin, format!("end of life since {}", rel.eol)) else {
            continue;
        };
        let plain = crate::lint::analysis::image::name_and_tag(&base.value)
            .is_some_and(|(n, _)| Distro::ALL.iter().any(|(d, _)| *d == n));
        let help = match (replacement(rel.distro, ctx.today), plain) {
            (Some((to, until)), true) => {
                format!("build on a supported release, e.g. `FROM {to}` (supported until {until})")
            }
            (Some((to, until)), false) => format!(
                "use a tag of this image built on a supported release, e.g. one on `{to}` (supported until {until})"
            ),
            (None, _) => format!(
                "build on a supported release of `{}`",
                distro_name(rel.distro)
            ),
        };
        let what = if plain {
            format!("base image `{}`", base.value)
        } else {
            let v = if rel.codename.is_empty() {
                rel.version.to_owned()
            } else {
                format!("{} ({})", rel.version, rel.codename)
            };
            format!(
                "base image `{}` is built on {} {v}, which",
                base.value,
                distro_name(rel.distro)
            )
        };
        out.push(
            EOL_BASE_IMAGE
                .diagnostic(
                    format!("{what} reached its end of life on {}", rel.eol),
                    primary,
                )
                .with_help(help),
        );
    }
}

/// An official language image whose tag names a runtime past its end of life
/// (`python:3.6`, `php:7.3-fpm`), when its distribution release is not (or is unknown).
fn check_runtime(
    ctx: &Context,
    c: &crate::lint::ContainerDir,
    base: &crate::model::Fact<String>,
    out: &mut Vec<Diagnostic>,
) {
    let Some((name, tag)) = crate::lint::analysis::image::name_and_tag(&base.value) else {
        return;
    };
    // Only the official images: `library/python`, not `someone/python`.
    let path = base.value.split(['@', ':']).next().unwrap_or_default();
    let official = matches!(
        path.strip_prefix("docker.io/").unwrap_or(path),
        p if p == name || p.strip_prefix("library/") == Some(name)
    );
    if !official {
        return;
    }
    let Some(rt) = runtime_eol::image_runtime(name, tag) else {
        return;
    };
    if ctx.today < rt.eol {
        return;
    }
    let Some(primary) = c.label(&base.origin, format!("end of life since {}", rt.eol)) else {
        return;
    };
    // The same variant (`-fpm`, `-slim`, `-alpine`) of a supported release.
    let variant = tag
        .split_once('-')
        .map_or(String::new(), |(_, v)| format!("-{v}"));
    let help = match runtime_eol::supported(name, ctx.today) {
        Some(to) => format!(
            "build on a supported release of {}, e.g. `FROM {name}:{}{variant}` (supported until {}), and test the app on it",
            rt.name, to.version, to.eol
        ),
        None => format!("build on a supported release of {}", rt.name),
    };
    out.push(
        EOL_BASE_IMAGE
            .diagnostic(
                format!(
                    "base image `{}` runs {} {}, which reached its end of life on {}",
                    base.value, rt.name, rt.version, rt.eol
                ),
                primary,
            )
            .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::SpecFile;

    fn day(s: &str) -> Date {
        Date::parse(s).expect(s)
    }

    fn findings(spec_text: &str, today: &str) -> Vec<(usize, String, String)> {
        let spec = crate::spec::load("spec.toml", spec_text).expect("valid spec");
        let mut ctx = Context::new(day(today));
        ctx.spec = Some(SpecFile {
            path: "spec.toml".into(),
            text: spec_text.into(),
            spec,
            out: "generated".into(),
        });
        let mut out = Vec::new();
        check(&ctx, &mut out);
        out.into_iter()
            .map(|d| (d.primary.start.line, d.message, d.help.unwrap_or_default()))
            .collect()
    }

    fn spec(base: &str) -> String {
        format!(
            "[[container]]\nname = \"a\"\n{base}host_port = 8001\n\n[container.app]\nkind = \"express\"\nmessage = \"hi\"\n"
        )
    }

    #[test]
    fn image_release_table() {
        let cases = [
            ("node:18-alpine3.17", Some("3.17")),
            ("python:3.9-slim-buster", Some("10")),
            ("ubuntu:20.04", Some("20.04")),
            ("buildpack-deps:jammy-curl", Some("22.04")),
            ("node:22", None),
            ("ghcr.io/acme/app:1.0", None),
            ("alpine", None),
            ("ubuntu@sha256:abc", None),
        ];
        for (image, want) in cases {
            assert_eq!(image_release(image).map(|r| r.version), want, "{image}");
        }
    }

    #[test]
    fn release_table() {
        let cases = [
            ("alpine:3.18", Some("3.18")),
            ("alpine:3.18.4", Some("3.18")),
            ("alpine:3.1", Some("3.1")),
            ("alpine:3.9", Some("3.9")),
            ("ubuntu:14.04", Some("14.04")),
            ("ubuntu:trusty", Some("14.04")),
            ("debian:jessie-slim", Some("8")),
            ("debian:8", Some("8")),
            ("alpine:edge", None),
            ("debian:bookworm-slim", Some("12")),
            ("debian:12.5-slim", Some("12")),
            ("debian:sid", None),
            ("ubuntu:focal-20240123", Some("20.04")),
            ("ubuntu:20.04", Some("20.04")),
            ("ubuntu:NOBLE", Some("24.04")),
            ("docker.io/library/ubuntu:24.04", Some("24.04")),
        ];
        for (image, want) in cases {
            let base = Base::parse(image).expect(image);
            assert_eq!(release(&base).map(|r| r.version), want, "{image}");
        }
    }

    #[test]
    fn eol_base_is_reported_from_its_day_on() {
        let text = spec("base = \"alpine:3.18\"\n");
        assert_eq!(findings(&text, "2025-05-08"), []);
        let found = findings(&text, "2025-05-09");
        assert_eq!(
            found,
            [(
                3,
                "base image `alpine:3.18` reached its end of life on 2025-05-09".to_owned(),
                "set `base` to a supported release, e.g. `alpine:3.22` (supported until 2027-05-01), then run `gen build`".to_owned()
            )]
        );
    }

    #[test]
    fn supported_and_unknown_releases_pass() {
        for base in ["alpine:3.22", "ubuntu:24.04", "debian:13", "alpine:3.99"] {
            let text = spec(&format!("base = \"{base}\"\n"));
            assert_eq!(findings(&text, "2026-11-29"), [], "{base}");
        }
    }

    #[test]
    fn default_base_points_at_the_entry() {
        // Express defaults to alpine:3.22, which reaches its end of life on 2027-05-01.
        let found = findings(&spec(""), "2027-06-01");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
        assert_eq!(
            found[0].1,
            "the default base image `alpine:3.22` reached its end of life on 2027-05-01"
        );
        assert!(found[0].2.contains("`alpine:3.23`"), "{}", found[0].2);
    }

    #[test]
    fn no_replacement_when_every_release_is_past_its_end() {
        let found = findings(&spec("base = \"ubuntu:20.04\"\n"), "2040-01-01");
        assert_eq!(
            found[0].2,
            "set `base` to a supported release of `ubuntu`, then run `gen build`"
        );
    }
}
