//! JSON Schema → TypeScript type text, exactly as the reference renders tool parameters
//! (SPEC §3.7, quirks in §6).
//!
//! The output is not valid TypeScript in every case (unescaped strings, a union's leading
//! newline, a nested object's description before its `{`): it is the reference's text, byte for
//! byte, because the model was trained on it. Properties render in the document order of the
//! JSON object (the workspace enables serde_json `preserve_order`).
//!
//! Hostile input: a sub-schema nested more than [`MAX_DEPTH`] levels below the root renders as
//! `any`, so recursion (and stack use) is bounded whatever the depth of the `Value`. Values parsed
//! by serde_json with its default recursion limit never reach that depth. Default values are
//! displayed as JSON without recursion, so their depth is unbounded.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

#[cfg(test)]
mod tests;

/// Deepest sub-schema level that is rendered; deeper sub-schemas render as `any`.
///
/// The root is level 0; object properties, union variants and array `items` are one level
/// below their parent. A property whose `oneOf` is an array is not a level of its own: its
/// variants are one level below the object.
pub const MAX_DEPTH: usize = 256;

/// Renders `schema` as TypeScript type text; `indent` prefixes every indented line (the
/// reference starts tool parameters with `""`).
pub fn render_schema(schema: &Value, indent: &str) -> String {
    let mut out = String::new();
    render_schema_into(schema, indent, &mut out);
    out
}

/// Appends the text of [`render_schema`] to `out`.
pub fn render_schema_into(schema: &Value, indent: &str, out: &mut String) {
    Writer { out, base: indent }.schema(schema, 0, 0);
}

/// Extra indentation of an object's members and closing brace.
const OBJECT_INDENT: usize = 4;
/// Extra indentation inside a union variant.
const VARIANT_INDENT: usize = 3;

/// Where the text goes, plus the caller's indent. Nested indents are always the caller's
/// indent followed by spaces, so they are carried as a space count instead of new strings.
struct Writer<'o, 'b> {
    out: &'o mut String,
    base: &'b str,
}

impl Writer<'_, '_> {
    fn indent(&mut self, extra: usize) {
        self.out.push_str(self.base);
        self.out.extend(std::iter::repeat_n(' ', extra));
    }

    /// `// text` on its own indented line.
    fn comment_line(&mut self, extra: usize, text: &str) {
        self.indent(extra);
        self.out.push_str("// ");
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn schema(&mut self, schema: &Value, extra: usize, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.push_str("any");
            return;
        }
        if let Some(Value::Array(variants)) = schema.get("oneOf") {
            self.union(variants, extra, depth);
            return;
        }
        match schema.get("type") {
            Some(Value::Array(types)) => self.type_list(types),
            Some(Value::String(ty)) => match ty.as_str() {
                "object" => self.object(schema, extra, depth),
                "string" => self.string(schema),
                "number" | "integer" => self.out.push_str("number"),
                "boolean" => self.out.push_str("boolean"),
                "array" => match schema.get("items") {
                    // The item type is not parenthesised: a union item gives `a | b[]`.
                    Some(items) => {
                        self.schema(items, extra, depth + 1);
                        self.out.push_str("[]");
                    }
                    None => self.out.push_str("Array<any>"),
                },
                _ => self.out.push_str("any"),
            },
            _ => self.out.push_str("any"),
        }
    }

    /// A sub-schema followed by ` | null` when it is `nullable: true` and its text does not
    /// already mention `null` anywhere (a substring test, as the reference does).
    fn nullable_schema(&mut self, schema: &Value, extra: usize, depth: usize) {
        let start = self.out.len();
        self.schema(schema, extra, depth);
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        if nullable && !self.out[start..].contains("null") {
            self.out.push_str(" | null");
        }
    }

    /// `oneOf` outside a property: every variant on its own line, including the first, so the
    /// text starts with a newline.
    fn union(&mut self, variants: &[Value], extra: usize, depth: usize) {
        for variant in variants {
            self.out.push('\n');
            self.indent(extra);
            self.out.push_str(" | ");
            self.nullable_schema(variant, extra + VARIANT_INDENT, depth + 1);
            let mut comments = Comments::default();
            if let Some(description) = str_field(variant, "description") {
                comments.push(self.out).push_str(description);
            }
            if let Some(default) = variant.get("default") {
                let out = comments.push(self.out);
                out.push_str("default: ");
                write_default(out, default, variant, DefaultStyle::Json);
            }
        }
    }

