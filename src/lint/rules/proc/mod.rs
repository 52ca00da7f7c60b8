//! Rules about the processes of the container: how PID 1 starts supervisord, how
//! supervisord starts nginx and the app, and whether what they run is in the image.
//! What they share with the path and log families is in [`crate::lint::analysis`]
//! (`absent`, `launch`).

pub mod duplicate_daemon_directive;
pub mod nginx_daemonizes;
pub mod process_group_not_stopped;
pub mod program_daemonizes;
pub mod program_executable_missing;
pub mod program_path_missing;
pub mod supervisord_behind_shell;
pub mod supervisord_config_missing;
pub mod supervisord_daemonizes;
