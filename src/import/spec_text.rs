//! The spec text import writes: each container in the spec's order of keys, each key with
//! a comment saying where its value comes from.

use super::{Imported, Key, Plan, Table};

/// What the command decided for a container's files: the app's source directory and the
/// snippet, relative to the spec, and a comment above `base` (an end-of-life warning).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    pub source: Option<String>,
    pub include: Option<String>,
    pub base_comment: Option<String>,
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn bare_or_quoted(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        quote(k)
    }
}

fn line(out: &mut String, name: &str, value: &str, from: &str) {
    out.push_str(&format!("{name} = {value}  # {from}\n"));
}

fn keys(out: &mut String, c: &Imported, table: Table) {
    for k in c.keys.iter().filter(|k| k.table == table) {
        line(out, k.name, &k.value.to_string(), &k.from);
    }
}

fn has(c: &Imported, table: Table) -> bool {
    c.keys.iter().any(|k: &Key| k.table == table)
}

/// The spec for `plan`, with `paths[i]` for `plan.containers[i]`; `command` is the command
/// line that wrote it, for the header.
#[must_use]
pub fn render(plan: &Plan, paths: &[Paths], command: &str) -> String {
    let mut out = format!(
        "# Written by `{command}`\n\
         # from hand-written containers: each value says where in them it comes from.\n\
         # `gen build` writes the containers under generated/.\n"
    );
    for (i, c) in plan.containers.iter().enumerate() {
        let p = paths.get(i).cloned().unwrap_or_default();
        out.push_str(&format!("\n# From {}\n[[container]]\n", c.dir));
        for k in c.keys.iter().filter(|k| k.table == Table::Container) {
            if k.name == "base" {
                if let Some(comment) = &p.base_comment {
                    out.push_str(&format!("# {comment}\n"));
                }
            }
            line(&mut out, k.name, &k.value.to_string(), &k.from);
        }
        out.push_str("\n[container.app]\n");
        keys(&mut out, c, Table::App);
        if let Some(src) = &p.source {
            let from = c.source_dir.as_ref().map_or("", |(_, f)| f.as_str());
            line(&mut out, "source", &quote(src), from);
        }
        if has(c, Table::Nginx) || p.include.is_some() {
            out.push_str("\n[container.nginx]\n");
            keys(&mut out, c, Table::Nginx);
            if let Some(inc) = &p.include {
                out.push_str(&format!(
                    "include = [{}]  # the lines of the originals gen does not write\n",
                    quote(inc)
                ));
            }
        }
        for s in &c.statics {
            out.push_str("\n[[container.static]]\n");
            line(&mut out, "path", &quote(&s.path), &s.from);
            out.push_str(&format!("dir = {}\n", quote(&s.dir)));
        }
        for prog in &c.programs {
            out.push_str("\n[[container.program]]\n");
            line(&mut out, "name", &quote(&prog.name), &prog.from);
            out.push_str(&format!("command = {}\n", quote(&prog.command)));
            if let Some(u) = &prog.user {
                out.push_str(&format!("user = {}\n", quote(u)));
            }
            if let Some(d) = &prog.directory {
                out.push_str(&format!("directory = {}\n", quote(d)));
            }
            if !prog.environment.is_empty() {
                let pairs: Vec<String> = prog
                    .environment
                    .iter()
                    .map(|(k, v)| format!("{} = {}", bare_or_quoted(k), quote(v)))
                    .collect();
                out.push_str(&format!("environment = {{ {} }}\n", pairs.join(", ")));
            }
        }
    }
    out
}
