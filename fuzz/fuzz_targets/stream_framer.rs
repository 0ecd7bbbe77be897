//! Fuzzes `StreamFramer`: a stream cut into reads of any sizes must frame
//! into the same items as the stream pushed in one read.
//!
//! Input: one byte `n`, then `n % 16` bytes of read sizes (each byte + 1, so
//! 1 to 256), then the stream. The stream is pushed in reads of those sizes,
//! cycling through them (one byte per read if there are none), polling until
//! `None` after each push.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::ParseError;
use sip::stream::{StreamFramer, StreamItem};

/// One item as compared: framing errors by kind only, since the figures they
/// carry (how much was buffered when the limit was hit) depend on the reads.
#[derive(Debug, PartialEq)]
enum Seen {
    Item(StreamItem),
    FramingError(std::mem::Discriminant<ParseError>),
}

fn drain(framer: &mut StreamFramer, seen: &mut Vec<Seen>) {
    while let Some(item) = framer.poll() {
        seen.push(match item {
            Ok(item) => {
                if let StreamItem::Message(m) = &item {
                    // A framed message is a valid message: it prints to bytes
                    // that parse again.
                    let printed = m.to_bytes();
                    if let Err(e) = sip::Message::parse(&printed) {
                        panic!(
                            "framed message does not reparse ({e}):\n{}",
                            String::from_utf8_lossy(&printed)
                        );
                    }
                }
                Seen::Item(item)
            }
            Err(e) => Seen::FramingError(std::mem::discriminant(&e)),
        });
        assert!(seen.len() <= 1 << 16, "framer yields without end");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 16).min(rest.len());
    let (sizes, stream) = rest.split_at(n);
    let sizes: Vec<usize> = if sizes.is_empty() {
        vec![1]
    } else {
        sizes.iter().map(|&s| usize::from(s) + 1).collect()
    };

    let mut whole = StreamFramer::new();
    let mut expected = Vec::new();
    whole.push(stream);
    drain(&mut whole, &mut expected);

    let mut chunked = StreamFramer::new();
    let mut seen = Vec::new();
    let mut at = 0;
    for &size in sizes.iter().cycle() {
        if at >= stream.len() {
            break;
        }
        let end = (at + size).min(stream.len());
        chunked.push(&stream[at..end]);
        drain(&mut chunked, &mut seen);
        at = end;
    }
    // An empty stream gives nothing either way.
    drain(&mut chunked, &mut seen);

    assert_eq!(seen, expected, "chunked framing differs from whole framing");
    assert_eq!(chunked.buffered(), whole.buffered());
    assert_eq!(chunked.error().is_some(), whole.error().is_some());
});
