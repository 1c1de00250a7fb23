//! Decoding arbitrary ids: never panics; bytes, strict and lossy decodes agree with each other
//! and with the per-token queries.
#![no_main]

use harmony_core::tokenizer::{Tokenizer, FIRST_SPECIAL, LAST_SPECIAL, VOCAB_SIZE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tk = Tokenizer::get();
    // Ids mostly inside the vocabulary or just past it; a 0xff marker keeps the raw value.
    let tokens: Vec<u32> = data
        .chunks_exact(4)
        .map(|c| {
            let raw = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            if c[3] == 0xff {
                raw
            } else {
                raw % (VOCAB_SIZE + 64)
            }
        })
        .collect();

    for &t in &tokens {
        let special = (FIRST_SPECIAL..=LAST_SPECIAL).contains(&t);
        assert_eq!(tk.token_bytes(t).is_some(), t < VOCAB_SIZE);
        assert_eq!(tk.is_special_token(t), special);
        match tk.special_token_text(t) {
            Some(text) => {
                assert!(special);
                assert_eq!(tk.special_token_id(text), Some(t));
                assert_eq!(tk.token_bytes(t), Some(text.as_bytes()));
            }
            None => assert!(!special),
        }
    }

    let mut buffer = b"prefix".to_vec();
    let into = tk.decode_bytes_into(&tokens, &mut buffer);
    let bytes = tk.decode_bytes(&tokens);
    let lossy = tk.decode_lossy(&tokens);
    let strict = tk.decode_utf8(&tokens);
    match &bytes {
        Ok(b) => {
            assert!(into.is_ok());
            assert_eq!(&buffer[6..], b.as_slice());
            assert_eq!(lossy.as_deref(), Ok(String::from_utf8_lossy(b).as_ref()));
            match (String::from_utf8(b.clone()), strict) {
                (Ok(s), Ok(t)) => assert_eq!(s, t),
                (Err(e), Err(err)) => {
                    assert_eq!(err.message, format!("Could not decode tokens: Invalid utf-8 sequence: {e}"))
                }
                (a, b) => panic!("strict decode disagrees with the bytes: {a:?} vs {b:?}"),
            }
        }
        Err(e) => {
            let (index, bad) = tokens.iter().enumerate().find(|(_, &t)| t >= VOCAB_SIZE).expect("an unknown id");
            assert_eq!(e.message, format!("Invalid token for decoding: {bad}"));
            assert_eq!(e.context.token_index, Some(index));
            assert_eq!(into.as_ref().map_err(|e| &e.message), Err(&e.message));
            assert_eq!(buffer, b"prefix", "a failed decode leaves the buffer as it was");
            assert_eq!(lossy.map_err(|l| l.message), Err(e.message.clone()));
            assert_eq!(
                strict.map_err(|s| s.message),
                Err(format!("Could not decode tokens: Invalid token error: {}", e.message))
            );
        }
    }
});
