//! The JSON format: one document, `{"diagnostics": [...], "summary": {...}}`. Tools depend on
//! this exact shape; a finding with a fix has one more key, `fix`.

use crate::diagnostic::{Diagnostic, Fix, Severity};
use serde_json::{Value, json};

#[must_use]
pub fn to_value(diags: &[Diagnostic], files: usize) -> Value {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let list: Vec<Value> = diags
        .iter()
        .map(|d| {
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| {
                    json!({
                        "file": r.file,
                        "line": r.start.line,
                        "column": r.start.column,
                        "message": r.message,
                    })
                })
                .collect();
            let mut value = json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": d.primary.file,
                "line": d.primary.start.line,
                "column": d.primary.start.column,
                "end_line": d.primary.end.line,
                "end_column": d.primary.end.column,
                "related": related,
                "help": d.help.clone().unwrap_or_default(),
            });
            // Only findings with a fix have the key, so the shape of the others is as before.
            if let (Some(fix), Some(map)) = (&d.fix, value.as_object_mut()) {
                map.insert("fix".into(), fix_value(fix));
            }
            value
        })
        .collect();
    json!({
        "diagnostics": list,
        "summary": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "files": files,
        }
    })
}

/// `{"title", "applicability", "edits": [{"file", "line", "column", "end_line",
/// "end_column", "content"}]}`: an edit replaces `line:column` up to `end_line:end_column`
/// (exclusive) with `content`; an empty range inserts.
fn fix_value(fix: &Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "file": e.file,
                "line": e.start.line,
                "column": e.start.column,
                "end_line": e.end.line,
                "end_column": e.end.column,
                "content": e.replacement,
            })
        })
        .collect();
    json!({
        "title": fix.title,
        "applicability": fix.applicability.as_str(),
        "edits": edits,
    })
}

#[must_use]
pub fn render(diags: &[Diagnostic], files: usize) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(diags, files)).unwrap_or_default();
    s.push('\n');
    s
}
