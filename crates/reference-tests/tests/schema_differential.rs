//! Differential test of the tools section and JSON Schema → TypeScript rendering against the
//! reference crate (`openai-harmony` 0.0.8).
//!
//! Random tool namespaces with random JSON Schemas go into a developer message; both crates
//! render it and decode the tokens back to text, which must be equal.
//!
//! Schemas are generated as JSON *text* and parsed once, so both sides get the same `Value`
//! with the same key order. The reference needs `o200k_base.tiktoken` (see `src/lib.rs`);
//! without it the test fails, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use harmony_core::{load_harmony_encoding, HarmonyEncodingName};
use openai_harmony::chat as reference;
use reference_tests::reference_encoding;
use serde_json::Value;

/// Cases per run; `SCHEMA_DIFF_CASES` overrides it for longer runs.
const DEFAULT_CASES: u64 = 4_000;

/// SplitMix64: small, deterministic, good enough to drive a generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Text fragments for names, descriptions, enum members, examples and defaults: quotes,
/// backslashes, line breaks, control characters, `null` (which suppresses ` | null`), non-ASCII,
/// special-token text. None contains `+`; see [`normalise_exponents`].
const FRAGMENTS: &[&str] = &[
    "",
    "a",
    "x y",
    "q\"r",
    "back\\slash",
    "line1\nline2",
    "\n",
    "para\n\nafter blank",
    "trailing\n",
    "tab\there",
    "cr\r\nlf",
    "lone\rcr",
    "ctl\u{1}\u{1f}\u{7f}",
    "null",
    "nullable",
    "é",
    "【6†L9-L11】",
    "🙂",
    " lead",
    "trail ",
    "{}",
    "// c",
    "<|end|>",
    "default: x",
    "1e5",
];

/// Number literals as written in JSON: integers of every size, floats in plain and exponent
/// display, and literals whose value displays differently (`1E2` is `100.0`).
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "10",
    "20",
    "1.5",
    "10.0",
    "-0.0",
    "0.1",
    "1e20",
    "1E2",
    "1e-7",
    "2.5e-5",
    "0.0001",
    "1e16",
    "1e15",
    "123456.789e3",
    "10000000000",
    "18446744073709551615",
    "-9223372036854775808",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "5e-324",
];

fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

fn object_text(entries: &[(String, String)]) -> String {
    let members: Vec<String> = entries.iter().map(|(key, value)| format!("{}:{value}", quote(key))).collect();
    format!("{{{}}}", members.join(","))
}

