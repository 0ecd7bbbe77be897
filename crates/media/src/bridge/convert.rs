//! Format conversion between a port and the bridge: channel count, then
//! clock rate with rubato, keeping the resampler's state from frame to
//! frame.
//!
//! Each direction of each port that differs from the bridge gets one
//! fixed-ratio resampler fed fixed-size chunks (the producer's frames).
//! Its output per chunk varies (44.1 kHz frames of 882 samples give 320 at
//! 16 kHz, but rates such as 11.025 kHz give whole FFT blocks now and then),
//! so the output goes to a [`SampleFifo`] and the consumer takes whole
//! frames from there: nothing is lost or repeated, only delayed by the
//! resampler (half an FFT block, 5–10 ms for the usual rates).
//!
//! The resampler is rubato's synchronous FFT resampler, exact and
//! anti-aliased. For rate pairs whose smallest exact block is much longer
//! than a frame (coprime rates such as 44 101 Hz and 16 kHz, whose FFT
//! block would be a second long), a cubic polynomial resampler takes over.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, Fft, FixedAsync, FixedSync, PolynomialDegree, Resampler};

use super::channels::remix;
use super::error::BridgeError;
use super::fifo::SampleFifo;
use super::level::round_to_i16;

/// Longest exact FFT block accepted, in input chunks.
const MAX_BLOCK_CHUNKS: usize = 4;

/// Converts fixed-size chunks of interleaved samples from one rate and
/// channel count to another, appending the result to a FIFO.
pub(crate) struct FormatConverter {
    from_channels: usize,
    to_channels: usize,
    /// The resampler works at the smaller channel count.
    mid_channels: usize,
    chunk_frames: usize,
    resampler: Option<Box<dyn Resampler<f32>>>,
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
            .map_or(chunk_frames, |r| r.output_frames_max());
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
        self.scratch.clear();
        self.scratch.extend(input.iter().map(|&s| f32::from(s)));
        remix(
            &self.scratch,
            self.from_channels,
            &mut self.mid_in,
            self.mid_channels,
        );
        let frames = match self.resampler.as_mut() {
            None => {
                self.mid_out.copy_from_slice(&self.mid_in);
                self.chunk_frames
            }
            Some(r) => resample(
                r.as_mut(),
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
) -> Result<Box<dyn Resampler<f32>>, BridgeError> {
    let fail = |reason: String| BridgeError::Resampler { from, to, reason };
    let block_in = (from / gcd(from, to)) as usize;
    if block_in <= MAX_BLOCK_CHUNKS * chunk_frames {
        let fft = Fft::<f32>::new(
            from as usize,
            to as usize,
            chunk_frames,
            channels,
            FixedSync::Input,
        )
        .map_err(|e| fail(e.to_string()))?;
        Ok(Box::new(fft))
    } else {
        let poly = Async::<f32>::new_poly(
            f64::from(to) / f64::from(from),
            1.0,
            PolynomialDegree::Cubic,
            chunk_frames,
            channels,
            FixedAsync::Input,
        )
        .map_err(|e| fail(e.to_string()))?;
        Ok(Box::new(poly))
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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

    #[test]
    fn gcd_of_rates() {
        assert_eq!(gcd(44_100, 16_000), 100);
        assert_eq!(gcd(16_000, 8_000), 8_000);
    }
}
