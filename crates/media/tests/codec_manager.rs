//! The codec manager against PJSUA2's behaviour (2.15.1, observed through
//! its Python module): default list and priorities, `codecSetPriority`'s
//! prefix matching and ordering, `codecGetParam`/`codecSetParam`.

use media::codec::{CodecError, CodecManager, CodecParam};

fn order(m: &CodecManager) -> Vec<(String, u8)> {
    m.codec_enum()
        .into_iter()
        .map(|c| (c.codec_id, c.priority))
        .collect()
}

fn ids(m: &CodecManager) -> Vec<String> {
    m.codec_enum().into_iter().map(|c| c.codec_id).collect()
}

const L16_IDS: [&str; 8] = [
    "L16/44100/1",
    "L16/44100/2",
    "L16/8000/1",
    "L16/8000/2",
    "L16/16000/1",
    "L16/16000/2",
    "L16/48000/1",
    "L16/48000/2",
];

#[test]
fn default_list_has_pjsua2_priorities() {
    let m = CodecManager::new();
    let got = order(&m);
    let mut expected: Vec<(String, u8)> = ["PCMU/8000/1", "PCMA/8000/1", "G722/16000/1"]
        .iter()
        .map(|id| (id.to_string(), 128))
        .collect();
    if cfg!(feature = "opus") {
        // Opus keeps PJSIP's normal priority; disabling L16 then moves it
        // up by PJSIP's swapping sort, which sends L16/44100/1 last.
        expected.push(("opus/48000/2".into(), 128));
        expected.extend(L16_IDS[1..].iter().map(|id| (id.to_string(), 0)));
        expected.push((L16_IDS[0].into(), 0));
    } else {
        expected.extend(L16_IDS.iter().map(|id| (id.to_string(), 0)));
    }
    assert_eq!(got, expected);
    assert!(m.codec_enum().iter().all(|c| c.desc.is_empty()));
}

#[test]
fn priorities_follow_pjsip_rules() {
    let mut m = CodecManager::new();
    // 255 goes first and is stored as 254, as PJSUA2 reports it.
    m.set_priority("PCMA", 255).unwrap();
    assert_eq!(order(&m)[0], ("PCMA/8000/1".into(), 254));
    m.set_priority("G722", 255).unwrap();
    assert_eq!(
        ids(&m)[..3],
        ["G722/16000/1", "PCMA/8000/1", "PCMU/8000/1"].map(String::from)
    );
    assert_eq!(order(&m)[1].1, 254);
    // Prefixes are case-insensitive.
    m.set_priority("pcmu/8000", 200).unwrap();
    assert_eq!(order(&m)[2], ("PCMU/8000/1".into(), 200));
    m.set_priority("L16/44100/2", 140).unwrap();
    assert_eq!(order(&m)[3], ("L16/44100/2".into(), 140));
    // Unknown ids, and ids longer than any codec's, are not found.
    assert_eq!(
        m.set_priority("speex", 1),
        Err(CodecError::NotFound("speex".into()))
    );
    assert!(m.set_priority("PCMU/8000/1/x", 1).is_err());
    // A prefix may select several; the empty one selects all.
    m.set_priority("L16", 0).unwrap();
    assert!(
        order(&m)
            .iter()
            .filter(|c| c.0.starts_with("L16"))
            .all(|c| c.1 == 0)
    );
    m.set_priority("", 100).unwrap();
    assert!(order(&m).iter().all(|c| c.1 == 100));
    // 0 disables: the codec goes last and is no longer offered.
    m.set_priority("PCMU", 0).unwrap();
    assert_eq!(order(&m).last().unwrap(), &("PCMU/8000/1".to_string(), 0));
    assert!(m.enabled().all(|(d, _)| d.encoding_name != "PCMU"));
}

