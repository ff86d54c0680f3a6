// Audio sources of the simulated microphone. Each one is a pure function of the
// sample-frame index, so pacing, restarts and tests never depend on wall time.
import { readFileSync } from "node:fs"
import { PcmFormat } from "./format"
import { testPatternSample } from "./test-pattern"

export type SourceName = "tone" | "noise" | "wav" | "pattern"
export const SOURCE_NAMES: SourceName[] = ["tone", "noise", "wav", "pattern"]

/** Writes sample frames [start, start + frames) as interleaved PCM16 LE into `out` at 0. */
export interface AudioSource {
    readonly name: string
    render(start: number, frames: number, format: PcmFormat, out: Buffer): void
}

/** Default tone: 440 Hz at -12 dBFS, a level that moves a meter without clipping. */
export const TONE_HZ = 440
export const TONE_AMPLITUDE = 0.25

export function toneSource(hz = TONE_HZ, amplitude = TONE_AMPLITUDE): AudioSource {
    return {
        name: `tone ${hz} Hz`,
        render(start, frames, format, out) {
            for (let i = 0; i < frames; i++) {
                // index modulo the rate keeps the phase argument small over hours
                const t = ((start + i) % format.sampleRate) / format.sampleRate
                const v = Math.round(Math.sin(2 * Math.PI * hz * t) * amplitude * 32767)
                for (let c = 0; c < format.channels; c++) out.writeInt16LE(v, 2 * (i * format.channels + c))
            }
        },
    }
}

/** White noise at -12 dBFS peak from a hash of the index (repeatable, seekable). */
export function noiseSource(amplitude = TONE_AMPLITUDE): AudioSource {
    return {
        name: "noise",
        render(start, frames, format, out) {
            for (let i = 0; i < frames; i++)
                for (let c = 0; c < format.channels; c++) {
                    const h = hash32((start + i) * 2 + c)
                    const v = Math.round(((h / 0xffffffff) * 2 - 1) * amplitude * 32767)
                    out.writeInt16LE(v, 2 * (i * format.channels + c))
                }
        },
    }
}

export function patternSource(): AudioSource {
    return {
        name: "test pattern",
        render(start, frames, format, out) {
            for (let i = 0; i < frames; i++)
                for (let c = 0; c < format.channels; c++)
                    out.writeInt16LE(testPatternSample(start + i, c), 2 * (i * format.channels + c))
        },
    }
}

/** A PCM16 WAV file, looped, resampled by nearest sample and mixed or copied to the channel count. */
export function wavSource(path: string): AudioSource {
    const wav = parseWav(readFileSync(path), path)
    const total = wav.samples.length / wav.channels
    return {
        name: `wav ${path}`,
        render(start, frames, format, out) {
            for (let i = 0; i < frames; i++) {
                const src = Math.floor(((start + i) * wav.sampleRate) / format.sampleRate) % total
                for (let c = 0; c < format.channels; c++) {
                    const v = wav.samples[src * wav.channels + Math.min(c, wav.channels - 1)]
                    out.writeInt16LE(v, 2 * (i * format.channels + c))
                }
            }
        },
    }
}

export interface ParsedWav {
    sampleRate: number
    channels: number
    samples: Int16Array
}

/** Parses a PCM16 RIFF/WAVE file; the error names the file and what is supported. */
export function parseWav(buf: Buffer, name = "WAV"): ParsedWav {
    if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE")
        throw new Error(`${name}: not a RIFF/WAVE file`)
    let off = 12
    let fmt: { channels: number; sampleRate: number; bits: number; tag: number } | undefined
    while (off + 8 <= buf.length) {
        const id = buf.toString("ascii", off, off + 4)
        let size = buf.readUInt32LE(off + 4)
        const body = off + 8
        if (id === "fmt ") {
            fmt = { tag: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) }
        } else if (id === "data") {
            if (!fmt) throw new Error(`${name}: data chunk before fmt chunk`)
            if (fmt.tag !== 1 || fmt.bits !== 16) throw new Error(`${name}: only 16-bit PCM WAV is supported (format tag ${fmt.tag}, ${fmt.bits} bits)`)
            if (size === 0xffffffff || body + size > buf.length) size = buf.length - body
            const count = Math.floor(size / 2)
            const samples = new Int16Array(count)
            for (let i = 0; i < count; i++) samples[i] = buf.readInt16LE(body + 2 * i)
            if (count < fmt.channels) throw new Error(`${name}: no samples`)
            return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples }
        }
        off = body + size + (size & 1)
    }
    throw new Error(`${name}: no data chunk`)
}

export function createSource(name: SourceName, wavPath?: string): AudioSource {
    switch (name) {
        case "tone": return toneSource()
        case "noise": return noiseSource()
        case "pattern": return patternSource()
        case "wav":
            if (!wavPath) throw new Error("the wav source needs a file: --wav FILE")
            return wavSource(wavPath)
    }
}

function hash32(x: number) {
    let h = (x ^ 0x9e3779b9) >>> 0
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    return (h ^ (h >>> 16)) >>> 0
}
