//! Training examples with a loss mask.
//!
//! The tokens are exactly those of [`HarmonyEncoding::render_conversation_for_training`] with the
//! same config. The mask says which of them a model is trained to produce.
//!
//! **Definition.** An *assistant turn* is a maximal run `messages[a..b]` of consecutive assistant
//! messages: what the model writes between two prompts. Its *prompt* is
//! `render_conversation_for_completion(&messages[..a], Role::Assistant, config)` (the same config,
//! so the same analysis dropping applies to it), which ends with `<|start|>assistant`. Its
//! *sample* is what a model writes after that prompt: the messages `a..b` rendered one after
//! another, without the first message's leading `<|start|>assistant`, the last one ending with
//! the token that stops sampling there — `<|return|>` after an assistant `final` message (the
//! training example's own rule for its last message), otherwise the message's `<|call|>` or
//! `<|end|>`. A turn is *masked* when the training tokens are its prompt followed by its sample:
//! then exactly the sample's tokens get mask 1. Every other token has mask 0.
//!
//! A turn is left unmasked — never masked approximately — when the training tokens do not
//! reproduce it (see [`UnmaskedReason`]):
//! - its own analysis is dropped: with `auto_drop_analysis`, the reference drops the `analysis`
//!   messages before the conversation's first `final` one, which includes those of the turn that
//!   holds that first `final` (so a one-turn example with reasoning needs
//!   `auto_drop_analysis: false` to be trainable);
//! - it ends with a `final` message that is not the conversation's last: the example has `<|end|>`
//!   there (history is stored that way), the model wrote `<|return|>`;
//! - its prompt differs from the tokens before it: the prompt keeps analysis that the whole
//!   conversation drops (or the reverse), or a developer message after the turn declares
//!   function tools, which changes the system message.
//!
//! The check is linear in the conversation: each message is rendered once, and the prompt of a
//! turn is compared through the drop rule instead of being rendered (only the rare
//! function-tools case renders it).

use std::ops::Range;

use super::RenderConversationConfig;
use super::{analysis_drop_end, end_training_example, ends_with_return, has_function_tools, is_analysis, is_final};
use crate::chat::{Message, Role};
use crate::encoding::HarmonyEncoding;
use crate::error::Result;

/// Which assistant turns a training mask covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MaskTurns {
    /// Every assistant turn the example reproduces.
    #[default]
    All,
    /// Only the conversation's last assistant turn (when the example reproduces it).
    Last,
}

/// Why a turn was left out of the mask (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmaskedReason {
    /// Analysis dropping removed some of the turn's own `analysis` messages.
    AnalysisDropped,
    /// The turn ends with a `final` message that is not the conversation's last, rendered with
    /// `<|end|>` where the model wrote `<|return|>`.
    EndsWithEnd,
    /// The tokens before the turn are not its prompt.
    PromptDiffers,
}

impl UnmaskedReason {
    /// The kebab-case name (`analysis-dropped`, `ends-with-end`, `prompt-differs`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AnalysisDropped => "analysis-dropped",
            Self::EndsWithEnd => "ends-with-end",
            Self::PromptDiffers => "prompt-differs",
        }
    }
}

/// A turn left out of the mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnmaskedTurn {
    /// Index of the turn's first message.
    pub message_index: usize,
    /// Why.
    pub reason: UnmaskedReason,
}

/// A training example: the tokens and their loss mask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingExample {
    /// The tokens of `render_conversation_for_training`.
    pub tokens: Vec<u32>,
    /// One entry per token: 1 where the model is trained to produce it, else 0.
    pub mask: Vec<u8>,
    /// The turns the mask was asked to cover (every assistant turn, or the last one).
    pub turns: usize,
    /// Those of them left unmasked, in conversation order.
    pub unmasked: Vec<UnmaskedTurn>,
}

/// The maximal runs of consecutive assistant messages.
fn assistant_turns(messages: &[Message]) -> Vec<Range<usize>> {
    let mut turns: Vec<Range<usize>> = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        if message.author.role != Role::Assistant {
            continue;
        }
        match turns.last_mut() {
            Some(turn) if turn.end == index => turn.end = index + 1,
            _ => turns.push(index..index + 1),
        }
    }
    turns
}

/// What the mask check needs to know about the conversation as a whole.
struct Layout<'a> {
    messages: &'a [Message],
    config: Option<&'a RenderConversationConfig>,
    /// Token range of each message in the example; `None` for a dropped message.
    spans: Vec<Option<Range<usize>>>,
    /// `analysis_before[i]`: the number of `analysis` messages among `messages[..i]`.
    analysis_before: Vec<usize>,
    /// Analysis messages before this index are dropped from the whole example.
    drop_end: usize,
    /// Index of the first message that declares function tools.
    first_function_tools: Option<usize>,
}

