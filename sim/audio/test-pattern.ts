// The deterministic test pattern: every sample is predictable from its sample-frame
// index, so a listener can prove bit-exactness, gaps, duplicates and reordering.
//
// Channel c of sample frame n carries the 16-bit value (n + c * CHANNEL_OFFSET) mod 65536,
// stored as a signed 16-bit little-endian sample. Decoding a channel-0 sample gives
// n mod 65536; a listener that knows one index predicts every following sample.
// (A loss of exactly a multiple of 65536 frames, 4.096 s at 16 kHz, would not show in
// the values alone; the firmware's gap counter covers that case.)

/** Channel c is shifted by this much so swapped channels are visible. */
export const CHANNEL_OFFSET = 0x5555

/** The sample value (signed 16-bit) of channel `channel` at sample-frame `index`. */
export function testPatternSample(index: number, channel = 0): number {
    const u = (index + channel * CHANNEL_OFFSET) & 0xffff
    return u >= 0x8000 ? u - 0x10000 : u
}

/** Recovers index mod 65536 from a channel's sample value. */
export function decodeTestPatternSample(value: number, channel = 0): number {
    return (((value & 0xffff) - channel * CHANNEL_OFFSET) % 0x10000 + 0x10000) % 0x10000
}

export interface PatternCheck {
    /** Sample frames checked. */
    frames: number
    /** Index (mod 65536) expected next. */
    nextIndex: number
    /**
     * Frames whose value was not the one expected; 0 means bit-exact and contiguous.
     * After a mismatch the check re-anchors on the value received, so a single skip
     * counts once (a second's skip-ahead is 1, not every sample after it).
     */
    mismatches: number
    /** First mismatch, for the error message. */
    firstMismatch?: { at: number; expected: number; got: number }
}

/**
 * Checks interleaved little-endian PCM16 bytes against the pattern, carrying state
 * across calls (the caller passes the previous result). The first call anchors the
 * expected index on the first sample received.
 */
export function checkTestPattern(pcm: Buffer, channels: number, prev?: PatternCheck): PatternCheck {
    const state: PatternCheck = prev ? { ...prev } : { frames: 0, nextIndex: -1, mismatches: 0 }
    const frameBytes = 2 * channels
    for (let off = 0; off + frameBytes <= pcm.length; off += frameBytes) {
        if (state.nextIndex < 0) state.nextIndex = decodeTestPatternSample(pcm.readInt16LE(off), 0)
        for (let c = 0; c < channels; c++) {
            const got = pcm.readInt16LE(off + 2 * c)
            const expected = testPatternSample(state.nextIndex, c)
            if (got !== expected) {
                state.mismatches++
                state.firstMismatch ??= { at: state.frames, expected, got }
                if (c === 0) state.nextIndex = decodeTestPatternSample(got, 0)
            }
        }
        state.frames++
        state.nextIndex = (state.nextIndex + 1) & 0xffff
    }
    return state
}