fn array_text(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

struct Gen {
    rng: Rng,
}

impl Gen {
    fn text(&mut self) -> String {
        let pieces = 1 + self.rng.below(3);
        (0..pieces).map(|_| *self.rng.pick(FRAGMENTS)).collect()
    }

    fn number(&mut self) -> String {
        match self.rng.below(4) {
            0 => (self.rng.next() as i64 >> self.rng.below(64)).to_string(),
            1 => {
                let value = f64::from_bits(self.rng.next());
                if value.is_finite() {
                    format!("{value:e}")
                } else {
                    "1.25".to_owned()
                }
            }
            _ => (*self.rng.pick(NUMBERS)).to_owned(),
        }
    }

    /// Any JSON value, nested at most `depth` containers deep.
    fn value(&mut self, depth: u32) -> String {
        let kinds = if depth == 0 { 4 } else { 6 };
        match self.rng.below(kinds) {
            0 => (*self.rng.pick(&["null", "true", "false"])).to_owned(),
            1 => self.number(),
            2 | 3 => quote(&self.text()),
            4 => {
                let items: Vec<String> = (0..self.rng.below(4)).map(|_| self.value(depth - 1)).collect();
                array_text(&items)
            }
            _ => {
                let entries: Vec<(String, String)> =
                    (0..self.rng.below(4)).map(|_| (self.text(), self.value(depth - 1))).collect();
                object_text(&entries)
            }
        }
    }

    fn maybe_text_or_junk(&mut self) -> String {
        if self.rng.chance(90) {
            quote(&self.text())
        } else {
            self.value(1)
        }
    }

    /// A schema nested at most `depth` schema levels deep. `description`, when given, is used
    /// as this schema's description (to hit the union de-duplication rules).
    fn schema(&mut self, depth: u32, description: Option<&str>) -> String {
        if self.rng.chance(3) {
            return (*self.rng.pick(&["null", "true", "1", "\"string\"", "[]", "[{\"type\":\"string\"}]"])).to_owned();
        }
        let mut entries: Vec<(String, String)> = Vec::new();
        let mut entry = |key: &str, value: String| entries.push((key.to_owned(), value));
        let kinds = if depth == 0 { 7 } else { 12 };
        let mut one_of_description = None;
        match self.rng.below(kinds) {
            0 | 1 => {
                entry("type", quote("string"));
                if self.rng.chance(40) {
                    let members: Vec<String> = (0..self.rng.below(4))
                        .map(|_| if self.rng.chance(85) { quote(&self.text()) } else { self.value(0) })
                        .collect();
                    entry("enum", array_text(&members));
                }
            }
            2 => entry("type", quote(self.rng.pick::<&str>(&["number", "integer"]))),
            3 => entry("type", quote("boolean")),
            4 => entry("type", quote(self.rng.pick::<&str>(&["null", "date", "any", ""]))),
            5 => {
                let names = ["string", "integer", "number", "null", "object", "array", "boolean", "1", "null"];
                let members: Vec<String> = (0..self.rng.below(4))
                    .map(|i| {
                        let name = *self.rng.pick(&names);
                        if name == "1" || (name == "null" && i % 2 == 1) {
                            name.to_owned()
                        } else {
                            quote(name)
                        }
                    })
                    .collect();
                entry("type", array_text(&members));
            }
            6 => {
                if self.rng.chance(50) {
                    let keyword = *self.rng.pick(&["anyOf", "allOf", "$ref", "const", "enum", "items", "properties"]);
                    entry(keyword, self.value(1));
                }
            }
            7 | 8 => {
                entry("type", quote("object"));
                if self.rng.chance(90) {
                    let mut keys = Vec::new();
                    let mut properties = Vec::new();
                    for i in 0..self.rng.below(5) {
                        let key = if self.rng.chance(70) { format!("p{i}") } else { self.text() };
                        properties.push((key.clone(), self.schema(depth - 1, None)));
                        keys.push(key);
                    }
                    let value = if self.rng.chance(5) { self.value(1) } else { object_text(&properties) };
                    entry("properties", value);
                    if self.rng.chance(60) {
                        let mut required: Vec<String> =
                            keys.iter().filter(|_| self.rng.chance(50)).map(|key| quote(key)).collect();
                        if self.rng.chance(20) {
                            required.push(self.value(0));
                        }
                        let value = if self.rng.chance(5) { self.value(1) } else { array_text(&required) };
                        entry("required", value);
                    }
                }
            }
            9 => {
                entry("type", quote("array"));
                if self.rng.chance(80) {
                    let items = self.schema(depth - 1, None);
                    entry("items", items);
                }
            }
            _ => {
                // Decide the union's description first so that variants can repeat it.
                if description.is_none() && self.rng.chance(50) {
                    one_of_description = Some(self.text());
                }
                let shared = description.map(str::to_owned).or_else(|| one_of_description.clone());
                let value = if self.rng.chance(5) {
                    self.value(1)
                } else {
                    let variants: Vec<String> = (0..self.rng.below(4))
                        .map(|i| {
                            let repeat = shared.as_deref().filter(|_| self.rng.chance(if i == 0 { 50 } else { 20 }));
                            self.schema(depth - 1, repeat)
                        })
                        .collect();
                    array_text(&variants)
                };
                entry("oneOf", value);
                if self.rng.chance(30) {
                    entry("type", quote(self.rng.pick::<&str>(&["string", "object", "number"])));
                }
            }
        }
        let description = description.map(quote).or_else(|| one_of_description.as_deref().map(quote));
        if let Some(text) = description {
            entry("description", text);
        } else if self.rng.chance(35) {
            let text = self.maybe_text_or_junk();
            entry("description", text);
        }
        if self.rng.chance(15) {
            let text = self.maybe_text_or_junk();
            entry("title", text);
        }
        if self.rng.chance(30) {
            let value = *self.rng.pick(&["true", "true", "true", "false", "\"true\"", "1"]);
            entry("nullable", value.to_owned());
        }
        if self.rng.chance(35) {
            let value = self.value(2);
            entry("default", value);
        }
        if self.rng.chance(15) {
            let value = if self.rng.chance(85) {
                let examples: Vec<String> = (0..self.rng.below(4))
                    .map(|_| if self.rng.chance(75) { quote(&self.text()) } else { self.value(1) })
                    .collect();
                array_text(&examples)
            } else {
                self.value(1)
            };
            entry("examples", value);
        }
        if self.rng.chance(8) {
            // `enum` on a non-string type, or an enum-typed string default.
            let members: Vec<String> = (0..self.rng.below(3)).map(|_| self.value(0)).collect();
            entry("enum", array_text(&members));
        }
        // Keyword order must not matter (only property order does); duplicates: last wins.
        for i in (1..entries.len()).rev() {
            entries.swap(i, self.rng.below(i + 1));
        }
        if !entries.is_empty() && self.rng.chance(3) {
            let (key, _) = entries[self.rng.below(entries.len())].clone();
            entries.push((key, self.value(1)));
        }
        object_text(&entries)
    }

    /// The parameters of one tool: usually an object schema, sometimes anything.
    fn parameters(&mut self) -> Option<Value> {
        if self.rng.chance(10) {
            return None;
        }
        let text = if self.rng.chance(70) {
            let mut schema = self.schema(3, None);
            while !schema.contains("\"object\"") {
                schema = self.schema(3, None);
            }
            schema
        } else {
            self.schema(3, None)
        };
        Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("generated invalid JSON ({e}): {text}")))
    }

    /// 1–3 namespaces keyed as a BTreeMap (key and name may differ), mirrored for both sides.
    fn namespaces(
        &mut self,
    ) -> (BTreeMap<String, reference::ToolNamespaceConfig>, BTreeMap<String, harmony_core::ToolNamespaceConfig>) {
        let mut theirs = BTreeMap::new();
        let mut ours = BTreeMap::new();
        for _ in 0..1 + self.rng.below(3) {
            let key = (*self.rng.pick(&["functions", "browser", "python", "a", "Z", "ns"])).to_owned();
            let (their_ns, our_ns) = match self.rng.below(10) {
                0 => (reference::ToolNamespaceConfig::browser(), harmony_core::ToolNamespaceConfig::browser()),
                1 => (reference::ToolNamespaceConfig::python(), harmony_core::ToolNamespaceConfig::python()),
                _ => {
                    let name = if self.rng.chance(80) { key.clone() } else { self.text() };
                    let description = self.rng.chance(50).then(|| self.text());
                    let mut their_tools = Vec::new();
                    let mut our_tools = Vec::new();
                    for i in 0..self.rng.below(4) {
                        let tool_name = if self.rng.chance(80) { format!("f{i}") } else { self.text() };
                        let tool_description = self.text();
                        let parameters = self.parameters();
                        their_tools.push(reference::ToolDescription::new(
                            &tool_name,
                            &tool_description,
                            parameters.clone(),
                        ));
                        our_tools.push(harmony_core::ToolDescription::new(tool_name, tool_description, parameters));
                    }
                    (
                        reference::ToolNamespaceConfig::new(&name, description.clone(), their_tools),
                        harmony_core::ToolNamespaceConfig::new(name, description, our_tools),
                    )
                }
            };
            theirs.insert(key.clone(), their_ns);
            ours.insert(key, our_ns);
        }
        (theirs, ours)
    }
}

