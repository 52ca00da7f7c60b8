//! `env-value-refused`: a value that the image's entrypoint refuses for one of its
//! configuration variables: the image's own `ENV` default, or the value a compose service
//! or a Kubernetes container sets.

use crate::diagnostic::{Diagnostic, Label};
use crate::lint::{ContainerDir, Context, declare_rule};
use crate::model::Origin;
use crate::parse::span::Span;
use std::borrow::Cow;

declare_rule! {
    /// ## What it does
    /// Reads the checks of the image's entrypoint (the `port`, `number`, `size`, `one_of`
    /// and `text` lines of the entrypoint `gen build` writes) and applies them to the
    /// values the container would start with: the Dockerfile's `ENV` defaults, and the
    /// values a compose service's `environment:` or a Kubernetes container's `env:` sets
    /// (those that depend on the host, `$VAR`, `${VAR}` or `$(VAR)`, are not judged).
    ///
    /// ## Why is this bad?
    /// The entrypoint refuses a bad value before anything starts: the container exits at
    /// once with code 78, and with `restart: unless-stopped` it restarts forever. Caught
    /// here, the mistake is found before a build or a deployment.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_PORT=80
    /// ```
    /// in an image whose nginx listens on 80 (`port APP_PORT "${APP_PORT-}" 80` in the
    /// entrypoint).
    ///
    /// Use instead:
    /// ```dockerfile
    /// ENV APP_PORT=8000
    /// ```
    pub static ENV_VALUE_REFUSED = {
        code: "ENV003",
        name: "env-value-refused",
        severity: Error,
        check: check,
    }
}

/// One check of the entrypoint: `port APP_PORT "${APP_PORT-}" 80`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvCheck {
    pub name: String,
    pub kind: CheckKind,
    /// The line in the entrypoint.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckKind {
    Port { nginx_port: String },
    Number { min: u64, max: u64 },
    Size,
    OneOf(Vec<String>),
    Text,
}

/// The checks an entrypoint script makes, one per line in the form gen writes; lines of any
/// other form are not checks.
#[must_use]
pub fn checks(script: &str) -> Vec<EnvCheck> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in script.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end();
        // Most lines of a script are not checks: they are told apart by their first word,
        // then the next two, before the rest is collected or anything is formatted.
        let mut words = text.split_whitespace();
        let Some(kind @ ("port" | "number" | "size" | "one_of" | "text")) = words.next() else {
            continue;
        };
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        let quoted = value
            .strip_prefix("\"${")
            .and_then(|v| v.strip_suffix("-}\""));
        if quoted != Some(name) {
            continue;
        }
        let args: Vec<&str> = words.collect();
        let kind = match (kind, args.as_slice()) {
            ("port", [nginx_port]) => CheckKind::Port {
                nginx_port: (*nginx_port).to_owned(),
            },
            ("number", [min, max]) => match (min.parse(), max.parse()) {
                (Ok(min), Ok(max)) => CheckKind::Number { min, max },
                _ => continue,
            },
            ("size", []) => CheckKind::Size,
            ("one_of", words) if !words.is_empty() => {
                CheckKind::OneOf(words.iter().map(|w| (*w).to_owned()).collect())
            }
            ("text", []) => CheckKind::Text,
            _ => continue,
        };
        out.push(EnvCheck {
            name: (*name).to_owned(),
            kind,
            span: Span {
                start,
                end: start + text.len(),
            },
        });
    }
    out
}

fn number(value: &str, min: u64, max: u64) -> Result<(), String> {
    // Written only for a value refused: most are taken.
    let expected = || format!("a whole number from {min} to {max}");
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits || (value.len() > 1 && value.starts_with('0')) || value.len() > 5 {
        return Err(expected());
    }
    match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(()),
        _ => Err(expected()),
    }
}

