//! Rules about time limits that must fit inside each other across files: how long the
//! deployment lets a container stop against how long its programs take to.

pub mod stop_grace_too_short;
