//! The computations behind every encode/render/parse entry point, written once and called by
//! both the synchronous methods (on the JS thread) and the `AsyncTask`s (on the libuv pool), so
//! the sync and async variants cannot disagree (node-rs style). Inputs are converted here from
//! their wire form (JSON string, role string, flags); everything else is the core's.

use harmony_core::{
    Conversation, HarmonyEncoding, Message, ParseOptions, RenderConversationConfig, RenderOptions, Result, Role,
    SpecialTokenSet,
};
use napi::bindgen_prelude::{AsyncTask, Uint32Array};
use napi::{Env, Task};

use crate::error::{guard, invalid_argument, to_task_error};

/// tiktoken-style encode (the reference's `encode`): disallowed special-token text fails.
pub fn encode(
    enc: &HarmonyEncoding,
    text: &str,
    allowed: &SpecialTokenSet,
    disallowed: &SpecialTokenSet,
) -> Result<Vec<u32>> {
    enc.tokenizer().encode_checked(text, allowed, disallowed)
}

/// A role argument (`"assistant"`, …); unknown strings are an invalid argument.
pub fn parse_role(role: &str) -> Result<Role> {
    role.parse::<Role>()
}

/// Which render entry point a [`RenderJob`] calls.
#[derive(Debug, Clone, Copy)]
pub enum RenderKind {
    /// `render_conversation`.
    Conversation,
    /// `render_conversation_for_completion` with the next turn's role.
    Completion(Role),
    /// `render_conversation_for_training`.
    Training,
    /// `render` of one message.
    Message {
        /// `RenderOptions::conversation_has_function_tools`.
        has_function_tools: bool,
    },
}

/// One render call: the JSON document as received from JS plus the options.
#[derive(Debug, Clone)]
pub struct RenderJob {
    /// A conversation (`{"messages": [...]}`) or, for [`RenderKind::Message`], one message.
    pub json: String,
    /// The entry point.
    pub kind: RenderKind,
    /// `RenderConversationConfig::auto_drop_analysis` (the JS default is `true`; the binding
    /// always passes a config because `None` means "no dropping" in Rust).
    pub auto_drop_analysis: bool,
}

impl RenderJob {
    /// Deserialises the document and renders it.
    pub fn run(&self, enc: &HarmonyEncoding) -> Result<Vec<u32>> {
        let config = RenderConversationConfig { auto_drop_analysis: self.auto_drop_analysis };
        match self.kind {
            RenderKind::Message { has_function_tools } => {
                let message = Message::from_json_str(&self.json)?;
                let options = RenderOptions { conversation_has_function_tools: has_function_tools };
                enc.render(&message, Some(&options))
            }
            RenderKind::Conversation => {
                let conversation = Conversation::from_json_str(&self.json)?;
                enc.render_conversation(&conversation.messages, Some(&config))
            }
            RenderKind::Completion(role) => {
                let conversation = Conversation::from_json_str(&self.json)?;
                enc.render_conversation_for_completion(&conversation.messages, role, Some(&config))
            }
            RenderKind::Training => {
                let conversation = Conversation::from_json_str(&self.json)?;
                enc.render_conversation_for_training(&conversation.messages, Some(&config))
            }
        }
    }
}

/// Parses completion tokens into messages, returned as the Rust serde JSON array (the TS layer
/// builds its `Message` objects from it with one `JSON.parse`).
pub fn parse_messages(enc: &HarmonyEncoding, tokens: &[u32], role: Option<Role>, strict: bool) -> Result<String> {
    let messages = enc.parse_messages_from_completion_tokens(tokens, role, ParseOptions { strict })?;
    serde_json::to_string(&messages).map_err(|e| {
        harmony_core::HarmonyError::new(harmony_core::ErrorCode::Internal, format!("cannot serialise messages: {e}"))
    })
}

/// The role argument of parse calls: `None`/`null` means "not known".
pub fn optional_role(role: Option<&str>) -> Result<Option<Role>> {
    role.map(parse_role).transpose()
}

/// Validates that a count fits the JS return type.
pub fn to_u32(n: usize, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| invalid_argument(format!("{what} does not fit in 32 bits: {n}"), what))
}

// ---------------------------------------------------------------------------------------------
// AsyncTask wrappers: `compute` runs the same function as the sync path, off the JS thread.

/// `encodeAsync`.
pub struct EncodeTask {
    pub(crate) enc: HarmonyEncoding,
    pub(crate) text: String,
    pub(crate) allowed: SpecialTokenSet,
    pub(crate) disallowed: SpecialTokenSet,
}

impl Task for EncodeTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard(|| encode(&self.enc, &self.text, &self.allowed, &self.disallowed)).map_err(to_task_error)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(Uint32Array::new(output))
    }
}

/// `renderConversation…Async`.
pub struct RenderTask {
    pub(crate) enc: HarmonyEncoding,
    pub(crate) job: RenderJob,
}

impl Task for RenderTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard(|| self.job.run(&self.enc)).map_err(to_task_error)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(Uint32Array::new(output))
    }
}

/// `parseMessagesFromCompletionTokensAsync`.
pub struct ParseTask {
    pub(crate) enc: HarmonyEncoding,
    pub(crate) tokens: Vec<u32>,
    pub(crate) role: Option<Role>,
    pub(crate) strict: bool,
}

impl Task for ParseTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        guard(|| parse_messages(&self.enc, &self.tokens, self.role, self.strict)).map_err(to_task_error)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Shorthand used by the `#[napi]` methods.
pub fn spawn<T: Task>(task: T) -> AsyncTask<T> {
    AsyncTask::new(task)
}
