//! Code actions on a finding under the cursor: its fix, the one `gen check --fix` applies
//! (titled safe or unsafe, preferred when safe), and a comment that allows it on its line,
//! written in the file's comment syntax by [`suppress::insertion`].

// `WorkspaceEdit` keys its edits by `Uri`, whose cached parse state is a `Cell`; its
// `Hash` and `Eq` read the string alone, so the key never changes under the map.
#![allow(clippy::mutable_key_type)]

use super::diagnostics::{self, range};
use super::session::{Linted, Session};
use super::uri;
use crate::diagnostic::{Applicability, Diagnostic};
use crate::lint::suppress;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::Path;

/// The actions for the findings of the document that touch the requested range.
#[must_use]
pub fn actions(session: &Session, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let Some(path) = uri::to_path(&params.text_document.uri) else {
        return Vec::new();
    };
    let Some((linted, file)) = session.linted_for(&path) else {
        return Vec::new();
    };
    let Some(text) = linted.text(&file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in linted.diags.iter().filter(|d| d.primary.file == file) {
        let at = range(text, d.primary.span);
        if !touches(at, params.range) {
            continue;
        }
        let shown = diagnostics::convert(d, &linted.sources, &linted.files, None);
        if let Some(action) = fix_action(linted, d, &shown) {
            out.push(CodeActionOrCommand::CodeAction(action));
        }
        if let Some(action) = suppress_action(linted, d, &file, text, &params.text_document.uri) {
            out.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    out
}

/// Whether two ranges overlap or touch (a cursor is an empty range).
fn touches(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn fix_action(
    linted: &Linted,
    d: &Diagnostic,
    shown: &lsp_types::Diagnostic,
) -> Option<CodeAction> {
    let fix = d.fix.as_ref()?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for e in &fix.edits {
        let text = linted.text(&e.file)?;
        changes
            .entry(uri::from_path(Path::new(&e.file))?)
            .or_default()
            .push(TextEdit {
                range: range(text, e.span),
                new_text: e.replacement.clone(),
            });
    }
    let safe = fix.applicability == Applicability::Safe;
    Some(CodeAction {
        title: format!(
            "{}: {} ({} fix)",
            d.code,
            fix.title,
            fix.applicability.as_str()
        ),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(safe),
        ..CodeAction::default()
    })
}

fn suppress_action(
    linted: &Linted,
    d: &Diagnostic,
    file: &str,
    text: &str,
    uri: &Uri,
) -> Option<CodeAction> {
    let syntax = linted.ctx.comment_syntax(file)?;
    let (at, new) = suppress::insertion(syntax, text, d.primary.start.line, &d.code)?;
    let edit = TextEdit {
        range: range(text, crate::parse::span::Span::new(at, at)),
        new_text: new,
    };
    Some(CodeAction {
        title: format!("Suppress {} on this line", d.code),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(false),
        ..CodeAction::default()
    })
}
