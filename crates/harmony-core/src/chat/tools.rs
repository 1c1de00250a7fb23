use serde::{Deserialize, Serialize};
use serde_json::json;

/// Which channels the model may use, and whether every message must name one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelConfig {
    /// The channels, in the order they are listed to the model.
    pub valid_channels: Vec<String>,
    /// Whether every message must carry a channel.
    pub channel_required: bool,
}

impl ChannelConfig {
    /// Requires a channel on every message, from `channels`.
    pub fn require_channels<I, T>(channels: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Self { valid_channels: channels.into_iter().map(Into::into).collect(), channel_required: true }
    }
}

/// One tool: a name, a description and an optional JSON Schema of its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDescription {
    /// The tool's name inside its namespace.
    pub name: String,
    /// What the tool does (rendered as `// ` comment lines).
    pub description: String,
    /// JSON Schema of the argument object; `null` is the same as absent.
    pub parameters: Option<serde_json::Value>,
}

impl ToolDescription {
    /// A tool description.
    pub fn new(name: impl Into<String>, description: impl Into<String>, parameters: Option<serde_json::Value>) -> Self {
        Self { name: name.into(), description: description.into(), parameters }
    }
}

/// A namespace of tools (`functions`, `browser`, `python`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolNamespaceConfig {
    /// The namespace's name, used in the section heading and `namespace` block.
    pub name: String,
    /// Optional description, rendered above the tools.
    pub description: Option<String>,
    /// The tools, in the order they are rendered.
    pub tools: Vec<ToolDescription>,
}

const BROWSER_DESCRIPTION: &str = "Tool for browsing.\nThe `cursor` appears in brackets before each browsing display: `[{cursor}]`.\nCite information from the tool using the following format:\n`【{cursor}†L{line_start}(-L{line_end})?】`, for example: `【6†L9-L11】` or `【8†L3】`.\nDo not quote more than 10 words directly from the tool output.\nsources=web (default: web)";

const PYTHON_DESCRIPTION: &str = "Use this tool to execute Python code in your chain of thought. The code will not be shown to the user. This tool should be used for internal reasoning, but not for code that is intended to be visible to the user (e.g. when creating plots, tables, or files).\n\nWhen you send a message containing Python code to python, it will be executed in a stateful Jupyter notebook environment. python will respond with the output of the execution or time out after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. Internet access for this session is UNKNOWN. Depends on the cluster.";

impl ToolNamespaceConfig {
    /// A namespace.
    pub fn new(name: impl Into<String>, description: Option<String>, tools: Vec<ToolDescription>) -> Self {
        Self { name: name.into(), description, tools }
    }

    /// The built-in `browser` namespace (search, open, find), exactly as the reference defines it.
    pub fn browser() -> Self {
        let tools = vec![
            ToolDescription::new(
                "search",
                "Searches for information related to `query` and displays `topn` results.",
                Some(json!({"type": "object", "properties": {"query": {"type": "string"}, "topn": {"type": "number", "default": 10}, "source": {"type": "string"}}, "required": ["query"]})),
            ),
            ToolDescription::new(
                "open",
                "Opens the link `id` from the page indicated by `cursor` starting at line number `loc`, showing `num_lines` lines.\nValid link ids are displayed with the formatting: `【{id}†.*】`.\nIf `cursor` is not provided, the most recent page is implied.\nIf `id` is a string, it is treated as a fully qualified URL associated with `source`.\nIf `loc` is not provided, the viewport will be positioned at the beginning of the document or centered on the most relevant passage, if available.\nUse this function without `id` to scroll to a new location of an opened page.",
                Some(json!({"type": "object", "properties": {"id": {"type": ["number", "string"], "default": -1}, "cursor": {"type": "number", "default": -1}, "loc": {"type": "number", "default": -1}, "num_lines": {"type": "number", "default": -1}, "view_source": {"type": "boolean", "default": false}, "source": {"type": "string"}}})),
            ),
            ToolDescription::new(
                "find",
                "Finds exact matches of `pattern` in the current page, or the page given by `cursor`.",
                Some(json!({"type": "object", "properties": {"pattern": {"type": "string"}, "cursor": {"type": "number", "default": -1}}, "required": ["pattern"]})),
            ),
        ];
        Self::new("browser", Some(BROWSER_DESCRIPTION.to_owned()), tools)
    }

    /// The built-in `python` namespace (a description, no tools).
    pub fn python() -> Self {
        Self::new("python", Some(PYTHON_DESCRIPTION.to_owned()), Vec::new())
    }

    /// A built-in namespace by name (`browser` or `python`).
    pub fn builtin(name: &str) -> Option<Self> {
        match name {
            "browser" => Some(Self::browser()),
            "python" => Some(Self::python()),
            _ => None,
        }
    }
}
