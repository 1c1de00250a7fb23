//! The recovering parser (gateways): non-strict, it never fails; whole or in arbitrary batches it
//! takes the same decisions (messages, kinds, recoveries, truncation); its events follow their
//! contract; strict, it fails exactly where the non-strict parser records its first recovery.
//! Text mode: the decoded text, whole or in arbitrary pieces, gives the same messages.
#![no_main]

use harmony_core::{Content, MessageKind, RecoverOptions, RecoveringEvent, RecoveringParser, Role};
use harmony_core_fuzz::{batches, encoding};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// What the parser decided, batch boundaries aside.
#[derive(Debug, PartialEq)]
struct Decisions {
    messages: Vec<harmony_core::Message>,
    kinds: Vec<MessageKind>,
    recovered: Vec<&'static str>,
    truncated: bool,
    reasoning_tokens: usize,
}

/// Checks the event contract and returns the kinds of the messages, in order.
fn check_events(events: &[RecoveringEvent], messages: &[harmony_core::Message]) -> Vec<MessageKind> {
    let mut kinds = Vec::new();
    let mut open: Option<(MessageKind, String)> = None;
    let mut ended = 0;
    for event in events {
        match event {
            RecoveringEvent::MessageStart { kind, recipient, role, .. } => {
                assert!(open.is_none(), "a message started inside another");
                assert_eq!(*role, Role::Assistant);
                assert_eq!(*kind == MessageKind::Call, recipient.is_some(), "recipients on calls only");
                open = Some((*kind, String::new()));
            }
            RecoveringEvent::ContentDelta { delta } => {
                assert!(!delta.is_empty(), "empty delta");
                open.as_mut().expect("a delta outside a message").1.push_str(delta);
            }
            RecoveringEvent::MessageEnd { kind, message, .. } => {
                let (open_kind, text) = open.take().expect("an end without a start");
                assert_eq!(*kind, open_kind);
                assert_eq!(Some(message), messages.get(ended), "MessageEnd carries the message");
                let whole: String = message
                    .content
                    .iter()
                    .map(|c| match c {
                        Content::Text(t) => t.text.as_str(),
                        _ => "",
                    })
                    .collect();
                assert_eq!(whole, text, "deltas add up to the message");
                if *kind == MessageKind::Reasoning {
                    assert_eq!(message.channel.as_deref(), Some("analysis"));
                }
                kinds.push(*kind);
                ended += 1;
            }
            RecoveringEvent::ToolCall { .. } | RecoveringEvent::Recovered(_) => {}
        }
    }
    assert!(open.is_none(), "a message left open after the end of the stream");
    assert_eq!(ended, messages.len());
    kinds
}

fn run(
    role: Option<Role>,
    strict: bool,
    batches: &[Vec<u32>],
) -> std::result::Result<Decisions, harmony_core::HarmonyError> {
    let mut parser = RecoveringParser::with_options(encoding(), role, RecoverOptions { strict });
    let mut events = Vec::new();
    for batch in batches {
        parser.process_many(batch, &mut events)?;
    }
    parser.process_eos(&mut events)?;
    let kinds = check_events(&events, parser.messages());
    Ok(Decisions {
        messages: parser.messages().to_vec(),
        kinds,
        recovered: parser.recovered().iter().map(|r| r.kind.as_str()).collect(),
        truncated: parser.truncated(),
        reasoning_tokens: parser.reasoning_token_count(),
    })
}

fn run_text(pieces: &[&str]) -> Vec<harmony_core::Message> {
    let mut parser = RecoveringParser::new(encoding(), Some(Role::Assistant));
    let mut events = Vec::new();
    for piece in pieces {
        parser.process_text(piece, &mut events).expect("non-strict text mode never fails");
    }
    parser.process_eos(&mut events).expect("non-strict text mode never fails");
    check_events(&events, parser.messages());
    parser.messages().to_vec()
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(with_role), Ok(batches)) = (u.arbitrary::<bool>(), batches(&mut u)) else { return };
    let role = with_role.then_some(Role::Assistant);
    let all: Vec<u32> = batches.concat();

    let batched = run(role, false, &batches).expect("non-strict never fails");
    let whole = run(role, false, std::slice::from_ref(&all)).expect("non-strict never fails");
    assert_eq!(batched, whole, "decisions depend on the batches");

    match run(role, true, &batches) {
        Ok(strict) => assert!(whole.recovered.is_empty() && strict == whole, "strict passed a recovery"),
        Err(e) => {
            assert!(e.message.starts_with(whole.recovered.first().copied().unwrap_or("?")), "strict failed on {e:?}")
        }
    }

    // Text mode: the tokens' text, whole and cut at a few points (on character boundaries).
    let Ok(text) = encoding().tokenizer().decode_utf8(&all) else { return };
    let cuts: Vec<usize> = batches
        .iter()
        .scan(0, |at, b| {
            *at += b.len() * 3;
            Some(*at)
        })
        .filter(|&c| c < text.len() && text.is_char_boundary(c))
        .collect();
    let mut pieces = Vec::new();
    let mut from = 0;
    for &cut in &cuts {
        if cut > from {
            pieces.push(&text[from..cut]);
            from = cut;
        }
    }
    pieces.push(&text[from..]);
    assert_eq!(run_text(&pieces), run_text(&[&text]), "text mode depends on the pieces");
});
