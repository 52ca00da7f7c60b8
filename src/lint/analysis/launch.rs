//! How PID 1 reaches a command (supervisord, or nginx): directly in the exec form of
//! CMD/ENTRYPOINT, or through a shell (the shell form, an explicit `sh -c`, a script). For a
//! shell, whether it `exec`s the command (so the command gets the signals `docker stop`
//! sends) and whether anything runs after it (so a daemonizing command may be meant to).
//! Read from the texts the command's words point into; only simple shell scripts are
//! understood, which is what entrypoint scripts are.

use crate::model::path::basename;
use crate::model::runtime::{self, Wrap};
use crate::model::{Fact, Model, Origin};
use crate::parse::shell;
use crate::parse::span::Span;

/// What runs the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The exec form of CMD/ENTRYPOINT (possibly behind `tini`, `gosu`, `env`...).
    ExecForm,
    /// The shell form of the instruction (`CMD supervisord -n`): `/bin/sh -c`.
    ShellForm { keyword: String },
    /// An explicit `sh -c '...'` in the exec form.
    ShellC,
    /// A script in the image (the container-directory file).
    Script { file: String },
}

/// How PID 1 starts the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub via: Via,
    /// The command replaces the shell (`exec supervisord`), or there is no shell.
    pub execd: bool,
    /// Nothing runs after it in its shell or script.
    pub last: bool,
    /// PID 1 is an init (`tini`, `dumb-init`) that passes signals on.
    pub init: bool,
    /// Where the shell gets the command: the shell-form text, the `sh -c` word, the line of
    /// the script.
    pub at: Origin,
}

fn is_init(word: &str) -> bool {
    runtime::wrapper(word) == Some(Wrap::Init)
}

fn is_shell(word: &str) -> bool {
    matches!(basename(word), "sh" | "bash" | "ash" | "dash" | "zsh")
}

fn file_span(o: &Origin) -> Option<(&str, Span)> {
    o.file_span()
}

/// Backslash-newline continuations as blanks, so they neither cut nor join words.
fn joined(text: &str) -> String {
    text.replace("\\\r\n", "   ").replace("\\\n", "  ")
}

const SEPARATORS: [char; 6] = [';', '&', '|', '\n', '(', ')'];

/// Whether the simple command that ends at `text[..at]` starts with `exec` (after
/// `NAME=value` assignments).
fn execd_before(text: &str, at: usize) -> bool {
    let raw = text.get(..at).unwrap_or_default();
    // Only the last command is read: it starts after the last separator that joining
    // leaves, and only it is joined (the text before can be a whole script).
    let start = last_separator(raw).map_or(0, |i| i + 1);
    let prefix = joined(&raw[start..]);
    let first = prefix.split_whitespace().find(|w| {
        !w.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    });
    first == Some("exec")
}

/// The last separator of `text` that [`joined`] keeps: not the newline of a continuation
/// (after a backslash, or a backslash and `\r`), which it makes a blank. Joining keeps
/// every offset, so this is `joined(text).rfind(SEPARATORS)` without copying the text.
fn last_separator(text: &str) -> Option<usize> {
    let mut rest = text;
    while let Some(i) = rest.rfind(SEPARATORS) {
        let before = &rest[..i];
        if rest.as_bytes()[i] == b'\n' && (before.ends_with('\\') || before.ends_with("\\\r")) {
            rest = before;
            continue;
        }
        return Some(i);
    }
    None
}

/// Whether any command follows the one that goes on at `text[from..]`.
fn last_after(text: &str, from: usize) -> bool {
    let rest = joined(text.get(from..).unwrap_or_default());
    let Some(cut) = rest.find(SEPARATORS) else {
        return true;
    };
    let after: String = rest[cut..]
        .trim_start_matches(|c: char| SEPARATORS.contains(&c) || c.is_whitespace())
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    shell::simple_commands(&after).is_empty()
}

/// The text a command word sits in, and the range of it that is the shell's script.
fn scan(text: &str, region: Span, word: Span) -> (bool, bool) {
    let start = region.start.min(word.start);
    let local = text
        .get(start..region.end.max(word.end))
        .unwrap_or_default();
    (
        execd_before(local, word.start - start),
        last_after(local, word.end - start),
    )
}

/// The first place of `pat` (which holds a `$`) in `line`, found from the line's `$`s:
/// `str::find` builds a searcher for each call.
fn find_dollar(line: &str, pat: &str) -> Option<usize> {
    let d = pat.find('$')?;
    line.match_indices('$')
        .filter_map(|(i, _)| i.checked_sub(d))
        .find(|&at| line.get(at..).is_some_and(|rest| rest.starts_with(pat)))
}

