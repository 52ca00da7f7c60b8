//! The fact layer between the container model and the rules: analyses that several rule
//! families read, worked out from the model, so that a rule file holds only its declaration,
//! the logic that decides a finding, and its messages.
//!
//! What is costly is computed once per container directory, lazily, on the first rule that
//! asks ([`Cache`], kept in each [`crate::lint::ContainerDir`]): the wiring of nginx to the
//! programs ([`wiring::Wiring::of`]) was worked out by each of about ten rules before.

pub mod absent;
pub mod app;
pub mod compose;
pub mod exposure;
pub mod image;
pub mod launch;
pub mod nginx;
pub mod probe;
pub mod wiring;

use std::cell::OnceCell;

/// The analyses of one container directory, each worked out on first use.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    pub(crate) wiring: OnceCell<Option<wiring::Stored>>,
}