/// The reference here links the workspace's serde_json (1.0.154), which displays a float's
/// positive exponent as `1e+20`; the published reference (built with serde_json 1.0.140 / ryu)
/// and SPEC write `1e20`, as we do. Digits and layout are otherwise identical. Generated text
/// never contains `+`, so every `e+` in the reference's output comes from a number.
fn normalise_exponents(text: &str) -> String {
    text.replace("e+", "e")
}

/// Index of the first differing byte, for a readable failure.
fn first_difference(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

#[test]
fn tools_section_matches_reference() {
    let encoding = reference_encoding();
    let ours_encoding = load_harmony_encoding(HarmonyEncodingName::HarmonyGptOss).expect("encoding loads");

    let cases = std::env::var("SCHEMA_DIFF_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_CASES);
    let mut failures = Vec::new();
    for case in 0..cases {
        let mut generator = Gen { rng: Rng(0x5EED_0000 + case) };
        let (theirs, ours) = generator.namespaces();

        let developer = reference::DeveloperContent { instructions: None, tools: Some(theirs) };
        let message = reference::Message::from_role_and_content(reference::Role::Developer, developer);
        let tokens = encoding.render(&message, None).expect("reference renders");
        let reference_text = encoding.tokenizer().decode_utf8(&tokens).expect("reference decodes");
        let reference_text = normalise_exponents(&reference_text);

        let developer = harmony_core::DeveloperContent { instructions: None, tools: Some(ours.clone()) };
        let message = harmony_core::Message::from_role_and_content(harmony_core::Role::Developer, developer);
        let tokens = ours_encoding.render(&message, None).expect("ours renders");
        let our_text = ours_encoding.tokenizer().decode_utf8(&tokens).expect("ours decodes");

        if our_text != reference_text {
            let at = first_difference(&our_text, &reference_text);
            let context =
                |text: &str| text.get(at.saturating_sub(80)..(at + 80).min(text.len())).unwrap_or(text).to_owned();
            failures.push(format!(
                "case {case}: first difference at byte {at}\n  ours:      {:?}\n  reference: {:?}\n  tools: {:?}",
                context(&our_text),
                context(&reference_text),
                ours
            ));
        }
    }
    println!("{cases} differential cases, {} mismatches", failures.len());
    assert!(failures.is_empty(), "{}", failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n"));
}
