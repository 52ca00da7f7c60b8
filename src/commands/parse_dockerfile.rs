//! `gen parse --as dockerfile FILE` (the default for files named `Dockerfile*`): the
//! instructions of a Dockerfile as JSON on stdout, one object per instruction:
//!
//! ```json
//! {"file": "Dockerfile", "instructions": [{"instruction": "COPY", "line": 12,
//!  "end_line": 12, "stage": 1, "flags": {"from": "deps"}, "args": ["package.json", "/app/"],
//!  "form": null, "value": "package.json /app/"}]}
//! ```
//!
//! `instruction` is upper-case; `line`/`end_line` are 1-based and cover continuation lines
//! and heredoc bodies; `stage` is the 0-based index of the FROM stage, `null` for the ARGs
//! before the first FROM; `flags` maps each `--name=value` to its value (`"true"` for a
//! bare `--name`, which is what BuildKit reads it as; the last of a repeated flag wins);
//! `args` are the arguments as BuildKit's parser splits them: the JSON array for the exec
//! form (and COPY/ADD/VOLUME's JSON form), `[value]` for RUN, CMD, ENTRYPOINT, SHELL and
//! HEALTHCHECK in shell form and for USER, WORKDIR, STOPSIGNAL, MAINTAINER and ONBUILD,
//! quote-aware words for ENV, LABEL and ARG (quotes kept), whitespace-separated words
//! otherwise; `form` is `"exec"` when the arguments were a JSON array, `"shell"` for the
//! shell form of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK, `null` otherwise; `value` is
//! the argument text after the flags, continuations joined as BuildKit joins them.
//! Heredoc bodies are under `heredocs` (`name`, `content`, `expand`) when there are any.
//! No variable is substituted: the output is what the file says.
//!
//! Exit codes: 0 when the file parses; 2 when it cannot be read or does not parse (a
//! rustc-style error on stderr, nothing on stdout).

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::error::Result;
use crate::parse::dockerfile::{self, Dockerfile, Instruction, Kind};
use crate::parse::span::LineIndex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Serialize)]
struct Output<'a> {
    file: &'a str,
    instructions: Vec<Entry<'a>>,
}

#[derive(Debug, Serialize)]
struct Entry<'a> {
    instruction: &'a str,
    line: usize,
    end_line: usize,
    stage: Option<usize>,
    flags: BTreeMap<&'a str, &'a str>,
    args: Vec<&'a str>,
    form: Option<&'static str>,
    value: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    heredocs: Vec<HeredocEntry<'a>>,
}

#[derive(Debug, Serialize)]
struct HeredocEntry<'a> {
    name: &'a str,
    content: &'a str,
    expand: bool,
}

fn form(ins: &Instruction) -> Option<&'static str> {
    if ins.json {
        return Some("exec");
    }
    let shell_capable = matches!(
        ins.kind,
        Kind::Run(_) | Kind::Cmd(_) | Kind::Entrypoint(_) | Kind::Shell(_)
    ) || matches!(
        ins.kind,
        Kind::Healthcheck(dockerfile::Healthcheck::Cmd { .. })
    );
    shell_capable.then_some("shell")
}

/// The JSON document for a parsed Dockerfile, as described in the module documentation,
/// with its keys in the documented order.
#[must_use]
pub fn to_json(file: &str, text: &str, df: &Dockerfile) -> String {
    let index = LineIndex::new(text);
    let line = |offset: usize| index.line_col(text, offset).line;
    let instructions = df
        .instructions
        .iter()
        .map(|ins| Entry {
            instruction: &ins.keyword,
            line: line(ins.span.start),
            end_line: line(ins.span.end.saturating_sub(1).max(ins.span.start)),
            stage: (!ins.global).then_some(ins.stage),
            flags: ins
                .flags
                .iter()
                .map(|f| (f.name.as_str(), f.value.as_deref().unwrap_or("true")))
                .collect(),
            args: ins.words.iter().map(|w| w.raw.as_str()).collect(),
            form: form(ins),
            value: &ins.args_text,
            heredocs: ins
                .heredocs
                .iter()
                .map(|h| HeredocEntry {
                    name: &h.name,
                    content: &h.content,
                    expand: h.expand,
                })
                .collect(),
        })
        .collect();
    // Plain strings, numbers and maps of strings: serializing them cannot fail.
    serde_json::to_string(&Output { file, instructions }).unwrap_or_default()
}

