//! Running one rule over an in-memory container directory, for the rules' unit tests.

use crate::diagnostic::Diagnostic;
use crate::lint::date::Date;
use crate::lint::{ContainerDir, Context, Rule, SourceFile};

/// The findings of `rule` on one container directory `c` holding `files` (relative path,
/// text), sorted as `gen check` sorts them.
pub fn findings(rule: &Rule, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut ctx = Context::new(Date::new(2026, 11, 29).expect("a date"));
    let mut list: Vec<SourceFile> = files
        .iter()
        .map(|(rel, text)| SourceFile {
            rel: (*rel).to_owned(),
            path: format!("c/{rel}"),
            text: Some((*text).to_owned()),
        })
        .collect();
    list.sort_by(|a, b| a.rel.cmp(&b.rel));
    ctx.containers.push(ContainerDir::new(
        "c".to_owned(),
        "c".to_owned(),
        None,
        list,
    ));
    let mut out = Vec::new();
    (rule.check)(&ctx, &mut out);
    out.sort_by(|a, b| {
        (&a.primary.file, a.primary.start, &a.message).cmp(&(
            &b.primary.file,
            b.primary.start,
            &b.message,
        ))
    });
    out
}