impl CheckKind {
    /// Why the entrypoint refuses `value`, as it says it; `Ok` when it takes it.
    ///
    /// # Errors
    /// What the entrypoint expects instead.
    pub fn judge(&self, value: &str) -> Result<(), String> {
        match self {
            Self::Port { nginx_port } => {
                number(value, 1, 65535)?;
                if value == nginx_port {
                    return Err("a port other than nginx's own".to_owned());
                }
                Ok(())
            }
            Self::Number { min, max } => number(value, *min, *max),
            Self::Size => {
                let digits = value.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
                let ok = !digits.is_empty()
                    && value.len() - digits.len() <= 1
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && value.len() <= 13;
                if ok {
                    Ok(())
                } else {
                    Err("an nginx size, digits with an optional k, m or g (e.g. 10m)".to_owned())
                }
            }
            Self::OneOf(words) => {
                if words.iter().any(|w| w == value) {
                    Ok(())
                } else {
                    // `warn` for `warning`: a prefix is as likely a slip as a typo.
                    let names: Vec<&str> = words.iter().map(String::as_str).collect();
                    let near = crate::spec::nearest(value, &names).or_else(|| {
                        names
                            .iter()
                            .copied()
                            .find(|n| value.len() >= 3 && n.starts_with(value))
                    });
                    let all = words.join(" ");
                    Err(match near {
                        Some(n) => format!("one of: {all}; did you mean `{n}`?"),
                        None => format!("one of: {all}"),
                    })
                }
            }
            Self::Text => {
                if value.is_empty() {
                    Err("a value that is not empty".to_owned())
                } else {
                    Ok(())
                }
            }
        }
    }
}

/// A container's entrypoint script and the checks it makes, read once per container.
struct Script<'a> {
    file: &'a str,
    checks: Vec<EnvCheck>,
}

/// A value a container would start with: the variable, its value, and who sets it (for
/// the message: `the image's default`, `service `web``...).
struct Setting<'a> {
    name: &'a str,
    value: &'a str,
    who: Who<'a>,
}

/// Who sets a value, as the message says it; written out only for a finding.
enum Who<'a> {
    Image,
    Service(&'a str),
    Workload { kind: &'a str, name: &'a str },
}

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Image => f.write_str("the image's default"),
            Self::Service(name) => write!(f, "service `{name}`"),
            Self::Workload { kind, name } => write!(f, "the {kind} `{name}`"),
        }
    }
}

/// Reports `setting` when the entrypoint of `dir` refuses it. The label is made only for a
/// finding: a label reads its file up to its place, and a compose file of a thousand
/// services is long.
fn report(
    dir: &ContainerDir,
    script: Option<&Script<'_>>,
    setting: &Setting<'_>,
    primary: impl FnOnce() -> Option<Label>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(script) = script else { return };
    let Some(c) = script.checks.iter().find(|c| c.name == setting.name) else {
        return;
    };
    let Err(expected) = c.kind.judge(setting.value) else {
        return;
    };
    let Some(primary) = primary() else {
        return;
    };
    let mut d = ENV_VALUE_REFUSED.diagnostic(
        format!(
            "the entrypoint refuses `{}={}` ({}), so the container does not start",
            c.name,
            crate::spec::shown(setting.value),
            setting.who
        ),
        primary,
    );
    let at = Origin::File {
        file: script.file.to_owned(),
        span: c.span,
    };
    if let Some(l) = dir.label(&at, "checked here") {
        d = d.with_related(l);
    }
    out.push(d.with_help(format!("set `{}` to {expected}", c.name)));
}

