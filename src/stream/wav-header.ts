// The RIFF/WAVE header of an open-ended live stream. Pure.
//
// Data-size convention: both the RIFF size and the data chunk size are 0xFFFFFFFF,
// the largest value the fields hold. ffmpeg/ffprobe, sox, VLC and browsers read it
// as "length unknown, play until the connection ends"; a size of 0 instead makes
// some players stop at once, and any finite guess makes them stop at that guess.

export const WAV_HEADER_BYTES = 44
export const WAV_UNKNOWN_SIZE = 0xffffffff

export function wavHeader(sampleRate: number, channels: number, bitsPerSample: number) {
    const h = Buffer.alloc(WAV_HEADER_BYTES)
    const blockAlign = channels * (bitsPerSample / 8)
    h.blitAt(0, "RIFF", 0, 4)
    h.setAt(4, "u32", WAV_UNKNOWN_SIZE)
    h.blitAt(8, "WAVEfmt ", 0, 8)
    h.setAt(16, "u32", 16) // fmt chunk size
    h.setAt(20, "u16", 1) // PCM
    h.setAt(22, "u16", channels)
    h.setAt(24, "u32", sampleRate)
    h.setAt(28, "u32", sampleRate * blockAlign)
    h.setAt(32, "u16", blockAlign)
    h.setAt(34, "u16", bitsPerSample)
    h.blitAt(36, "data", 0, 4)
    h.setAt(40, "u32", WAV_UNKNOWN_SIZE)
    return h
}
