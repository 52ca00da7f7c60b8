//! Rules about the interfaces and address families apps bind and nginx connects to.

pub mod app_bound_to_all_interfaces;
pub mod localhost_family_mismatch;
