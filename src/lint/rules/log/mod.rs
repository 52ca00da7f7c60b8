//! Rules about logs: what supervisord does with the output of its programs, and whether it
//! reaches `docker logs`.

pub mod console_log_rotated;
pub mod logs_hidden_from_docker;

use crate::model::Model;
use crate::parse::supervisord::LogFile;

/// Whether a log file is the container's own stdout or stderr: written as such
/// (`/dev/stdout`, `/proc/self/fd/2`...), or a path the image links there (the nginx
/// image's `/var/log/nginx/access.log`).
pub(crate) fn is_console(m: &Model, log: &LogFile) -> bool {
    if log.is_console() {
        return true;
    }
    let Some(path) = log.path() else {
        return false;
    };
    m.image.resolve(path).is_some_and(|(target, _)| {
        LogFile::Path(target).is_console()
    }) || m.image.entry(path).is_some_and(|e| {
        matches!(&e.kind, crate::model::EntryKind::Symlink { target } if LogFile::Path(target.clone()).is_console())
    })
}