#[test]
fn default_params_are_pjsua2s() {
    let m = CodecManager::new();
    let p = m.param("PCMU/8000/1").unwrap();
    let i = &p.info;
    assert_eq!(
        (
            i.clock_rate,
            i.channel_cnt,
            i.avg_bps,
            i.max_bps,
            i.max_rx_frame_size
        ),
        (8000, 1, 64_000, 64_000, 0)
    );
    assert_eq!(
        (i.frame_len, i.pcm_bits_per_sample, i.pt, i.fmt_id),
        (10, 16, 0, 0)
    );
    let s = &p.setting;
    assert_eq!(
        (s.frm_per_pkt, s.vad, s.cng, s.penh, s.plc),
        (2, true, false, false, true)
    );
    assert!(s.enc_fmtp.is_empty() && s.dec_fmtp.is_empty());
    assert_eq!((s.packet_loss, s.complexity, s.cbr), (0, 0, false));

    assert_eq!(m.param("PCMA/8000/1").unwrap().info.pt, 8);
    let g722 = m.param("g722").unwrap();
    assert_eq!(
        (g722.info.clock_rate, g722.info.pt, g722.info.frame_len),
        (16_000, 9, 10)
    );
    // A prefix gives the first match in the list.
    let first_l16 = ids(&m)
        .into_iter()
        .find(|id| id.starts_with("L16"))
        .unwrap();
    assert_eq!(m.param("L16").unwrap(), m.param(&first_l16).unwrap());
    let l16 = m.param("L16/44100/1").unwrap();
    assert_eq!((l16.info.clock_rate, l16.info.avg_bps), (44_100, 705_600));
    assert_eq!((l16.info.frame_len, l16.setting.frm_per_pkt), (10, 1));
    let stereo = m.param("L16/44100/2").unwrap();
    assert_eq!(
        (stereo.info.channel_cnt, stereo.info.pt, stereo.info.max_bps),
        (2, 10, 1_411_200)
    );
    assert_eq!(m.param("L16/16000/1").unwrap().info.frame_len, 20);
    assert!(matches!(m.param("GSM"), Err(CodecError::NotFound(_))));
}

#[test]
fn set_param_changes_what_create_makes() {
    let mut m = CodecManager::new();
    let mut p = m.param("PCMU/8000/1").unwrap();
    p.setting.frm_per_pkt = 3;
    p.info.frame_len = 20;
    p.setting
        .dec_fmtp
        .push(media::codec::CodecFmtp::new("foo", "bar"));
    m.set_param("PCMU", p.clone()).unwrap();
    assert_eq!(m.param("PCMU/8000/1").unwrap(), p);
    // PCMA is untouched.
    assert_eq!(m.param("PCMA").unwrap().setting.frm_per_pkt, 2);
    let codec = m.create("PCMU").unwrap();
    assert_eq!(codec.format().samples_per_frame, 480);
    m.reset_param("PCMU").unwrap();
    assert_eq!(m.create("PCMU").unwrap().format().samples_per_frame, 160);
}

#[test]
fn set_param_refuses_what_cannot_work() {
    let mut m = CodecManager::new();
    let p = m.param("PCMA").unwrap();
    // PJSUA2 asserts on an ambiguous id; here it is an error.
    assert_eq!(
        m.set_param("PCM", p.clone()),
        Err(CodecError::Ambiguous("PCM".into()))
    );
    assert!(matches!(
        m.set_param("XX", p.clone()),
        Err(CodecError::NotFound(_))
    ));
    let mut bad = p.clone();
    bad.info.clock_rate = 16_000;
    assert!(matches!(
        m.set_param("PCMA", bad),
        Err(CodecError::InvalidParam(_))
    ));
    let mut bad = p;
    bad.info.frame_len = 0;
    assert!(matches!(
        m.set_param("PCMA", bad),
        Err(CodecError::InvalidParam(_))
    ));
    assert!(matches!(m.create("speex"), Err(CodecError::NotFound(_))));
}

#[test]
fn every_listed_codec_can_be_created() {
    let m = CodecManager::new();
    for info in m.codec_enum() {
        let codec = m.create(&info.codec_id).unwrap();
        assert_eq!(codec.desc().id(), info.codec_id);
        let p: CodecParam = m.param(&info.codec_id).unwrap();
        assert_eq!(codec.format().clock_rate, p.info.clock_rate);
    }
}
