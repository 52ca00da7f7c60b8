//! Command lines as the model follows them: the words of a command with their origins,
//! wrappers seen through (`exec`, `env A=b`, `tini --`, `dumb-init`, `gosu user`,
//! `su-exec user`: the runtime table's [`runtime::WRAPPERS`]), `sh -c 'script'` split into its simple commands, and an entrypoint
//! script copied into the image read for the commands it runs.

use super::{Fact, Model, Origin, runtime};
use crate::model::path::basename;
use crate::parse::shell;
use crate::parse::span::Span;
use std::borrow::Cow;
use std::ops::ControlFlow;

pub(super) type Words = Vec<Fact<String>>;

pub(super) fn is_shell(word: &str) -> bool {
    matches!(basename(word), "sh" | "bash" | "ash" | "dash" | "zsh")
}

/// The origin of a byte range of a word's value, when the word's span shows where its
/// value sits (written bare or in one pair of quotes); else the whole word.
pub(super) fn sub_origin(word: &Fact<String>, start: usize, end: usize) -> Origin {
    let shift = |span: Span| -> Span {
        let inner = if span.len() == word.value.len() {
            Some(span.start)
        } else if span.len() == word.value.len() + 2 {
            Some(span.start + 1)
        } else {
            None
        };
        inner.map_or(span, |s| Span::new(s + start, s + end))
    };
    match &word.origin {
        Origin::File { file, span } => Origin::File {
            file: file.clone(),
            span: shift(*span),
        },
        Origin::Packaged { distro, path, span } => Origin::Packaged {
            distro: distro.clone(),
            path: path.clone(),
            span: shift(*span),
        },
        other => other.clone(),
    }
}

/// Drops wrappers in front of the real command ([`runtime::WRAPPERS`]).
fn strip_wrappers(words: &[Fact<String>]) -> &[Fact<String>] {
    let i = runtime::skip_wrappers(
        |i| words.get(i).map(|w| w.value.as_str()),
        0,
        runtime::SeenBy::Model,
    );
    words.get(i..).unwrap_or_default()
}

/// The simple commands a command line runs: itself, or a shell's `-c` script's.
pub(super) fn commands(words: &[Fact<String>]) -> Vec<Words> {
    let words = strip_wrappers(words);
    if let [sh, flag, script, ..] = words {
        if is_shell(&sh.value) && flag.value.starts_with('-') && flag.value.ends_with('c') {
            return shell::simple_commands(&script.value)
                .into_iter()
                .map(|cmd| {
                    let mut c: Words = cmd
                        .into_iter()
                        .map(|w| Fact {
                            origin: sub_origin(script, w.range.start, w.range.end),
                            value: w.value,
                        })
                        .collect();
                    let wrappers = c.len() - strip_wrappers(&c).len();
                    c.drain(..wrappers);
                    c
                })
                .filter(|c| !c.is_empty())
                .collect();
        }
    }
    if words.is_empty() {
        Vec::new()
    } else {
        vec![words.to_vec()]
    }
}

/// The script a shell is given to read (`bash /start.sh`, `sh -e start.sh`), when it is a
/// file of the container directory copied into the image: its file, its text, and where
/// the script's own arguments start in `cmd`.
pub(super) fn shell_script_operand<'a>(
    m: &'a Model,
    cmd: &[Fact<String>],
    cwd: &str,
) -> Option<(String, &'a str, usize)> {
    let (sh, rest) = cmd.split_first()?;
    if !is_shell(&sh.value) {
        return None;
    }
    // Options before the script (`-e`, `-x`); `-c` runs a string, not a file.
    let at = rest.iter().position(|w| !w.value.starts_with('-'))?;
    let operand = rest.get(at)?;
    if rest
        .iter()
        .take_while(|w| w.value.starts_with('-'))
        .any(|w| w.value.contains('c') || w.value.starts_with("--") || w.value == "-o")
    {
        return None;
    }
    let path = super::path::join(cwd, &operand.value);
    let file = m.image.local_file(&path).or_else(|| {
        m.which(&operand.value, cwd)
            .and_then(|(p, _)| m.image.local_file(&p))
    })?;
    let text = m.files.text(file)?;
    Some((file.to_owned(), text, at + 2))
}

/// Like [`commands`], and when the command is a script copied into the image (an
/// entrypoint script), the simple commands of that script too, with origins in its file.
pub(super) fn commands_through_scripts(m: &Model, words: &[Fact<String>], cwd: &str) -> Vec<Words> {
    let mut out = Vec::new();
    each_command_through_scripts(m, words, cwd, |cmd| {
        out.push(cmd.into_owned());
        ControlFlow::Continue(())
    });
    out
}

