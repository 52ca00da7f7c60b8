//! Rules about the environment the deployment gives a container against the variables
//! its image declares.

pub mod unknown_environment_variable;
