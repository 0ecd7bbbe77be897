//! Packet loss concealment for waveform codecs (G.711, L16, G.722).
//!
//! The idea is ITU-T G.711 Appendix I's: while packets are missing, repeat
//! the last pitch period of the signal heard so far, so that a voiced sound
//! goes on at its own pitch instead of dropping to silence or clicking.
//! Written here from that published description:
//!
//! - When a loss begins, the pitch period is estimated from the last
//!   20 ms of history by normalised cross-correlation, over lags of 5 to
//!   15 ms (a coarse search on a decimated grid, then a fine one around the
//!   best coarse lag).
//! - The concealment repeats a template of the last pitch period. The
//!   template's end is cross-faded into the signal one template earlier, so
//!   that each repetition joins the next without a step; the very first
//!   sample is corrected by the mismatch between the real last sample and
//!   the template's predecessor, decaying over a quarter period, so the
//!   switch from real to synthetic signal is smooth too.
//! - After 10 ms of loss the template grows to two pitch periods, after
//!   20 ms to three (cross-faded over a quarter period at the same phase),
//!   which avoids the buzz of a single period repeated for long.
//! - The first 10 ms are played at full level; then the level falls by 20 %
//!   of full scale every 10 ms, reaching silence after 60 ms.
//! - The first good frame after a loss is cross-faded with the continuation
//!   of the concealment over 4 ms, plus 4 ms for every further 10 ms lost
//!   (at most 10 ms).
//!
//! Unlike Appendix I, the output is not delayed: the smoothing at the start
//! of a loss works on the synthetic side only.
//!
//! Each channel of interleaved audio is concealed on its own.

/// Loss concealment state for one audio stream.
#[derive(Debug, Clone)]
pub struct Plc {
    channels: Vec<ChannelPlc>,
}

impl Plc {
    /// Concealment for audio at `clock_rate` Hz with `channels` interleaved
    /// channels.
    pub fn new(clock_rate: u32, channels: u16) -> Self {
        Self {
            channels: (0..channels.max(1))
                .map(|_| ChannelPlc::new(clock_rate))
                .collect(),
        }
    }

    /// Takes a frame of good (decoded) interleaved audio into the history.
    /// If it follows concealed audio, its start is cross-faded in place with
    /// the continuation of the concealment.
    pub fn good_frame(&mut self, frame: &mut [i16]) {
        let n = self.channels.len();
        if let [plc] = self.channels.as_mut_slice() {
            if plc.is_plain() {
                // Nothing to cross-fade: the frame only goes into the
                // history, unchanged.
                plc.push_frame(frame);
                return;
            }
            for s in frame.iter_mut() {
                *s = plc.good_sample(*s);
            }
            return;
        }
        for (c, plc) in self.channels.iter_mut().enumerate() {
            for s in frame.iter_mut().skip(c).step_by(n) {
                *s = plc.good_sample(*s);
            }
        }
    }

    /// Fills `out` (interleaved) with the concealment of missing audio.
    pub fn conceal(&mut self, out: &mut [i16]) {
        let n = self.channels.len();
        for (c, plc) in self.channels.iter_mut().enumerate() {
            for s in out.iter_mut().skip(c).step_by(n) {
                *s = to_i16(plc.concealed_sample());
            }
        }
    }

    /// Forgets the history (a new talk spurt from another source).
    pub fn reset(&mut self) {
        for plc in &mut self.channels {
            plc.reset();
        }
    }

    /// Whether the last frame was concealed.
    pub fn is_concealing(&self) -> bool {
        self.channels.first().is_some_and(|c| c.concealing)
    }
}

fn to_i16(v: f32) -> i16 {
    // `as` saturates on float to int conversion.
    v.round() as i16
}

#[derive(Debug, Clone)]
struct ChannelPlc {
    /// Ring buffer of the most recent samples heard.
    ring: Vec<f32>,
    /// Index of the oldest sample in `ring`.
    head: usize,
    /// `ring` in time order, copied when a loss begins.
    hist: Vec<f32>,
    pitch_min: usize,
    pitch_max: usize,
    corr_len: usize,
    coarse_step: usize,
    ten_ms: usize,
    /// A loss is going on: the last sample given out was synthetic.
    concealing: bool,
    /// A synthetic continuation exists (during a loss and the cross-fade
    /// after it).
    synth_active: bool,
    /// Samples synthesised since the loss began.
    elapsed: usize,
    pitch: usize,
    periods: usize,
    template: Vec<f32>,
    pos: usize,
    /// The template being faded out after a change of period count.
    old_template: Vec<f32>,
    old_pos: usize,
    fade_left: usize,
    fade_len: usize,
    /// Mismatch at the first synthetic sample, decaying over a quarter
    /// period.
    start_offset: f32,
    /// Good samples still to cross-fade with the concealment.
    ola_left: usize,
    ola_len: usize,
}