impl Layout<'_> {
    /// Whether some message in `range` (clamped to the conversation) is an `analysis` one.
    fn any_analysis_in(&self, range: Range<usize>) -> bool {
        let end = range.end.min(self.messages.len());
        let start = range.start.min(end);
        self.analysis_before[end] > self.analysis_before[start]
    }

    /// Analysis messages before this index are dropped from the prompt of a turn starting at
    /// `start` whose previous assistant message is `previous` (the reference's rule applied to
    /// `messages[..start]`).
    fn prompt_drop_end(&self, previous: Option<&Message>) -> usize {
        let enabled = self.config.is_some_and(|c| c.auto_drop_analysis);
        if !(enabled && previous.is_some_and(is_final)) {
            return 0;
        }
        // The previous assistant message is final, so the first final comes before `start`.
        self.messages.iter().position(is_final).unwrap_or(0)
    }
}

impl HarmonyEncoding {
    /// Renders a conversation as a training example with its loss mask: the tokens of
    /// [`Self::render_conversation_for_training`] and, per the module documentation, mask 1 on
    /// the sample of each assistant turn (or only the last, with [`MaskTurns::Last`]) that the
    /// example reproduces after that turn's prompt.
    pub fn render_conversation_for_training_with_mask(
        &self,
        messages: &[Message],
        config: Option<&RenderConversationConfig>,
        turns: MaskTurns,
    ) -> Result<TrainingExample> {
        let mut tokens = Vec::new();
        let mut starts: Vec<Option<usize>> = vec![None; messages.len()];
        self.render_kept_messages_into(messages, config, &mut tokens, |index, start| starts[index] = Some(start))?;
        end_training_example(messages, &mut tokens, 0);

        let mut spans: Vec<Option<Range<usize>>> = vec![None; messages.len()];
        let mut next_start = tokens.len();
        for (index, start) in starts.iter().enumerate().rev() {
            if let Some(start) = *start {
                spans[index] = Some(start..next_start);
                next_start = start;
            }
        }
        let mut analysis_before = Vec::with_capacity(messages.len() + 1);
        analysis_before.push(0);
        for message in messages {
            let count = analysis_before.last().copied().unwrap_or(0) + usize::from(is_analysis(message));
            analysis_before.push(count);
        }
        let layout = Layout {
            messages,
            config,
            spans,
            analysis_before,
            drop_end: analysis_drop_end(messages, config),
            first_function_tools: messages.iter().position(|m| has_function_tools(std::slice::from_ref(m))),
        };

        let all_turns = assistant_turns(messages);
        let selected = match turns {
            MaskTurns::All => &all_turns[..],
            MaskTurns::Last => &all_turns[all_turns.len().saturating_sub(1)..],
        };
        let header = 1 + self.tokenizer().count_ordinary(Role::Assistant.as_str());
        let mut mask = vec![0u8; tokens.len()];
        let mut unmasked = Vec::new();
        for turn in selected {
            match self.turn_sample(&layout, turn.clone(), header, &tokens) {
                Ok(sample) => mask[sample].fill(1),
                Err(reason) => unmasked.push(UnmaskedTurn { message_index: turn.start, reason }),
            }
        }
        Ok(TrainingExample { tokens, mask, turns: selected.len(), unmasked })
    }

    /// The token range of a turn's sample in the example, or why the example does not hold it
    /// right after the turn's prompt.
    fn turn_sample(
        &self,
        layout: &Layout<'_>,
        turn: Range<usize>,
        header: usize,
        tokens: &[u32],
    ) -> std::result::Result<Range<usize>, UnmaskedReason> {
        let messages = layout.messages;
        // Every message of the turn is in the example (they are then adjacent in it).
        if layout.any_analysis_in(turn.start..turn.end.min(layout.drop_end)) {
            return Err(UnmaskedReason::AnalysisDropped);
        }
        let (first, last) = match (&layout.spans[turn.start], &layout.spans[turn.end - 1]) {
            (Some(first), Some(last)) => (first.clone(), last.clone()),
            _ => return Err(UnmaskedReason::AnalysisDropped),
        };
        // The sample stops with `<|return|>` after a final message; the example has it only at
        // its very end.
        if turn.end < messages.len() && ends_with_return(&messages[turn.end - 1]) {
            return Err(UnmaskedReason::EndsWithEnd);
        }
        // The prompt drops the same analysis messages as the whole example …
        let previous = messages[..turn.start].iter().rev().find(|m| m.author.role == Role::Assistant);
        let prompt_drop_end = layout.prompt_drop_end(previous);
        let (low, high) = (prompt_drop_end.min(layout.drop_end), prompt_drop_end.max(layout.drop_end));
        if layout.any_analysis_in(low..high.min(turn.start)) {
            return Err(UnmaskedReason::PromptDiffers);
        }
        // … and, when it sees different function tools, is rendered and compared.
        let prompt_has_functions = layout.first_function_tools.is_some_and(|i| i < turn.start);
        if prompt_has_functions != layout.first_function_tools.is_some() {
            let prompt = self
                .render_conversation_for_completion(&messages[..turn.start], Role::Assistant, layout.config)
                .map_err(|_| UnmaskedReason::PromptDiffers)?;
            if tokens.get(..first.start + header) != Some(&prompt[..]) {
                return Err(UnmaskedReason::PromptDiffers);
            }
        }
        Ok(first.start + header..last.end)
    }
}
