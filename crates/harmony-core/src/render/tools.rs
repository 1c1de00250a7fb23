//! The `# Tools` section of system and developer messages (SPEC §3.6).
//!
//! The reference builds it as `"\n\n"`-joined sections of `"\n"`-joined lines, some of which
//! end in `"\n"` themselves; that is where its blank lines come from. The same text is written
//! here straight into one buffer.

use std::collections::BTreeMap;

use crate::chat::ToolNamespaceConfig;
use crate::schema_ts::render_schema_into;

/// Appends the tools section for `tools`: namespaces in map-key order, tools in list order.
pub(crate) fn render_tools_section(tools: &BTreeMap<String, ToolNamespaceConfig>, out: &mut String) {
    out.push_str("# Tools");
    for namespace in tools.values() {
        let has_tools = !namespace.tools.is_empty();
        out.push_str("\n\n## ");
        out.push_str(&namespace.name);
        out.push('\n');
        if let Some(description) = &namespace.description {
            // `str::lines`: `\r\n` counts as a break and a trailing newline adds no line.
            for line in description.lines() {
                // A tool-less namespace's description is plain prose, not a comment.
                out.push_str(if has_tools { "\n// " } else { "\n" });
                out.push_str(line);
            }
        }
        if !has_tools {
            continue;
        }
        out.push_str("\nnamespace ");
        out.push_str(&namespace.name);
        out.push_str(" {\n");
        for tool in &namespace.tools {
            for line in tool.description.lines() {
                out.push_str("\n// ");
                out.push_str(line);
            }
            out.push_str("\ntype ");
            out.push_str(&tool.name);
            match &tool.parameters {
                Some(parameters) => {
                    out.push_str(" = (_: ");
                    render_schema_into(parameters, "", out);
                    out.push_str(") => any;\n");
                }
                None => out.push_str(" = () => any;\n"),
            }
        }
        out.push_str("\n} // namespace ");
        out.push_str(&namespace.name);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::render_tools_section;
    use crate::chat::{ToolDescription, ToolNamespaceConfig};

    fn section(namespaces: Vec<ToolNamespaceConfig>) -> String {
        let map: BTreeMap<String, ToolNamespaceConfig> =
            namespaces.into_iter().map(|ns| (ns.name.clone(), ns)).collect();
        let mut out = String::new();
        render_tools_section(&map, &mut out);
        out
    }

    const BROWSER: &str = "## browser

// Tool for browsing.
// The `cursor` appears in brackets before each browsing display: `[{cursor}]`.
// Cite information from the tool using the following format:
// `【{cursor}†L{line_start}(-L{line_end})?】`, for example: `【6†L9-L11】` or `【8†L3】`.
// Do not quote more than 10 words directly from the tool output.
// sources=web (default: web)
namespace browser {

// Searches for information related to `query` and displays `topn` results.
type search = (_: {
query: string,
topn?: number, // default: 10
source?: string,
}) => any;

// Opens the link `id` from the page indicated by `cursor` starting at line number `loc`, showing `num_lines` lines.
// Valid link ids are displayed with the formatting: `【{id}†.*】`.
// If `cursor` is not provided, the most recent page is implied.
// If `id` is a string, it is treated as a fully qualified URL associated with `source`.
// If `loc` is not provided, the viewport will be positioned at the beginning of the document or centered on the most relevant passage, if available.
// Use this function without `id` to scroll to a new location of an opened page.
type open = (_: {
id?: number | string, // default: -1
cursor?: number, // default: -1
loc?: number, // default: -1
num_lines?: number, // default: -1
view_source?: boolean, // default: false
source?: string,
}) => any;

// Finds exact matches of `pattern` in the current page, or the page given by `cursor`.
type find = (_: {
pattern: string,
cursor?: number, // default: -1
}) => any;

} // namespace browser";

    const PYTHON: &str = "## python

Use this tool to execute Python code in your chain of thought. The code will not be shown to the user. This tool should be used for internal reasoning, but not for code that is intended to be visible to the user (e.g. when creating plots, tables, or files).

When you send a message containing Python code to python, it will be executed in a stateful Jupyter notebook environment. python will respond with the output of the execution or time out after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. Internet access for this session is UNKNOWN. Depends on the cluster.";

    #[test]
    fn browser_namespace() {
        let expected = format!("# Tools\n\n{BROWSER}");
        assert_eq!(section(vec![ToolNamespaceConfig::browser()]), expected);
    }

    #[test]
    fn python_namespace_keeps_its_blank_line_without_comment_prefix() {
        let expected = format!("# Tools\n\n{PYTHON}");
        assert_eq!(section(vec![ToolNamespaceConfig::python()]), expected);
    }

    #[test]
    fn namespaces_in_key_order() {
        let python_first = vec![ToolNamespaceConfig::python(), ToolNamespaceConfig::browser()];
        assert_eq!(section(python_first), format!("# Tools\n\n{BROWSER}\n\n{PYTHON}"));
    }

    #[test]
    fn key_order_not_name_order() {
        let mut map = BTreeMap::new();
        map.insert("a".to_owned(), ToolNamespaceConfig::new("zz", None, Vec::new()));
        map.insert("b".to_owned(), ToolNamespaceConfig::new("aa", None, Vec::new()));
        let mut out = String::new();
        render_tools_section(&map, &mut out);
        assert_eq!(out, "# Tools\n\n## zz\n\n\n## aa\n");
    }

    #[test]
    fn bare_namespace_is_only_its_heading() {
        assert_eq!(section(vec![ToolNamespaceConfig::new("x", None, Vec::new())]), "# Tools\n\n## x\n");
    }

    #[test]
    fn empty_map_is_only_the_title() {
        assert_eq!(section(Vec::new()), "# Tools");
    }

    #[test]
    fn parameterless_function() {
        let ns = ToolNamespaceConfig::new("functions", None, vec![ToolDescription::new("f", "", None)]);
        let expected =
            "# Tools\n\n## functions\n\nnamespace functions {\n\ntype f = () => any;\n\n} // namespace functions";
        assert_eq!(section(vec![ns]), expected);
    }

    #[test]
    fn description_lines_follow_str_lines() {
        // Blank lines become `// ` (trailing space), `\r\n` splits, a final `\n` adds nothing.
        let tool = ToolDescription::new("f", "a\n\nb\r\nc\n", Some(json!({"type": "string"})));
        let ns = ToolNamespaceConfig::new("n", Some("x\n\ny\n".to_owned()), vec![tool]);
        let expected = "# Tools\n\n## n\n\n// x\n// \n// y\nnamespace n {\n\n// a\n// \n// b\n// c\ntype f = (_: string) => any;\n\n} // namespace n";
        assert_eq!(section(vec![ns]), expected);
    }

    #[test]
    fn empty_description_adds_no_line() {
        let ns = ToolNamespaceConfig::new("n", Some(String::new()), Vec::new());
        assert_eq!(section(vec![ns]), "# Tools\n\n## n\n");
    }

    #[test]
    fn top_level_union_parameters() {
        let parameters = json!({"oneOf": [
            {"type": "string", "description": "s", "default": "x"},
            {"type": "number", "nullable": true, "default": 3},
            {"type": "string", "enum": ["a", "b"], "default": "a"}
        ]});
        let ns = ToolNamespaceConfig::new("functions", None, vec![ToolDescription::new("f", "", Some(parameters))]);
        let expected = "# Tools\n\n## functions\n\nnamespace functions {\n\ntype f = (_: \n | string // s default: \"x\"\n | number | null // default: 3\n | \"a\" | \"b\" // default: \"a\") => any;\n\n} // namespace functions";
        assert_eq!(section(vec![ns]), expected);
    }

    #[test]
    fn top_level_object_description() {
        let parameters =
            json!({"type": "object", "description": "params object", "properties": {"a": {"type": "string"}}});
        let ns = ToolNamespaceConfig::new("functions", None, vec![ToolDescription::new("k", "", Some(parameters))]);
        let expected = "# Tools\n\n## functions\n\nnamespace functions {\n\ntype k = (_: // params object\n{\na?: string,\n}) => any;\n\n} // namespace functions";
        assert_eq!(section(vec![ns]), expected);
    }
}
