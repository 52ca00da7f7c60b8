//! crossplane's analyzer (`crossplane/analyzer.py`), for `gen parse`: with crossplane's own
//! rules, which are not nginx's (gen's load-time rules, `NGX010`-`NGX014`, are those): the
//! context is the chain of block names (`http`, `server`, `location`...; `location` does not
//! nest), only the contexts crossplane lists are judged, a directive may be in any context one
//! of its declarations allows whatever module declares it, and a flag's value is checked with
//! its count. The directive table is nginx's ([`super::table`]), every version at once: a
//! directive crossplane knows but that table lacks (NGINX Plus's, third-party modules') is not
//! judged, as crossplane does not judge what it does not know.
//!
//! A directive with an error is left out of the payload with its block, and the error is
//! recorded, as crossplane does with `catch_errors` (the default; `--no-catch` keeps the
//! first error only). `--ignore` leaves directives out unjudged; `--strict` makes an unknown
//! directive an error.

use super::table::{Args, Row, ctx, table};
use super::{Config, Directive};

/// crossplane's switches.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--no-catch`: only the first error is kept, and nothing is parsed.
    pub no_catch: bool,
    /// `--strict`: an unknown directive is an error.
    pub strict: bool,
    /// `--no-check-ctx`.
    pub no_check_ctx: bool,
    /// `--no-check-args`.
    pub no_check_args: bool,
    /// `--ignore`: directives left out of the payload, unjudged.
    pub ignore: Vec<String>,
}

/// What the analyzer found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// `(directive index, message)`, in file order.
    pub errors: Vec<(usize, String)>,
    /// By directive index: left out of the payload (with its block).
    pub skip: Vec<bool>,
    /// `--no-catch`: stopped at the first error, nothing parsed.
    pub stopped: bool,
}

/// crossplane's `CONTEXTS`: the context bits of a chain of block names, if it judges it.
fn context(chain: &[&str]) -> Option<u32> {
    Some(match chain {
        [] => ctx::MAIN,
        ["events"] => ctx::EVENT,
        ["mail"] => ctx::MAIL,
        ["mail", "server"] => ctx::MSRV,
        ["stream"] => ctx::STREAM,
        ["stream", "server"] => ctx::SSRV,
        ["stream", "upstream"] => ctx::SUPS,
        ["http"] => ctx::HTTP,
        ["http", "server"] => ctx::SRV,
        ["http", "location"] => ctx::LOC,
        ["http", "upstream"] => ctx::UPS,
        ["http", "server", "if"] => ctx::SIF,
        ["http", "location", "if"] => ctx::LIF,
        ["http", "location", "limit_except"] => ctx::LMT,
        _ => return None,
    })
}

/// The error of one directive, as crossplane's `analyze` words it. It borrows the table's
/// rows and reads the arguments only when a row needs them: it runs once per directive of
/// files of tens of thousands of directives.
fn judge(d: &Directive<'_, '_>, rows: &[Row], here: u32, opts: &Options) -> Option<String> {
    let name = d.name();
    let allowed = |r: &&Row| opts.no_check_ctx || r.contexts & (here | ctx::ANY) != 0;
    if !rows.iter().any(|r| allowed(&r)) {
        return Some(format!("\"{name}\" directive is not allowed here"));
    }
    if opts.no_check_args {
        return None;
    }
    let n = d.values().len();
    let first = || d.values().next().unwrap_or_default();
    let flag_ok = |a: &str| a.eq_ignore_ascii_case("on") || a.eq_ignore_ascii_case("off");
    let mut reason = String::new();
    // In reverse, as crossplane does: the first mask is what it reports last.
    for r in rows.iter().rev().filter(allowed) {
        if r.block && !d.has_block() {
            reason = format!("directive \"{name}\" has no opening \"{{\"");
            continue;
        }
        if !r.block && d.has_block() {
            reason = format!("directive \"{name}\" is not terminated by \";\"");
            continue;
        }
        let ok = match r.args {
            Args::Flag => n == 1 && flag_ok(&first()),
            other => other.accepts(n),
        };
        if ok {
            return None;
        }
        reason = if r.args == Args::Flag && n == 1 {
            format!(
                "invalid value \"{}\" in \"{name}\" directive, it must be \"on\" or \"off\"",
                first()
            )
        } else {
            format!("invalid number of arguments in \"{name}\" directive")
        };
    }
    Some(reason)
}

/// Runs crossplane's analyzer over a parsed file.
#[must_use]
pub fn analyze(config: &Config<'_>, opts: &Options) -> Analysis {
    let t = table();
    let mut out = Analysis {
        errors: Vec::new(),
        skip: vec![false; config.len()],
        stopped: false,
    };
    // The chain of block names of each open block: (node index after its block, chain).
    // A chain is built when a block opens and borrowed by the directives inside it.
    let mut open: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut skip_until = 0;
    for visit in config.walk() {
        let d = visit.directive;
        let index = d.index;
        while open.last().is_some_and(|(end, _)| *end <= index) {
            open.pop();
        }
        if index < skip_until {
            out.skip[index] = true;
            continue;
        }
        let chain: &[&str] = open.last().map_or(&[], |(_, c)| c.as_slice());
        let name = d.name();
        let block_end = d.node().next();
        if opts.ignore.iter().any(|i| i == name) {
            out.skip[index] = true;
            skip_until = block_end;
            continue;
        }
        let all = t.rows(name);
        let error = if all.is_empty() {
            opts.strict.then(|| format!("unknown directive \"{name}\""))
        } else {
            context(chain).and_then(|here| judge(&d, all, here, opts))
        };
        if let Some(e) = error {
            out.errors.push((index, e));
            out.skip[index] = true;
            skip_until = block_end;
            if opts.no_catch {
                out.stopped = true;
                break;
            }
            continue;
        }
        if d.has_block() {
            let inner = if chain.first() == Some(&"http") && name == "location" {
                vec!["http", "location"]
            } else {
                let mut inner = chain.to_vec();
                inner.push(name);
                inner
            };
            open.push((block_end, inner));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str, opts: &Options) -> Vec<String> {
        let config = super::super::parse(text).expect("parses");
        analyze(&config, opts)
            .errors
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }

    #[test]
    fn crossplanes_analyzer_errors() {
        let o = Options::default();
        assert_eq!(
            errors("server { listen 80; }\nhttp { if ($a) { } }\n", &o),
            [
                "\"server\" directive is not allowed here",
                "\"if\" directive is not allowed here"
            ]
        );
        assert_eq!(
            errors(
                "events {}\nhttp { sendfile maybe; server { location /; } }\n",
                &o
            ),
            [
                "invalid value \"maybe\" in \"sendfile\" directive, it must be \"on\" or \"off\"",
                "directive \"location\" has no opening \"{\""
            ]
        );
        assert!(errors("foo bar;\n", &o).is_empty());
        let strict = Options {
            strict: true,
            ..Options::default()
        };
        assert_eq!(errors("foo bar;\n", &strict), ["unknown directive \"foo\""]);
        let off = Options {
            no_check_ctx: true,
            no_check_args: true,
            ..Options::default()
        };
        assert!(errors("server { listen; }\n", &off).is_empty());
    }
}
