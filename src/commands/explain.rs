//! `gen explain RULE`: what a rule checks, why, and an example, from its declaration.

use crate::cli::ExplainArgs;
use crate::error::Result;
use crate::lint::{self, docs};

/// Prints the rule's explanation, what became of a renamed or removed rule, or says there
/// is no such rule (exit 2).
///
/// # Errors
/// None; an unknown rule is reported here and gives exit code 2.
pub fn run(args: &ExplainArgs) -> Result<u8> {
    match lint::removed::Key::lookup(&args.rule) {
        lint::removed::Key::Rule(rule) => {
            super::print_out(&docs::explain(rule));
            Ok(0)
        }
        lint::removed::Key::Renamed(old, now) => {
            super::print_out(&old.explain(Some(now)));
            Ok(0)
        }
        lint::removed::Key::Removed(old) => {
            super::print_out(&old.explain(None));
            Ok(0)
        }
        lint::removed::Key::Unknown => {
            crate::errln!("error: unknown rule `{}`", args.rule.escape_debug());
            match lint::suggest(&args.rule) {
                Some(s) => crate::errln!("help: did you mean `{s}`? `gen rules` lists every rule"),
                None => crate::errln!("help: `gen rules` lists every rule"),
            }
            Ok(2)
        }
    }
}
