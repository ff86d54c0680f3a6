// Clock pacing without drift: how many sample frames are due is computed from the
// time since start, never by adding up timer intervals, so an hour of timer jitter
// moves nothing. Pure: the caller passes the time.

/** Beyond this much lateness (e.g. the laptop slept) frames are skipped and counted lost, like a native overrun. */
export const MAX_CATCH_UP_MS = 500

export class Pacer {
    private startMs: number
    /** Sample frames emitted or skipped so far (the next frame's index). */
    next = 0
    /** Frames skipped because the emitter fell too far behind. */
    lostFrames = 0

    constructor(readonly sampleRate: number, nowMs: number) {
        this.startMs = nowMs
    }

    /** Frames due at `nowMs` that have not been emitted yet (after skipping any beyond MAX_CATCH_UP_MS). */
    due(nowMs: number): number {
        const target = Math.floor(((nowMs - this.startMs) * this.sampleRate) / 1000)
        const maxLag = Math.floor((MAX_CATCH_UP_MS * this.sampleRate) / 1000)
        if (target - this.next > maxLag) {
            const skip = target - this.next - maxLag
            this.lostFrames += skip
            this.next += skip
        }
        return Math.max(0, target - this.next)
    }

    /** Records that `frames` were emitted. */
    advance(frames: number) {
        this.next += frames
    }
}
