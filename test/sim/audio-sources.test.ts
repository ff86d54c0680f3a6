import { checkTestPattern, decodeTestPatternSample, testPatternSample } from "../../sim/audio/test-pattern"
import { parseWav, patternSource, toneSource } from "../../sim/audio/sources"
import { Pacer, MAX_CATCH_UP_MS } from "../../sim/audio/pacer"
import { framesPerReport } from "../../sim/audio/format"

test("the test pattern decodes back to the sample index, per channel", () => {
    const fmt = { sampleRate: 16000, channels: 2, bitsPerSample: 16 }
    const out = Buffer.alloc(4 * 1000)
    const start = 65536 * 3 - 500 // across a 16-bit wrap
    patternSource().render(start, 1000, fmt, out)
    for (let i = 0; i < 1000; i++) {
        expect(decodeTestPatternSample(out.readInt16LE(4 * i), 0)).toBe((start + i) % 65536)
        expect(decodeTestPatternSample(out.readInt16LE(4 * i + 2), 1)).toBe((start + i) % 65536)
    }
    expect(checkTestPattern(out, 2)).toMatchObject({ frames: 1000, mismatches: 0 })
})

test("the pattern check finds a gap, a duplicate and a reordering, each counted once", () => {
    const samples = (idx: number[]) => Buffer.from(Int16Array.from(idx.map(i => testPatternSample(i))).buffer)
    expect(checkTestPattern(samples([1, 2, 3, 4]), 1).mismatches).toBe(0)
    expect(checkTestPattern(samples([1, 2, 4, 5]), 1)).toMatchObject({ mismatches: 1, firstMismatch: { at: 2, expected: 3, got: 4 } })
    expect(checkTestPattern(samples([1, 2, 2, 3]), 1).mismatches).toBe(1)
    expect(checkTestPattern(samples([1, 3, 2, 4]), 1).mismatches).toBe(3)
    // a skip-ahead counts once: the check re-anchors on what it received
    const skip = [1, 2, 3, ...Array.from({ length: 500 }, (_, i) => 1000 + i)]
    expect(checkTestPattern(samples(skip), 1)).toMatchObject({ frames: 503, mismatches: 1 })
    // silence where the pattern should be is a mismatch on every sample
    expect(checkTestPattern(samples([1, 2, 0, 0, 0, 0]), 1).mismatches).toBe(4)
    // state carries across calls
    const a = checkTestPattern(samples([10, 11]), 1)
    const b = checkTestPattern(samples([12, 13]), 1, a)
    expect(b).toMatchObject({ frames: 4, mismatches: 0 })
    expect(checkTestPattern(samples([14, 16]), 1, b).mismatches).toBe(1)
})

test("the tone is 440 Hz at -12 dBFS peak", () => {
    const fmt = { sampleRate: 16000, channels: 1, bitsPerSample: 16 }
    const out = Buffer.alloc(2 * 16000)
    toneSource().render(0, 16000, fmt, out)
    let peak = 0, crossings = 0, prev = 0
    for (let i = 0; i < 16000; i++) {
        const v = out.readInt16LE(2 * i)
        peak = Math.max(peak, Math.abs(v))
        if (prev < 0 && v >= 0) crossings++
        prev = v
    }
    expect(crossings).toBeGreaterThanOrEqual(439)
    expect(crossings).toBeLessThanOrEqual(441)
    expect(20 * Math.log10(peak / 32768)).toBeCloseTo(-12, 0)
})

test("the pacer computes due frames from the clock: no drift, catch-up bounded and counted", () => {
    const p = new Pacer(16000, 1000)
    let emitted = 0
    // an hour of 4 ms ticks with jitter
    for (let t = 1000; t <= 1000 + 3600_000; t += 4 + (t % 3)) {
        const due = p.due(t)
        p.advance(due)
        emitted += due
    }
    const end = 1000 + 3600_000
    p.advance(p.due(end))
    expect(p.next).toBe(16000 * 3600)
    expect(p.lostFrames).toBe(0)
    const late = p.due(end + 2000) // 2 s stall
    expect(late).toBe((MAX_CATCH_UP_MS * 16000) / 1000)
    expect(p.lostFrames).toBe(16000 * 2 - late)
})

test("a report carries 114 mono or 57 stereo 16-bit frames", () => {
    expect(framesPerReport({ sampleRate: 16000, channels: 1, bitsPerSample: 16 })).toBe(114)
    expect(framesPerReport({ sampleRate: 48000, channels: 2, bitsPerSample: 16 })).toBe(57)
})

test("parseWav reads PCM16 and names what it cannot read", () => {
    const h = Buffer.alloc(44 + 8)
    h.write("RIFF", 0); h.writeUInt32LE(44, 4); h.write("WAVEfmt ", 8); h.writeUInt32LE(16, 16)
    h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(8000, 24); h.writeUInt32LE(16000, 28)
    h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write("data", 36); h.writeUInt32LE(8, 40)
    h.writeInt16LE(-5, 44)
    const w = parseWav(h)
    expect(w).toMatchObject({ sampleRate: 8000, channels: 1 })
    expect(w.samples[0]).toBe(-5)
    expect(() => parseWav(Buffer.from("nope"), "x.wav")).toThrow("x.wav: not a RIFF/WAVE file")
})