/// Prints the instructions of the Dockerfile at `path` as JSON.
///
/// # Errors
/// When the file cannot be read or is too large. A file that does not parse is reported
/// on stderr here, with exit code 2.
pub fn run(path: &Path) -> Result<u8> {
    let (file, text) = super::parse::read_text(path, "a Dockerfile")?;
    match dockerfile::parse(&text) {
        Ok(df) => {
            crate::outln!("{}", to_json(&file, &text, &df));
            Ok(0)
        }
        Err(e) => {
            let d = Diagnostic::new(
                "",
                "",
                Severity::Error,
                e.kind.to_string(),
                Label::new(&file, &text, e.span, ""),
            );
            Ok(super::parse::refused(&file, &text, &[d]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(text: &str) -> serde_json::Value {
        let df = dockerfile::parse(text).expect("parses");
        serde_json::from_str(&to_json("Dockerfile", text, &df)).expect("JSON")
    }

    #[test]
    fn keys_come_in_the_documented_order() {
        let text = "FROM a\n";
        let df = dockerfile::parse(text).expect("parses");
        assert_eq!(
            to_json("Dockerfile", text, &df),
            r#"{"file":"Dockerfile","instructions":[{"instruction":"FROM","line":1,"end_line":1,"stage":0,"flags":{},"args":["a"],"form":null,"value":"a"}]}"#
        );
    }

    #[test]
    fn instruction_shapes() {
        let text = "ARG V=1\nFROM node:22 AS deps\nCOPY --from=deps --link a b /app/\nRUN apt-get update \\\n  && apt-get install -y curl\nCMD [\"node\", \"app.js\"]\nENV A=1 B=\"x y\"\nHEALTHCHECK CMD curl -f http://x/ || exit 1\nUSER app\n";
        let v = json_of(text);
        let want = json!({"file": "Dockerfile", "instructions": [
            {"instruction": "ARG", "line": 1, "end_line": 1, "stage": null, "flags": {},
             "args": ["V=1"], "form": null, "value": "V=1"},
            {"instruction": "FROM", "line": 2, "end_line": 2, "stage": 0, "flags": {},
             "args": ["node:22", "AS", "deps"], "form": null, "value": "node:22 AS deps"},
            {"instruction": "COPY", "line": 3, "end_line": 3, "stage": 0,
             "flags": {"from": "deps", "link": "true"},
             "args": ["a", "b", "/app/"], "form": null, "value": "a b /app/"},
            {"instruction": "RUN", "line": 4, "end_line": 5, "stage": 0, "flags": {},
             "args": ["apt-get update   && apt-get install -y curl"], "form": "shell",
             "value": "apt-get update   && apt-get install -y curl"},
            {"instruction": "CMD", "line": 6, "end_line": 6, "stage": 0, "flags": {},
             "args": ["node", "app.js"], "form": "exec", "value": "[\"node\", \"app.js\"]"},
            {"instruction": "ENV", "line": 7, "end_line": 7, "stage": 0, "flags": {},
             "args": ["A=1", "B=\"x y\""], "form": null, "value": "A=1 B=\"x y\""},
            {"instruction": "HEALTHCHECK", "line": 8, "end_line": 8, "stage": 0, "flags": {},
             "args": ["CMD curl -f http://x/ || exit 1"], "form": "shell",
             "value": "CMD curl -f http://x/ || exit 1"},
            {"instruction": "USER", "line": 9, "end_line": 9, "stage": 0, "flags": {},
             "args": ["app"], "form": null, "value": "app"}
        ]});
        assert_eq!(v, want);
    }

    #[test]
    fn heredocs_are_listed() {
        let v = json_of("FROM a\nRUN <<EOF\necho hi\nEOF\n");
        assert_eq!(v["instructions"][1]["end_line"], 4);
        assert_eq!(
            v["instructions"][1]["heredocs"],
            json!([{"name": "EOF", "content": "echo hi\n", "expand": true}])
        );
    }

    #[test]
    fn generated_dockerfiles() {
        for (text, copies) in [
            (
                include_str!("../../generated/fastapi-nginx/Dockerfile"),
                vec![
                    json!(["requirements.txt", "/app/requirements.txt"]),
                    json!(["app.py", "/app/app.py"]),
                    json!(["nginx.conf", "/etc/nginx/nginx.conf"]),
                    json!(["supervisord.conf", "/etc/supervisor/supervisord.conf"]),
                    json!(["entrypoint.sh", "/usr/local/bin/gen-entrypoint"]),
                ],
            ),
            (
                include_str!("../../generated/express-nginx/Dockerfile"),
                vec![
                    json!(["package.json", "package-lock.json", "/app/"]),
                    json!(["/app/node_modules", "/app/node_modules"]),
                    json!(["package.json", "/app/package.json"]),
                    json!(["app.js", "/app/app.js"]),
                    json!(["nginx.conf", "/etc/nginx/nginx.conf"]),
                    json!(["supervisord.conf", "/etc/supervisord.conf"]),
                    json!(["entrypoint.sh", "/usr/local/bin/gen-entrypoint"]),
                ],
            ),
        ] {
            let v = json_of(text);
            let ins = v["instructions"].as_array().expect("array");
            let got: Vec<serde_json::Value> = ins
                .iter()
                .filter(|i| i["instruction"] == "COPY")
                .map(|i| i["args"].clone())
                .collect();
            assert_eq!(got, copies);
            let cmd = ins.last().expect("CMD");
            assert_eq!(cmd["instruction"], "CMD");
            assert_eq!(cmd["form"], "exec");
            let hc = ins
                .iter()
                .find(|i| i["instruction"] == "HEALTHCHECK")
                .expect("HEALTHCHECK");
            assert_eq!(hc["form"], "exec");
            assert_eq!(hc["flags"]["interval"], "30s");
            assert_eq!(hc["end_line"].as_u64(), hc["line"].as_u64().map(|l| l + 1));
        }
    }
}
