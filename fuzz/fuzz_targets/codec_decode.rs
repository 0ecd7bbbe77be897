//! Fuzzes every decoder of `media::codec` with arbitrary payloads, and the
//! RFC 4733 and RFC 3389 parsers: nothing may panic; a decoder's output
//! fits its buffer and has the length `decoded_len` announced; a
//! telephone-event payload reprints to the same event; the DTMF receiver
//! reports every event as a start then its end, once.
//!
//! Input: records of a selector byte, a length byte and that many payload
//! bytes (cut short by the end of the input). The selector picks a codec
//! from the manager's list (decode, or conceal/recover when its high bit
//! is set, with a small or large output buffer), the DTMF receiver (the
//! payload's first four bytes are the timestamp's offset), or comfort
//! noise.

#![no_main]

use libfuzzer_sys::fuzz_target;
use media::codec::cn::{CnParams, ComfortNoise};
use media::codec::telephone_event::{DtmfEvent, DtmfReceiver, TelephoneEvent};
use media::codec::{Codec, CodecManager};

fuzz_target!(|data: &[u8]| {
    let manager = CodecManager::new();
    let mut codecs: Vec<Box<dyn Codec>> = manager
        .codec_enum()
        .iter()
        .map(|c| {
            manager
                .create(&c.codec_id)
                .expect("listed codecs are created")
        })
        .collect();
    let mut receiver = DtmfReceiver::new(8000);
    let mut noise = ComfortNoise::new(7);
    let mut active: Option<u32> = None;
    let mut rest = data;
    while let [selector, len, tail @ ..] = rest {
        let take = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(take);
        rest = next;
        let which = usize::from(selector & 0x3F) % (codecs.len() + 2);
        if which < codecs.len() {
            let codec = &mut codecs[which];
            let frame = codec.format().frame_len();
            let mut out = vec![
                0i16;
                if selector & 0x40 != 0 {
                    frame
                } else {
                    frame.max(4096)
                }
            ];
            if selector & 0x80 != 0 {
                codec.conceal(&mut out[..frame]);
                codec.recover(payload, &mut out[..frame]);
            } else if let Ok(n) = codec.decode(payload, &mut out) {
                assert!(n <= out.len());
                assert_eq!(codec.decoded_len(payload), Ok(n));
            }
        } else if which == codecs.len() {
            if let Ok(e) = TelephoneEvent::parse(payload) {
                assert_eq!(TelephoneEvent::parse(&e.to_bytes()), Ok(e));
            }
            let ts = payload
                .get(4..8)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) % 4096);
            if selector & 0x80 != 0 {
                receiver.handle_time(ts.wrapping_mul(160));
            } else {
                let _ = receiver.handle_packet(ts, payload);
            }
            while let Some(event) = receiver.poll_event() {
                match event {
                    DtmfEvent::Started { timestamp, .. } => {
                        assert_eq!(active, None, "a start before the previous end");
                        active = Some(timestamp);
                    }
                    DtmfEvent::Ended { timestamp, .. } => {
                        assert_eq!(active, Some(timestamp), "an end without its start");
                        active = None;
                    }
                }
            }
        } else {
            if let Ok(p) = CnParams::parse(payload) {
                assert!(p.reflection.iter().all(|k| k.abs() < 1.0));
            }
            let _ = noise.handle_payload(payload);
            let mut out = [0i16; 160];
            noise.generate(&mut out);
        }
    }
});