impl ChannelPlc {
    fn new(clock_rate: u32) -> Self {
        let rate = clock_rate.max(1000) as usize;
        let pitch_min = rate * 5 / 1000;
        let pitch_max = rate * 15 / 1000;
        let len = 3 * pitch_max + pitch_max / 4 + 2;
        Self {
            ring: vec![0.0; len],
            head: 0,
            hist: vec![0.0; len],
            pitch_min,
            pitch_max,
            corr_len: rate * 20 / 1000,
            coarse_step: (rate / 4000).max(1),
            ten_ms: rate / 100,
            concealing: false,
            synth_active: false,
            elapsed: 0,
            pitch: pitch_max,
            periods: 1,
            template: Vec::with_capacity(3 * pitch_max),
            pos: 0,
            old_template: Vec::with_capacity(3 * pitch_max),
            old_pos: 0,
            fade_left: 0,
            fade_len: 0,
            start_offset: 0.0,
            ola_left: 0,
            ola_len: 0,
        }
    }

    fn reset(&mut self) {
        self.ring.fill(0.0);
        self.concealing = false;
        self.synth_active = false;
        self.ola_left = 0;
    }

    fn push(&mut self, v: f32) {
        self.ring[self.head] = v;
        self.head += 1;
        if self.head == self.ring.len() {
            self.head = 0;
        }
    }

    /// No loss going on and no cross-fade after one.
    fn is_plain(&self) -> bool {
        !self.concealing && self.ola_left == 0
    }

    /// Appends good samples to the history ring, in at most two copies.
    fn push_frame(&mut self, frame: &[i16]) {
        let len = self.ring.len();
        // Only the newest `len` samples stay; the older ones would have
        // gone round the ring.
        let skip = frame.len().saturating_sub(len);
        self.head = (self.head + skip) % len;
        let frame = &frame[skip..];
        let first = frame.len().min(len - self.head);
        let (a, b) = frame.split_at(first);
        for (d, &s) in self.ring[self.head..self.head + first].iter_mut().zip(a) {
            *d = f32::from(s);
        }
        for (d, &s) in self.ring[..b.len()].iter_mut().zip(b) {
            *d = f32::from(s);
        }
        self.head = (self.head + frame.len()) % len;
    }

    fn quarter(&self) -> usize {
        (self.pitch / 4).max(1)
    }

    fn good_sample(&mut self, s: i16) -> i16 {
        if !self.concealing && self.ola_left == 0 {
            // The common case: nothing to cross-fade, the sample only
            // goes into the history.
            self.push(f32::from(s));
            return s;
        }
        if self.concealing {
            self.concealing = false;
            // 4 ms per 10 ms lost (begun), at most 10 ms.
            let lost_tens = self.elapsed.div_ceil(self.ten_ms);
            self.ola_len = (self.ten_ms * 4 / 10 * lost_tens).min(self.ten_ms);
            self.ola_left = self.ola_len;
        }
        let mut v = f32::from(s);
        if self.ola_left > 0 {
            let k = self.ola_len - self.ola_left;
            let w = (k + 1) as f32 / (self.ola_len + 1) as f32;
            v = w * v + (1.0 - w) * self.synth_sample();
            self.ola_left -= 1;
            if self.ola_left == 0 {
                self.synth_active = false;
            }
        }
        self.push(v);
        to_i16(v)
    }

    fn concealed_sample(&mut self) -> f32 {
        if !self.concealing {
            self.concealing = true;
            self.ola_left = 0;
            // A loss resumed during the cross-fade goes on with the same
            // synthetic signal.
            if !self.synth_active {
                self.begin_loss();
            }
        }
        self.synth_sample()
    }

    fn begin_loss(&mut self) {
        let len = self.ring.len();
        for (i, h) in self.hist.iter_mut().enumerate() {
            *h = self.ring[(self.head + i) % len];
        }
        self.pitch = estimate_pitch(
            &self.hist,
            self.pitch_min,
            self.pitch_max,
            self.corr_len,
            self.coarse_step,
        );
        self.synth_active = true;
        self.elapsed = 0;
        self.fade_left = 0;
        self.build_template(1);
        self.pos = 0;
        // The template's first sample follows hist[len - pitch - 1], but
        // what was heard last is hist[len - 1].
        self.start_offset = self.hist[len - 1] - self.hist[len - self.pitch - 1];
    }

    /// The last `periods` pitch periods of the history, with the end
    /// cross-faded into the signal one template earlier so that the
    /// template repeats without a step.
    fn build_template(&mut self, periods: usize) {
        self.periods = periods;
        let h = self.hist.len();
        let t = periods * self.pitch;
        let base = h - t;
        self.template.clear();
        self.template.extend_from_slice(&self.hist[base..]);
        let r = self.quarter();
        for j in 0..r {
            let i = t - r + j;
            let w = (j + 1) as f32 / (r + 1) as f32;
            self.template[i] = (1.0 - w) * self.hist[base + i] + w * self.hist[base + i - t];
        }
    }

