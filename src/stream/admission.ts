// Stream slots: at most maxStreams listeners at once. Pure bookkeeping; the
// HTTP handler asks for a slot and answers 503 at once when none is free.

/** Default number of simultaneous listeners. */
export const DEFAULT_MAX_STREAMS = 3
/** Hardware limit for maxStreams: each listener costs a fiber and ~32 KB/s of link bandwidth. */
export const MAX_STREAMS_LIMIT = 8
/** Retry-After (s) sent with a 503 when all slots are taken. */
export const STREAM_RETRY_AFTER_S = 5

export class Admission {
    active = 0
    admitted = 0
    rejected = 0

    constructor(public maxStreams: number) {}

    tryAdmit(): boolean {
        if (this.active >= this.maxStreams) {
            this.rejected++
            return false
        }
        this.active++
        this.admitted++
        return true
    }

    release() {
        if (this.active > 0) this.active--
    }
}
