//! `renderConversationForTrainingWithMask`: a training example and its loss mask (the core's
//! `render_conversation_for_training_with_mask`). Conversion only.

use harmony_core::{MaskTurns, RenderConversationConfig};
use napi::bindgen_prelude::{Uint32Array, Uint8Array};
use napi::Result;
use napi_derive::napi;

use crate::columns::ConversationArg;
use crate::encoding::BindingEncoding;
use crate::error::{guard_js, HarmonyStatus};

/// An assistant turn the mask leaves out.
#[napi(object, object_from_js = false)]
pub struct BindingUnmaskedTurn {
    /// Index of the turn's first message.
    pub message_index: u32,
    /// `analysis-dropped`, `ends-with-end` or `prompt-differs`.
    pub reason: String,
}

/// Tokens, one mask byte per token, and the turns considered and left out.
#[napi(object, object_from_js = false)]
pub struct BindingTrainingExample {
    /// The tokens of `renderConversationForTraining`.
    pub tokens: Uint32Array,
    /// 1 where the model is trained to produce the token, else 0.
    pub mask: Uint8Array,
    /// How many assistant turns the mask was asked to cover.
    pub turns: u32,
    /// Those of them left unmasked.
    pub unmasked: Vec<BindingUnmaskedTurn>,
}

#[napi]
impl BindingEncoding {
    /// Renders a conversation (JSON or columns, see [`ConversationArg`]) for training, with its loss mask.
    #[napi]
    pub fn render_conversation_for_training_with_mask(
        &self,
        #[napi(ts_arg_type = "string | unknown[]")] conversation: ConversationArg,
        auto_drop_analysis: bool,
        last_turn_only: bool,
    ) -> Result<BindingTrainingExample, HarmonyStatus> {
        let example = guard_js(|| {
            let messages = conversation.into_messages()?;
            let config = RenderConversationConfig { auto_drop_analysis };
            let turns = if last_turn_only { MaskTurns::Last } else { MaskTurns::All };
            self.enc.render_conversation_for_training_with_mask(&messages, Some(&config), turns)
        })?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(BindingTrainingExample {
            tokens: Uint32Array::new(example.tokens),
            mask: Uint8Array::new(example.mask),
            turns: count(example.turns),
            unmasked: example
                .unmasked
                .into_iter()
                .map(|u| BindingUnmaskedTurn {
                    message_index: count(u.message_index),
                    reason: u.reason.as_str().to_owned(),
                })
                .collect(),
        })
    }
}
