//! Header text → author, channel, recipient and content type (SPEC §4.3).

use crate::chat::{Author, Role};
use crate::error::{HarmonyError, Result};

const CHANNEL_TEXT: &str = "<|channel|>";
const CONSTRAIN_TEXT: &str = "<|constrain|>";

/// The metadata of a message, as read from its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedHeader {
    pub author: Author,
    pub recipient: Option<String>,
    pub channel: Option<String>,
    pub content_type: Option<String>,
}

/// A header read in full mode: every word must be accounted for.
pub(crate) fn parse_header(text: &str, role: Option<Role>) -> Result<ParsedHeader> {
    let (header, rest) = split_header(text, role, true)?;
    match rest {
        None => Ok(header),
        Some(rest) => {
            Err(HarmonyError::parse(format!("unexpected tokens remaining in message header: {:?}", Some(rest))))
        }
    }
}

/// A header cut short by a stop token (non-strict recovery): after the channel and the role
/// word, the remaining words are the message text, joined by single spaces.
pub(crate) fn recover_header(text: &str, role: Role) -> Result<(ParsedHeader, String)> {
    let (header, rest) = split_header(text, Some(role), false)?;
    Ok((header, rest.unwrap_or_default()))
}

/// Reads the channel, role, recipient and content type; returns the unused words (joined).
fn split_header(text: &str, role: Option<Role>, read_addressing: bool) -> Result<(ParsedHeader, Option<String>)> {
    let mut channel = None;
    let mut rest = String::with_capacity(text.len() + 1);
    match text.find(CHANNEL_TEXT) {
        Some(at) => {
            let after = &text[at + CHANNEL_TEXT.len()..];
            let value_len = after.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(after.len());
            if value_len == 0 {
                return Err(HarmonyError::parse("channel marker present but no channel value found in header"));
            }
            channel = Some(after[..value_len].to_owned());
            rest.push_str(&text[..at]);
            rest.push_str(&after[value_len..]);
        }
        None => rest.push_str(text),
    }
    let mut trimmed = rest.trim();
    let spaced;
    if trimmed.contains(CONSTRAIN_TEXT) {
        spaced = trimmed.replace(CONSTRAIN_TEXT, " <|constrain|>");
        trimmed = spaced.trim();
    }
    let mut parts: Vec<&str> = trimmed.split_ascii_whitespace().collect();

    // Without a supplied role, the first header word names the role; for a tool it is the name.
    let mut first_word = None;
    let role = match role {
        Some(role) => role,
        None => {
            let first = *parts.first().ok_or_else(|| HarmonyError::parse("message header did not contain a role"))?;
            first_word = Some(first);
            match Role::from_wire(first) {
                Some(role) => role,
                None if parts.len() > 1 || first.starts_with("to=") => {
                    parts.remove(0);
                    Role::Tool
                }
                None => return Err(HarmonyError::parse(format!("Unknown role: {first}"))),
            }
        }
    };
    if parts.first() == Some(&role.as_str()) {
        parts.remove(0);
    }
    let name = match role {
        Role::Tool => first_word.map(str::to_owned),
        _ => None,
    };

    let mut recipient = None;
    let mut content_type = None;
    if read_addressing {
        let count = parts.len();
        if let Some(last) = parts.pop() {
            if let Some(to) = last.strip_prefix("to=") {
                recipient = Some(to.to_owned());
            } else if count == 1 {
                recipient = Some(last.to_owned());
            } else {
                content_type = Some(last.to_owned());
                recipient = parts.pop().map(|r| r.strip_prefix("to=").unwrap_or(r).to_owned());
            }
        }
    }
    let remaining = (!parts.is_empty()).then(|| parts.join(" "));
    let author = Author { role, name };
    Ok((ParsedHeader { author, recipient, channel, content_type }, remaining))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected<'a> = (Role, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>);

    /// (header, role supplied) → (role, name, channel, recipient, content type) or error message.
    fn check(header: &str, supplied: Option<Role>, want: std::result::Result<Expected, &str>) {
        let got = parse_header(header, supplied)
            .map(|h| (h.author.role, h.author.name, h.channel, h.recipient, h.content_type));
        let want = want
            .map(|(r, n, c, to, ct)| {
                let own = |s: Option<&str>| s.map(str::to_owned);
                (r, own(n), own(c), own(to), own(ct))
            })
            .map_err(str::to_owned);
        assert_eq!(got.map_err(|e| e.message), want, "header {header:?}");
    }

    #[test]
    fn worked_headers_from_the_spec() {
        use Role::*;
        check("assistant<|channel|>final", None, Ok((Assistant, None, Some("final"), None, None)));
        let call = Ok((Assistant, None, Some("commentary"), Some("functions.f"), Some("<|constrain|>json")));
        check("assistant to=functions.f<|channel|>commentary <|constrain|>json", None, call);
        check("assistant<|channel|>commentary to=functions.f<|constrain|>json", None, call);
        check(
            "assistant to=functions.f<|channel|>commentary json",
            None,
            Ok((Assistant, None, Some("commentary"), Some("functions.f"), Some("json"))),
        );
        check(
            "assistant<|channel|>commentary functions.f json",
            None,
            Ok((Assistant, None, Some("commentary"), Some("functions.f"), Some("json"))),
        );
        check("assistant<|channel|>analysis code", None, Ok((Assistant, None, Some("analysis"), Some("code"), None)));
        check(
            "assistant<|channel|>commentary <|constrain|>json",
            None,
            Ok((Assistant, None, Some("commentary"), Some("<|constrain|>json"), None)),
        );
        check(
            "assistant<|channel|>commentary to=functions.f <|constrain|> json",
            None,
            Err("unexpected tokens remaining in message header: Some(\"to=functions.f\")"),
        );
        check("assistant  to=a\tb", None, Ok((Assistant, None, None, Some("a"), Some("b"))));
        check("assistant a b c", None, Err("unexpected tokens remaining in message header: Some(\"a\")"));
        check(
            "functions.lookup_weather to=assistant<|channel|>commentary",
            None,
            Ok((Tool, Some("functions.lookup_weather"), Some("commentary"), Some("assistant"), None)),
        );
        check("functions.lookup_weather", None, Err("Unknown role: functions.lookup_weather"));
        check("tool to=assistant", None, Ok((Tool, Some("tool"), None, Some("assistant"), None)));
        check("to=foo", None, Ok((Tool, Some("to=foo"), None, None, None)));
        check("Assistant", None, Err("Unknown role: Assistant"));
        check("assistant<|channel|>", None, Err("channel marker present but no channel value found in header"));
        check("assistant<|channel|> final", None, Err("channel marker present but no channel value found in header"));
        check("assistant<|channel|>final<x", None, Err("Unknown role: assistant<x"));
        check("assistant<|channel|>final\u{a0}x", None, Err("Unknown role: assistant\u{a0}x"));
        check(
            "assistant to=x<|channel|>c<|channel|>d",
            None,
            Ok((Assistant, None, Some("c"), Some("x<|channel|>d"), None)),
        );
        check("", None, Err("message header did not contain a role"));
        check("user<|channel|>final", Some(Assistant), Ok((Assistant, None, Some("final"), Some("user"), None)));
        check(
            "functions.x to=assistant",
            Some(Tool),
            Err("unexpected tokens remaining in message header: Some(\"functions.x\")"),
        );
        check("user:alice", None, Err("Unknown role: user:alice"));
    }

    #[test]
    fn recovery_joins_the_remaining_words() {
        let (header, text) =
            recover_header("to=functions.x<|channel|>commentary  {\"a\":\n 1}", Role::Assistant).unwrap();
        assert_eq!(header.channel.as_deref(), Some("commentary"));
        assert_eq!(header.recipient, None);
        assert_eq!(text, "to=functions.x {\"a\": 1}");
        let (_, text) = recover_header("assistant hello   world", Role::Assistant).unwrap();
        assert_eq!(text, "hello world");
        assert!(recover_header("<|channel|> x", Role::Assistant).is_err());
    }
}