/// The `exec "$@"` (or bare `"$@"`) of a script: where it is.
fn args_line(text: &str) -> Option<Span> {
    // Only a line with `$@` or `${@}` can hold it: those are found from the `$`s of the
    // whole text (a byte search), and the rest of the script is never read line by line.
    let mut after = 0;
    for (p, _) in text.match_indices('$') {
        let rest = &text[p..];
        if p < after || !(rest.starts_with("$@") || rest.starts_with("${@}")) {
            continue;
        }
        let offset = text[..p].rfind('\n').map_or(0, |n| n + 1);
        let end = rest.find('\n').map_or(text.len(), |n| p + n + 1);
        after = end;
        let line = &text[offset..end];
        if line.trim_start().starts_with('#') {
            continue;
        }
        for pat in ["\"$@\"", "\"${@}\"", "$@"] {
            if let Some(i) = find_dollar(line, pat) {
                let before = joined(&line[..i]);
                let cmd_start = before.rfind(SEPARATORS).map_or(0, |j| j + 1);
                let words: Vec<&str> = before[cmd_start..].split_whitespace().collect();
                if words.iter().all(|w| *w == "exec") {
                    return Some(Span::new(offset + i, offset + i + pat.len()));
                }
            }
        }
    }
    None
}

/// How PID 1 starts the command whose first word is `word` (a word of PID 1's command
/// line, of a shell text in the Dockerfile, or of a script).
#[must_use]
pub fn launch(m: &Model, word: &Fact<String>) -> Option<Launch> {
    let df = m.dockerfile.as_ref()?;
    let (file, span) = file_span(&word.origin)?;
    let init = m
        .argv
        .iter()
        .find(|w| !matches!(w.value.as_str(), "exec"))
        .is_some_and(|w| is_init(&w.value));
    if file != df.file {
        let text = m.files.text(file)?;
        let (execd, last) = scan(text, Span::new(0, text.len()), span);
        return Some(Launch {
            via: Via::Script {
                file: file.to_owned(),
            },
            execd,
            last,
            init,
            at: word.origin.clone(),
        });
    }
    let text = m.files.text(file)?;
    if let Some(k) = m.argv.iter().position(|w| w.origin == word.origin) {
        // A word of the exec form; behind a script that runs it with `"$@"`, the script
        // decides.
        // A script without a shebang counts when a shell is given it to read (`bash
        // /start.sh`); run directly, it would not start at all.
        let script = m.argv[..k].iter().enumerate().find_map(|(i, w)| {
            let (path, _) = m.which(&w.value, &m.workdir.value)?;
            let local = m.image.local_file(&path)?;
            let body = m.files.text(local)?;
            let by_shell = m.argv[..i]
                .iter()
                .rev()
                .find(|w| !w.value.starts_with('-'))
                .is_some_and(|sh| is_shell(&sh.value));
            (body.starts_with("#!") || by_shell).then(|| (local.to_owned(), body))
        });
        if let Some((local, body)) = script {
            let at = args_line(body)?;
            let (execd, last) = scan(body, Span::new(0, body.len()), at);
            return Some(Launch {
                via: Via::Script {
                    file: local.clone(),
                },
                execd,
                last,
                init,
                at: Origin::File {
                    file: local,
                    span: at,
                },
            });
        }
        return Some(Launch {
            via: Via::ExecForm,
            execd: true,
            last: true,
            init,
            at: word.origin.clone(),
        });
    }
    // Inside a shell text: the shell form's, or an `sh -c` word's.
    let holder = m.argv.iter().find(|w| {
        file_span(&w.origin)
            .is_some_and(|(f, s)| f == file && s.start <= span.start && span.end <= s.end)
    })?;
    let (_, region) = file_span(&holder.origin)?;
    let ins = df
        .parsed
        .instructions
        .iter()
        .find(|i| i.span.start <= span.start && span.end <= i.span.end)?;
    let quoted = text.get(region.start..region.start + 1) == Some("\"");
    let region = if quoted {
        Span::new(region.start + 1, region.end.saturating_sub(1))
    } else {
        region
    };
    let (execd, last) = scan(text, region, span);
    Some(Launch {
        via: if ins.json {
            Via::ShellC
        } else {
            Via::ShellForm {
                keyword: ins.keyword.clone(),
            }
        },
        execd,
        last,
        init,
        at: holder.origin.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Files, build};

    fn supervisord(files: &[(&str, &str)]) -> Launch {
        let f: Files = files.iter().copied().collect();
        let m = build(&f);
        let cmd = m
            .supervisor
            .as_ref()
            .and_then(|s| s.command.clone())
            .expect("supervisord is started");
        launch(&m, &cmd[0]).expect("a launch")
    }

    fn df(cmd: &str) -> String {
        format!("FROM alpine:3.22\nRUN apk add supervisor\nCOPY start.sh /start.sh\n{cmd}\n")
    }

    #[test]
    fn launch_table() {
        let script = |body: &str| format!("#!/bin/sh\nset -e\n{body}\n");
        let cases: [(&str, &str, Via, bool, bool); 9] = [
            (
                "CMD [\"supervisord\", \"-n\"]",
                "",
                Via::ExecForm,
                true,
                true,
            ),
            (
                "CMD supervisord -n",
                "",
                Via::ShellForm {
                    keyword: "CMD".into(),
                },
                false,
                true,
            ),
            (
                "CMD exec supervisord -n",
                "",
                Via::ShellForm {
                    keyword: "CMD".into(),
                },
                true,
                true,
            ),
            (
                "CMD [\"sh\", \"-c\", \"supervisord -n\"]",
                "",
                Via::ShellC,
                false,
                true,
            ),
            (
                "CMD [\"sh\", \"-c\", \"mkdir -p /run/x && exec supervisord\"]",
                "",
                Via::ShellC,
                true,
                true,
            ),
            (
                "CMD supervisord && \\\n    tail -f /dev/null",
                "",
                Via::ShellForm {
                    keyword: "CMD".into(),
                },
                false,
                false,
            ),
            (
                "CMD [\"/start.sh\"]",
                "exec supervisord -n",
                Via::Script {
                    file: "start.sh".into(),
                },
                true,
                true,
            ),
            (
                "CMD [\"/start.sh\"]",
                "supervisord -n\n# done",
                Via::Script {
                    file: "start.sh".into(),
                },
                false,
                true,
            ),
            (
                "ENTRYPOINT [\"/start.sh\"]\nCMD [\"supervisord\"]",
                "chown app /run\n\"$@\"",
                Via::Script {
                    file: "start.sh".into(),
                },
                false,
                true,
            ),
        ];
        for (cmd, body, via, execd, last) in cases {
            let l = supervisord(&[("Dockerfile", &df(cmd)), ("start.sh", &script(body))]);
            assert_eq!((l.via, l.execd, l.last), (via, execd, last), "{cmd} {body}");
        }
    }

    /// A shell given the script to read, or running it by name, reads a script without a
    /// shebang (issue 16).
    #[test]
    fn scripts_without_a_shebang_run_by_a_shell() {
        let via = Via::Script {
            file: "start.sh".into(),
        };
        let cases: [(&str, &str, bool); 5] = [
            (
                "ENTRYPOINT [\"/bin/bash\", \"/start.sh\"]",
                "mkdir -p /run/x\nsupervisord -n\n",
                false,
            ),
            (
                "ENTRYPOINT [\"/bin/bash\", \"/start.sh\"]",
                "exec supervisord -n\n",
                true,
            ),
            ("CMD /start.sh", "supervisord -n\n", false),
            (
                "CMD [\"sh\", \"-c\", \"/start.sh\"]",
                "supervisord -n\n",
                false,
            ),
            (
                "ENTRYPOINT [\"bash\", \"-e\", \"/start.sh\"]\nCMD [\"supervisord\"]",
                "chown app /run\n\"$@\"\n",
                false,
            ),
        ];
        for (cmd, body, execd) in cases {
            let l = supervisord(&[("Dockerfile", &df(cmd)), ("start.sh", body)]);
            assert_eq!((&l.via, l.execd), (&via, execd), "{cmd} {body}");
        }
    }

    #[test]
    fn last_separator_is_the_one_joining_keeps() {
        for text in [
            "a; b",
            "a \\\n  b",
            "a \\\r\n  b",
            "x\ny \\\n exec",
            "x | y \\\r\n\\\n exec",
            "a\\\\\nb",
            "no separator",
            "",
            "(a)\n",
        ] {
            assert_eq!(
                last_separator(text),
                joined(text).rfind(SEPARATORS),
                "{text:?}"
            );
        }
    }

    #[test]
    fn args_line_table() {
        // (script, the text of the span found)
        let cases = [
            ("#!/bin/sh\nset -e\nexec \"$@\"\n", Some("\"$@\"")),
            (
                "#!/bin/sh\n# exec \"$@\"\necho $HOME\nexec \"${@}\"",
                Some("\"${@}\""),
            ),
            ("#!/bin/sh\necho \"$@\"\n$@\n", Some("$@")),
            ("#!/bin/sh\r\nx=$1\r\n  exec $@\r\n", Some("$@")),
            ("#!/bin/sh\nfor a in \"$@\"; do echo $a; done\n", None),
            ("#!/bin/sh\necho $1 $HOME ${X}\n", None),
            ("#!/bin/sh\nfoo; exec \"$@\"", Some("\"$@\"")),
        ];
        for (text, want) in cases {
            let got = args_line(text).map(|s| &text[s.start..s.end]);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn tini_is_an_init() {
        let l = supervisord(&[(
            "Dockerfile",
            &df("ENTRYPOINT [\"tini\", \"--\"]\nCMD [\"supervisord\", \"-n\"]"),
        )]);
        assert!(l.init && l.execd);
    }
}
