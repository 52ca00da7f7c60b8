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

/// The error of one directive, as crossplane's `analyze` words it.
fn judge(d: &Directive<'_, '_>, rows: &[&Row], here: u32, opts: &Options) -> Option<String> {
    let name = d.name();
    let masks: Vec<&Row> = if opts.no_check_ctx {
        rows.to_vec()
    } else {
        let m: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.contexts & (here | ctx::ANY) != 0)
            .collect();
        if m.is_empty() {
            return Some(format!("\"{name}\" directive is not allowed here"));
        }
        m
    };
    if opts.no_check_args {
        return None;
    }
    let args: Vec<String> = d.values().map(|v| v.into_owned()).collect();
    let n = args.len();
    let flag_ok = |a: &str| a.eq_ignore_ascii_case("on") || a.eq_ignore_ascii_case("off");
    let mut reason = String::new();
    // In reverse, as crossplane does: the first mask is what it reports last.
    for r in masks.iter().rev() {
        if r.block && !d.has_block() {
            reason = format!("directive \"{name}\" has no opening \"{{\"");
            continue;
        }
        if !r.block && d.has_block() {
            reason = format!("directive \"{name}\" is not terminated by \";\"");
            continue;
        }
        let ok = match r.args {
            Args::Flag => n == 1 && flag_ok(&args[0]),
            other => other.accepts(n),
        };
        if ok {
            return None;
        }
        reason = if r.args == Args::Flag && n == 1 {
            format!(
                "invalid value \"{}\" in \"{name}\" directive, it must be \"on\" or \"off\"",
                args[0]
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
        let chain: Vec<&str> = open.last().map(|(_, c)| c.clone()).unwrap_or_default();
        let name = d.name();
        let block_end = d.node().next();
        if opts.ignore.iter().any(|i| i == name) {
            out.skip[index] = true;
            skip_until = block_end;
            continue;
        }
        let all: Vec<&Row> = t.rows(name).iter().collect();
        let error = if all.is_empty() {
            opts.strict.then(|| format!("unknown directive \"{name}\""))
        } else {
            context(&chain).and_then(|here| judge(&d, &all, here, opts))
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
            let mut inner = chain.clone();
            if chain.first() == Some(&"http") && name == "location" {
                inner = vec!["http", "location"];
            } else {
                inner.push(name);
            }
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
