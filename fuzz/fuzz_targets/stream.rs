//! Streaming: `process_many` over arbitrary splits ≡ per-token `process` (every accessor after
//! every batch, the same errors, the same events once the content deltas of one call are joined),
//! then end of stream; the events follow their contract.
#![no_main]

use harmony_core::{ParseEvent, ParseOptions, StreamableParser};
use harmony_core_fuzz::{batches, check_events, encoding, role, snapshot};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// The accessors that are cheap enough to compare after every batch.
fn live_state(p: &StreamableParser) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        p.state(),
        p.current_role(),
        p.current_channel(),
        p.current_recipient(),
        p.current_content_type(),
        p.current_content(),
        p.last_content_delta(),
        p.messages().last(),
        p.messages().len(),
        p.tokens().len(),
    )
}

/// Joins the adjacent content deltas of `events[from..]`: what `process_many` emits for the text
/// one call adds between other events.
fn join_deltas(events: &mut Vec<ParseEvent>, from: usize) {
    let mut joined: Vec<ParseEvent> = Vec::with_capacity(events.len() - from);
    for event in events.drain(from..) {
        match (joined.last_mut(), event) {
            (Some(ParseEvent::ContentDelta { delta: run }), ParseEvent::ContentDelta { delta }) => run.push_str(&delta),
            (_, event) => joined.push(event),
        }
    }
    events.extend(joined);
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(role), Ok(strict), Ok(batches)) = (role(&mut u), u.arbitrary::<bool>(), batches(&mut u)) else { return };
    let options = ParseOptions { strict };
    let mut single = StreamableParser::new(encoding(), role, options);
    let mut batched = StreamableParser::new(encoding(), role, options);
    let (mut single_events, mut batched_events) = (Vec::new(), Vec::new());

    for batch in &batches {
        // One call of `process_many` per run of tokens up to a failing one, as below.
        let mut single_errors = Vec::new();
        let mut call_start = single_events.len();
        for &t in batch {
            if let Err(e) = single.process_with_events(t, &mut single_events) {
                single_errors.push(e);
                join_deltas(&mut single_events, call_start);
                call_start = single_events.len();
            }
        }
        join_deltas(&mut single_events, call_start);
        // A failed `process_many` stops after the failing token; the caller goes on with the rest.
        let mut batched_errors = Vec::new();
        let mut rest = batch.as_slice();
        loop {
            let before = batched.tokens().len();
            match batched.process_many(rest, &mut batched_events) {
                Ok(_) => break,
                Err(e) => {
                    let processed = batched.tokens().len() - before;
                    assert_eq!(e.context.token_index, Some(batched.tokens().len() - 1), "the error names its token");
                    batched_errors.push(e);
                    rest = &rest[processed..];
                }
            }
        }
        assert_eq!(batched_errors, single_errors, "same errors per batch");
        // Cheap accessors after every batch; the costly ones once at the end (keeps runs fast).
        assert_eq!(live_state(&batched), live_state(&single), "same state after each batch");
        assert_eq!(batched_events.len(), single_events.len(), "same number of events");
    }

    let single_eos = single.process_eos_with_events(&mut single_events).map(|_| ());
    let batched_eos = batched.process_eos_with_events(&mut batched_events).map(|_| ());
    assert_eq!(batched_eos, single_eos, "same end of stream");
    assert_eq!(snapshot(&batched), snapshot(&single), "same state after the end of stream");
    assert_eq!(batched_events, single_events, "same events");
    check_events(&batched_events, batched.messages());
});
