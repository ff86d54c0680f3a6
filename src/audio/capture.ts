// The audio-capture path: the board's frame reports go, from a handler that
// never awaits, into the ring. It follows the sample counter: a gap from the
// board is counted and filled with silence of the same length (so every
// listener's stream keeps real time), never spliced over.
import * as ds from "@devicescript/core"
import { AudioRing, RING_BYTES } from "./ring"
import { LevelMeter } from "./level-meter"

/** Frame report code and header size (services/audiocapture.md). */
export const FRAME_REPORT_CODE = 0x90
export const FRAME_HEADER_BYTES = 8
/** A gap longer than this is not filled (the ring would hold only silence): readers re-anchor instead. */
export const MAX_GAP_FILL_BYTES = RING_BYTES / 2
/**
 * When no frame has come for this long, the microphone is stalled: the firmware
 * writes silence in real time, so listeners keep a live stream (they hear
 * silence, not a frozen connection) until the board sends again.
 */
export const STALL_FILL_AFTER_MS = 100
/** How often the stall watchdog looks. */
export const STALL_CHECK_MS = 20
/**
 * A watchdog tick this much later than the one before means the firmware itself
 * was not running (a long GC, a blocking flash write, a host that descheduled
 * the VM). Frames for that time may be waiting in the input queue, so the tick
 * restarts the stall clock instead of writing silence: silence written then
 * would be invented, and the queued frames arriving after it would push every
 * listener past the end of the ring (a 150 ms pause of the VM did exactly that).
 */
export const WATCHDOG_LATE_MS = 50

export interface AudioFormat {
    sampleRate: number
    channels: number
    bitsPerSample: number
}

export class AudioCapture {
    readonly ring = new AudioRing(RING_BYTES)
    format: AudioFormat = { sampleRate: 16000, channels: 1, bitsPerSample: 16 }
    meter = new LevelMeter(16000, 1)
    /** Frame reports received, sample frames received. */
    frames = 0
    samples = 0
    /** Gaps seen in the sample counter, and the sample frames they lost. */
    gaps = 0
    lostSamples = 0
    /** Times the counter went backwards (the board restarted capture). */
    restarts = 0
    /** Frames the board says it lost before sending (lost_since_last). */
    boardLost = 0
    /** Frames whose format byte disagreed with the configured format (dropped). */
    formatMismatches = 0
    /** Bumped whenever the ring is reset: stream fibers re-anchor their cursors. */
    epoch = 0
    /** Bumped when the format changes: open streams end (their WAV header is stale). */
    formatEpoch = 0
    /** Times the microphone stalled, and sample frames of silence written meanwhile. */
    stalls = 0
    stallSilenceSamples = 0
    /** Watchdog ticks that found the firmware had not been running for WATCHDOG_LATE_MS (no silence written for them). */
    firmwarePauses = 0
    private lastCheckAt = 0
    /** Since when the watchdog has run on time; a stall is judged from the later of this and the last frame. */
    private watchingSince = 0
    private nextIndex = -1
    private formatByte = 0x21
    private lastFrameAt = 0
    private filledUpTo = 0
    /** Silence written during the current stall, subtracted from the gap the board reports next. */
    private pendingSilence = 0

    constructor(private readonly role: ds.AudioCapture) {}

    /** Subscribes the synchronous report handler and starts the stall watchdog. */
    start() {
        const self = this
        this.role.report().subscribe(pkt => {
            if (pkt.serviceCommand === FRAME_REPORT_CODE) self.onFrame(pkt.payload, ds.millis())
        })
        setInterval(() => self.fillStall(ds.millis()), STALL_CHECK_MS)
    }

    /**
     * Writes real-time silence while the board sends nothing (after the first
     * frame), but only once the firmware has itself been running for
     * STALL_FILL_AFTER_MS without seeing a frame.
     */
    fillStall(now: number) {
        const late = this.lastCheckAt > 0 && now - this.lastCheckAt > WATCHDOG_LATE_MS
        this.lastCheckAt = now
        if (late) {
            this.firmwarePauses++
            this.watchingSince = now
            return
        }
        if (this.nextIndex < 0 || now - Math.max(this.lastFrameAt, this.watchingSince) < STALL_FILL_AFTER_MS) return
        if (this.filledUpTo < this.lastFrameAt) {
            this.stalls++
            this.filledUpTo = this.lastFrameAt
        }
        const samples = Math.idiv((now - this.filledUpTo) * this.format.sampleRate, 1000)
        if (samples <= 0) return
        this.filledUpTo += Math.idiv(samples * 1000, this.format.sampleRate)
        this.ring.writeSilence(samples * this.bytesPerFrame())
        this.stallSilenceSamples += samples
        this.pendingSilence += samples
    }

    setFormat(f: AudioFormat) {
        if (f.sampleRate !== this.format.sampleRate || f.channels !== this.format.channels || f.bitsPerSample !== this.format.bitsPerSample)
            this.formatEpoch++
        this.format = f
        this.formatByte = (f.channels & 0xf) | ((f.bitsPerSample / 8) << 4)
        this.meter = new LevelMeter(f.sampleRate, f.channels)
        this.ring.reset()
        this.nextIndex = -1
        this.pendingSilence = 0
        this.epoch++
    }

    bytesPerFrame() {
        return (this.format.bitsPerSample / 8) * this.format.channels
    }

    /** The handler: synchronous, allocation-free apart from the packet itself. */
    onFrame(p: Buffer, now: number) {
        if (p.length < FRAME_HEADER_BYTES) return
        if (p.getAt(4, "u8") !== this.formatByte) {
            this.formatMismatches++
            return
        }
        const index = p.getAt(0, "u32")
        const bytes = p.length - FRAME_HEADER_BYTES
        const count = Math.idiv(bytes, this.bytesPerFrame())
        this.boardLost += p.getAt(5, "u8")
        if (this.nextIndex >= 0 && index !== this.nextIndex) {
            const missing = index - this.nextIndex
            if (missing > 0 && missing < 0x40000000) {
                this.gaps++
                this.lostSamples += missing
                // silence already written by the stall watchdog covers part of the gap
                const fill = Math.max(0, missing - this.pendingSilence) * this.bytesPerFrame()
                if (fill <= MAX_GAP_FILL_BYTES) this.ring.writeSilence(fill)
                else {
                    this.ring.reset()
                    this.epoch++
                }
            } else {
                this.restarts++
            }
        }
        // The counter wraps at 2^32; no modulo here, the VM's % works on 32-bit ints.
        let next = index + count
        if (next >= 4294967296) next -= 4294967296
        this.nextIndex = next
        this.pendingSilence = 0
        this.lastFrameAt = now
        this.ring.write(p, FRAME_HEADER_BYTES, count * this.bytesPerFrame())
        this.frames++
        this.samples += count
        this.meter.add(p, FRAME_HEADER_BYTES, count * this.bytesPerFrame())
    }
}
