//! Fuzzes the WAV reader (`media::wav::WavReader`), which parses files a
//! user hands to a player: any bytes as a WAV file.
//!
//! Checked:
//! - nothing panics: a malformed file is an error at open;
//! - what opens describes audio inside the input: the data chunk lies
//!   within it, holds at least one frame, a whole number of frames;
//! - reading in chunks of changing sizes yields exactly the samples the
//!   header announces, then `at_end` and nothing more;
//! - seeking anywhere (past the end included) and reading again works;
//! - the same file cut short after it was opened (as a file truncated while
//!   playing) ends early and cleanly, having read no more than was left.

#![no_main]

use std::io::{self, Cursor, Read, Seek, SeekFrom};

use libfuzzer_sys::fuzz_target;
use media::wav::WavReader;

/// The input, cut at `cut` bytes once `cut` is set (after opening).
struct Shrinking {
    data: Cursor<Vec<u8>>,
    cut: std::rc::Rc<std::cell::Cell<Option<u64>>>,
}

impl Read for Shrinking {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.data.position();
        let limit = match self.cut.get() {
            Some(cut) => cut.saturating_sub(pos).min(buf.len() as u64) as usize,
            None => buf.len(),
        };
        self.data.read(&mut buf[..limit])
    }
}

impl Seek for Shrinking {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.data.seek(to)
    }
}

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let Ok(mut reader) = WavReader::new(Cursor::new(data.to_vec())) else {
        return;
    };
    let h = *reader.header();
    assert!(
        h.data_offset + h.data_len <= len,
        "data past the end: {h:?}"
    );
    let block = u64::from(h.block_align());
    assert!(h.data_len >= block && h.data_len % block == 0, "{h:?}");
    assert_eq!(h.samples() % u64::from(h.channels), 0);

    // Read everything in chunks of 1, 7, 160, 1 … frames.
    let channels = usize::from(h.channels);
    let mut buf = vec![0i16; 160 * channels];
    let sizes = [1usize, 7, 160];
    let mut total = 0u64;
    for round in 0.. {
        let n = reader.read(&mut buf[..sizes[round % 3] * channels]);
        assert_eq!(n % channels, 0);
        total += n as u64;
        if n == 0 {
            break;
        }
        assert_eq!(reader.position(), total);
    }
    assert_eq!(total, h.samples());
    assert!(reader.at_end() && !reader.ended_early());

    // Seek about.
    for target in [h.samples() / 3, h.samples(), u64::MAX, 0] {
        reader.seek(target).expect("seeking in memory");
        assert!(reader.position() <= h.samples());
        let n = reader.read(&mut buf) as u64;
        assert!(n <= h.samples());
    }

    // Cut after opening, somewhere in the data.
    let cut = std::rc::Rc::new(std::cell::Cell::new(None));
    let input = Shrinking {
        data: Cursor::new(data.to_vec()),
        cut: cut.clone(),
    };
    let mut reader = WavReader::new(input).expect("it opened once");
    let keep = h.data_len * (len % 5) / 5 + len % 3;
    cut.set(Some(h.data_offset + keep));
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf);
        total += n as u64;
        if n == 0 {
            break;
        }
    }
    assert!(total * u64::from(h.encoding.bytes_per_sample()) <= keep);
    assert!(reader.at_end());
    assert_eq!(reader.ended_early(), keep < h.data_len);
});
