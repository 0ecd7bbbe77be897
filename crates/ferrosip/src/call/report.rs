//! What a call reports: `getInfo`, its media, stream statistics and
//! setup, and `dump`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use media::rtp::{MathStat, RtcpStreamStat};

use super::info::{CallInfo, InvState, SipRole, StreamInfo, TimeVal};
use super::{Call, gone};
use crate::endpoint::lock;
use crate::error::Result;
use crate::media::{AudioMedia, StreamStat};

impl Call {
    /// The call's state (PJSUA2's `getInfo`).
    pub fn info(&self) -> Result<CallInfo> {
        let title = "Call::getInfo()";
        let runtime = self.runtime(title)?;
        let (account, setting, media, created, rem_offerer) = self.slot(title, |s| {
            (
                s.account,
                s.setting.clone(),
                s.media.clone(),
                s.created,
                s.rem_offerer,
            )
        })?;
        let id = self.id;
        let (status, now) = runtime.with_engine(|ua, now| (ua.call_status(id), now));
        let status = status.ok_or_else(|| gone(title))?;
        let (media_infos, rem_audio_count, rem_video_count) = {
            let m = lock(&media);
            (m.infos(), m.rem_audio_count, m.rem_video_count)
        };
        let end = status.disconnected_at.unwrap_or(now);
        let state = InvState::from(status.state);
        let role = match status.role {
            ua::CallRole::Caller => SipRole::Uac,
            ua::CallRole::Callee => SipRole::Uas,
        };
        Ok(CallInfo {
            id: self.id(),
            role,
            acc_id: i32::try_from(account.index).unwrap_or(i32::MAX),
            local_uri: status.local_uri,
            local_contact: status.local_contact,
            remote_uri: status.remote_uri,
            // As PJSUA prints it: the Contact's name-addr.
            remote_contact: status
                .remote_contact
                .map(|c| {
                    if c.starts_with('<') {
                        c
                    } else {
                        format!("<{c}>")
                    }
                })
                .unwrap_or_default(),
            call_id_string: status.call_id,
            setting,
            state,
            state_text: state.name().to_owned(),
            last_status_code: i32::from(status.last_code),
            last_reason: status.last_reason,
            prov_media: media_infos.clone(),
            media: media_infos,
            connect_duration: status
                .connected_at
                .map(|c| TimeVal::from(end.saturating_duration_since(c)))
                .unwrap_or_default(),
            total_duration: TimeVal::from(end.saturating_duration_since(created)),
            // The user agent does not say who offered: after a re-offer the
            // call knows (its own, or the peer's); before, an INVITE we
            // receive carries the offer but for a late-offer peer.
            rem_offerer: rem_offerer.unwrap_or(role == SipRole::Uas),
            rem_audio_count,
            rem_video_count,
        })
    }

    /// The conference port of media line `med_idx`'s audio stream (PJSUA2's
    /// `getAudioMedia`); −1 picks the first line with a stream. Connect it
    /// in `on_call_media_state`; it is gone when the stream is.
    pub fn audio_media(&self, med_idx: i32) -> Result<AudioMedia> {
        let title = "Call::getAudioMedia()";
        let media = self.media(title)?;
        let m = lock(&media);
        m.audio_media(med_idx, title)
    }

    /// RTP/RTCP statistics and jitter buffer state of media line
    /// `med_idx`'s stream (PJSUA2's `getStreamStat`; −1: the first).
    pub fn stream_stat(&self, med_idx: i32) -> Result<StreamStat> {
        let title = "Call::getStreamStat()";
        let media = self.media(title)?;
        let m = lock(&media);
        m.stream_stat(med_idx, title)
    }

    /// How media line `med_idx`'s stream was set up (PJSUA2's
    /// `getStreamInfo`; −1: the first).
    pub fn stream_info(&self, med_idx: i32) -> Result<StreamInfo> {
        let title = "Call::getStreamInfo()";
        let media = self.media(title)?;
        let m = lock(&media);
        m.stream_info(med_idx, title)
    }

    /// A text report of the call (PJSUA2's `dump`, the shape of
    /// `pjsua_call_dump`): state and peer, call time, and with `with_media`
    /// each stream's codec, direction, peer and RTP/RTCP statistics. Every
    /// line starts with `indent`.
    pub fn dump(&self, with_media: bool, indent: &str) -> Result<String> {
        let title = "Call::dump()";
        let info = self.info().map_err(|e| e.titled(title))?;
        let (created, first_response, media) =
            self.slot(title, |s| (s.created, s.first_response, s.media.clone()))?;
        let mut out = format!("{indent}[{}] {}\n", info.state.name(), info.remote_uri);
        let ms = |d: Duration| d.as_millis();
        let connected_after = info
            .total_duration
            .as_msec()
            .saturating_sub(info.connect_duration.as_msec());
        let first = first_response.map_or(0, |t| ms(t.saturating_duration_since(created)));
        let secs = info.connect_duration.sec;
        let _ = writeln!(
            out,
            "{indent}  Call time: {:02}h:{:02}m:{:02}s, 1st res in {first} ms, conn in {}ms",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60,
            if info.connect_duration == TimeVal::default() {
                0
            } else {
                connected_after
            }
        );
        if with_media {
            out.push_str(&lock(&media).dump(indent));
        }
        Ok(out)
    }
}

