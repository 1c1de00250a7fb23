//! Lenient reading of a header, and the decision of where the message's text goes.
//!
//! The header text arrives with its markers as literal text (`<|channel|>`, `<|constrain|>`).
//! Unlike the strict reader (`parse/header.rs`), every spelling is accepted, and each departure
//! from the grammar is noted as a recovery.

use super::kinds::{MessageKind, RecoveryKind};
use crate::chat::Role;

const CHANNEL: &str = "<|channel|>";
const CONSTRAIN: &str = "<|constrain|>";
const CONTROL: &str = "<|";

/// The three channels of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channel {
    Analysis,
    Commentary,
    Final,
}

impl Channel {
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Channel::Analysis => "analysis",
            Channel::Commentary => "commentary",
            Channel::Final => "final",
        }
    }

    /// The channel a word names, in any case, with surrounding spaces and trailing punctuation
    /// (`ANALYSIS`, ` analysis`, `analysis?`, `final:`) tolerated.
    pub(super) fn canonical(word: &str) -> Option<Channel> {
        let word = word.trim().trim_matches(['"', '\'', '`']).trim_end_matches(['?', '.', ':', '!', ',', ';']);
        [Channel::Analysis, Channel::Commentary, Channel::Final]
            .into_iter()
            .find(|c| word.eq_ignore_ascii_case(c.as_str()))
    }
}

/// Whether text opens with the word `analysis` (any case, possibly glued to what follows, as in
/// output whose markers were stripped: `analysisThe user asks…`).
pub(super) fn opens_with_analysis(text: &str) -> bool {
    let text = text.trim_start().as_bytes();
    text.len() >= 8 && text[..8].eq_ignore_ascii_case(b"analysis")
}

/// Markers written with a pipe missing, and what they stand for.
const DAMAGED_MARKERS: [(&str, &str); 6] = [
    ("<channel|>", "<|channel|>"),
    ("<|channel>", "<|channel|>"),
    ("<constrain|>", "<|constrain|>"),
    ("<|constrain>", "<|constrain|>"),
    ("<message|>", "<|message|>"),
    ("<|message>", "<|message|>"),
];

/// Header text with damaged markers (`<message|>`) repaired; `None` when there were none.
pub(super) fn repair_markers(text: &str) -> Option<String> {
    let mut repaired: Option<String> = None;
    for (damaged, marker) in DAMAGED_MARKERS {
        let current = repaired.as_deref().unwrap_or(text);
        if current.contains(damaged) {
            repaired = Some(current.replace(damaged, marker));
        }
    }
    repaired
}

/// Text whose markers were stripped (`analysisThe user asks…assistantfinalHello`): the pieces
/// and their kinds; `None` unless the text opens that way (with `analysis`, with `assistant`
/// and a channel, or with `commentary` followed by a later `assistant{channel}`).
pub(super) fn stripped_pieces(text: &str) -> Option<Vec<(MessageKind, String)>> {
    const CHANNELS: [Channel; 3] = [Channel::Analysis, Channel::Commentary, Channel::Final];
    let lower = text.to_ascii_lowercase();
    let channel_at = |at: usize| CHANNELS.into_iter().find(|c| lower[at..].starts_with(c.as_str()));
    // Piece starts: (offset of the channel word, channel).
    let mut starts = Vec::new();
    let open = lower.len() - lower.trim_start().len();
    let first_word = if lower[open..].starts_with("assistant") { open + "assistant".len() } else { open };
    let first = channel_at(first_word)?;
    starts.push((first_word, first));
    let mut from = first_word + first.as_str().len();
    while let Some(found) = lower[from..].find("assistant") {
        let at = from + found + "assistant".len();
        if let Some(c) = channel_at(at) {
            starts.push((at, c));
            from = at + c.as_str().len();
        } else {
            from = at;
        }
    }
    let bare = first_word == open;
    if bare && (first == Channel::Final || (first == Channel::Commentary && starts.len() == 1)) {
        return None;
    }
    let mut pieces = Vec::new();
    for (i, &(at, channel)) in starts.iter().enumerate() {
        let end = match starts.get(i + 1) {
            Some(&(next, _)) => next - "assistant".len(),
            None => text.len(),
        };
        let piece = text[at + channel.as_str().len()..end].trim();
        if !piece.is_empty() {
            let kind = if channel == Channel::Analysis { MessageKind::Reasoning } else { MessageKind::Text };
            pieces.push((kind, piece.to_owned()));
        }
    }
    Some(pieces)
}