    /// `type: [...]`: its string members joined by ` | `, `integer` spelled `number`.
    fn type_list(&mut self, types: &[Value]) {
        let mut names = types.iter().filter_map(Value::as_str).peekable();
        if names.peek().is_none() {
            self.out.push_str("any");
            return;
        }
        for (i, name) in names.enumerate() {
            if i > 0 {
                self.out.push_str(" | ");
            }
            self.out.push_str(if name == "integer" { "number" } else { name });
        }
    }

    /// `type: "string"`: the quoted string members of `enum` (unescaped), else `string`.
    fn string(&mut self, schema: &Value) {
        let members = match schema.get("enum") {
            Some(Value::Array(values)) => values.as_slice(),
            _ => &[],
        };
        let mut first = true;
        for member in members.iter().filter_map(Value::as_str) {
            if !first {
                self.out.push_str(" | ");
            }
            first = false;
            self.out.push('"');
            self.out.push_str(member);
            self.out.push('"');
        }
        if first {
            self.out.push_str("string");
        }
    }

    /// `type: "object"`. Only the members and the closing brace are indented: the opening
    /// brace follows whatever precedes it (a property name, or the description comment).
    fn object(&mut self, schema: &Value, extra: usize, depth: usize) {
        if let Some(description) = str_field(schema, "description") {
            self.comment_line(extra, description);
        }
        self.out.push_str("{\n");
        if let Some(Value::Object(properties)) = schema.get("properties") {
            self.properties(properties, schema, extra, depth);
        }
        self.indent(extra);
        self.out.push('}');
    }

    fn properties(&mut self, properties: &Map<String, Value>, schema: &Value, extra: usize, depth: usize) {
        let required: HashSet<&str> = match schema.get("required") {
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => HashSet::new(),
        };
        for (key, property) in properties {
            let optional = if required.contains(key.as_str()) { "" } else { "?" };
            self.property(key, optional, property, extra, depth);
        }
    }

    fn property(&mut self, key: &str, optional: &str, property: &Value, extra: usize, depth: usize) {
        if let Some(title) = str_field(property, "title") {
            self.comment_line(extra, title);
            self.indent(extra);
            self.out.push_str("//\n");
        }
        // Any `oneOf` key, even a non-array one, suppresses the description and default here.
        let one_of = property.get("oneOf");
        if one_of.is_none() {
            if let Some(description) = str_field(property, "description") {
                self.comment_line(extra, description);
            }
        }
        if let Some(Value::Array(examples)) = property.get("examples") {
            if !examples.is_empty() {
                self.comment_line(extra, "Examples:");
                for example in examples.iter().filter_map(Value::as_str) {
                    self.indent(extra);
                    self.out.push_str("// - \"");
                    self.out.push_str(example);
                    self.out.push_str("\"\n");
                }
            }
        }
        if let Some(Value::Array(variants)) = one_of {
            self.property_union(key, optional, property, variants, extra, depth);
            return;
        }
        self.indent(extra);
        self.out.push_str(key);
        self.out.push_str(optional);
        self.out.push_str(": ");
        self.nullable_schema(property, extra + OBJECT_INDENT, depth + 1);
        self.out.push(',');
        if one_of.is_none() {
            if let Some(default) = property.get("default") {
                self.out.push_str(" // default: ");
                write_default(self.out, default, property, DefaultStyle::RawEnum);
            }
        }
        self.out.push('\n');
    }

    /// A property whose `oneOf` is an array: comments above the name, one variant per line,
    /// and a lone `,` line. The property description is not repeated on a variant.
    fn property_union(
        &mut self,
        key: &str,
        optional: &str,
        property: &Value,
        variants: &[Value],
        extra: usize,
        depth: usize,
    ) {
        let description = str_field(property, "description");
        let first_variant_description = variants.first().and_then(|v| str_field(v, "description"));
        // Written above the name unless the first variant carries the same text.
        let above = description.filter(|text| Some(*text) != first_variant_description);
        if let Some(text) = above {
            self.comment_line(extra, text);
        }
        let described_above = above.is_some();
        if let Some(default) = property.get("default") {
            self.indent(extra);
            self.out.push_str("// default: ");
            write_default(self.out, default, property, DefaultStyle::RawEnum);
            self.out.push('\n');
        }
        self.indent(extra);
        self.out.push_str(key);
        self.out.push_str(optional);
        self.out.push_str(":\n");
        for (i, variant) in variants.iter().enumerate() {
            self.indent(extra);
            self.out.push_str(" | ");
            self.nullable_schema(variant, extra + VARIANT_INDENT, depth + 1);
            let mut comments = Comments::default();
            let variant_description = str_field(variant, "description");
            if let Some(text) = variant_description {
                if !(i == 0 && described_above) && variant_description != description {
                    comments.push(self.out).push_str(text);
                }
            }
            if let Some(default) = variant.get("default") {
                let out = comments.push(self.out);
                out.push_str("default: ");
                write_default(out, default, variant, DefaultStyle::RawEnum);
            }
            self.out.push('\n');
        }
        self.indent(extra);
        self.out.push_str(",\n");
    }
}

