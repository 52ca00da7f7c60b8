//! Rule codes and names gen no longer has, as clippy keeps its deprecated lints and ruff its
//! redirects: a code that was renamed points to its new rule, a removed one says why. A
//! code, once given out, is never reused for another rule.
//!
//! `gen explain OLD` says what became of it. In `ignore` lists (`--ignore`, `[check]` of the
//! spec or `gen.toml`, `per-file-ignores`) and suppression comments an old code is a warning,
//! not an error: a renamed code allows its new rule, a removed one allows nothing, and a
//! project that was clean stays clean after an upgrade. Everywhere else (`--select`,
//! `severity`) a removed code is an error, since it would silently select nothing.

use super::Rule;

/// A code and name that no longer name a rule.
#[derive(Debug)]
pub struct Removed {
    pub code: &'static str,
    pub name: &'static str,
    /// The gen version that dropped it.
    pub since: &'static str,
    pub fate: Fate,
}

#[derive(Debug)]
pub enum Fate {
    /// Renamed, or merged into another rule: the rule's code now.
    Renamed(&'static str),
    /// Gone; why, as a sentence without a trailing period.
    Removed(&'static str),
}

/// Every code or name ever given out that no rule carries now. No rule has been renamed or
/// removed yet (checked against the history of `src/lint/rules`, December 2026).
pub static REMOVED: &[Removed] = &[];

/// What a code or name in a settings list or comment names.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Rule(&'static Rule),
    /// A renamed code or name, and the rule it is now.
    Renamed(&'static Removed, &'static Rule),
    Removed(&'static Removed),
    Unknown,
}

impl Key {
    /// The rule `key` names in `rules`, or what became of it according to `removed`.
    #[must_use]
    pub fn lookup_in(rules: &[&'static Rule], removed: &'static [Removed], key: &str) -> Self {
        let named = |code: &str, name: &str| {
            code.eq_ignore_ascii_case(key) || name.eq_ignore_ascii_case(key)
        };
        if let Some(r) = rules.iter().find(|r| named(r.code, r.name)) {
            return Self::Rule(r);
        }
        let Some(old) = removed.iter().find(|r| named(r.code, r.name)) else {
            return Self::Unknown;
        };
        match old.fate {
            Fate::Renamed(to) => rules
                .iter()
                .find(|r| r.code == to)
                .map_or(Self::Removed(old), |r| Self::Renamed(old, r)),
            Fate::Removed(_) => Self::Removed(old),
        }
    }

    /// What `key` names among gen's rules, old ones included.
    #[must_use]
    pub fn lookup(key: &str) -> Self {
        Self::lookup_in(super::RULES, REMOVED, key)
    }

    /// The live rule: the one named, or the one a renamed code now is.
    #[must_use]
    pub const fn rule(self) -> Option<&'static Rule> {
        match self {
            Self::Rule(r) | Self::Renamed(_, r) => Some(r),
            Self::Removed(_) | Self::Unknown => None,
        }
    }

    /// What to tell someone who wrote `key` at `at` (`--ignore`, `check.ignore`): `None`
    /// for a live rule or an unknown key (the caller's error).
    #[must_use]
    pub fn warning(self, key: &str, at: &str) -> Option<String> {
        match self {
            Self::Renamed(old, now) => Some(format!(
                "rule `{key}` in `{at}` was renamed to `{}` ({}) in gen {}: write `{}`",
                now.code, now.name, old.since, now.code
            )),
            Self::Removed(old) => Some(format!(
                "rule `{key}` in `{at}` was removed in gen {}: {}; it allows nothing, drop it",
                old.since,
                old.reason()
            )),
            Self::Rule(_) | Self::Unknown => None,
        }
    }
}

impl Removed {
    /// Why it is gone, in words.
    #[must_use]
    pub fn reason(&self) -> String {
        match self.fate {
            Fate::Renamed(to) => format!("it is now `{to}`"),
            Fate::Removed(why) => why.to_owned(),
        }
    }

    /// What `gen explain` prints for it.
    #[must_use]
    pub fn explain(&self, now: Option<&Rule>) -> String {
        let head = format!("# {} ({})\n\n", self.name, self.code);
        match now {
            Some(r) => format!(
                "{head}Renamed in gen {}: this rule is now `{}` ({}). `gen explain {}` describes it.\n",
                self.since, r.code, r.name, r.code
            ),
            None => format!("{head}Removed in gen {}: {}.\n", self.since, self.reason()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{RULES, find};

    static PLANTED: &[Removed] = &[
        Removed {
            code: "GEN009",
            name: "old-drift",
            since: "0.2.0",
            fate: Fate::Renamed("GEN001"),
        },
        Removed {
            code: "NGX099",
            name: "gone-rule",
            since: "0.3.0",
            fate: Fate::Removed("nginx accepts it since 1.25"),
        },
        Removed {
            code: "NGX098",
            name: "dangling",
            since: "0.3.0",
            fate: Fate::Renamed("ZZZ999"),
        },
    ];

    fn key(k: &str) -> Key {
        Key::lookup_in(RULES, PLANTED, k)
    }

    #[test]
    fn the_record_never_names_a_live_rule_and_every_rename_lands() {
        for old in REMOVED {
            assert!(find(old.code).is_none(), "{} is live again", old.code);
            assert!(find(old.name).is_none(), "{} is live again", old.name);
            if let Fate::Renamed(to) = old.fate {
                assert!(find(to).is_some(), "{} renamed to missing {to}", old.code);
            }
        }
    }

    #[test]
    fn renamed_codes_lead_to_their_rule_and_warn() {
        for k in ["GEN009", "old-drift", "gen009"] {
            let found = key(k);
            assert_eq!(found.rule().map(|r| r.code), Some("GEN001"), "{k}");
            assert_eq!(
                found.warning(k, "check.ignore").as_deref(),
                Some(
                    format!(
                        "rule `{k}` in `check.ignore` was renamed to `GEN001` (generated-drift) in gen 0.2.0: write `GEN001`"
                    )
                    .as_str()
                )
            );
        }
    }

    #[test]
    fn removed_codes_warn_and_allow_nothing() {
        let found = key("NGX099");
        assert!(found.rule().is_none());
        assert_eq!(
            found.warning("NGX099", "--ignore").as_deref(),
            Some(
                "rule `NGX099` in `--ignore` was removed in gen 0.3.0: nginx accepts it since 1.25; it allows nothing, drop it"
            )
        );
        // A rename to a code that does not exist reads as removed, never as a panic.
        assert!(matches!(key("dangling"), Key::Removed(_)));
        assert!(matches!(key("GEN001"), Key::Rule(_)));
        assert!(matches!(key("NOPE01"), Key::Unknown));
        assert!(key("GEN001").warning("GEN001", "x").is_none());
    }

    #[test]
    fn explain_says_what_became_of_it() {
        assert_eq!(
            PLANTED[0].explain(find("GEN001")),
            "# old-drift (GEN009)\n\nRenamed in gen 0.2.0: this rule is now `GEN001` (generated-drift). `gen explain GEN001` describes it.\n"
        );
        assert_eq!(
            PLANTED[1].explain(None),
            "# gone-rule (NGX099)\n\nRemoved in gen 0.3.0: nginx accepts it since 1.25.\n"
        );
    }
}