/// Where the reader was when the header ended.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeaderContext {
    /// The role the prompt already gave (the first header of a completion).
    pub role: Option<Role>,
    /// No message has been read yet: words before the header proper are the reply's opening text.
    pub at_beginning: bool,
    /// The header began with `<|message|>` between messages, without `<|start|>` or
    /// `<|channel|>`: without a channel, nothing says its text is meant for the user.
    pub headerless: bool,
}

/// A message the header opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Opened {
    pub kind: MessageKind,
    pub role: Role,
    pub name: Option<String>,
    /// Normalised: `analysis` for every message kept out of view.
    pub channel: Option<String>,
    /// Only for calls.
    pub recipient: Option<String>,
    pub content_type: Option<String>,
}

/// What a header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reading {
    /// Words before the header proper, as a message of their own (the reply's opening text).
    pub leading: Option<(MessageKind, String)>,
    /// The message the header opens; `None` when its text must be dropped.
    pub opened: Option<Opened>,
    /// What was tolerated, in order.
    pub notes: Vec<(RecoveryKind, String)>,
}

/// Addressing words: recipient, content type, and words that fit nowhere.
#[derive(Default)]
struct Addressing<'a> {
    recipients: Vec<&'a str>,
    content_type: Option<String>,
    extra: Vec<&'a str>,
}

impl<'a> Addressing<'a> {
    /// Reads words after a channel name (`bare_ok`: a bare word may be a recipient or a type).
    fn read(&mut self, words: &[&'a str], bare_ok: bool) {
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            i += 1;
            if let Some(to) = word.strip_prefix("to=") {
                // `to= functions.f`: the recipient is the next word.
                let to = match (to.is_empty(), words.get(i)) {
                    (true, Some(next)) if !next.starts_with(CONSTRAIN) => {
                        i += 1;
                        *next
                    }
                    _ => to,
                };
                self.recipients.push(to);
            } else if let Some(ty) = word.strip_prefix(CONSTRAIN) {
                // `<|constrain|> json`: the type is the next word.
                let ty = match (ty.is_empty(), words.get(i)) {
                    (true, Some(next)) => {
                        i += 1;
                        *next
                    }
                    _ => ty,
                };
                self.content_type.get_or_insert_with(|| format!("{CONSTRAIN}{ty}"));
            } else if bare_ok && self.recipients.is_empty() && looks_like_tool(word) {
                self.recipients.push(word);
            } else if bare_ok && self.content_type.is_none() {
                self.content_type = Some(word.to_owned());
            } else {
                self.extra.push(word);
            }
        }
    }
}

fn looks_like_tool(word: &str) -> bool {
    word.starts_with("functions.") || word.starts_with("browser.") || word == "python" || word.starts_with("python.")
}

/// A recipient the gateway may run itself: Harmony calls built-in tools on the analysis channel.
fn is_builtin(recipient: &str) -> bool {
    recipient.starts_with("browser.")
        || recipient == "python"
        || recipient.starts_with("python.")
        || recipient.starts_with("container.")
}

