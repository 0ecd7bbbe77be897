//! Nothing on the wire makes a decoder panic: arbitrary payloads into
//! every codec, the telephone-event receiver and comfort noise.

use media::codec::cn::ComfortNoise;
use media::codec::telephone_event::{DtmfReceiver, TelephoneEvent};
use media::codec::{Codec, CodecManager};
use proptest::prelude::*;

fn all_codecs() -> Vec<Box<dyn Codec>> {
    let m = CodecManager::new();
    m.codec_enum()
        .iter()
        .map(|c| m.create(&c.codec_id).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoders_never_panic(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..2000), 1..6),
        lost in prop::collection::vec(any::<bool>(), 6),
        small in any::<bool>(),
    ) {
        for mut codec in all_codecs() {
            let frame = codec.format().frame_len();
            for (payload, &lose) in payloads.iter().zip(&lost) {
                let mut out = vec![0i16; if small { frame } else { 10_000 }];
                if lose {
                    codec.conceal(&mut out[..frame]);
                    codec.recover(payload, &mut out[..frame]);
                    continue;
                }
                if let Ok(n) = codec.decode(payload, &mut out) {
                    prop_assert!(n <= out.len());
                    prop_assert_eq!(Ok(n), codec.decoded_len(payload));
                }
            }
        }
    }

    #[test]
    fn event_and_noise_parsers_never_panic(
        packets in prop::collection::vec((any::<u32>(), prop::collection::vec(any::<u8>(), 0..12)), 0..40),
        noise in prop::collection::vec(any::<u8>(), 0..80),
        now in any::<u32>(),
    ) {
        let mut receiver = DtmfReceiver::new(8000);
        for (ts, payload) in &packets {
            let _ = receiver.handle_packet(*ts, payload);
            if let Ok(e) = TelephoneEvent::parse(payload) {
                prop_assert_eq!(TelephoneEvent::parse(&e.to_bytes()), Ok(e));
            }
        }
        receiver.handle_time(now);
        while receiver.poll_event().is_some() {}
        let mut cn = ComfortNoise::new(1);
        let _ = cn.handle_payload(&noise);
        let mut out = [0i16; 160];
        cn.generate(&mut out);
    }
}
