//! SARIF 2.1.0, as GitHub code scanning reads it: one run whose driver lists every rule with
//! its help, and one result per diagnostic with its location and related locations. Columns
//! count characters (`columnKind: unicodeCodePoints`), as in every other format. A finding
//! with a fix carries it in `fixes`.

use crate::diagnostic::{Diagnostic, Fix, Label, Severity};
use serde_json::{Map, Value, json};

/// What SARIF says about a rule, from its declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    /// One line.
    pub short: String,
    /// The `What it does` section.
    pub full: String,
    /// The whole doc comment, Markdown.
    pub help_markdown: String,
    pub severity: Severity,
}

const fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path as a relative URI reference (GitHub resolves it against the repository
/// root); an absolute path as a `file://` URI.
#[must_use]
pub fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(label: &Label) -> Value {
    let mut region = Map::new();
    region.insert("startLine".into(), json!(label.start.line));
    region.insert("startColumn".into(), json!(label.start.column));
    if !label.span.is_empty() {
        region.insert("endLine".into(), json!(label.end.line));
        region.insert("endColumn".into(), json!(label.end.column));
    }
    json!({
        "artifactLocation": { "uri": artifact_uri(&label.file) },
        "region": region,
    })
}

fn location(label: &Label, id: Option<usize>) -> Value {
    let mut loc = Map::new();
    if let Some(id) = id {
        loc.insert("id".into(), json!(id));
    }
    loc.insert("physicalLocation".into(), physical(label));
    if !label.message.is_empty() {
        loc.insert("message".into(), json!({ "text": label.message }));
    }
    Value::Object(loc)
}

/// A SARIF `fix`: its title, one `artifactChange` per file in the order the edits name
/// them, and whether it is safe (in `properties`, SARIF has no word for it). A region gives
/// both its lines and columns and its bytes; an empty one is an insertion point.
fn fix_value(fix: &Fix) -> Value {
    let mut files: Vec<(&str, Vec<Value>)> = Vec::new();
    for e in &fix.edits {
        let replacement = json!({
            "deletedRegion": {
                "startLine": e.start.line,
                "startColumn": e.start.column,
                "endLine": e.end.line,
                "endColumn": e.end.column,
                "byteOffset": e.span.start,
                "byteLength": e.span.len(),
            },
            "insertedContent": { "text": e.replacement },
        });
        match files.iter_mut().find(|(f, _)| *f == e.file) {
            Some((_, list)) => list.push(replacement),
            None => files.push((&e.file, vec![replacement])),
        }
    }
    let changes: Vec<Value> = files
        .into_iter()
        .map(|(file, replacements)| {
            json!({
                "artifactLocation": { "uri": artifact_uri(file) },
                "replacements": replacements,
            })
        })
        .collect();
    json!({
        "description": { "text": fix.title },
        "artifactChanges": changes,
        "properties": { "applicability": fix.applicability.as_str() },
    })
}

#[must_use]
pub fn to_value(diags: &[Diagnostic], rules: &[RuleMeta]) -> Value {
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "help": { "text": r.help_markdown, "markdown": r.help_markdown },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\n\nhelp: ");
                text.push_str(help);
            }
            let mut result = Map::new();
            result.insert("ruleId".into(), json!(d.code));
            if let Some(i) = rules.iter().position(|r| r.id == d.code) {
                result.insert("ruleIndex".into(), json!(i));
            }
            result.insert("level".into(), json!(level(d.severity)));
            result.insert("message".into(), json!({ "text": text }));
            result.insert("locations".into(), json!([location(&d.primary, None)]));
            if !d.related.is_empty() {
                let related: Vec<Value> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, l)| location(l, Some(i + 1)))
                    .collect();
                result.insert("relatedLocations".into(), Value::Array(related));
            }
            if let Some(fix) = &d.fix {
                result.insert("fixes".into(), json!([fix_value(fix)]));
            }
            Value::Object(result)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "gen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[must_use]
pub fn render(diags: &[Diagnostic], rules: &[RuleMeta]) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(diags, rules)).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_table() {
        let cases = [
            ("generated/a b/nginx.conf", "generated/a%20b/nginx.conf"),
            ("./spec.toml", "spec.toml"),
            ("/abs/x#y", "file:///abs/x%23y"),
            ("dir\\Dockerfile", "dir/Dockerfile"),
            ("é", "%C3%A9"),
        ];
        for (path, want) in cases {
            assert_eq!(artifact_uri(path), want, "{path}");
        }
    }
}
