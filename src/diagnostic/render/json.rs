//! The JSON format: one document, `{"diagnostics": [...], "summary": {...}}`. Tools depend on
//! this exact shape.

use crate::diagnostic::{Diagnostic, Severity};
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
            json!({
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
            })
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

#[must_use]
pub fn render(diags: &[Diagnostic], files: usize) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(diags, files)).unwrap_or_default();
    s.push('\n');
    s
}