    fn grow(&mut self, periods: usize) {
        std::mem::swap(&mut self.template, &mut self.old_template);
        self.old_pos = self.pos;
        self.build_template(periods);
        // Same phase, in the oldest period: material not heard yet.
        self.pos = self.old_pos % self.pitch;
        self.fade_len = self.quarter();
        self.fade_left = self.fade_len;
    }

    fn synth_sample(&mut self) -> f32 {
        let e = self.elapsed;
        if e == self.ten_ms && self.periods == 1 {
            self.grow(2);
        } else if e == 2 * self.ten_ms && self.periods == 2 {
            self.grow(3);
        }
        let mut v = self.template[self.pos];
        self.pos = (self.pos + 1) % self.template.len();
        if self.fade_left > 0 {
            let w_old = self.fade_left as f32 / (self.fade_len + 1) as f32;
            v = (1.0 - w_old) * v + w_old * self.old_template[self.old_pos];
            self.old_pos = (self.old_pos + 1) % self.old_template.len();
            self.fade_left -= 1;
        }
        let q = self.quarter();
        if e < q {
            v += self.start_offset * (q - e) as f32 / (q + 1) as f32;
        }
        let gain = if e < self.ten_ms {
            1.0
        } else {
            (1.0 - 0.2 * (e - self.ten_ms) as f32 / self.ten_ms as f32).max(0.0)
        };
        self.elapsed = e.saturating_add(1);
        v * gain
    }
}

/// The lag in `pitch_min..=pitch_max` at which the last `corr_len` samples
/// of `x` best match the signal that many samples earlier (normalised
/// cross-correlation), found on a grid of `step` then refined.
fn estimate_pitch(
    x: &[f32],
    pitch_min: usize,
    pitch_max: usize,
    corr_len: usize,
    step: usize,
) -> usize {
    let h = x.len();
    let start = h - corr_len.min(h - pitch_max);
    let score = |lag: usize, stride: usize| -> f64 {
        let (mut xy, mut yy) = (0.0f64, 0.0f64);
        for n in (start..h).step_by(stride) {
            let a = f64::from(x[n]);
            let b = f64::from(x[n - lag]);
            xy += a * b;
            yy += b * b;
        }
        if yy > 0.0 { xy / yy.sqrt() } else { 0.0 }
    };
    let best_of = |lags: &mut dyn Iterator<Item = usize>, stride: usize| {
        let mut best = (pitch_max, f64::NEG_INFINITY);
        for lag in lags {
            let s = score(lag, stride);
            if s > best.1 {
                best = (lag, s);
            }
        }
        best.0
    };
    let coarse = best_of(&mut (pitch_min..=pitch_max).step_by(step), step);
    let lo = coarse.saturating_sub(step - 1).max(pitch_min);
    let hi = (coarse + step - 1).min(pitch_max);
    best_of(&mut (lo..=hi), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, n: usize, offset: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = (i + offset) as f32 / rate as f32;
                (8000.0 * (2.0 * std::f32::consts::PI * freq * t).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn frames_copied_whole_fill_the_history_as_sample_by_sample() {
        // Frame sizes around and beyond the ring's length, so the copy
        // wraps, and a frame longer than the whole ring.
        let mut whole = ChannelPlc::new(8000);
        let mut single = ChannelPlc::new(8000);
        let len = whole.ring.len();
        for (k, n) in [160, 80, len - 3, 7, 2 * len + 5, 160]
            .into_iter()
            .enumerate()
        {
            let frame = tone(440.0, 8000, n, 1000 * k);
            whole.push_frame(&frame);
            for &s in &frame {
                single.good_sample(s);
            }
            assert_eq!(whole.head, single.head, "frame {k}");
            assert_eq!(whole.ring, single.ring, "frame {k}");
        }
    }

    #[test]
    fn finds_the_period_of_a_tone() {
        let x: Vec<f32> = tone(200.0, 8000, 400, 0)
            .iter()
            .map(|&v| f32::from(v))
            .collect();
        let lag = estimate_pitch(&x, 40, 120, 160, 2);
        assert_eq!(
            lag % 40,
            0,
            "lag {lag} is not a multiple of the 40-sample period"
        );
    }

    #[test]
    fn silence_stays_silent() {
        let mut plc = Plc::new(8000, 1);
        let mut out = [1i16; 160];
        plc.conceal(&mut out);
        assert!(out.iter().all(|&s| s == 0));
        assert!(plc.is_concealing());
    }

    #[test]
    fn long_losses_fade_to_silence() {
        let mut plc = Plc::new(8000, 1);
        let mut frame = tone(440.0, 8000, 480, 0);
        plc.good_frame(&mut frame);
        let mut out = vec![0i16; 160];
        for _ in 0..4 {
            plc.conceal(&mut out);
        }
        assert!(
            out[80..].iter().all(|&s| s == 0),
            "still audible after 60 ms"
        );
    }
}
