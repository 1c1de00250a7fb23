//! Rendering: messages → tokens.
//!
//! A rendered message is a sequence of formatting-token ids and separately tokenised text
//! pieces; the piece boundaries are part of the format (SPEC §3.1), so every piece below is
//! encoded on its own. Renders append to a caller's `Vec<u32>` so a binding can hand the one
//! buffer to JS without further copies.

mod body;
mod mask;
mod tools;

pub use mask::{MaskTurns, TrainingExample, UnmaskedReason, UnmaskedTurn};

use crate::chat::{Content, Message, Role};
use crate::encoding::{HarmonyEncoding, CALL, CHANNEL, CONSTRAIN, END, MESSAGE, RETURN, START};
use crate::error::{HarmonyError, Result};

/// Text of the `<|constrain|>` marker, the one special token a content type may start with.
const CONSTRAIN_TEXT: &str = "<|constrain|>";

/// Options of a conversation render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderConversationConfig {
    /// Leave out `analysis` messages before the first `final` one when the last assistant
    /// message is on the `final` channel.
    pub auto_drop_analysis: bool,
}

impl Default for RenderConversationConfig {
    fn default() -> Self {
        Self { auto_drop_analysis: true }
    }
}

/// Options of a single-message render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Some developer message declares function tools: the system message then says that
    /// calls to them go to the commentary channel.
    pub conversation_has_function_tools: bool,
}

/// Per-render state: the output and a reusable text buffer for composed pieces.
struct Renderer<'a> {
    encoding: &'a HarmonyEncoding,
    out: &'a mut Vec<u32>,
    scratch: String,
}

impl Renderer<'_> {
    fn text(&mut self, text: &str) {
        self.encoding.tokenizer().encode_ordinary_into(text, self.out);
    }

    /// Encodes `prefix + text` as one piece.
    fn prefixed_text(&mut self, prefix: &str, text: &str) {
        self.scratch.clear();
        self.scratch.push_str(prefix);
        self.scratch.push_str(text);
        self.encoding.tokenizer().encode_ordinary_into(&self.scratch, self.out);
    }

    fn message(&mut self, message: &Message, options: RenderOptions) -> Result<()> {
        let role = message.author.role;
        self.out.push(START);
        match (role, message.author.name.as_deref()) {
            (Role::Tool, Some(name)) => self.text(name),
            (Role::Tool, None) => return Err(HarmonyError::render("Tools should have a name!").in_field("name")),
            (_, name) => {
                self.text(role.as_str());
                if let Some(name) = name {
                    self.prefixed_text(":", name);
                }
            }
        }
        if let Some(recipient) = message.recipient.as_deref().filter(|r| *r != "all") {
            self.prefixed_text(" to=", recipient);
        }
        if let Some(channel) = &message.channel {
            self.out.push(CHANNEL);
            self.text(channel);
        }
        if let Some(content_type) = &message.content_type {
            match content_type.strip_prefix(CONSTRAIN_TEXT) {
                Some(rest) => {
                    self.text(" ");
                    self.out.push(CONSTRAIN);
                    self.text(rest);
                }
                None => self.prefixed_text(" ", content_type),
            }
        }
        self.out.push(MESSAGE);
        for content in &message.content {
            match content {
                Content::Text(text) => self.text(&text.text),
                Content::SystemContent(system) => {
                    if role != Role::System {
                        return Err(misplaced("SystemContent", "system", role));
                    }
                    body::system(system, options, &mut self.scratch);
                    self.encoding.tokenizer().encode_ordinary_into(&self.scratch, self.out);
                }
                Content::DeveloperContent(developer) => {
                    if role != Role::Developer {
                        return Err(misplaced("DeveloperContent", "developer", role));
                    }
                    body::developer(developer, &mut self.scratch);
                    self.encoding.tokenizer().encode_ordinary_into(&self.scratch, self.out);
                }
            }
        }
        let addressed = message.recipient.is_some();
        self.out.push(if role == Role::Assistant && addressed { CALL } else { END });
        Ok(())
    }
}

fn misplaced(kind: &'static str, home: &str, role: Role) -> HarmonyError {
    HarmonyError::render(format!("{kind} may only appear in {home} messages, found in {}", role.variant_name()))
        .in_field("content")
}

/// Whether any message declares function tools (SPEC §3.8: a `functions`-keyed namespace with at
/// least one tool in some developer content).
fn has_function_tools(messages: &[Message]) -> bool {
    messages.iter().flat_map(|m| &m.content).any(|c| match c {
        Content::DeveloperContent(developer) => developer.has_function_tools(),
        _ => false,
    })
}

fn is_analysis(message: &Message) -> bool {
    message.channel.as_deref() == Some("analysis")
}

