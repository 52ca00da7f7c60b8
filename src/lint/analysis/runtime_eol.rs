//! The end of life of the language runtimes the official `python`, `php` and `node` images
//! ship, by the version their tag names (`python:3.6-slim`, `php:7.3-fpm`,
//! `node:18.15-alpine`, `node:hydrogen`). A tag that names no minor version where the
//! runtime needs one (`python:3`, `php:8-fpm`), or none at all (`latest`, `lts`), names no
//! release gen can date: it is not judged.
//!
//! nginx's official image is not in the table: nginx publishes no end-of-life dates, only a
//! mainline and a stable branch, each replaced by the next.

use crate::lint::date::Date;

/// A runtime release and the day its security fixes end.
pub struct Runtime {
    /// `Python`, `PHP`, `Node.js`.
    pub name: &'static str,
    /// The image name that ships it.
    pub image: &'static str,
    pub version: &'static str,
    /// The name of an even Node.js line (`hydrogen`), used as a tag.
    pub codename: &'static str,
    pub eol: Date,
}

const fn rt(
    name: &'static str,
    image: &'static str,
    version: &'static str,
    codename: &'static str,
    eol: (i32, u8, u8),
) -> Runtime {
    Runtime {
        name,
        image,
        version,
        codename,
        // A day that does not exist stops the build.
        eol: Date::ymd(eol.0, eol.1, eol.2),
    }
}

const PY: &str = "Python";
const PHP: &str = "PHP";
const NODE: &str = "Node.js";

/// Sources: Python's release PEPs (373 for 2.7, 429 for 3.4, 478 for 3.5, 494 for 3.6, 537
/// for 3.7, 569 for 3.8, 596 for 3.9, 619 for 3.10, 664 for 3.11, 693 for 3.12, 719 for
/// 3.13, 745 for 3.14) and the devguide's status page; php.net's "Unsupported Branches"
/// (eol.php) and "Supported Versions" pages; the Node.js release schedule
/// (github.com/nodejs/Release). Each is the day security fixes end; where a PEP names only
/// the month (3.10 on), the month's last day.
pub const RUNTIMES: &[Runtime] = &[
    rt(PY, "python", "2.7", "", (2020, 1, 1)),
    rt(PY, "python", "3.4", "", (2019, 3, 18)),
    rt(PY, "python", "3.5", "", (2020, 9, 30)),
    rt(PY, "python", "3.6", "", (2021, 12, 23)),
    rt(PY, "python", "3.7", "", (2023, 6, 27)),
    rt(PY, "python", "3.8", "", (2024, 10, 7)),
    rt(PY, "python", "3.9", "", (2025, 10, 31)),
    rt(PY, "python", "3.10", "", (2026, 10, 31)),
    rt(PY, "python", "3.11", "", (2027, 10, 31)),
    rt(PY, "python", "3.12", "", (2028, 10, 31)),
    rt(PY, "python", "3.13", "", (2029, 10, 31)),
    rt(PY, "python", "3.14", "", (2030, 10, 31)),
    rt(PHP, "php", "5.6", "", (2018, 12, 31)),
    rt(PHP, "php", "7.0", "", (2019, 1, 10)),
    rt(PHP, "php", "7.1", "", (2019, 12, 1)),
    rt(PHP, "php", "7.2", "", (2020, 11, 30)),
    rt(PHP, "php", "7.3", "", (2021, 12, 6)),
    rt(PHP, "php", "7.4", "", (2022, 11, 28)),
    rt(PHP, "php", "8.0", "", (2023, 11, 26)),
    rt(PHP, "php", "8.1", "", (2025, 12, 31)),
    rt(PHP, "php", "8.2", "", (2026, 12, 31)),
    rt(PHP, "php", "8.3", "", (2027, 12, 31)),
    rt(PHP, "php", "8.4", "", (2028, 12, 31)),
    rt(NODE, "node", "4", "argon", (2018, 4, 30)),
    rt(NODE, "node", "6", "boron", (2019, 4, 30)),
    rt(NODE, "node", "8", "carbon", (2019, 12, 31)),
    rt(NODE, "node", "10", "dubnium", (2021, 4, 30)),
    rt(NODE, "node", "11", "", (2019, 6, 1)),
    rt(NODE, "node", "12", "erbium", (2022, 4, 30)),
    rt(NODE, "node", "13", "", (2020, 6, 1)),
    rt(NODE, "node", "14", "fermium", (2023, 4, 30)),
    rt(NODE, "node", "15", "", (2021, 6, 1)),
    rt(NODE, "node", "16", "gallium", (2023, 9, 11)),
    rt(NODE, "node", "17", "", (2022, 6, 1)),
    rt(NODE, "node", "18", "hydrogen", (2025, 4, 30)),
    rt(NODE, "node", "19", "", (2023, 6, 1)),
    rt(NODE, "node", "20", "iron", (2026, 4, 30)),
    rt(NODE, "node", "21", "", (2024, 6, 1)),
    rt(NODE, "node", "22", "jod", (2027, 4, 30)),
    rt(NODE, "node", "23", "", (2025, 6, 1)),
    rt(NODE, "node", "24", "krypton", (2028, 4, 30)),
];

/// The runtime an official image's tag names: `python:3.6.15-slim` is Python 3.6,
/// `php:7.3-fpm-alpine` PHP 7.3, `node:18.15-alpine` and `node:hydrogen` Node.js 18.
#[must_use]
pub fn image_runtime(name: &str, tag: &str) -> Option<&'static Runtime> {
    let tag = tag.to_ascii_lowercase();
    let first = tag.split('-').next().unwrap_or_default();
    let mut parts = first.split('.');
    let number = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let major = parts.next().filter(number);
    let version = match name {
        // Node.js is dated by its major version alone.
        "node" => major.map(str::to_owned),
        "python" | "php" => major
            .zip(parts.next().filter(number))
            .map(|(a, b)| format!("{a}.{b}")),
        _ => None,
    };
    RUNTIMES.iter().find(|r| {
        r.image == name
            && (version.as_deref() == Some(r.version)
                || (!r.codename.is_empty() && r.codename == first))
    })
}

/// The newest release of the same runtime still supported on `today`.
#[must_use]
pub fn supported(image: &str, today: Date) -> Option<&'static Runtime> {
    RUNTIMES
        .iter()
        .filter(|r| r.image == image && r.eol > today)
        .max_by_key(|r| r.eol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_runtime_table() {
        let cases = [
            ("python", "3.6", Some("3.6")),
            ("python", "3.6.15-slim-bullseye", Some("3.6")),
            ("python", "3.12-slim", Some("3.12")),
            ("python", "3", None),
            ("python", "latest", None),
            ("python", "slim", None),
            ("php", "7.3-fpm", Some("7.3")),
            ("php", "7.3.33-fpm-alpine", Some("7.3")),
            ("php", "8-fpm", None),
            ("php", "fpm", None),
            ("node", "18.15-alpine", Some("18")),
            ("node", "18", Some("18")),
            ("node", "hydrogen-alpine", Some("18")),
            ("node", "lts", None),
            ("node", "current-alpine", None),
            ("node", "99", None),
            ("nginx", "1.18", None),
        ];
        for (name, tag, want) in cases {
            assert_eq!(
                image_runtime(name, tag).map(|r| r.version),
                want,
                "{name}:{tag}"
            );
        }
    }
}
