use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tools::{ChannelConfig, ToolDescription, ToolNamespaceConfig};

/// How hard the model should think. Serialised capitalised (`"Low"`), rendered lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReasoningEffort {
    /// `Reasoning: low`
    Low,
    /// `Reasoning: medium`
    Medium,
    /// `Reasoning: high`
    High,
}

impl ReasoningEffort {
    /// The lowercase word rendered into the system message.
    pub const fn as_lowercase(self) -> &'static str {
        match self {
            ReasoningEffort::Low => "low",
            ReasoningEffort::Medium => "medium",
            ReasoningEffort::High => "high",
        }
    }
}

/// Plain text content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextContent {
    /// The text, rendered verbatim (special-token text stays ordinary text).
    pub text: String,
}

/// The body of a system message. Unset fields are not rendered; [`SystemContent::new`] gives the
/// reference defaults, deserialisation does not (a missing field is unset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemContent {
    /// First line of the system message.
    pub model_identity: Option<String>,
    /// `Reasoning: …` section.
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Built-in tool namespaces, rendered in ascending key order.
    pub tools: Option<BTreeMap<String, ToolNamespaceConfig>>,
    /// `Current date: …` line.
    pub conversation_start_date: Option<String>,
    /// `Knowledge cutoff: …` line.
    pub knowledge_cutoff: Option<String>,
    /// `# Valid channels: …` section.
    pub channel_config: Option<ChannelConfig>,
}

impl Default for SystemContent {
    fn default() -> Self {
        Self {
            model_identity: Some("You are ChatGPT, a large language model trained by OpenAI.".to_owned()),
            reasoning_effort: Some(ReasoningEffort::Medium),
            tools: None,
            conversation_start_date: None,
            knowledge_cutoff: Some("2024-06".to_owned()),
            channel_config: Some(ChannelConfig::require_channels(["analysis", "commentary", "final"])),
        }
    }
}

/// Inserts `ns` under its own name, replacing a namespace of the same name.
fn insert_namespace(tools: &mut Option<BTreeMap<String, ToolNamespaceConfig>>, ns: ToolNamespaceConfig) {
    tools.get_or_insert_with(BTreeMap::new).insert(ns.name.clone(), ns);
}

impl SystemContent {
    /// The reference defaults: identity, medium reasoning, cutoff 2024-06, the three channels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the model identity.
    #[must_use]
    pub fn with_model_identity(mut self, model_identity: impl Into<String>) -> Self {
        self.model_identity = Some(model_identity.into());
        self
    }

    /// Sets the reasoning effort.
    #[must_use]
    pub fn with_reasoning_effort(mut self, effort: ReasoningEffort) -> Self {
        self.reasoning_effort = Some(effort);
        self
    }

    /// Adds (or replaces) a tool namespace.
    #[must_use]
    pub fn with_tools(mut self, ns: ToolNamespaceConfig) -> Self {
        insert_namespace(&mut self.tools, ns);
        self
    }

    /// Sets the conversation start date.
    #[must_use]
    pub fn with_conversation_start_date(mut self, date: impl Into<String>) -> Self {
        self.conversation_start_date = Some(date.into());
        self
    }

    /// Sets the knowledge cutoff.
    #[must_use]
    pub fn with_knowledge_cutoff(mut self, cutoff: impl Into<String>) -> Self {
        self.knowledge_cutoff = Some(cutoff.into());
        self
    }

    /// Sets the channel configuration.
    #[must_use]
    pub fn with_channel_config(mut self, config: ChannelConfig) -> Self {
        self.channel_config = Some(config);
        self
    }

    /// Requires a channel on every message, from `channels`.
    #[must_use]
    pub fn with_required_channels<I, T>(self, channels: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.with_channel_config(ChannelConfig::require_channels(channels))
    }

    /// Adds the built-in browser namespace.
    #[must_use]
    pub fn with_browser_tool(self) -> Self {
        self.with_tools(ToolNamespaceConfig::browser())
    }

    /// Adds the built-in python namespace.
    #[must_use]
    pub fn with_python_tool(self) -> Self {
        self.with_tools(ToolNamespaceConfig::python())
    }
}

/// The body of a developer message: instructions and function tools.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeveloperContent {
    /// `# Instructions` section.
    pub instructions: Option<String>,
    /// Tool namespaces, rendered in ascending key order.
    pub tools: Option<BTreeMap<String, ToolNamespaceConfig>>,
}

impl DeveloperContent {
    /// Empty developer content.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the instructions.
    #[must_use]
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Adds (or replaces) a tool namespace.
    #[must_use]
    pub fn with_tools(mut self, ns: ToolNamespaceConfig) -> Self {
        insert_namespace(&mut self.tools, ns);
        self
    }

    /// Sets the `functions` namespace to these tools.
    #[must_use]
    pub fn with_function_tools(self, tools: Vec<ToolDescription>) -> Self {
        self.with_tools(ToolNamespaceConfig::new("functions", None, tools))
    }

    /// Whether this content declares at least one tool in the `functions`-keyed namespace.
    pub fn has_function_tools(&self) -> bool {
        self.tools.as_ref().and_then(|tools| tools.get("functions")).is_some_and(|ns| !ns.tools.is_empty())
    }
}

/// One content item of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Plain text.
    Text(TextContent),
    /// A system message body.
    SystemContent(SystemContent),
    /// A developer message body.
    DeveloperContent(DeveloperContent),
}

impl<T: Into<String>> From<T> for Content {
    fn from(text: T) -> Self {
        Content::Text(TextContent { text: text.into() })
    }
}

impl From<SystemContent> for Content {
    fn from(content: SystemContent) -> Self {
        Content::SystemContent(content)
    }
}

impl From<DeveloperContent> for Content {
    fn from(content: DeveloperContent) -> Self {
        Content::DeveloperContent(content)
    }
}