/// Reads a header; see the module documentation of `recover` for the rules.
pub(super) fn read_header(text: &str, ctx: HeaderContext) -> Reading {
    let mut notes = Vec::new();
    let repaired = repair_markers(text);
    if repaired.is_some() {
        notes.push((RecoveryKind::DamagedMarker, "a marker with a pipe missing: read as the marker".to_owned()));
    }
    // `<|constrain|>` glued to the word before it is a word of its own.
    let spaced = repaired.as_deref().unwrap_or(text).replace(CONSTRAIN, " <|constrain|>");
    let mut parts = spaced.split(CHANNEL);
    let pre = parts.next().unwrap_or_default();
    let segments: Vec<&str> = parts.collect();

    // The role: given by the prompt, or the first word.
    let mut pre_words: Vec<&str> = pre.split_whitespace().collect();
    let mut rest_of_pre = pre;
    let role = match ctx.role {
        Some(role) => {
            if pre_words.first().is_some_and(|w| w.eq_ignore_ascii_case(role.as_str())) {
                rest_of_pre = after_first_word(pre);
                pre_words.remove(0);
            }
            role
        }
        None => match pre_words.first().copied() {
            Some(word) if Role::from_wire(&word.to_ascii_lowercase()).is_some() => {
                rest_of_pre = after_first_word(pre);
                pre_words.remove(0);
                Role::from_wire(&word.to_ascii_lowercase()).unwrap_or(Role::Assistant)
            }
            // A tool's output (`functions.get_weather to=assistant`).
            Some(word) if !word.starts_with("to=") => {
                rest_of_pre = after_first_word(pre);
                pre_words.remove(0);
                Role::Tool
            }
            _ => {
                notes.push((RecoveryKind::MissingRole, "a header without a role: read as the assistant's".to_owned()));
                Role::Assistant
            }
        },
    };

    let mut addressing = Addressing::default();
    addressing.read(&pre_words, false);
    let pre_extra = std::mem::take(&mut addressing.extra);

    // Channel names, and the addressing words after them.
    let mut channels: Vec<(&str, Option<Channel>)> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let trimmed = segment.trim_start();
        let mut name_start = trimmed;
        while let Some(rest) = name_start.strip_prefix(CONSTRAIN) {
            name_start = rest.trim_start();
        }
        let end = name_start.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(name_start.len());
        let (word, rest) = name_start.split_at(end);
        let words: Vec<&str> = rest.split_whitespace().collect();
        // Free words, then `<|channel|>` again: the model gave up that header and began another
        // (`<|channel|>analysis I think<|channel|>final`); the abandoned one says nothing.
        let free = words.iter().filter(|w| !w.starts_with("to=") && !w.starts_with(CONSTRAIN)).count();
        if free > 0 && i + 1 < segments.len() {
            notes.push((
                RecoveryKind::ExtraHeaderWords,
                format!("dropped an unfinished header ({free} words) before <|channel|>"),
            ));
            continue;
        }
        let channel = Channel::canonical(word);
        if let Some(c) = channel {
            if word != c.as_str() || name_start.len() != segment.len() {
                notes.push((
                    RecoveryKind::ChannelSpelling,
                    format!("a channel spelled otherwise read as {:?}", c.as_str()),
                ));
            }
        }
        channels.push((word, channel));
        addressing.read(&words, true);
    }
    if channels.len() > 1 {
        let detail = format!("one header named {} channels", channels.len());
        notes.push((RecoveryKind::RepeatedChannel, detail));
    }

    // Words before the header proper.
    let mut leading = None;
    let mut missing_marker_channel = None;
    if !pre_extra.is_empty() {
        let first = Channel::canonical(pre_extra[0]);
        if channels.is_empty() && first.is_some() && pre_extra.len() == 1 {
            // `analysis<|message|>`: a channel name without its marker.
            missing_marker_channel = first;
            notes.push((
                RecoveryKind::MissingChannelMarker,
                format!("a channel name without <|channel|>, read as {:?}", first.map_or("", Channel::as_str)),
            ));
        } else if ctx.at_beginning && addressing.recipients.is_empty() && !rest_of_pre.contains(CONSTRAIN) {
            if opens_with_analysis(rest_of_pre) {
                notes.push((
                    RecoveryKind::MissingChannelMarker,
                    "opening words that start with `analysis`: kept as reasoning".to_owned(),
                ));
                leading = Some((MessageKind::Reasoning, rest_of_pre.to_owned()));
            } else {
                notes.push((RecoveryKind::LeadingText, "words before the first header: kept as text".to_owned()));
                leading = Some((MessageKind::Text, rest_of_pre.to_owned()));
            }
        } else {
            notes.push((RecoveryKind::ExtraHeaderWords, format!("dropped {} header words", pre_extra.len())));
        }
    }
    if !addressing.extra.is_empty() {
        notes.push((RecoveryKind::ExtraHeaderWords, format!("dropped {} header words", addressing.extra.len())));
    }

    if role != Role::Assistant {
        notes.push((
            RecoveryKind::ForeignAuthor,
            format!("a message from the {} role: not part of the reply", role.as_str()),
        ));
        return Reading { leading, opened: None, notes };
    }

    // The recipient: the first `to=`, cut at control-token text; a role is no tool.
    let mut recipient = None;
    if addressing.recipients.len() > 1 {
        notes.push((
            RecoveryKind::ExtraHeaderWords,
            format!("{} recipients: the first is used", addressing.recipients.len()),
        ));
    }
    if let Some(&raw) = addressing.recipients.first() {
        let mut cut = raw;
        if let Some(at) = raw.find(CONTROL) {
            notes.push((RecoveryKind::ControlTokenInRecipient, "cut the recipient at its control token".to_owned()));
            cut = &raw[..at];
        }
        if cut.is_empty() || Role::from_wire(&cut.to_ascii_lowercase()).is_some() || cut.eq_ignore_ascii_case("all") {
            notes.push((
                RecoveryKind::StrayRecipient,
                "an empty recipient, or one that names a role, is no tool: ignored".to_owned(),
            ));
        } else {
            recipient = Some(cut.to_owned());
        }
    }

    // The channel: analysis if any name says so (a header that mixes channels is not intact),
    // else the last one.
    let any_analysis = channels.iter().any(|(_, c)| *c == Some(Channel::Analysis));
    let channel = if any_analysis {
        Some(Ok(Channel::Analysis))
    } else if let Some(c) = missing_marker_channel {
        Some(Ok(c))
    } else {
        channels.last().map(|(word, c)| c.ok_or(*word))
    };

    let reasoning = |content_type: Option<String>| Opened {
        kind: MessageKind::Reasoning,
        role,
        name: None,
        channel: Some(Channel::Analysis.as_str().to_owned()),
        recipient: None,
        content_type,
    };
    let content_type = addressing.content_type;
    let opened = match (channel, recipient) {
        (Some(Err(word)), _) => {
            notes.push((
                RecoveryKind::UnknownChannel,
                format!("an unknown channel ({} characters): kept as reasoning", word.chars().count()),
            ));
            reasoning(content_type)
        }
        (Some(Ok(Channel::Analysis)), Some(to)) if !is_builtin(&to) => {
            notes.push((
                RecoveryKind::CallInAnalysis,
                "a function call written on the analysis channel: kept as reasoning".to_owned(),
            ));
            reasoning(content_type)
        }
        (channel, Some(to)) => Opened {
            kind: MessageKind::Call,
            role,
            name: None,
            channel: channel.and_then(Result::ok).map(|c| c.as_str().to_owned()),
            recipient: Some(to),
            content_type,
        },
        (Some(Ok(Channel::Analysis)), None) => reasoning(content_type),
        (None, None) if ctx.headerless && !ctx.at_beginning => {
            notes.push((
                RecoveryKind::MissingHeader,
                "a message after another with no header: kept as reasoning".to_owned(),
            ));
            reasoning(content_type)
        }
        (channel, None) => Opened {
            kind: MessageKind::Text,
            role,
            name: None,
            channel: channel.and_then(Result::ok).map(|c| c.as_str().to_owned()),
            recipient: None,
            content_type,
        },
    };
    Reading { leading, opened: Some(opened), notes }
}