/// "00h:00m:01.234s" for how long ago `then` was.
fn ago(then: Option<Instant>) -> String {
    match then {
        None => "never".to_owned(),
        Some(t) => {
            let d = Instant::now().saturating_duration_since(t);
            let s = d.as_secs();
            format!(
                "{:02}h:{:02}m:{:02}.{:03}s ago",
                s / 3600,
                (s % 3600) / 60,
                s % 60,
                d.subsec_millis()
            )
        }
    }
}

/// Bytes with a unit, as pjsua prints them ("40.0KB").
fn good_number(n: u64) -> String {
    let n = n as f64;
    if n >= 1_000_000_000.0 {
        format!("{:.1}G", n / 1_000_000_000.0)
    } else if n >= 1_000_000.0 {
        format!("{:.1}M", n / 1_000_000.0)
    } else if n >= 1000.0 {
        format!("{:.1}K", n / 1000.0)
    } else {
        format!("{n:.0}")
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// A statistic in µs as pjsua's row of milliseconds: min avg max last.
fn msec_row(s: &MathStat) -> String {
    let f = |v: i64| v as f64 / 1000.0;
    format!(
        "{:7.3} {:7.3} {:7.3} {:7.3}",
        f(s.min),
        f(s.mean),
        f(s.max),
        f(s.last)
    )
}

/// One direction's totals: packets, bytes (with the 40 bytes of IP, UDP
/// and RTP headers per packet), average rates.
fn totals(s: &RtcpStreamStat, secs: f64) -> String {
    let with_headers = s.bytes + s.pkt * 40;
    let rate = |b: u64| {
        if secs > 0.0 {
            good_number((b as f64 * 8.0 / secs) as u64)
        } else {
            "0".to_owned()
        }
    };
    format!(
        "total {}pkt {}B ({}B +IP hdr) @avg={}bps/{}bps",
        good_number(s.pkt),
        good_number(s.bytes),
        good_number(with_headers),
        rate(s.bytes),
        rate(with_headers)
    )
}

/// The statistics part of one stream's dump (`dump_media_session`'s
/// shape).
pub(crate) fn write_stream_stat(
    out: &mut String,
    indent: &str,
    info: &StreamInfo,
    stat: &StreamStat,
) {
    let rtcp = &stat.rtcp;
    let secs = Instant::now()
        .saturating_duration_since(rtcp.start)
        .as_secs_f64();
    let rx = &rtcp.rx_stat;
    let tx = &rtcp.tx_stat;
    let expected = rx.pkt + rx.loss;
    let _ = writeln!(
        out,
        "{indent}     RX pt={}, last update:{}",
        info.rx_pt,
        ago(rx.update)
    );
    let _ = writeln!(out, "{indent}        {}", totals(rx, secs));
    let _ = writeln!(
        out,
        "{indent}        pkt loss={} ({:3.1}%), discrd={} ({:3.1}%), dup={} ({:2.1}%), reord={} ({:3.1}%)",
        rx.loss,
        pct(rx.loss, expected),
        rx.discard,
        pct(rx.discard, expected),
        rx.dup,
        pct(rx.dup, expected),
        rx.reorder,
        pct(rx.reorder, expected)
    );
    let _ = writeln!(
        out,
        "{indent}              (msec)    min     avg     max     last"
    );
    let _ = writeln!(
        out,
        "{indent}        loss period: {}",
        msec_row(&rx.loss_period_usec)
    );
    let _ = writeln!(
        out,
        "{indent}        jitter     : {}",
        msec_row(&rx.jitter_usec)
    );
    let _ = writeln!(
        out,
        "{indent}     TX pt={}, ptime={}, last update:{}",
        info.tx_pt,
        info.aud_codec_param.info.frame_len,
        ago(tx.update)
    );
    let _ = writeln!(out, "{indent}        {}", totals(tx, secs));
    let sent = tx.pkt.max(1);
    let _ = writeln!(
        out,
        "{indent}        pkt loss={} ({:3.1}%), dup={} ({:3.1}%), reorder={} ({:3.1}%)",
        tx.loss,
        pct(tx.loss, sent),
        tx.dup,
        pct(tx.dup, sent),
        tx.reorder,
        pct(tx.reorder, sent)
    );
    let _ = writeln!(
        out,
        "{indent}        loss period: {}",
        msec_row(&tx.loss_period_usec)
    );
    let _ = writeln!(
        out,
        "{indent}        jitter     : {}",
        msec_row(&tx.jitter_usec)
    );
    let _ = writeln!(
        out,
        "{indent}     RTT msec      : {}",
        msec_row(&rtcp.rtt_usec)
    );
}
