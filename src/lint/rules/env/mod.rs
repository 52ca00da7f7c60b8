//! Rules about configuration by environment variables: what the image's `ENV` gives the
//! files that read it, and the environment a deployment gives a container against the
//! variables its image declares.

pub mod env_marker_mismatch;
pub mod env_value_refused;
pub mod unknown_environment_variable;

use crate::lint::ContainerDir;

/// The entrypoint script of the image, when it is a file of this directory (the one `gen
/// build` writes checks and applies the configuration variables): its relative path and
/// text.
pub(crate) fn entrypoint_script(dir: &ContainerDir) -> Option<(&str, &str)> {
    let first = dir.model.argv.first()?;
    let local = dir.model.image.local_file(&first.value)?;
    let file = dir.file(local)?;
    Some((file.rel.as_str(), file.text.as_deref()?))
}
