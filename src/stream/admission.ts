// Stream slots: at most maxStreams listeners at once. Pure bookkeeping; the
// HTTP handler asks for a slot and answers 503 at once when none is free.

/** Default number of simultaneous listeners. */
export const DEFAULT_MAX_STREAMS = 3
/**
 * The board's limit when it does not say (socket bridge `max_streams`): an
 * ESP32-S3 bridge buffers 64 KB per listener, and 8 of them is what its RAM
 * spares beside Wi-Fi. The board simulator can raise it (`--max-streams`).
 */
export const MAX_STREAMS_LIMIT = 8
/**
 * The firmware's own ceiling, whatever the board says: each listener costs a
 * fiber, a session, a connection and its audio in flight, about 1.5 KB of the
 * 64 KB heap. Measured: 12 listeners with short requests hammering every route
 * beside them ran clean, 16 panicked with OutOfMemory. The heap probe of
 * `npm run bench` gives the headroom left (BENCHMARKS.md).
 */
export const MAX_STREAMS_CEILING = 12
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
