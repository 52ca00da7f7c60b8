//! `gen rules`: the table of every lint rule.

use crate::error::Result;
use crate::lint::docs;

/// Prints the rule table.
///
/// # Errors
/// None; the signature matches the other commands.
pub fn run() -> Result<u8> {
    super::print_out(&docs::table());
    Ok(0)
}
