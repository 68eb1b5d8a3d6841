//! The first words of many streams at once, for operators that draw a fixed number of words
//! from each of many streams (SBX: one stream per pair, polynomial mutation: one per row).
//!
//! A [`Stream`](super::Stream) computes its keystream in whole batches of consecutive blocks
//! (eight or sixteen), read or not, and a batch costs about the same however few of its lanes
//! are needed. Here the lanes of one batch may belong to different streams, so only the blocks
//! the words need are computed: a row of polynomial mutation on 100 variables needs 25 blocks,
//! where its stream would compute 32 in three batches. The words are the same as the streams'
//! (`prefixes_equal_the_streams_words` checks every path against [`Stream::fill_u32`](super::Stream::fill_u32)).

use super::chacha::LaneBatch;
use super::unit_f64;

/// Writes the first `words` words of the stream with key `keys[s]` to
/// `out[s · words..(s + 1) · words]`, for every `s`.
///
/// # Panics
/// If `out.len() != keys.len() · words` (a caller's sizing bug, not an input error).
pub(crate) fn stream_prefixes(keys: &[[u32; 8]], words: usize, out: &mut [u32]) {
    assert_eq!(
        out.len(),
        keys.len() * words,
        "stream_prefixes: output size"
    );
    let mut batch = LaneBatch::new();
    for (s, key) in keys.iter().enumerate() {
        for b in 0..words.div_ceil(16) {
            batch.push(key, b as u64, s * words + 16 * b, (words - 16 * b).min(16));
            if batch.is_full() {
                batch.run(out);
            }
        }
    }
    batch.run(out);
}

/// Draws from a stream's precomputed words, with the conversions of
/// [`Stream`](super::Stream): the same values as the stream's own calls in the same order.
///
/// # Panics
/// When drawing past the words it was given (the caller sized them wrongly).
#[derive(Debug)]
pub(crate) struct WordDraws<'a> {
    words: &'a [u32],
    pos: usize,
}

impl<'a> WordDraws<'a> {
    /// Draws starting at the first of `words`.
    pub(crate) fn new(words: &'a [u32]) -> Self {
        WordDraws { words, pos: 0 }
    }

    /// As [`Stream::uniform_f64`](super::Stream::uniform_f64).
    #[inline]
    pub(crate) fn uniform_f64(&mut self) -> f64 {
        let w = &self.words[self.pos..self.pos + 2];
        self.pos += 2;
        unit_f64(w[0] as u64 | ((w[1] as u64) << 32))
    }

    /// As [`Stream::fill_uniform_f64`](super::Stream::fill_uniform_f64).
    #[inline]
    pub(crate) fn fill_uniform_f64(&mut self, out: &mut [f64]) {
        let w = &self.words[self.pos..self.pos + 2 * out.len()];
        self.pos += 2 * out.len();
        for (o, p) in out.iter_mut().zip(w.chunks_exact(2)) {
            *o = unit_f64(p[0] as u64 | ((p[1] as u64) << 32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, stream_key_words};

    #[test]
    fn prefixes_equal_the_streams_words() {
        // Word counts below, at and across block and batch boundaries, stream counts that
        // leave a partial last batch.
        for words in [1usize, 15, 16, 17, 100, 256, 400, 602] {
            for n_streams in [1usize, 2, 7, 16, 17, 33] {
                let keys: Vec<[u32; 8]> = (0..n_streams)
                    .map(|i| stream_key_words(5, "prefix-test", words as u64, i as u64))
                    .collect();
                let mut out = vec![0u32; n_streams * words];
                stream_prefixes(&keys, words, &mut out);
                for (i, got) in out.chunks_exact(words).enumerate() {
                    let mut want = vec![0u32; words];
                    stream(5, "prefix-test", words as u64, i as u64).fill_u32(&mut want);
                    assert_eq!(got, &want[..], "words {words}, stream {i} of {n_streams}");
                }
            }
        }
    }

    #[test]
    fn word_draws_equal_the_streams_draws() {
        let key = stream_key_words(9, "draws-test", 0, 3);
        let mut words = vec![0u32; 2 * 300];
        stream_prefixes(&[key], words.len(), &mut words);
        let mut s = stream(9, "draws-test", 0, 3);
        let mut d = WordDraws::new(&words);
        let mut bulk = [0.0; 150];
        let mut want = [0.0; 150];
        for round in 0..2 {
            assert_eq!(
                d.uniform_f64().to_bits(),
                s.uniform_f64().to_bits(),
                "{round}"
            );
            d.fill_uniform_f64(&mut bulk[..149 - round]);
            s.fill_uniform_f64(&mut want[..149 - round]);
            assert_eq!(bulk.map(f64::to_bits), want.map(f64::to_bits), "{round}");
        }
    }
}
