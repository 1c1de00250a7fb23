//! The computations behind every encode/render/parse entry point, written once and called by
//! both the synchronous methods (on the JS thread) and the `AsyncTask`s (on the libuv pool), so
//! the sync and async variants cannot disagree (node-rs style). Inputs are converted here from
//! their wire form (JSON string, role string, flags); everything else is the core's.

use harmony_core::{
    HarmonyEncoding, Message, ParseOptions, RenderConversationConfig, RenderOptions, Result, Role, SpecialTokenSet,
};
use napi::bindgen_prelude::{AsyncTask, Uint32Array};
use napi::{Env, Task};

use crate::columns::ConversationArg;
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

/// Which conversation render entry point a [`RenderJob`] calls.
#[derive(Debug, Clone, Copy)]
pub enum RenderKind {
    /// `render_conversation`.
    Conversation,
    /// `render_conversation_for_completion` with the next turn's role.
    Completion(Role),
    /// `render_conversation_for_training`.
    Training,
}

/// One conversation render call: the conversation as received from JS plus the options.
pub struct RenderJob {
    /// The conversation, as JSON text or in column form.
    pub conversation: ConversationArg,
    /// The entry point.
    pub kind: RenderKind,
    /// `RenderConversationConfig::auto_drop_analysis` (the JS default is `true`; the binding
    /// always passes a config because `None` means "no dropping" in Rust).
    pub auto_drop_analysis: bool,
}

impl RenderJob {
    /// Reads the messages and renders them.
    pub fn run(self, enc: &HarmonyEncoding) -> Result<Vec<u32>> {
        let config = RenderConversationConfig { auto_drop_analysis: self.auto_drop_analysis };
        let messages = self.conversation.into_messages()?;
        match self.kind {
            RenderKind::Conversation => enc.render_conversation(&messages, Some(&config)),
            RenderKind::Completion(role) => enc.render_conversation_for_completion(&messages, role, Some(&config)),
            RenderKind::Training => enc.render_conversation_for_training(&messages, Some(&config)),
        }
    }
}

/// Renders one message (JSON text).
pub fn render_message(enc: &HarmonyEncoding, json: &str, has_function_tools: bool) -> Result<Vec<u32>> {
    let message = Message::from_json_str(json)?;
    enc.render(&message, Some(&RenderOptions { conversation_has_function_tools: has_function_tools }))
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
    /// Taken by `compute`.
    pub(crate) job: Option<RenderJob>,
}

impl Task for RenderTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let job = self.job.take();
        guard(|| {
            let job = job.ok_or_else(|| {
                harmony_core::HarmonyError::new(harmony_core::ErrorCode::Internal, "render task computed twice")
            })?;
            job.run(&self.enc)
        })
        .map_err(to_task_error)
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
