// PCM format shared by the sources, the capture server and the tests.

export interface PcmFormat {
    sampleRate: number
    channels: number
    bitsPerSample: number
}

export const DEFAULT_FORMAT: PcmFormat = { sampleRate: 16000, channels: 1, bitsPerSample: 16 }

/** Largest PCM payload of one frame report: 236 bytes of packet payload less the 8-byte header, rounded down to 4. */
export const MAX_FRAME_PCM_BYTES = 228

/** Sample frames (one sample per channel) carried by one report of this format. */
export function framesPerReport(format: PcmFormat) {
    const bytesPerFrame = (format.bitsPerSample / 8) * format.channels
    return Math.floor(MAX_FRAME_PCM_BYTES / bytesPerFrame)
}