/// Trailing ` // a b` comments: the first opens with ` // `, later ones are space-separated.
#[derive(Default)]
struct Comments {
    started: bool,
}

impl Comments {
    fn push<'s>(&mut self, out: &'s mut String) -> &'s mut String {
        out.push_str(if self.started { " " } else { " // " });
        self.started = true;
        out
    }
}

fn str_field<'v>(schema: &'v Value, field: &str) -> Option<&'v str> {
    schema.get(field).and_then(Value::as_str)
}

/// How a string default of an enum schema is shown; non-enum string defaults are always
/// `"raw"` (unescaped) and other defaults always compact JSON.
#[derive(Clone, Copy)]
enum DefaultStyle {
    /// Bare, unquoted (properties and property-union variants).
    RawEnum,
    /// As JSON, i.e. quoted and escaped (variants of a union outside a property).
    Json,
}

fn write_default(out: &mut String, default: &Value, schema: &Value, style: DefaultStyle) {
    let is_enum = matches!(schema.get("enum"), Some(Value::Array(values)) if !values.is_empty());
    match (default, is_enum, style) {
        (Value::String(text), false, _) => {
            out.push('"');
            out.push_str(text);
            out.push('"');
        }
        (Value::String(text), true, DefaultStyle::RawEnum) => out.push_str(text),
        _ => write_json(out, default),
    }
}

/// Compact JSON, byte-identical to serde_json's `Display` for `Value`, written with an
/// explicit stack so that a deeply nested default cannot overflow the call stack.
fn write_json(out: &mut String, value: &Value) {
    enum Open<'v> {
        Array(std::slice::Iter<'v, Value>),
        Object(serde_json::map::Iter<'v>),
    }
    let mut stack: Vec<(Open<'_>, bool)> = Vec::new();
    let mut next = value;
    loop {
        match next {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(out, n),
            Value::String(s) => write_json_string(out, s),
            Value::Array(items) => {
                out.push('[');
                stack.push((Open::Array(items.iter()), true));
            }
            Value::Object(map) => {
                out.push('{');
                stack.push((Open::Object(map.iter()), true));
            }
        }
        next = loop {
            let Some((open, first)) = stack.last_mut() else { return };
            let item = match open {
                Open::Array(items) => items.next().map(|v| (None, v)),
                Open::Object(entries) => entries.next().map(|(k, v)| (Some(k), v)),
            };
            let Some((key, item)) = item else {
                out.push(if matches!(open, Open::Array(_)) { ']' } else { '}' });
                stack.pop();
                continue;
            };
            if !*first {
                out.push(',');
            }
            *first = false;
            if let Some(key) = key {
                write_json_string(out, key);
                out.push(':');
            }
            break item;
        };
    }
}

/// A number as the reference displays it: integers as written, floats as the shortest
/// round-trip text (`1.5`, `10.0`, `1e20`, `1e-7`). serde_json 1.0.140, which the reference
/// was built with, formats floats with ryu; newer ones use zmij, which picks the same digits
/// and layout but writes a positive exponent as `e+20`, so that `+` is dropped.
fn write_number(out: &mut String, n: &Number) {
    let start = out.len();
    let _ = write!(out, "{n}"); // writing to a String cannot fail
    if let Some(at) = out[start..].find("e+") {
        out.remove(start + at + 1);
    }
}

/// A JSON string literal with serde_json's escapes: `\"`, `\\`, the short forms
/// `\b \t \n \f \r`, other control characters as `\u00xx`; everything else verbatim.
fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c)); // writing to a String cannot fail
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
