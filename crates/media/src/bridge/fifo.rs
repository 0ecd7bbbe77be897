//! A queue of interleaved samples between a port's frame size and the
//! bridge's, so that frames of different durations (and resamplers whose
//! output varies from call to call) lose and repeat nothing.

/// Samples waiting to be taken, oldest first.
#[derive(Debug, Default)]
pub(crate) struct SampleFifo {
    buf: Vec<i16>,
    head: usize,
}

impl SampleFifo {
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.head
    }

    pub(crate) fn push(&mut self, samples: &[i16]) {
        self.compact();
        self.buf.extend_from_slice(samples);
    }

    pub(crate) fn extend(&mut self, samples: impl IntoIterator<Item = i16>) {
        self.compact();
        self.buf.extend(samples);
    }

    /// Moves the oldest `out.len()` samples into `out`; false (and nothing
    /// taken) if fewer are queued.
    pub(crate) fn pop_into(&mut self, out: &mut [i16]) -> bool {
        if self.len() < out.len() {
            return false;
        }
        out.copy_from_slice(&self.buf[self.head..self.head + out.len()]);
        self.head += out.len();
        true
    }

    /// Drops what was taken, keeping the allocation.
    fn compact(&mut self) {
        if self.head > 0 {
            self.buf.copy_within(self.head.., 0);
            self.buf.truncate(self.buf.len() - self.head);
            self.head = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_across_uneven_chunks() {
        let mut f = SampleFifo::default();
        let mut next = 0i16;
        let mut expected = 0i16;
        let mut out = [0i16; 7];
        for round in 0..50 {
            let n = 3 + (round % 5);
            let chunk: Vec<i16> = (0..n).map(|i| next + i).collect();
            next += n;
            f.push(&chunk);
            while f.pop_into(&mut out) {
                for v in out {
                    assert_eq!(v, expected);
                    expected += 1;
                }
            }
        }
        assert_eq!(expected as usize + f.len(), next as usize);
    }
}
