//! The texts of system and developer message bodies: sections joined by blank lines, each body
//! tokenised as one piece.

use super::tools::render_tools_section;
use super::RenderOptions;
use crate::chat::{DeveloperContent, SystemContent};

/// Appends sections to a body, separated by a blank line.
struct Sections<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Sections<'a> {
    fn new(out: &'a mut String) -> Self {
        out.clear();
        Self { out, empty: true }
    }

    /// Starts a new section and returns the buffer to write it into.
    fn next(&mut self) -> &mut String {
        if !self.empty {
            self.out.push_str("\n\n");
        }
        self.empty = false;
        self.out
    }
}

/// Writes the body of a system message into `out` (cleared first).
pub(super) fn system(content: &SystemContent, options: RenderOptions, out: &mut String) {
    let mut sections = Sections::new(out);
    let top = [
        content.model_identity.as_deref().map(|identity| ("", identity)),
        content.knowledge_cutoff.as_deref().map(|cutoff| ("Knowledge cutoff: ", cutoff)),
        content.conversation_start_date.as_deref().map(|date| ("Current date: ", date)),
    ];
    let mut top_lines = top.into_iter().flatten().peekable();
    if top_lines.peek().is_some() {
        let section = sections.next();
        for (i, (label, value)) in top_lines.enumerate() {
            if i > 0 {
                section.push('\n');
            }
            section.push_str(label);
            section.push_str(value);
        }
    }
    if let Some(effort) = content.reasoning_effort {
        let section = sections.next();
        section.push_str("Reasoning: ");
        section.push_str(effort.as_lowercase());
    }
    if let Some(tools) = content.tools.as_ref().filter(|t| !t.is_empty()) {
        render_tools_section(tools, sections.next());
    }
    if let Some(config) = content.channel_config.as_ref().filter(|c| !c.valid_channels.is_empty()) {
        let section = sections.next();
        section.push_str("# Valid channels: ");
        section.push_str(&config.valid_channels.join(", "));
        section.push('.');
        if config.channel_required {
            section.push_str(" Channel must be included for every message.");
        }
        if options.conversation_has_function_tools {
            section.push_str("\nCalls to these tools must go to the commentary channel: 'functions'.");
        }
    }
}

/// Writes the body of a developer message into `out` (cleared first).
pub(super) fn developer(content: &DeveloperContent, out: &mut String) {
    let mut sections = Sections::new(out);
    if let Some(instructions) = &content.instructions {
        sections.next().push_str("# Instructions");
        sections.next().push_str(instructions);
    }
    if let Some(tools) = content.tools.as_ref().filter(|t| !t.is_empty()) {
        render_tools_section(tools, sections.next());
    }
}
