// Peak and RMS level in dBFS over a short window, and a clipping count. Pure.

/** The meter's window: long enough to be steady, short enough for a live meter. */
export const LEVEL_WINDOW_MS = 250
/** A sample at or beyond this magnitude counts as clipped (full scale). */
export const CLIP_THRESHOLD = 32767
/** Level reported for digital silence. */
export const SILENCE_DBFS = -120
/** Only every Nth sample is measured: a full-rate meter would cost the VM more than the audio path itself. */
export const METER_STRIDE = 4

export function toDbfs(linear: number) {
    if (linear <= 0) return SILENCE_DBFS
    const db = (20 * Math.log(linear / 32768)) / Math.log(10)
    return db < SILENCE_DBFS ? SILENCE_DBFS : Math.round(db * 10) / 10
}

export class LevelMeter {
    /** Levels of the last complete window. */
    peakDbfs = SILENCE_DBFS
    rmsDbfs = SILENCE_DBFS
    /** Samples at full scale since start (every sample is checked for clipping). */
    clipped = 0
    private peak = 0
    private sumSquares = 0
    private count = 0
    private windowSamples: number

    constructor(sampleRate: number, channels: number) {
        this.windowSamples = Math.max(1, Math.floor((sampleRate * channels * LEVEL_WINDOW_MS) / 1000 / METER_STRIDE))
    }

    /** Measures `bytes` of PCM16 LE starting at `off`. */
    add(pcm: Buffer, off: number, bytes: number) {
        const end = off + bytes
        for (let i = off; i + 1 < end; i += 2 * METER_STRIDE) {
            const v = pcm.getAt(i, "i16")
            const a = v < 0 ? -v : v
            if (a > this.peak) this.peak = a
            this.sumSquares += v * v
            this.count++
            if (this.count >= this.windowSamples) this.finishWindow()
        }
        // Clipping is rare and must not be missed: check the skipped samples cheaply.
        for (let i = off; i + 1 < end; i += 2) {
            const v = pcm.getAt(i, "i16")
            if (v >= CLIP_THRESHOLD || v <= -CLIP_THRESHOLD - 1) this.clipped++
        }
    }

    private finishWindow() {
        this.peakDbfs = toDbfs(this.peak)
        this.rmsDbfs = toDbfs(Math.sqrt(this.sumSquares / this.count))
        this.peak = 0
        this.sumSquares = 0
        this.count = 0
    }
}
