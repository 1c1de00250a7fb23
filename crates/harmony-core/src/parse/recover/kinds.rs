//! What a recovered message is, and what was recovered.

/// Where the text of a message goes: the decision the gateway mappers translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Chain of thought: `reasoning_content` / a `reasoning` item. Every text whose status is
    /// uncertain is put here (or dropped), never into visible content.
    Reasoning,
    /// Text for the user: `content` / `output_text`.
    Text,
    /// A tool call: the recipient names the tool, the text is its arguments.
    Call,
}

impl MessageKind {
    /// `reasoning`, `text` or `call`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Reasoning => "reasoning",
            MessageKind::Text => "text",
            MessageKind::Call => "call",
        }
    }
}

macro_rules! recovery_kinds {
    ($($(#[doc = $doc:literal])+ $variant:ident => $name:literal,)+) => {
        /// What was wrong with the model's output, and what the parser did about it (one row each
        /// in the recovery table of `docs/gateway.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RecoveryKind {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl RecoveryKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [RecoveryKind] = &[$(RecoveryKind::$variant,)+];

            /// The kebab-case name (`stray-stop-token`, …).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RecoveryKind::$variant => $name,)+
                }
            }
        }
    };
}

recovery_kinds! {
    /// A stop token between messages: ignored.
    StrayStopToken => "stray-stop-token",
    /// A message began without `<|start|>` (`<|channel|>` or `<|message|>` between messages):
    /// read as the assistant's.
    MissingStart => "missing-start",
    /// `<|start|>` again while a header held no more than its role: the header starts over.
    RepeatedStart => "repeated-start",
    /// A header without a role (`<|start|>to=functions.f…`): read as the assistant's.
    MissingRole => "missing-role",
    /// Words before the first header: the reply's opening text (never a recipient).
    LeadingText => "leading-text",
    /// Text between a stop token and the next header: dropped.
    FillerText => "filler-text",
    /// Text after a message, with no header before the stop token or the end of the stream:
    /// kept as reasoning, since nothing says it is meant for the user.
    MissingHeader => "missing-header",
    /// `<|start|>` or `<|channel|>` inside a message that was never closed: it closes it.
    UnclosedMessage => "unclosed-message",
    /// A channel spelled out of the canonical form (case, spaces, punctuation, a stray
    /// `<|constrain|>`): read as the canonical channel.
    ChannelSpelling => "channel-spelling",
    /// More than one `<|channel|>` in a header: analysis if any says so, else the last.
    RepeatedChannel => "repeated-channel",
    /// A marker with a pipe missing (`<message|>`, `<|channel>`) in a header: read as the marker.
    DamagedMarker => "damaged-marker",
    /// A channel name without its `<|channel|>` marker, or output whose markers were stripped
    /// (`analysis…assistantfinal…`).
    MissingChannelMarker => "missing-channel-marker",
    /// A channel that is not `analysis`, `commentary` or `final`: kept as reasoning.
    UnknownChannel => "unknown-channel",
    /// A recipient that is no tool (`to=assistant`): ignored.
    StrayRecipient => "stray-recipient",
    /// A function call written on the analysis channel: kept as reasoning, not called.
    CallInAnalysis => "call-in-analysis",
    /// Header words that fit nowhere: dropped.
    ExtraHeaderWords => "extra-header-words",
    /// A message by another author (a tool's output, a user turn) inside the reply: dropped.
    ForeignAuthor => "foreign-author",
    /// A recipient held control-token text: cut there.
    ControlTokenInRecipient => "control-token-in-recipient",
    /// A control token where it means nothing (`<|message|>` in a message body, an unknown
    /// special token): dropped.
    StrayControlToken => "stray-control-token",
    /// A stop token inside a header: the header and its text are dropped.
    InterruptedHeader => "interrupted-header",
    /// `<|start|>` inside a header that had more than a role: the unfinished header is dropped.
    BrokenHeader => "broken-header",
    /// The stream ended inside a header: it is dropped (the reply was cut: `length`).
    HeaderEos => "header-eos",
}

impl std::fmt::Display for RecoveryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
