//! Completion parsing: batch parse ≡ streaming + eos; strict and lenient agree until a stop
//! token reaches a header (the one place strictness matters); parsed messages survive a JSON
//! round trip.
#![no_main]

use harmony_core::{HarmonyError, Message, ParseOptions, Role, StreamState, StreamableParser};
use harmony_core_fuzz::{encoding, role, tokens, CALL, END, RETURN};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// Streams `tokens` then the end of stream; also says whether a stop token met a header.
fn stream(tokens: &[u32], role: Option<Role>, strict: bool) -> (Result<Vec<Message>, HarmonyError>, bool) {
    let mut parser = StreamableParser::new(encoding(), role, ParseOptions { strict });
    let mut stop_in_header = false;
    for &t in tokens {
        stop_in_header |= parser.state() == StreamState::Header && [END, CALL, RETURN].contains(&t);
        if let Err(e) = parser.process(t) {
            return (Err(e), stop_in_header);
        }
    }
    let result = parser.process_eos().map(|p| p.messages().to_vec());
    (result, stop_in_header)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(role), Ok(tokens)) = (role(&mut u), tokens(&mut u)) else { return };
    let enc = encoding();
    let strict = enc.parse_messages_from_completion_tokens(&tokens, role, ParseOptions { strict: true });
    let lenient = enc.parse_messages_from_completion_tokens(&tokens, role, ParseOptions { strict: false });

    let (streamed_strict, stop_in_header) = stream(&tokens, role, true);
    assert_eq!(strict, streamed_strict, "batch parse is streaming + eos (strict)");
    assert_eq!(lenient, stream(&tokens, role, false).0, "batch parse is streaming + eos (lenient)");
    if !stop_in_header {
        assert_eq!(strict, lenient, "strictness only matters for a stop token in a header");
    }

    for m in strict.iter().chain(lenient.iter()).flatten() {
        let json = serde_json::to_string(m).expect("a message serialises");
        assert_eq!(Message::from_json_str(&json).as_ref(), Ok(m), "JSON round trip of {json}");
    }
});
