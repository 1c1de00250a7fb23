//! Table tests: schema JSON in, TypeScript text out (SPEC §3.7 and §6). Every expected string
//! is the reference's output for the same schema.

use serde_json::{json, Value};

use super::{render_schema, render_schema_into, MAX_DEPTH};

fn ts(schema: &str) -> String {
    let value: Value = serde_json::from_str(schema).expect("test schema is valid JSON");
    render_schema(&value, "")
}

/// Runs a table of `(schema JSON, expected TypeScript)` rows, naming the failing row.
fn check(table: &[(&str, &str)]) {
    for (schema, expected) in table {
        assert_eq!(ts(schema), *expected, "schema: {schema}");
    }
}

#[test]
fn scalar_types() {
    check(&[
        (r#"{"type":"string"}"#, "string"),
        (r#"{"type":"number"}"#, "number"),
        (r#"{"type":"integer"}"#, "number"),
        (r#"{"type":"boolean"}"#, "boolean"),
        (r#"{"type":"null"}"#, "any"),
        (r#"{"type":"date"}"#, "any"),
        (r#"{"type":7}"#, "any"),
    ]);
}

#[test]
fn not_a_typed_schema_is_any() {
    check(&[
        ("{}", "any"),
        ("null", "any"),
        ("true", "any"),
        (r#""string""#, "any"),
        (r#"[{"type":"string"}]"#, "any"),
        (r#"{"anyOf":[{"type":"string"}]}"#, "any"),
        (r#"{"allOf":[{"type":"string"}]}"#, "any"),
        (r##"{"$ref":"#/defs/x"}"##, "any"),
        (r#"{"const":"x"}"#, "any"),
        (r#"{"enum":["a","b"]}"#, "any"),
        (r#"{"oneOf":{"type":"string"}}"#, "any"),
    ]);
}

#[test]
fn type_arrays() {
    check(&[
        (r#"{"type":["number","string"]}"#, "number | string"),
        (r#"{"type":["integer","null","object","array"]}"#, "number | null | object | array"),
        (r#"{"type":[1,"boolean",null]}"#, "boolean"),
        (r#"{"type":[]}"#, "any"),
        (r#"{"type":[1,2]}"#, "any"),
        // A type array wins over `enum` and `properties`.
        (r#"{"type":["string"],"enum":["a"]}"#, "string"),
    ]);
}

#[test]
fn string_enums_are_quoted_never_escaped() {
    check(&[
        (r#"{"type":"string","enum":["a","b","c"]}"#, r#""a" | "b" | "c""#),
        (
            r#"{"type":"string","enum":["q\"r","back\\slash","new\nline"]}"#,
            "\"q\"r\" | \"back\\slash\" | \"new\nline\"",
        ),
        // Non-string members are dropped; none left means plain `string`.
        (r#"{"type":"string","enum":[1,"x",null]}"#, r#""x""#),
        (r#"{"type":"string","enum":[1,2]}"#, "string"),
        (r#"{"type":"string","enum":[]}"#, "string"),
        (r#"{"type":"string","enum":"a"}"#, "string"),
        // `enum` is ignored on other types.
        (r#"{"type":"number","enum":[1,2]}"#, "number"),
    ]);
}

#[test]
fn arrays() {
    check(&[
        (r#"{"type":"array","items":{"type":"integer"}}"#, "number[]"),
        (r#"{"type":"array"}"#, "Array<any>"),
        (r#"{"type":"array","items":null}"#, "any[]"),
        (r#"{"type":"array","items":{"type":"array","items":{"type":"string"}}}"#, "string[][]"),
        // No parentheses around a union item type.
        (r#"{"type":"array","items":{"type":["number","string"]}}"#, "number | string[]"),
        (r#"{"type":"array","items":{"type":"string","enum":["a","b"]}}"#, r#""a" | "b"[]"#),
        // Array items keep the parent's indent.
        (r#"{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}"#, "{\na?: string,\n}[]"),
    ]);
}

#[test]
fn top_level_unions() {
    check(&[
        (r#"{"oneOf":[]}"#, ""),
        // Each variant on its own line, including the first.
        (r#"{"oneOf":[{"type":"string"},{"type":"number"}]}"#, "\n | string\n | number"),
        // `oneOf` wins over `type`.
        (r#"{"type":"string","oneOf":[{"type":"number"}]}"#, "\n | number"),
        (
            r#"{"oneOf":[{"type":"string","description":"s","default":"x"},{"type":"number","nullable":true,"default":3},{"type":"string","enum":["a","b"],"default":"a"}]}"#,
            "\n | string // s default: \"x\"\n | number | null // default: 3\n | \"a\" | \"b\" // default: \"a\"",
        ),
        // An enum variant's string default is JSON here, so it is escaped.
        (r#"{"oneOf":[{"type":"string","enum":["a\"b"],"default":"a\"b"}]}"#, "\n | \"a\"b\" // default: \"a\\\"b\""),
        // A non-enum string default is raw.
        (r#"{"oneOf":[{"type":"string","default":"a\"b"}]}"#, "\n | string // default: \"a\"b\""),
        (
            r#"{"oneOf":[{"default":[1,{"k":null}]},{"default":false,"description":7}]}"#,
            "\n | any // default: [1,{\"k\":null}]\n | any // default: false",
        ),
        // Nested unions indent by three more spaces.
        (r#"{"oneOf":[{"oneOf":[{"type":"string"}]}]}"#, "\n | \n    | string"),
        // An object variant: members and closing brace indented by three, description twice.
        (
            r#"{"oneOf":[{"type":"object","description":"obj","properties":{"a":{"type":"string"}}}]}"#,
            "\n |    // obj\n{\n   a?: string,\n   } // obj",
        ),
    ]);
}

#[test]
fn nullable() {
    check(&[
        // Never on the root schema.
        (r#"{"type":"string","nullable":true}"#, "string"),
        (r#"{"type":"object","properties":{"a":{"type":"string","nullable":true}}}"#, "{\na?: string | null,\n}"),
        // Not added twice, and any `null` substring counts.
        (
            r#"{"type":"object","properties":{"a":{"type":["string","null"],"nullable":true}}}"#,
            "{\na?: string | null,\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":["nullish"],"nullable":true}}}"#,
            "{\na?: \"nullish\",\n}",
        ),
        // Only the boolean `true`.
        (r#"{"type":"object","properties":{"a":{"type":"string","nullable":"true"}}}"#, "{\na?: string,\n}"),
        (r#"{"type":"object","properties":{"a":{"type":"string","nullable":false}}}"#, "{\na?: string,\n}"),
        (
            r#"{"oneOf":[{"type":"string","nullable":true},{"type":"null","nullable":true}]}"#,
            "\n | string | null\n | any | null",
        ),
    ]);
}

#[test]
fn object_form() {
    check(&[
        (r#"{"type":"object"}"#, "{\n}"),
        (r#"{"type":"object","properties":{}}"#, "{\n}"),
        (r#"{"type":"object","properties":[{"type":"string"}]}"#, "{\n}"),
        (r#"{"type":"object","description":"d"}"#, "// d\n{\n}"),
        (r#"{"type":"object","description":5}"#, "{\n}"),
        // Document order, not key order; `required` makes members mandatory.
        (
            r#"{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"number"}},"required":["a","missing",3]}"#,
            "{\nz?: string,\na: number,\n}",
        ),
        (r#"{"type":"object","properties":{"a":{"type":"string"}},"required":"a"}"#, "{\na?: string,\n}"),
        // Property values that are not schemas.
        (r#"{"type":"object","properties":{"a":null,"b":1}}"#, "{\na?: any,\nb?: any,\n}"),
        // Keys are written raw.
        (r#"{"type":"object","properties":{"a b\"c":{"type":"string"}}}"#, "{\na b\"c?: string,\n}"),
    ]);
}

#[test]
fn nested_object_indentation() {
    let schema = r#"{"type":"object","properties":{"loc":{"type":"object","description":"nested desc",
        "properties":{"city":{"type":"string","description":"the city"},
        "deep":{"type":"object","properties":{"z":{"type":"number"}}}},"required":["city"]}}}"#;
    let expected = "{
// nested desc
loc?:     // nested desc
{
    // the city
    city: string,
    deep?: {
        z?: number,
        },
    },
}";
    check(&[(schema, expected)]);
}

#[test]
fn comments_titles_descriptions_examples() {
    check(&[
        (
            r#"{"type":"object","properties":{"string":{"type":"string","title":"STRING","description":"A string","examples":["hello","world"]}}}"#,
            "{\n// STRING\n//\n// A string\n// Examples:\n// - \"hello\"\n// - \"world\"\nstring?: string,\n}",
        ),
        // Multi-line text is not re-prefixed; quotes are not escaped.
        (
            r#"{"type":"object","properties":{"a":{"type":"string","description":"l1\nl2 \"q\""}}}"#,
            "{\n// l1\nl2 \"q\"\na?: string,\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"string","title":"t\"\nx"}}}"#,
            "{\n// t\"\nx\n//\na?: string,\n}",
        ),
        // Non-string examples are skipped but the header stays.
        (
            r#"{"type":"object","properties":{"a":{"type":"number","examples":[1,"x\"y",null]}}}"#,
            "{\n// Examples:\n// - \"x\"y\"\na?: number,\n}",
        ),
        (r#"{"type":"object","properties":{"a":{"type":"number","examples":[2]}}}"#, "{\n// Examples:\na?: number,\n}"),
        (r#"{"type":"object","properties":{"a":{"type":"number","examples":[]}}}"#, "{\na?: number,\n}"),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","examples":"x","title":1,"description":false}}}"#,
            "{\na?: number,\n}",
        ),
    ]);
}

#[test]
fn property_defaults() {
    check(&[
        (r#"{"type":"object","properties":{"a":{"type":"number","default":10}}}"#, "{\na?: number, // default: 10\n}"),
        (r#"{"type":"object","properties":{"a":{"type":"number","default":-1}}}"#, "{\na?: number, // default: -1\n}"),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":1.5}}}"#,
            "{\na?: number, // default: 1.5\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":1e20}}}"#,
            "{\na?: number, // default: 1e20\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":10.0}}}"#,
            "{\na?: number, // default: 10.0\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":10000000000}}}"#,
            "{\na?: number, // default: 10000000000\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":-0.0}}}"#,
            "{\na?: number, // default: -0.0\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"number","default":1E-7}}}"#,
            "{\na?: number, // default: 1e-7\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"boolean","default":false}}}"#,
            "{\na?: boolean, // default: false\n}",
        ),
        (r#"{"type":"object","properties":{"a":{"default":null}}}"#, "{\na?: any, // default: null\n}"),
        (
            r#"{"type":"object","properties":{"a":{"type":"array","default":[1,2]}}}"#,
            "{\na?: Array<any>, // default: [1,2]\n}",
        ),
        (
            r#"{"type":"object","properties":{"a":{"type":"object","default":{"a":1,"b":"x"}}}}"#,
            "{\na?: {\n    }, // default: {\"a\":1,\"b\":\"x\"}\n}",
        ),
        // Strings: raw and quoted, or bare on an enum.
        (
            r#"{"type":"object","properties":{"a":{"type":"string","default":"a\"b"}}}"#,
            "{\na?: string, // default: \"a\"b\"\n}",
        ),
        (
            r#"{"type":"object","properties":{"format":{"type":"string","enum":["celsius","fahrenheit"],"default":"celsius"}}}"#,
            "{\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}",
        ),
        // An empty enum is not an enum.
        (
            r#"{"type":"object","properties":{"a":{"type":"string","enum":[],"default":"x"}}}"#,
            "{\na?: string, // default: \"x\"\n}",
        ),
        // Strings inside a JSON default are escaped as serde_json does.
        (
            r#"{"type":"object","properties":{"a":{"default":{"k\"\\":["\n\t\r\b\f\u0001\u001f\u007f","é【"]}}}}"#,
            "{\na?: any, // default: {\"k\\\"\\\\\":[\"\\n\\t\\r\\b\\f\\u0001\\u001f\u{7f}\",\"é【\"]}\n}",
        ),
    ]);
}

#[test]
fn property_with_non_array_one_of_loses_description_and_default() {
    check(&[(
        r#"{"type":"object","properties":{"p":{"type":"string","oneOf":"x","description":"d","default":"v","title":"T"}}}"#,
        "{\n// T\n//\np?: string,\n}",
    )]);
}

#[test]
fn property_unions() {
    check(&[
        // Kitchensink: description and default above, the first variant's description dropped.
        (
            r#"{"type":"object","properties":{"oneof_string_or_number":{"oneOf":[{"type":"string","default":"default_string_in_oneof"},{"type":"number","description":"numbers can happen too"}],"description":"a oneof","default":20}}}"#,
            "{\n// a oneof\n// default: 20\noneof_string_or_number?:\n | string // default: \"default_string_in_oneof\"\n | number // numbers can happen too\n,\n}",
        ),
        // Same description as the first variant: not written above, nor on any variant.
        (
            r#"{"type":"object","properties":{"p":{"description":"same","oneOf":[{"type":"string","description":"same"},{"type":"number","description":"same"},{"type":"boolean","description":"other"}]}},"required":["p"]}"#,
            "{\np:\n | string\n | number\n | boolean // other\n,\n}",
        ),
        // Different description: above, and the first variant's own one is still dropped.
        (
            r#"{"type":"object","properties":{"p":{"description":"prop","oneOf":[{"type":"string","description":"first"},{"type":"number","description":"second"}]}}}"#,
            "{\n// prop\np?:\n | string\n | number // second\n,\n}",
        ),
        // No property description: every variant keeps its own.
        (
            r#"{"type":"object","properties":{"p":{"oneOf":[{"type":"string","description":"first","default":"x"},{"type":"number","nullable":true}]}}}"#,
            "{\np?:\n | string // first default: \"x\"\n | number | null\n,\n}",
        ),
        // Enum defaults are bare at this level, on the property and on the variant.
        (
            r#"{"type":"object","properties":{"p":{"enum":["e"],"default":"e","oneOf":[{"type":"string","enum":["v"],"default":"v"}]}}}"#,
            "{\n// default: e\np?:\n | \"v\" // default: v\n,\n}",
        ),
        (r#"{"type":"object","properties":{"p":{"oneOf":[]}}}"#, "{\np?:\n,\n}"),
        // Title and examples still come first; the property's own `nullable` is ignored.
        (
            r#"{"type":"object","properties":{"p":{"title":"T","examples":["e"],"nullable":true,"oneOf":[{"type":"string"}]}}}"#,
            "{\n// T\n//\n// Examples:\n// - \"e\"\np?:\n | string\n,\n}",
        ),
        // Object variant: three extra spaces inside the variant.
        (
            r#"{"type":"object","properties":{"p":{"oneOf":[{"type":"object","properties":{"x":{"type":"number"}}}]}}}"#,
            "{\np?:\n | {\n   x?: number,\n   }\n,\n}",
        ),
    ]);
}

#[test]
fn nested_property_union_indentation() {
    let schema = r#"{"type":"object","properties":{"o":{"type":"object","properties":{"p":{"description":"d","default":1,"oneOf":[{"type":"string"},{"type":"object","properties":{"q":{"type":"string"}}}]}}}}}"#;
    let expected = "{
o?: {
    // d
    // default: 1
    p?:
     | string
     | {
       q?: string,
       }
    ,
    },
}";
    check(&[(schema, expected)]);
}

#[test]
fn kitchensink() {
    let schema = r#"{
        "description": "params object",
        "type": "object",
        "properties": {
            "string": {"type": "string", "title": "STRING", "description": "A string", "examples": ["hello", "world"]},
            "string_nullable": {"type": "string", "nullable": true, "description": "A nullable string", "default": "the default"},
            "string_enum": {"type": "string", "enum": ["a", "b", "c"]},
            "oneof_string_or_number": {
                "oneOf": [
                    {"type": "string", "default": "default_string_in_oneof"},
                    {"type": "number", "description": "numbers can happen too"}
                ],
                "description": "a oneof",
                "default": 20
            }
        }
    }"#;
    let expected = r#"// params object
{
// STRING
//
// A string
// Examples:
// - "hello"
// - "world"
string?: string,
// A nullable string
string_nullable?: string | null, // default: "the default"
string_enum?: "a" | "b" | "c",
// a oneof
// default: 20
oneof_string_or_number?:
 | string // default: "default_string_in_oneof"
 | number // numbers can happen too
,
}"#;
    check(&[(schema, expected)]);
}

#[test]
fn weather_functions() {
    check(&[
        (
            r#"{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},"format":{"type":"string","enum":["celsius","fahrenheit"],"default":"celsius"}},"required":["location"]}"#,
            "{\n// The city and state, e.g. San Francisco, CA\nlocation: string,\nformat?: \"celsius\" | \"fahrenheit\", // default: celsius\n}",
        ),
        (
            r#"{"type":"object","properties":{"locations":{"type":"array","items":{"type":"string"},"description":"List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]"}},"required":["locations"]}"#,
            "{\n// List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]\nlocations: string[],\n}",
        ),
    ]);
}

#[test]
fn caller_indent_prefixes_every_indented_line() {
    let schema = json!({"type": "object", "description": "d", "properties": {
        "o": {"type": "object", "properties": {"x": {"type": "string"}}},
        "u": {"oneOf": [{"type": "string"}]}
    }});
    let expected = "\t// d\n{\n\to?: {\n\t    x?: string,\n\t    },\n\tu?:\n\t | string\n\t,\n\t}";
    assert_eq!(render_schema(&schema, "\t"), expected);
}

#[test]
fn render_into_appends() {
    let mut out = String::from("(_: ");
    render_schema_into(&json!({"type": "string"}), "", &mut out);
    assert_eq!(out, "(_: string");
}

/// A JSON object from its entries. Unlike `json!`, which deep-copies interpolated values via
/// `to_value` (quadratic and recursive when nesting), this moves them.
fn object(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// `levels` copies of `wrap` around `innermost`.
fn nested(levels: usize, innermost: Value, wrap: fn(Value) -> Value) -> Value {
    (0..levels).fold(innermost, |inner, _| wrap(inner))
}

/// `{"type":"array","items": … }` nested `levels` deep around a string schema.
fn nested_arrays(levels: usize) -> Value {
    nested(levels, json!({"type": "string"}), |items| object([("type", json!("array")), ("items", items)]))
}

#[test]
fn depth_limit_renders_any_past_max_depth() {
    // MAX_DEPTH array levels put the string at depth MAX_DEPTH: still rendered.
    let at_limit = render_schema(&nested_arrays(MAX_DEPTH), "");
    assert_eq!(at_limit, format!("string{}", "[]".repeat(MAX_DEPTH)));
    // One more level pushes it past the limit.
    let past_limit = render_schema(&nested_arrays(MAX_DEPTH + 1), "");
    assert_eq!(past_limit, format!("any{}", "[]".repeat(MAX_DEPTH + 1)));
}

#[test]
fn depth_limit_applies_to_objects_and_unions() {
    fn in_object(inner: Value) -> Value {
        object([("type", json!("object")), ("properties", object([("p", inner)]))])
    }
    fn in_union(inner: Value) -> Value {
        object([("oneOf", Value::Array(vec![inner]))])
    }
    // A property-level union and its variants take a single level.
    fn in_property_union(inner: Value) -> Value {
        in_object(in_union(inner))
    }
    for wrap in [in_object as fn(Value) -> Value, in_union, in_property_union] {
        let number = json!({"type": "number"});
        assert!(render_schema(&nested(MAX_DEPTH, number.clone(), wrap), "").contains("number"));
        let past_limit = render_schema(&nested(MAX_DEPTH + 1, number, wrap), "");
        assert!(!past_limit.contains("number"));
        assert!(past_limit.contains("any"));
    }
}

#[test]
fn hostile_depth_does_not_overflow_the_stack() {
    // Rust-built values may be far deeper than serde_json's parser allows. Build and drop the
    // value on a big stack (dropping a deep Value recurses), but render on a small one.
    let levels = 10_000;
    let big = std::thread::Builder::new().stack_size(256 << 20);
    big.spawn(move || {
        // A deep default too: it is written without recursion.
        let default = nested(levels, json!(0), |inner| Value::Array(vec![inner]));
        let properties = object([("a", nested_arrays(levels)), ("b", object([("default", default)]))]);
        let schema = object([("type", json!("object")), ("properties", properties)]);
        let text = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(512 << 10)
                .spawn_scoped(scope, || render_schema(&schema, ""))
                .expect("spawn")
                .join()
                .expect("render did not overflow")
        });
        // `a` is at depth 1, so arrays at depths 1..=MAX_DEPTH are rendered.
        let expected_type = format!("a?: any{},\n", "[]".repeat(MAX_DEPTH));
        assert!(text.contains(&expected_type));
        let expected_default = format!("b?: any, // default: {}0{}\n", "[".repeat(levels), "]".repeat(levels));
        assert!(text.contains(&expected_default));
    })
    .expect("spawn")
    .join()
    .expect("test thread");
}

#[test]
fn serde_parsed_input_never_reaches_the_limit() {
    // serde_json refuses more than 128 nested containers, well below MAX_DEPTH schema levels.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(serde_json::from_str::<Value>(&deep).is_err());
}
