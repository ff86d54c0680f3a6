// The firmware's own measurement of how long recent requests took: the last
// LATENCY_WINDOW durations in 1 ms buckets, quantiles on demand. Pure.
//
// No sorting: the VM's Array.sort runs as bytecode, and sorting 100 numbers
// twice per /status ran past the VM's step limit (InfiniteLoop panic) under
// load. Walking 128 bucket counts is cheap and bounded.

/** Durations kept: enough for a p99 that means something, small for the heap. */
export const LATENCY_WINDOW = 100
/** 1 ms buckets; the last one holds everything at or above LATENCY_BUCKETS - 1 ms. */
export const LATENCY_BUCKETS = 128

export class LatencyWindow {
    private recent: number[] = []
    private next = 0
    private buckets: number[] = []
    count = 0

    constructor() {
        for (let i = 0; i < LATENCY_BUCKETS; i++) this.buckets.push(0)
    }

    private bucket(ms: number) {
        const b = Math.floor(ms)
        return b < 0 ? 0 : b >= LATENCY_BUCKETS ? LATENCY_BUCKETS - 1 : b
    }

    add(ms: number) {
        const b = this.bucket(ms)
        if (this.recent.length < LATENCY_WINDOW) this.recent.push(b)
        else {
            this.buckets[this.recent[this.next]]--
            this.recent[this.next] = b
        }
        this.buckets[b]++
        this.next = (this.next + 1) % LATENCY_WINDOW
        this.count++
    }

    /** The q-quantile (0..1) of the window in whole ms, nearest rank; -1 when empty. */
    quantile(q: number) {
        const n = this.recent.length
        if (!n) return -1
        let rank = Math.ceil(q * n)
        if (rank < 1) rank = 1
        let seen = 0
        for (let b = 0; b < LATENCY_BUCKETS; b++) {
            seen += this.buckets[b]
            if (seen >= rank) return b
        }
        return LATENCY_BUCKETS - 1
    }
}
