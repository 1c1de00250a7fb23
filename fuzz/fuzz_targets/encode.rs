//! Encoding: arbitrary text with each special-token setting decodes back to itself, counts
//! match, only allowed specials appear, and the tiktoken-style check agrees with the scan.
#![no_main]

use harmony_core::tokenizer::{SpecialTokenSet, Tokenizer, FIRST_SPECIAL};
use harmony_core::ErrorCode;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// Texts that special-token handling hinges on; not all of them are special tokens.
const SPECIAL_LIKE: &[&str] = &[
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|call|>",
    "<|return|>",
    "<|endoftext|>",
    "<|startoftext|>",
    "<|reserved_200013|>",
    "<|reserved_201088|>",
    "<|reserved_201089|>",
    "<|refusal|>",
    "<|",
    "",
];

/// Text: runs of arbitrary UTF-8 with special-token(-like) texts in between.
fn text(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    while !u.is_empty() && s.len() < 1 << 14 {
        if u.ratio(1, 4)? {
            s.push_str(u.choose(SPECIAL_LIKE)?);
        } else {
            let len = u.int_in_range(0..=32)?;
            s.push_str(&String::from_utf8_lossy(u.bytes(len.min(u.len()))?));
        }
    }
    Ok(s)
}

fn special_set(u: &mut Unstructured) -> Result<SpecialTokenSet> {
    Ok(match u.int_in_range(0..=3)? {
        0 => SpecialTokenSet::none(),
        1 => SpecialTokenSet::All,
        _ => {
            let n = u.int_in_range(0..=4)?;
            SpecialTokenSet::Listed(
                (0..n).map(|_| u.choose(SPECIAL_LIKE).map(|s| (*s).to_owned())).collect::<Result<_>>()?,
            )
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(allowed), Ok(disallowed), Ok(text)) = (special_set(&mut u), special_set(&mut u), text(&mut u)) else {
        return;
    };
    let tk = Tokenizer::get();

    let ordinary = tk.encode_ordinary(&text);
    assert_eq!(tk.decode_utf8(&ordinary).as_deref(), Ok(text.as_str()), "ordinary round trip");
    assert_eq!(tk.count_ordinary(&text), ordinary.len());
    assert!(ordinary.iter().all(|&t| t < FIRST_SPECIAL), "ordinary text has no special ids");

    let mut with_specials = Vec::new();
    tk.encode_into(&text, &allowed, &mut with_specials);
    assert_eq!(tk.decode_utf8(&with_specials).as_deref(), Ok(text.as_str()), "round trip with {allowed:?}");
    assert_eq!(tk.count(&text, &allowed), with_specials.len());
    for &t in with_specials.iter().filter(|&&t| tk.is_special_token(t)) {
        let special = tk.special_token_text(t).expect("a special id has a text");
        assert!(allowed.contains(special), "{special} is not allowed by {allowed:?}");
    }
    if allowed.is_empty() {
        assert_eq!(with_specials, ordinary, "nothing allowed is ordinary encoding");
    }

    match tk.encode_checked(&text, &allowed, &disallowed) {
        Ok(tokens) => assert_eq!(tokens, with_specials, "a passing check encodes like the scan"),
        Err(e) => {
            assert_eq!(e.code, ErrorCode::DisallowedSpecial);
            let offending = e.context.field.as_deref().expect("the offending text is named");
            assert!(text.contains(offending), "{offending} is in the text");
            match &disallowed {
                SpecialTokenSet::All => {
                    assert!(tk.special_token_id(offending).is_some() && !allowed.contains(offending))
                }
                listed => assert!(listed.contains(offending)),
            }
        }
    }
});
