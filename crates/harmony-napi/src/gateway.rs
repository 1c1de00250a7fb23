//! `BindingRecoveringParser`: the core's never-failing parser for gateways, as a JS class.
//! Batches in, events out (parse events as in `parser.rs`, plus recoveries, in stream order).

use harmony_core::{RecoveringEvent, RecoveringParser};
use napi::bindgen_prelude::Either3;
use napi::Result;
use napi_derive::napi;

use crate::encoding::BindingEncoding;
use crate::error::{guard_js, HarmonyStatus};
use crate::event::BindingEvent;
use crate::tasks::optional_role;

/// An intervention of the recovering parser.
#[napi(discriminant = "type", discriminant_case = "kebab-case", object_from_js = false)]
pub enum BindingRecovery {
    /// What was recovered and where.
    Recovered {
        /// `stray-stop-token`, `missing-start`, `broken-header`, `interrupted-header`,
        /// `header-eos` or `control-token-in-recipient`.
        kind: String,
        /// Index of the token among all tokens fed.
        token_index: u32,
        /// A human-readable explanation.
        detail: String,
    },
}

/// One event as it crosses to JS: a content delta as its bare text, other parse events as
/// `BindingEvent`s, recoveries as `BindingRecovery`s.
pub type GatewayWireEvent = Either3<String, BindingEvent, BindingRecovery>;

fn to_wire(event: RecoveringEvent) -> GatewayWireEvent {
    match event {
        RecoveringEvent::Parse(harmony_core::ParseEvent::ContentDelta { delta }) => Either3::A(delta),
        RecoveringEvent::Parse(other) => Either3::B(BindingEvent::from(other)),
        RecoveringEvent::Recovered(r) => Either3::C(BindingRecovery::Recovered {
            kind: r.kind.as_str().to_owned(),
            token_index: u32::try_from(r.token_index).unwrap_or(u32::MAX),
            detail: r.detail,
        }),
    }
}

/// The recovering parser.
#[napi]
pub struct BindingRecoveringParser {
    inner: RecoveringParser,
    events: Vec<RecoveringEvent>,
}

#[napi]
impl BindingRecoveringParser {
    /// A parser for `encoding`; `role` is the role of the first message when the tokens start
    /// right after `<|start|>{role}` (`null` when they start with `<|start|>`).
    #[napi(constructor)]
    pub fn new(encoding: &BindingEncoding, role: Option<String>) -> Result<Self, HarmonyStatus> {
        guard_js(|| {
            let role = optional_role(role.as_deref())?;
            Ok(Self { inner: RecoveringParser::new(encoding.enc, role), events: Vec::new() })
        })
    }

    /// Feeds a batch of tokens; returns its events.
    #[napi(ts_return_type = "Array<string | BindingEvent | BindingRecovery>")]
    pub fn process_many(&mut self, tokens: &[u32]) -> Result<Vec<GatewayWireEvent>, HarmonyStatus> {
        self.run(|inner, events| inner.process_many(tokens, events))
    }

    /// Feeds decoded text (literal `<|…|>` markers); returns its events.
    #[napi(ts_return_type = "Array<string | BindingEvent | BindingRecovery>")]
    pub fn process_text(&mut self, text: String) -> Result<Vec<GatewayWireEvent>, HarmonyStatus> {
        self.run(|inner, events| inner.process_text(&text, events))
    }

    /// Signals the end of the stream; returns the events it caused.
    #[napi(ts_return_type = "Array<string | BindingEvent | BindingRecovery>")]
    pub fn process_eos(&mut self) -> Result<Vec<GatewayWireEvent>, HarmonyStatus> {
        self.run(RecoveringParser::process_eos)
    }

    /// Number of tokens fed so far.
    #[napi]
    pub fn token_count(&self) -> u32 {
        u32::try_from(self.inner.token_count()).unwrap_or(u32::MAX)
    }

    /// Number of tokens fed so far that were read inside an analysis message (reasoning tokens).
    #[napi]
    pub fn reasoning_token_count(&self) -> u32 {
        u32::try_from(self.inner.reasoning_token_count()).unwrap_or(u32::MAX)
    }

    fn run(
        &mut self,
        f: impl FnOnce(&mut RecoveringParser, &mut Vec<RecoveringEvent>),
    ) -> Result<Vec<GatewayWireEvent>, HarmonyStatus> {
        self.events.clear();
        let (inner, events) = (&mut self.inner, &mut self.events);
        guard_js(|| {
            f(inner, events);
            Ok(())
        })?;
        Ok(self.events.drain(..).map(to_wire).collect())
    }
}
