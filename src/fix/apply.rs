//! Applying fixes to texts: which fixes of one pass go together (a fix overlapping one
//! already taken waits for the next pass, as in ruff), and the edited texts.

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use std::collections::BTreeMap;

/// The fixes of one pass: the edits to make, by file, and how many findings they fix.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub edits: BTreeMap<String, Vec<Edit>>,
    pub fixed: usize,
}

/// Whether two edits of one file touch the same bytes. Insertions at the same place, or at
/// the end of a replaced range, do not: they keep their order.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    a.span.start < b.span.end && b.span.start < a.span.end
}

/// Whether `edit` is one `text` can take: inside it, on character boundaries.
fn fits(text: &str, edit: &Edit) -> bool {
    edit.span.start <= edit.span.end
        && text.is_char_boundary(edit.span.start)
        && text.is_char_boundary(edit.span.end)
}

/// The fixes of `diags` (in order) that apply at `level` and that can be made together:
/// each fix whole or not at all, none touching bytes another one edits. An edit equal to
/// one already taken is made once. `text` gives the current text of each file that may be
/// edited; a fix with an edit elsewhere is left alone.
#[must_use]
pub fn plan<'t>(
    diags: &[Diagnostic],
    level: Applicability,
    text: impl Fn(&str) -> Option<&'t str>,
) -> Plan {
    let mut plan = Plan::default();
    for d in diags {
        let Some(fix) = d.fix.as_ref().filter(|f| f.applies_at(level)) else {
            continue;
        };
        let mut new = Vec::new();
        let mut ok = true;
        for e in &fix.edits {
            if !text(&e.file).is_some_and(|t| fits(t, e)) {
                ok = false;
                break;
            }
            let taken = plan.edits.get(&e.file).map_or(&[][..], Vec::as_slice);
            if taken.contains(e) || new.contains(e) {
                continue;
            }
            let clash = |o: &Edit| o.file == e.file && overlaps(o, e);
            if taken.iter().any(clash) || new.iter().any(clash) {
                ok = false;
                break;
            }
            new.push(e.clone());
        }
        if !ok {
            continue;
        }
        for e in new {
            plan.edits.entry(e.file.clone()).or_default().push(e);
        }
        plan.fixed += 1;
    }
    plan
}

/// `text` with `edits` made (none overlapping; insertions at one place in the order given).
#[must_use]
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    // Stable: insertions at one offset stay in order, and come before a replacement there.
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            continue;
        }
        out.push_str(text.get(at..e.span.start).unwrap_or_default());
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// A unified diff of `old` to `new`, both headed with `path` (as `patch -p0` reads it).
#[must_use]
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .missing_newline_hint(true)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Label, Severity};
    use crate::parse::span::Span;

    fn edit(start: usize, end: usize, new: &str) -> Edit {
        Edit::replace("f", "0123456789", Span::new(start, end), new)
    }

    fn finding(fix: Fix) -> Diagnostic {
        Diagnostic::new("X001", "x", Severity::Error, "m", Label::file("f", "")).with_fix(Some(fix))
    }

    #[test]
    fn apply_table() {
        let cases: &[(&[Edit], &str)] = &[
            (&[], "0123456789"),
            (&[edit(0, 1, "a")], "a123456789"),
            (&[edit(3, 3, "x"), edit(3, 3, "y")], "012xy3456789"),
            (&[edit(8, 10, ""), edit(0, 2, "")], "234567"),
            (&[edit(2, 4, "ab"), edit(4, 4, "!")], "01ab!456789"),
        ];
        for (edits, want) in cases {
            assert_eq!(apply("0123456789", edits), *want, "{edits:?}");
        }
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let diags = [
            finding(Fix::safe("a", vec![edit(2, 5, "a")])),
            finding(Fix::safe("b", vec![edit(4, 6, "b")])),
            finding(Fix::safe("c", vec![edit(5, 5, "c")])),
            // The same edit as the first: made once, and it fixes this finding too.
            finding(Fix::safe("d", vec![edit(2, 5, "a")])),
            finding(Fix::unsafe_("e", vec![edit(8, 9, "e")])),
        ];
        let text = |_: &str| Some("0123456789");
        let plan = plan(&diags, Applicability::Safe, text);
        assert_eq!(plan.fixed, 3);
        assert_eq!(plan.edits["f"], [edit(2, 5, "a"), edit(5, 5, "c")]);
        let all = super::plan(&diags, Applicability::Unsafe, text);
        assert_eq!(all.fixed, 4);
    }

    #[test]
    fn a_fix_is_whole_or_not_at_all() {
        let two = Fix::safe("two", vec![edit(0, 1, "a"), Edit::insert("g", "", 0, "x")]);
        let plan = plan(&[finding(two)], Applicability::Safe, |f| {
            (f == "f").then_some("0123456789")
        });
        assert_eq!(plan, Plan::default());
        // An edit past the end of the text, or inside a character, is refused.
        let bad = [
            finding(Fix::safe("far", vec![edit(11, 12, "")])),
            finding(Fix::safe("mid", vec![Edit::insert("f", "é", 1, "")])),
        ];
        assert_eq!(
            super::plan(&bad, Applicability::Safe, |_| Some("é")),
            Plan::default()
        );
    }

    #[test]
    fn diff_names_the_file() {
        assert_eq!(
            unified_diff("web/s.conf", "a\nb\n", "a\nc\nb\n"),
            "--- web/s.conf\n+++ web/s.conf\n@@ -1,2 +1,3 @@\n a\n+c\n b\n"
        );
    }
}
