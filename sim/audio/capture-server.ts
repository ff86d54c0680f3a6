// The simulated board's audio capture service (services/audiocapture.md): a
// jacdac-ts server that paces PCM frames by the clock and pushes them as reports.
import { JDServiceServer, Packet } from "jacdac-ts"
import { AudioSource } from "./sources"
import { DEFAULT_FORMAT, framesPerReport, MAX_FRAME_PCM_BYTES, PcmFormat } from "./format"
import { Pacer } from "./pacer"

/** Register and report codes, as in services/audiocapture.md. */
export const AudioCaptureCode = {
    Enabled: 0x01,
    SampleRate: 0x80,
    BitsPerSample: 0x81,
    Channels: 0x82,
    Gain: 0x83,
    MaxFrameBytes: 0x180,
    LostFrames: 0x181,
    ReportFrame: 0x90,
} as const

/** Frame header: sample_index u32, format u8, lost_since_last u8, reserved u16. */
export const FRAME_HEADER_BYTES = 8

/** Board limits for the gain register, in dB. */
export const GAIN_MIN_DB = -24
export const GAIN_MAX_DB = 24

/** How often the pacing timer runs; frames due are computed from the clock, not from this. */
const PACE_TICK_MS = 4

export function encodeFrameReport(sampleIndex: number, format: PcmFormat, lostSinceLast: number, pcm: Uint8Array): Buffer {
    const out = Buffer.alloc(FRAME_HEADER_BYTES + pcm.length)
    out.writeUInt32LE(sampleIndex >>> 0, 0)
    out.writeUInt8((format.channels & 0xf) | ((format.bitsPerSample / 8) << 4), 4)
    out.writeUInt8(Math.min(255, lostSinceLast), 5)
    out.set(pcm, FRAME_HEADER_BYTES)
    return out
}

export class AudioCaptureServer extends JDServiceServer {
    readonly enabled = this.addRegister<[boolean]>(AudioCaptureCode.Enabled, [true])
    readonly sampleRate = this.addRegister<[number]>(AudioCaptureCode.SampleRate, [DEFAULT_FORMAT.sampleRate])
    readonly bitsPerSample = this.addRegister<[number]>(AudioCaptureCode.BitsPerSample, [16])
    readonly channels = this.addRegister<[number]>(AudioCaptureCode.Channels, [DEFAULT_FORMAT.channels])
    readonly gain = this.addRegister<[number]>(AudioCaptureCode.Gain, [0])
    readonly maxFrameBytes = this.addRegister<[number]>(AudioCaptureCode.MaxFrameBytes, [MAX_FRAME_PCM_BYTES])
    readonly lostFrames = this.addRegister<[number]>(AudioCaptureCode.LostFrames, [0])

    /** Frames reported since the process started (for the simulator's own checks). */
    framesSent = 0
    /** Set by a fault injection: while true no frames are sent and the clock keeps running. */
    muted = false
    private pacer: Pacer | undefined
    private timer: NodeJS.Timeout | undefined
    private pcm = Buffer.alloc(MAX_FRAME_PCM_BYTES)
    private lostSinceLast = 0

    constructor(serviceClass: number, public source: AudioSource, private readonly now: () => number = () => performance.now()) {
        super(serviceClass)
        for (const r of [this.enabled, this.sampleRate, this.channels, this.bitsPerSample])
            r.on("change", () => this.restart())
        this.gain.on("change", () => {
            const [g] = this.gain.values()
            if (g < GAIN_MIN_DB || g > GAIN_MAX_DB) this.gain.setValues([Math.max(GAIN_MIN_DB, Math.min(GAIN_MAX_DB, g))])
        })
        this.channels.on("change", () => {
            const [c] = this.channels.values()
            if (c !== 1 && c !== 2) this.channels.setValues([1])
        })
        this.bitsPerSample.on("change", () => {
            if (this.bitsPerSample.values()[0] !== 16) this.bitsPerSample.setValues([16])
        })
    }

    get format(): PcmFormat {
        return { sampleRate: this.sampleRate.values()[0], channels: this.channels.values()[0], bitsPerSample: 16 }
    }

    start() {
        this.restart()
    }

    stop() {
        clearInterval(this.timer)
        this.timer = undefined
        this.pacer = undefined
    }

    /** Wall-clock time (ms since the epoch) of sample index 0 of the current capture, for latency benches. */
    get startedAtWallMs() {
        return this.pacer ? performance.timeOrigin + this.pacerStart : 0
    }
    private pacerStart = 0

    private restart() {
        this.stop()
        if (!this.enabled.values()[0]) return
        this.pacerStart = this.now()
        this.pacer = new Pacer(this.format.sampleRate, this.pacerStart)
        this.timer = setInterval(() => this.tick(), PACE_TICK_MS)
    }

    private tick() {
        const pacer = this.pacer
        if (!pacer) return
        const format = this.format
        const perReport = framesPerReport(format)
        const lostBefore = pacer.lostFrames
        let due = pacer.due(this.now())
        if (pacer.lostFrames !== lostBefore) this.countLost(Math.ceil((pacer.lostFrames - lostBefore) / perReport))
        const gain = Math.pow(10, this.gain.values()[0] / 20)
        while (due >= perReport) {
            const index = pacer.next
            pacer.advance(perReport)
            due -= perReport
            if (this.muted) continue
            const bytes = perReport * format.channels * 2
            this.source.render(index, perReport, format, this.pcm)
            if (gain !== 1) applyGain(this.pcm, bytes, gain)
            const payload = encodeFrameReport(index, format, this.lostSinceLast, this.pcm.subarray(0, bytes))
            this.lostSinceLast = 0
            this.framesSent++
            this.sendPacketAsync(Packet.from(AudioCaptureCode.ReportFrame, payload)).catch(() => {})
        }
    }

    private countLost(frames: number) {
        this.lostSinceLast += frames
        this.lostFrames.setValues([this.lostFrames.values()[0] + frames])
    }
}

function applyGain(pcm: Buffer, bytes: number, gain: number) {
    for (let i = 0; i < bytes; i += 2) {
        const v = Math.round(pcm.readInt16LE(i) * gain)
        pcm.writeInt16LE(Math.max(-32768, Math.min(32767, v)), i)
    }
}
