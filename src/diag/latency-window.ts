// The firmware's own measurement of how long recent requests took: a window of
// the last few durations, with quantiles on demand. Pure.

/** Durations kept: enough for a p99 that means something, small for the heap. */
export const LATENCY_WINDOW = 100

export class LatencyWindow {
    private samples: number[] = []
    private next = 0
    count = 0

    add(ms: number) {
        if (this.samples.length < LATENCY_WINDOW) this.samples.push(ms)
        else this.samples[this.next] = ms
        this.next = (this.next + 1) % LATENCY_WINDOW
        this.count++
    }

    /** The q-quantile (0..1) of the window, nearest rank; -1 when empty. */
    quantile(q: number) {
        if (!this.samples.length) return -1
        const sorted = this.samples.slice(0)
        sorted.sort((a, b) => a - b)
        const rank = Math.ceil(q * sorted.length) - 1
        return sorted[rank < 0 ? 0 : rank]
    }
}
