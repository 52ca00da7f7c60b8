//! Hostile messages: whatever the spec's message holds (any text without control
//! characters, which the spec refuses), the generated app.py and app.js evaluate it to
//! exactly that string (checked with the real Python and Node), the Dockerfile's `ENV`
//! gives it to `APP_MESSAGE` unchanged, and the per-container README shows it as valid JSON.

use crate::support::{gen_in, stderr, tool};
use std::fs;
use std::path::Path;
use std::process::Command;

const MESSAGES: &[&str] = &[
    r#"double " quote"#,
    "single ' quote",
    r"back\slash \n not a newline",
    "dollar $HOME ${x} $(id) `id`",
    "semi; brace { } ;} daemon off;",
    "non-ASCII: héllo, 日本語, 😀, \u{2028}sep\u{2029}",
    "</script><!-- */ # // ",
    "```fence``` and | pipe",
];

fn spec_for(message: &str) -> String {
    let toml_str = |s: &str| {
        // A TOML basic string: escape what TOML requires.
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    format!(
        "[[container]]\nname = \"py\"\nhost_port = 8001\n[container.app]\nkind = \"fastapi\"\nmessage = {m}\n\n\
         [[container]]\nname = \"js\"\nhost_port = 8002\n[container.app]\nkind = \"express\"\nmessage = {m}\n",
        m = toml_str(message)
    )
}

fn build(message: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("spec.toml"), spec_for(message)).expect("write spec");
    let out = gen_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{message:?}: {}", stderr(&out));
    dir
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The default of `MESSAGE` in app.py (`os.environ.get("APP_MESSAGE", default)`), as Python
/// evaluates it, printed as JSON.
pub fn python_message(python: &Path, app: &Path) -> String {
    let script = "import ast, json, sys\n\
        tree = ast.parse(open(sys.argv[1], encoding='utf-8').read())\n\
        [value] = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == 'MESSAGE']\n\
        assert ast.unparse(value.func) == 'os.environ.get' and ast.literal_eval(value.args[0]) == 'APP_MESSAGE'\n\
        print(json.dumps(ast.literal_eval(value.args[1]), ensure_ascii=False))";
    run(Command::new(python).arg("-c").arg(script).arg(app))
}

/// The value of `MESSAGE` in app.js without `APP_MESSAGE` set, as Node evaluates it, printed
/// as JSON; also checks the whole file's syntax.
pub fn node_message(node: &Path, app: &Path) -> String {
    run(Command::new(node).arg("--check").arg(app));
    let script = "const src = require('fs').readFileSync(process.argv[1], 'utf8');\n\
        const line = src.split('\\n').find((l) => l.startsWith('const MESSAGE = '));\n\
        const expr = line.slice('const MESSAGE = '.length, -1);\n\
        console.log(JSON.stringify(new Function('process', 'return ' + expr)({ env: {} })));";
    run(Command::new(node).arg("-e").arg(script).arg(app))
}

#[test]
fn messages_round_trip_through_python_and_node() {
    let (Some(python), Some(node)) = (tool("python3"), tool("node")) else {
        return;
    };
    for message in MESSAGES {
        let dir = build(message);
        let want = serde_json::to_string(message).expect("json");
        let py = python_message(&python, &dir.path().join("generated/py/app.py"));
        assert_eq!(py.trim_end(), want, "python, {message:?}");
        let js = node_message(&node, &dir.path().join("generated/js/app.js"));
        assert_eq!(js.trim_end(), want, "node, {message:?}");
    }
}

#[test]
fn readme_shows_the_response_as_valid_json() {
    for message in MESSAGES {
        let dir = build(message);
        let readme = fs::read_to_string(dir.path().join("generated/py/README.md")).expect("readme");
        let line = readme
            .lines()
            .find(|l| l.starts_with("{\"message\": "))
            .expect("response line");
        let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
        assert_eq!(value["message"], *message);
    }
}

#[test]
fn messages_never_reach_the_config_files() {
    let dir = build("semi; brace { } ;} daemon off;");
    for file in ["py/nginx.conf", "py/supervisord.conf", "py/entrypoint.sh"] {
        let text = fs::read_to_string(dir.path().join("generated").join(file)).expect("read");
        assert!(!text.contains("brace {"), "{file}");
    }
}

#[test]
fn messages_round_trip_through_the_dockerfile_env() {
    for message in MESSAGES {
        let dir = build(message);
        for name in ["py", "js"] {
            let path = dir.path().join("generated").join(name).join("Dockerfile");
            let text = fs::read_to_string(path).expect("Dockerfile");
            let df = gen_core::parse::dockerfile::parse(&text).expect("parses");
            let env = &df.final_stage().expect("a stage").env;
            assert_eq!(
                env.get("APP_MESSAGE").map(String::as_str),
                Some(*message),
                "{name}, {message:?}"
            );
        }
    }
}

#[test]
fn control_characters_are_refused_with_their_place() {
    for (message, code) in [
        ("line one\nline two", "U+000A"),
        ("a tab\there", "U+0009"),
        ("nul \u{0}", "U+0000"),
        ("bell \u{7}", "U+0007"),
        ("del \u{7f}", "U+007F"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("spec.toml"), spec_for(message)).expect("write spec");
        let out = gen_in(dir.path(), &["build"]);
        assert_eq!(out.status.code(), Some(2), "{message:?}");
        let err = stderr(&out);
        assert!(err.contains(&format!("control character {code}")), "{err}");
        assert!(err.contains("spec.toml:6:11"), "{err}");
        assert!(!dir.path().join("generated").exists());
    }
}
