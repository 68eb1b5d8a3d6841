//! Run manifests: a small JSON file beside every reproduction's outputs recording what was run
//! (seed, configuration, crate version, git commit, backend, threads, elapsed time), so a table
//! in `paper/` can be traced to the exact command that produced it.

use crate::error::Result;
use std::fmt::Write as _;
use std::path::Path;

/// A JSON value, enough for manifests and small result files.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number; non-finite values are written as `null` (JSON has no NaN or infinity).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object with keys in insertion order.
    Object(Vec<(String, Json)>),
}

impl From<f64> for Json {
    fn from(v: f64) -> Self {
        Json::Number(v)
    }
}
impl From<usize> for Json {
    fn from(v: usize) -> Self {
        Json::Number(v as f64)
    }
}
impl From<u64> for Json {
    fn from(v: u64) -> Self {
        Json::Number(v as f64)
    }
}
impl From<bool> for Json {
    fn from(v: bool) -> Self {
        Json::Bool(v)
    }
}
impl From<&str> for Json {
    fn from(v: &str) -> Self {
        Json::String(v.to_string())
    }
}
impl From<String> for Json {
    fn from(v: String) -> Self {
        Json::String(v)
    }
}

impl Json {
    /// Serialises with two-space indentation.
    pub fn to_pretty_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(v) if v.is_finite() => {
                write!(out, "{v}").expect("writing to a String cannot fail")
            }
            Json::Number(_) => out.push_str("null"),
            Json::String(s) => write_escaped(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, indent);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    out.push_str(&"  ".repeat(indent + 1));
                    write_escaped(out, k);
                    out.push_str(": ");
                    v.write(out, indent + 1);
                    if i + 1 < fields.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
        }
    }
}

fn write_escaped(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                write!(out, "\\u{:04x}", c as u32).expect("writing to a String cannot fail")
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The manifest of one reproduction run.
#[derive(Debug, Clone)]
pub struct Manifest {
    fields: Vec<(String, Json)>,
}

impl Manifest {
    /// Starts a manifest for `program` with the crate version, the git commit of the working
    /// directory (when `git` is available), and the command line.
    pub fn new(program: &str) -> Self {
        let args: Vec<Json> = std::env::args().map(Json::String).collect();
        let mut m = Manifest { fields: Vec::new() };
        m.set("program", program);
        m.set("crate_version", env!("CARGO_PKG_VERSION"));
        m.set(
            "git_commit",
            git_commit().map(Json::String).unwrap_or(Json::Null),
        );
        m.set("command_line", Json::Array(args));
        m
    }

    /// Sets (or replaces) a field.
    pub fn set(&mut self, key: &str, value: impl Into<Json>) -> &mut Self {
        let value = value.into();
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((key.to_string(), value)),
        }
        self
    }

    /// The manifest as a JSON object.
    pub fn to_json(&self) -> Json {
        Json::Object(self.fields.clone())
    }

    /// Writes the manifest as pretty JSON to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_atomic(path.as_ref(), self.to_json().to_pretty_string().as_bytes())
    }
}

/// The current git commit (`git rev-parse HEAD`), if the working directory is a repository.
pub fn git_commit() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_and_nulls_non_finite() {
        let j = Json::Object(vec![
            ("s".into(), Json::from("a\"b\\c\n")),
            ("x".into(), Json::from(f64::NAN)),
            ("v".into(), Json::Array(vec![1.5.into(), true.into()])),
        ]);
        let text = j.to_pretty_string();
        assert!(text.contains(r#""s": "a\"b\\c\n""#), "{text}");
        assert!(text.contains(r#""x": null"#));
        assert!(text.contains(r#""v": [1.5, true]"#));
    }

    #[test]
    fn set_replaces_existing_keys() {
        let mut m = Manifest::new("t");
        m.set("seed", 1usize).set("seed", 2usize);
        let Json::Object(fields) = m.to_json() else {
            panic!("manifest is an object")
        };
        let seeds: Vec<_> = fields.iter().filter(|(k, _)| k == "seed").collect();
        assert_eq!(seeds.len(), 1);
        assert_eq!(seeds[0].1, Json::Number(2.0));
    }
}
