//! Format conversion between a port and the bridge: channel count, then
//! clock rate, keeping the resampler's state from frame to frame.
//!
//! Each direction of each port that differs from the bridge gets one
//! rate converter fed fixed-size chunks (the producer's frames). Its
//! output per chunk varies (11.025 kHz frames of 220 samples give 319 or
//! 320 at 16 kHz), so the output goes to a [`SampleFifo`] and the consumer
//! takes whole frames from there: nothing is lost or repeated, only delayed
//! by the filter (2 ms at 8 ↔ 16 kHz).
//!
//! The converter is the polyphase FIR of [`crate::resample`], whose filter
//! is designed once per rate pair and shared by every port. Rate pairs it
//! does not cover (coprime rates such as 44 101 Hz and 16 kHz, whose
//! filter would need tens of thousands of phases) use rubato's cubic
//! polynomial resampler.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, PolynomialDegree, Resampler};

use crate::resample::{FilterBank, PolyphaseResampler};

use super::channels::remix;
use super::error::BridgeError;
use super::fifo::SampleFifo;
use super::level::round_to_i16;

/// Converts fixed-size chunks of interleaved samples from one rate and
/// channel count to another, appending the result to a FIFO.
pub(crate) struct FormatConverter {
    from_channels: usize,
    to_channels: usize,
    /// The resampler works at the smaller channel count.
    mid_channels: usize,
    chunk_frames: usize,
    resampler: Option<RateConverter>,
    mid_in: Vec<f32>,
    mid_out: Vec<f32>,
    scratch: Vec<f32>,
}

impl std::fmt::Debug for FormatConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormatConverter")
            .field("from_channels", &self.from_channels)
            .field("to_channels", &self.to_channels)
            .field("chunk_frames", &self.chunk_frames)
            .field("resamples", &self.resampler.is_some())
            .finish()
    }
}

impl FormatConverter {
    /// A converter taking chunks of `chunk_frames` frames at
    /// `from_rate`/`from_channels`.
    pub(crate) fn new(
        from_rate: u32,
        from_channels: u16,
        chunk_frames: usize,
        to_rate: u32,
        to_channels: u16,
    ) -> Result<Self, BridgeError> {
        let from_channels = usize::from(from_channels);
        let to_channels = usize::from(to_channels);
        let mid_channels = from_channels.min(to_channels);
        let resampler = if from_rate == to_rate {
            None
        } else {
            Some(make_resampler(
                from_rate,
                to_rate,
                chunk_frames,
                mid_channels,
            )?)
        };
        let out_frames = resampler
            .as_ref()
            .map_or(chunk_frames, |r| r.output_frames_max(chunk_frames));
        Ok(Self {
            from_channels,
            to_channels,
            mid_channels,
            chunk_frames,
            resampler,
            mid_in: vec![0.0; chunk_frames * mid_channels],
            mid_out: vec![0.0; out_frames * mid_channels],
            scratch: Vec::new(),
        })
    }

    /// Converts one chunk (`chunk_frames` frames of the input format) and
    /// appends what comes out to `out`.
    pub(crate) fn convert(&mut self, input: &[i16], out: &mut SampleFifo) {
        debug_assert_eq!(input.len(), self.chunk_frames * self.from_channels);
        if self.from_channels == self.mid_channels {
            for (d, &s) in self.mid_in.iter_mut().zip(input) {
                *d = f32::from(s);
            }
        } else {
            self.scratch.clear();
            self.scratch.extend(input.iter().map(|&s| f32::from(s)));
            remix(
                &self.scratch,
                self.from_channels,
                &mut self.mid_in,
                self.mid_channels,
            );
        }
        let frames = match self.resampler.as_mut() {
            None => {
                self.mid_out.clear();
                self.mid_out.extend_from_slice(&self.mid_in);
                self.chunk_frames
            }
            Some(r) => r.convert(
                &self.mid_in,
                &mut self.mid_out,
                self.mid_channels,
                self.chunk_frames,
            ),
        };
        let produced = &self.mid_out[..frames * self.mid_channels];
        if self.mid_channels == self.to_channels {
            out.extend(produced.iter().map(|&v| round_to_i16(v)));
        } else {
            self.scratch.clear();
            self.scratch.resize(frames * self.to_channels, 0.0);
            remix(
                produced,
                self.mid_channels,
                &mut self.scratch,
                self.to_channels,
            );
            out.extend(self.scratch.iter().map(|&v| round_to_i16(v)));
        }
    }
}