/// A deployment's value as the container gets it: compose and the kubelet both read `$$`
/// as `$`. `None` when it depends on the host or on other variables (`$VAR`, `${VAR}`,
/// `$(VAR)`), which gen cannot know.
fn literal(value: &str) -> Option<Cow<'_, str>> {
    // Most values have no `$`: they are taken as they are, without a copy.
    if !value.contains('$') {
        return Some(Cow::Borrowed(value));
    }
    if value.replace("$$", "").contains('$') {
        return None;
    }
    Some(Cow::Owned(value.replace("$$", "$")))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let scripts: Vec<Option<Script<'_>>> = ctx
        .containers
        .iter()
        .map(|d| {
            let (file, text) = super::entrypoint_script(d)?;
            Some(Script {
                file,
                checks: checks(text),
            })
        })
        .collect();
    let script = |i: usize| scripts.get(i).and_then(Option::as_ref);
    for (i, dir) in ctx.containers.iter().enumerate() {
        for (name, default) in &dir.model.env {
            let setting = Setting {
                name,
                value: &default.value,
                who: Who::Image,
            };
            let label = || {
                let shown = crate::spec::shown(&default.value);
                dir.label(&default.origin, format!("the image's default: `{shown}`"))
            };
            report(dir, script(i), &setting, label, out);
        }
    }
    for project in &ctx.projects {
        for s in project.compose.iter().flat_map(|c| &c.services) {
            let Some((i, dir)) = s.container.and_then(|i| Some((i, ctx.containers.get(i)?))) else {
                continue;
            };
            for e in &s.environment {
                let Some(v) = &e.value else { continue };
                let Some(value) = literal(&v.value) else {
                    continue;
                };
                let setting = Setting {
                    name: &e.name.value,
                    value: &value,
                    who: Who::Service(&s.name.value),
                };
                let primary = || Some(project.label(v.loc, "refused at start"));
                report(dir, script(i), &setting, primary, out);
            }
        }
        for w in &project.k8s.workloads {
            for c in &w.containers {
                let Some((i, dir)) = c.container.and_then(|i| Some((i, ctx.containers.get(i)?)))
                else {
                    continue;
                };
                for (name, v) in c.env.iter().zip(&c.env_values) {
                    let Some(v) = v else { continue };
                    let Some(value) = literal(&v.value) else {
                        continue;
                    };
                    let setting = Setting {
                        name: &name.value,
                        value: &value,
                        who: Who::Workload {
                            kind: &w.kind,
                            name: &w.name.value,
                        },
                    };
                    let primary = || Some(project.label(v.loc, "refused at start"));
                    report(dir, script(i), &setting, primary, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_checks_gen_writes() {
        let script = "set -eu\nport APP_PORT \"${APP_PORT-}\" 80\nnumber W \"${W-}\" 1 64\n\
            one_of L \"${L-}\" a b\nsize S \"${S-}\"\ntext M \"${M-}\"\nport X \"$X\" 80\nnumber Y \"${Y-}\" a 3\n";
        let got: Vec<(String, CheckKind)> = checks(script)
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "APP_PORT".into(),
                    CheckKind::Port {
                        nginx_port: "80".into()
                    }
                ),
                ("W".into(), CheckKind::Number { min: 1, max: 64 }),
                ("L".into(), CheckKind::OneOf(vec!["a".into(), "b".into()])),
                ("S".into(), CheckKind::Size),
                ("M".into(), CheckKind::Text),
            ]
        );
    }

    #[test]
    fn judges_as_the_entrypoint_does() {
        let port = CheckKind::Port {
            nginx_port: "80".into(),
        };
        let size = CheckKind::Size;
        let cases: [(&CheckKind, &str, bool); 16] = [
            (&port, "8000", true),
            (&port, "80", false),
            (&port, "0", false),
            (&port, "65535", true),
            (&port, "65536", false),
            (&port, "08000", false),
            (&port, "8000x", false),
            (&port, "", false),
            (&port, "123456", false),
            (&size, "1m", true),
            (&size, "10", true),
            (&size, "10mb", false),
            (&size, "m", false),
            (&size, "1m; daemon on", false),
            (&CheckKind::Text, "", false),
            (&CheckKind::OneOf(vec!["info".into()]), "warn", false),
        ];
        for (kind, value, ok) in cases {
            assert_eq!(kind.judge(value).is_ok(), ok, "{kind:?} {value:?}");
        }
    }
}
