//! What a tone generator plays: tone descriptions, digits and digit maps,
//! as PJSUA2 names them.

/// Default amplitude of a tone whose volume is 0 (pjmedia's
/// `PJMEDIA_TONEGEN_VOLUME`).
pub const DEFAULT_VOLUME: i16 = 12288;
/// Most tones a generator holds at once (`PJMEDIA_TONEGEN_MAX_DIGITS`).
pub const MAX_TONES: usize = 32;
/// [`ToneDesc::flags`] bit that ramps the tone in and out (1 ms in, 2 ms
/// out) to avoid clicks. It is also set for every tone with an off time,
/// as pjmedia does.
pub const TONE_ENABLE_FADE: u16 = 2;

/// One tone: one or two frequencies on for a while, then silence
/// (PJSUA2's `ToneDesc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ToneDesc {
    /// First frequency, Hz.
    pub freq1: u16,
    /// Second frequency, Hz; 0 for a single-frequency tone.
    pub freq2: u16,
    /// Milliseconds of tone.
    pub on_msec: u16,
    /// Milliseconds of silence after it.
    pub off_msec: u16,
    /// Peak amplitude (0 for [`DEFAULT_VOLUME`]; a negative value counts as
    /// its magnitude). A dual tone gives each frequency half of it.
    pub volume: i16,
    /// Option bits: [`TONE_ENABLE_FADE`].
    pub flags: u16,
}

/// One digit to play through the digit map (PJSUA2's `ToneDigit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToneDigit {
    /// The digit: a key of the digit map (matched without regard to case).
    pub digit: char,
    /// Milliseconds of tone.
    pub on_msec: u16,
    /// Milliseconds of silence after it.
    pub off_msec: u16,
    /// Peak amplitude, as [`ToneDesc::volume`].
    pub volume: i16,
}

/// One entry of a digit map: a digit and its two frequencies (PJSUA2's
/// `ToneDigitMapDigit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToneDigitMapDigit {
    /// The digit.
    pub digit: char,
    /// Low frequency, Hz.
    pub freq1: u16,
    /// High frequency, Hz.
    pub freq2: u16,
}

/// The DTMF digit map every generator starts with: rows 697, 770, 852 and
/// 941 Hz, columns 1209, 1336, 1477 and 1633 Hz (ITU-T Q.23), digits
/// `0`–`9`, `a`–`d`, `*` and `#`.
pub fn default_digit_map() -> Vec<ToneDigitMapDigit> {
    const ROWS: [u16; 4] = [697, 770, 852, 941];
    const COLUMNS: [u16; 4] = [1209, 1336, 1477, 1633];
    const KEYS: [[char; 4]; 4] = [
        ['1', '2', '3', 'a'],
        ['4', '5', '6', 'b'],
        ['7', '8', '9', 'c'],
        ['*', '0', '#', 'd'],
    ];
    let mut map = Vec::with_capacity(16);
    for (r, row) in KEYS.iter().enumerate() {
        for (c, &digit) in row.iter().enumerate() {
            map.push(ToneDigitMapDigit {
                digit,
                freq1: ROWS[r],
                freq2: COLUMNS[c],
            });
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_map_is_dtmf() {
        let map = default_digit_map();
        assert_eq!(map.len(), 16);
        let find = |d| map.iter().find(|m| m.digit == d).copied().unwrap();
        assert_eq!((find('1').freq1, find('1').freq2), (697, 1209));
        assert_eq!((find('0').freq1, find('0').freq2), (941, 1336));
        assert_eq!((find('#').freq1, find('#').freq2), (941, 1477));
        assert_eq!((find('d').freq1, find('d').freq2), (941, 1633));
        assert_eq!((find('6').freq1, find('6').freq2), (770, 1477));
    }
}