/// `text` after its first whitespace-separated word (the whitespace that follows is kept).
fn after_first_word(text: &str) -> &str {
    let trimmed = text.trim_start();
    let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    &trimmed[end..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, role: Option<Role>, at_beginning: bool) -> Reading {
        read_header(text, HeaderContext { role, at_beginning, headerless: false })
    }

    fn kinds(r: &Reading) -> Vec<RecoveryKind> {
        r.notes.iter().map(|(k, _)| *k).collect()
    }

    fn opened(r: &Reading) -> (MessageKind, Option<&str>, Option<&str>, Option<&str>) {
        let o = r.opened.as_ref().expect("a message");
        (o.kind, o.channel.as_deref(), o.recipient.as_deref(), o.content_type.as_deref())
    }

    #[test]
    fn well_formed_headers_need_no_recovery() {
        use MessageKind::*;
        let a = Some(Role::Assistant);
        for (text, role, want) in [
            ("<|channel|>analysis", a, (Reasoning, Some("analysis"), None, None)),
            ("<|channel|>final", a, (Text, Some("final"), None, None)),
            ("<|channel|>commentary", a, (Text, Some("commentary"), None, None)),
            ("", a, (Text, None, None, None)),
            ("assistant<|channel|>final", None, (Text, Some("final"), None, None)),
            (
                "assistant<|channel|>commentary to=functions.f <|constrain|>json",
                None,
                (Call, Some("commentary"), Some("functions.f"), Some("<|constrain|>json")),
            ),
            (
                "assistant to=functions.f<|channel|>commentary<|constrain|>json",
                None,
                (Call, Some("commentary"), Some("functions.f"), Some("<|constrain|>json")),
            ),
            (
                "assistant<|channel|>commentary functions.f json",
                None,
                (Call, Some("commentary"), Some("functions.f"), Some("json")),
            ),
            (
                "<|channel|>analysis to=browser.search code",
                a,
                (Call, Some("analysis"), Some("browser.search"), Some("code")),
            ),
            ("<|channel|>analysis to=python code", a, (Call, Some("analysis"), Some("python"), Some("code"))),
        ] {
            let r = read(text, role, true);
            assert_eq!(opened(&r), want, "{text:?}");
            assert!(r.notes.is_empty() && r.leading.is_none(), "{text:?}: {:?}", r.notes);
        }
    }

    #[test]
    fn channel_spellings_are_canonical() {
        for text in [
            "<|channel|>ANALYSIS",
            "<|channel|>analysis?",
            "<|channel|> analysis",
            "<|channel|>Analysis:",
            "<|channel|><|constrain|>analysis",
            "<|channel|>analysis.",
        ] {
            let r = read(text, Some(Role::Assistant), true);
            assert_eq!(opened(&r).0, MessageKind::Reasoning, "{text:?}");
            assert_eq!(kinds(&r), [RecoveryKind::ChannelSpelling], "{text:?}");
        }
    }

    #[test]
    fn analysis_anywhere_in_a_mixed_header_wins() {
        let r = read("<|channel|>commentary to=assistant<|channel|>analysis", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Reasoning, Some("analysis"), None, None));
        assert_eq!(kinds(&r), [RecoveryKind::RepeatedChannel, RecoveryKind::StrayRecipient]);
        let r = read("<|channel|>analysis<|channel|>final", Some(Role::Assistant), true);
        assert_eq!(opened(&r).0, MessageKind::Reasoning);
        let r = read("<|channel|>commentary to=assistant<|channel|>final", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Text, Some("final"), None, None));
    }

    #[test]
    fn leading_words_are_text_never_a_recipient() {
        let r = read("Some text <|channel|>analysis", Some(Role::Assistant), true);
        assert_eq!(r.leading, Some((MessageKind::Text, "Some text ".to_owned())));
        assert_eq!(opened(&r).0, MessageKind::Reasoning);
        // Later in the reply they are dropped.
        let r = read("Some text <|channel|>final", Some(Role::Assistant), false);
        assert_eq!(r.leading, None);
        assert_eq!(kinds(&r), [RecoveryKind::ExtraHeaderWords]);
        // Opening words that start with `analysis` are reasoning whose markers were lost.
        let r = read("analysis I think<|channel|>final", Some(Role::Assistant), true);
        assert_eq!(r.leading, Some((MessageKind::Reasoning, "analysis I think".to_owned())));
    }

    #[test]
    fn unknown_channels_and_function_calls_on_analysis_stay_out_of_view() {
        let r = read("<|channel|>thinking", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Reasoning, Some("analysis"), None, None));
        assert_eq!(kinds(&r), [RecoveryKind::UnknownChannel]);
        let r = read("assistant to=functions.f<|channel|>analysis <|constrain|>json", None, true);
        assert_eq!(opened(&r).0, MessageKind::Reasoning);
        assert_eq!(kinds(&r), [RecoveryKind::CallInAnalysis]);
        let r = read("<|channel|>", Some(Role::Assistant), true);
        assert_eq!(opened(&r).0, MessageKind::Reasoning);
    }

    #[test]
    fn missing_roles_and_foreign_authors() {
        let r = read("to=functions.get_weather<|channel|>commentary <|constrain|>json", None, true);
        assert_eq!(opened(&r).0, MessageKind::Call);
        assert_eq!(opened(&r).2, Some("functions.get_weather"));
        assert_eq!(kinds(&r), [RecoveryKind::MissingRole]);
        let r = read("functions.get_weather to=assistant<|channel|>commentary", None, true);
        assert!(r.opened.is_none());
        assert_eq!(kinds(&r), [RecoveryKind::ForeignAuthor]);
        let r = read("analysis", Some(Role::Assistant), true);
        assert_eq!(opened(&r).0, MessageKind::Reasoning);
        assert_eq!(kinds(&r), [RecoveryKind::MissingChannelMarker]);
    }

    #[test]
    fn a_space_after_to_is_tolerated() {
        let r = read("<|channel|>commentary to= functions.f <|constrain|>json", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Call, Some("commentary"), Some("functions.f"), Some("<|constrain|>json")));
        let r = read("<|channel|>commentary to= <|constrain|>json", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Text, Some("commentary"), None, Some("<|constrain|>json")));
    }

    #[test]
    fn damaged_markers_are_repaired() {
        let r = read("<channel|>final <constrain|>json", Some(Role::Assistant), true);
        assert_eq!(opened(&r), (MessageKind::Text, Some("final"), None, Some("<|constrain|>json")));
        assert_eq!(kinds(&r), [RecoveryKind::DamagedMarker]);
        assert_eq!(repair_markers("a<message|>b<|message>c").as_deref(), Some("a<|message|>b<|message|>c"));
        assert_eq!(repair_markers("<|message|>"), None);
    }

    #[test]
    fn stripped_output_is_split_at_assistant_channel() {
        use MessageKind::*;
        let own = |v: &[(MessageKind, &str)]| v.iter().map(|(k, t)| (*k, (*t).to_owned())).collect::<Vec<_>>();
        assert_eq!(
            stripped_pieces("analysisThe user typed. assistantfinalHello!"),
            Some(own(&[(Reasoning, "The user typed."), (Text, "Hello!")]))
        );
        assert_eq!(
            stripped_pieces("ANALYSIS reasoning ASSISTANTFINAL answer"),
            Some(own(&[(Reasoning, "reasoning"), (Text, "answer")]))
        );
        assert_eq!(stripped_pieces("assistantfinal The direct answer."), Some(own(&[(Text, "The direct answer.")])));
        assert_eq!(
            stripped_pieces("commentary Preamble. assistantfinal 42"),
            Some(own(&[(Text, "Preamble."), (Text, "42")]))
        );
        assert_eq!(stripped_pieces("analysis partial"), Some(own(&[(Reasoning, "partial")])));
        assert_eq!(stripped_pieces("Final answer: 42"), None);
        assert_eq!(stripped_pieces("Commentary on the poem"), None);
        assert_eq!(stripped_pieces("Hello"), None);
    }
}