/// The rate conversion of one direction of one port.
enum RateConverter {
    /// The shared-filter polyphase FIR, for the usual rate pairs.
    Polyphase(PolyphaseResampler),
    /// rubato's cubic polynomial resampler, for odd rate pairs.
    Polynomial(Box<dyn Resampler<f32>>),
}

impl RateConverter {
    fn output_frames_max(&self, chunk_frames: usize) -> usize {
        match self {
            Self::Polyphase(r) => r.max_output_frames(chunk_frames),
            Self::Polynomial(r) => r.output_frames_max(),
        }
    }

    /// Converts `frames` frames of `input`, leaving the output at the
    /// start of `output`; returns the frames produced.
    fn convert(
        &mut self,
        input: &[f32],
        output: &mut Vec<f32>,
        channels: usize,
        frames: usize,
    ) -> usize {
        match self {
            Self::Polyphase(r) => {
                output.clear();
                r.process(input, output)
            }
            Self::Polynomial(r) => {
                let max = r.output_frames_max() * channels;
                output.resize(max, 0.0);
                resample(r.as_mut(), input, output, channels, frames)
            }
        }
    }
}

fn resample(
    r: &mut dyn Resampler<f32>,
    input: &[f32],
    output: &mut [f32],
    channels: usize,
    frames: usize,
) -> usize {
    let out_capacity = output.len() / channels;
    let (Ok(adapter_in), Ok(mut adapter_out)) = (
        InterleavedSlice::new(input, channels, frames),
        InterleavedSlice::new_mut(output, channels, out_capacity),
    ) else {
        return 0;
    };
    // The buffers were sized from the resampler's own maxima, so this
    // cannot fail; if it did, the chunk is dropped rather than panicking.
    r.process_into_buffer(&adapter_in, &mut adapter_out, None)
        .map_or(0, |(_, written)| written)
}

fn make_resampler(
    from: u32,
    to: u32,
    chunk_frames: usize,
    channels: usize,
) -> Result<RateConverter, BridgeError> {
    if let Some(bank) = FilterBank::for_rates(from, to) {
        return Ok(RateConverter::Polyphase(PolyphaseResampler::new(
            bank, channels,
        )));
    }
    let poly = Async::<f32>::new_poly(
        f64::from(to) / f64::from(from),
        1.0,
        PolynomialDegree::Cubic,
        chunk_frames,
        channels,
        FixedAsync::Input,
    )
    .map_err(|e| BridgeError::Resampler {
        from,
        to,
        reason: e.to_string(),
    })?;
    Ok(RateConverter::Polynomial(Box::new(poly)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `chunks` chunks and returns every sample that came out.
    fn run(from: u32, to: u32, chunk: usize, chunks: usize) -> usize {
        let mut conv = FormatConverter::new(from, 1, chunk, to, 1).unwrap();
        let mut fifo = SampleFifo::default();
        let input = vec![1000i16; chunk];
        for _ in 0..chunks {
            conv.convert(&input, &mut fifo);
        }
        fifo.len()
    }

    #[test]
    fn output_tracks_the_exact_ratio() {
        // 100 chunks of 20 ms: the output is 2 s at the new rate, less at
        // most one FFT block still inside the resampler.
        for (from, to, chunk) in [
            (44_100, 16_000, 882),
            (16_000, 44_100, 320),
            (11_025, 16_000, 220),
            (48_000, 8_000, 960),
            (44_101, 16_000, 882),
        ] {
            let out = run(from, to, chunk, 100);
            let exact = (100 * chunk) as f64 * f64::from(to) / f64::from(from);
            assert!(
                out as f64 <= exact + 1.0 && out as f64 > exact - 1000.0,
                "{from}->{to}: {out} samples for {exact}"
            );
        }
    }

    #[test]
    fn stereo_to_mono_without_resampling_averages() {
        let mut conv = FormatConverter::new(8000, 2, 2, 8000, 1).unwrap();
        let mut fifo = SampleFifo::default();
        conv.convert(&[100, 300, -32768, -32768], &mut fifo);
        let mut out = [0i16; 2];
        assert!(fifo.pop_into(&mut out));
        assert_eq!(out, [200, -32768]);
    }
}