fn is_final(message: &Message) -> bool {
    message.channel.as_deref() == Some("final")
}

/// Whether a training example ending with `message` ends with `<|return|>`: an assistant
/// message on the `final` channel (whatever its recipient), as the reference decides.
fn ends_with_return(message: &Message) -> bool {
    message.author.role == Role::Assistant && is_final(message)
}

/// Turns the rendering in `out[start..]` into a training example: its last token becomes
/// `<|return|>` when the last message [`ends_with_return`].
fn end_training_example(messages: &[Message], out: &mut [u32], start: usize) {
    if messages.last().is_some_and(ends_with_return) && out.len() > start {
        if let Some(last) = out.last_mut() {
            *last = RETURN;
        }
    }
}

/// Which messages `auto_drop_analysis` leaves out: `analysis` messages before the first `final`
/// message, and only when the last assistant message is `final`. Returns the exclusive end of
/// the range in which analysis messages are dropped (0 = nothing dropped).
fn analysis_drop_end(messages: &[Message], config: Option<&RenderConversationConfig>) -> usize {
    let enabled = config.is_some_and(|c| c.auto_drop_analysis);
    let last_assistant_final = messages.iter().rev().find(|m| m.author.role == Role::Assistant).is_some_and(is_final);
    if !(enabled && last_assistant_final) {
        return 0;
    }
    messages.iter().position(is_final).unwrap_or(0)
}

impl HarmonyEncoding {
    fn renderer<'a>(&'a self, out: &'a mut Vec<u32>) -> Renderer<'a> {
        Renderer { encoding: self, out, scratch: String::new() }
    }

    /// Appends the tokens of a conversation. `config = None` drops nothing (as the reference's
    /// Rust API); pass a config to apply `auto_drop_analysis`.
    pub fn render_conversation_into(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        self.render_kept_messages_into(messages, config, out, |_, _| {})
    }

    /// The body of [`Self::render_conversation_into`]: renders the messages that analysis
    /// dropping keeps and calls `on_message(index, start)` with the offset in `out` at which
    /// each kept message begins.
    fn render_kept_messages_into(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
        out: &mut Vec<u32>,
        mut on_message: impl FnMut(usize, usize),
    ) -> Result<()> {
        let options = RenderOptions { conversation_has_function_tools: has_function_tools(messages) };
        let drop_end = analysis_drop_end(messages, config);
        let mut renderer = self.renderer(out);
        for (index, message) in messages.iter().enumerate() {
            if index < drop_end && is_analysis(message) {
                continue;
            }
            on_message(index, renderer.out.len());
            renderer.message(message, options).map_err(|e| e.at_message(index))?;
        }
        Ok(())
    }

    /// The tokens of a conversation.
    pub fn render_conversation(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
    ) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        self.render_conversation_into(messages, config, &mut out)?;
        Ok(out)
    }

    /// Appends a conversation followed by `<|start|>` and the role of the turn to sample.
    pub fn render_conversation_for_completion_into(
        &self,
        messages: &[Message],
        next_turn_role: Role,
        config: Option<&RenderConversationConfig>,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        self.render_conversation_into(messages, config, out)?;
        out.push(START);
        self.tokenizer().encode_ordinary_into(next_turn_role.as_str(), out);
        Ok(())
    }

    /// A conversation followed by `<|start|>` and the role of the turn to sample.
    pub fn render_conversation_for_completion(
        &self,
        messages: &[Message],
        next_turn_role: Role,
        config: Option<&RenderConversationConfig>,
    ) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        self.render_conversation_for_completion_into(messages, next_turn_role, config, &mut out)?;
        Ok(out)
    }

    /// Appends a conversation as a training example: when the last message is an assistant
    /// message on the `final` channel, its end token becomes `<|return|>`.
    pub fn render_conversation_for_training_into(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        let start = out.len();
        self.render_conversation_into(messages, config, out)?;
        end_training_example(messages, out, start);
        Ok(())
    }

    /// A conversation as a training example (see [`Self::render_conversation_for_training_into`]).
    pub fn render_conversation_for_training(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
    ) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        self.render_conversation_for_training_into(messages, config, &mut out)?;
        Ok(out)
    }

    /// Appends one message.
    pub fn render_into(&self, message: &Message, options: Option<&RenderOptions>, out: &mut Vec<u32>) -> Result<()> {
        self.renderer(out).message(message, options.copied().unwrap_or_default())
    }

    /// The tokens of one message.
    pub fn render(&self, message: &Message, options: Option<&RenderOptions>) -> Result<Vec<u32>> {
        let mut out = Vec::new();
        self.render_into(message, options, &mut out)?;
        Ok(out)
    }
}