/// [`commands_through_scripts`], each command handed to `visit` in turn until it breaks:
/// a script's commands borrowed, for a caller that looks for one command or reads them
/// without keeping them (a script's words are copied only when kept).
pub(super) fn each_command_through_scripts(
    m: &Model,
    words: &[Fact<String>],
    cwd: &str,
    mut visit: impl FnMut(Cow<'_, [Fact<String>]>) -> ControlFlow<()>,
) {
    // Commands a shell runs (`sh -c '/start.sh'`, the shell form): a script without a
    // shebang is run by that shell too (it falls back on `sh` when exec fails with ENOEXEC).
    let by_shell = matches!(strip_wrappers(words), [sh, flag, ..]
        if is_shell(&sh.value) && flag.value.starts_with('-') && flag.value.ends_with('c'));
    for cmd in commands(words) {
        let script = cmd.first().and_then(|first| {
            // `bash /start.sh`: the shell reads the script, whatever its first line.
            if let Some(found) = shell_script_operand(m, &cmd, cwd) {
                return Some(found);
            }
            let (path, _) = m.which(&first.value, cwd)?;
            let file = m.image.local_file(&path)?;
            let text = m.files.text(file)?;
            let is_script = if text.starts_with("#!") {
                text.lines().next().is_some_and(|l| l.contains("sh"))
            } else {
                by_shell
            };
            is_script.then(|| (file.to_owned(), text, 1))
        });
        if let Some((file, text, args_at)) = script {
            for words in m.script_commands(&file, text).iter() {
                // `exec "$@"`: the script runs the arguments it was given (the
                // docker-entrypoint pattern), here the CMD after the ENTRYPOINT.
                let words = if words
                    .first()
                    .is_some_and(|w| w.value == "$@" || w.value == "${@}")
                {
                    let args = strip_wrappers(cmd.get(args_at..).unwrap_or_default());
                    if args.is_empty() {
                        continue;
                    }
                    args
                } else {
                    words
                };
                if visit(Cow::Borrowed(words)).is_break() {
                    return;
                }
            }
        }
        if visit(Cow::Owned(cmd)).is_break() {
            return;
        }
    }
}

/// The simple commands of a script's text, wrappers stripped, empty ones left out, with
/// origins in `file`: what [`commands_through_scripts`] reads from a script, worked out
/// once per file (see [`Model::script_commands`]).
pub(super) fn script_commands(file: &str, text: &str) -> Vec<Words> {
    // Comment lines blanked in place, so that spans stay offsets into the file.
    let mut body = String::with_capacity(text.len());
    for l in text.split_inclusive('\n') {
        if l.trim_start().starts_with('#') {
            // A space for each byte; the line's `\n` (its last character) stays.
            let (comment, newline) = l.strip_suffix('\n').map_or((l, ""), |c| (c, "\n"));
            body.extend(std::iter::repeat_n(' ', comment.len()));
            body.push_str(newline);
        } else {
            body.push_str(l);
        }
    }
    shell::simple_commands(&body)
        .into_iter()
        .map(|sc| {
            let mut words: Words = sc
                .into_iter()
                .map(|w| Fact {
                    value: w.value,
                    origin: Origin::File {
                        file: file.to_owned(),
                        span: Span::new(w.range.start, w.range.end),
                    },
                })
                .collect();
            // In place, rather than copying what is kept.
            let wrappers = words.len() - strip_wrappers(&words).len();
            words.drain(..wrappers);
            words
        })
        .filter(|words| !words.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Words {
        let mut at = 0;
        line.split(' ')
            .map(|w| {
                let f = Fact {
                    value: w.trim_matches('\'').to_owned(),
                    origin: Origin::File {
                        file: "f".to_owned(),
                        span: Span::new(at, at + w.len()),
                    },
                };
                at += w.len() + 1;
                f
            })
            .collect()
    }

    fn values(cmds: &[Words]) -> Vec<Vec<&str>> {
        cmds.iter()
            .map(|c| c.iter().map(|w| w.value.as_str()).collect())
            .collect()
    }

    #[test]
    fn commands_table() {
        let cases: [(&str, &[&[&str]]); 4] = [
            (
                "/usr/bin/supervisord -c /etc/s.conf",
                &[&["/usr/bin/supervisord", "-c", "/etc/s.conf"]],
            ),
            ("tini -- supervisord -n", &[&["supervisord", "-n"]]),
            ("/bin/sh -c 'cd_/app'", &[&["cd_/app"]]),
            ("exec env A=1 nginx", &[&["nginx"]]),
        ];
        for (line, want) in cases {
            assert_eq!(values(&commands(&words(line))), want, "{line}");
        }
    }

    #[test]
    fn sh_c_words_point_into_the_script() {
        let script = Fact {
            value: "exec uvicorn m:a --port 8001".to_owned(),
            origin: Origin::File {
                file: "s.conf".to_owned(),
                span: Span::new(100, 130),
            },
        };
        let argv = vec![
            Fact {
                value: "/bin/sh".to_owned(),
                origin: Origin::Default {
                    what: String::new(),
                },
            },
            Fact {
                value: "-c".to_owned(),
                origin: Origin::Default {
                    what: String::new(),
                },
            },
            script,
        ];
        let cmds = commands(&argv);
        assert_eq!(values(&cmds), [["uvicorn", "m:a", "--port", "8001"]]);
        // Quoted in the file: the value starts one byte in.
        assert_eq!(
            cmds[0][3].origin,
            Origin::File {
                file: "s.conf".to_owned(),
                span: Span::new(125, 129)
            }
        );
    }
}
