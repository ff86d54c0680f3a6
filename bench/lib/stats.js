// Small statistics for the benchmarks: medians, quantiles and the median-and-spread
// summary every latency figure in BENCHMARKS.md is given as.

const median = xs => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN
}

/** The q-quantile by the nearest-rank method (p99 of 100 values is the 99th smallest). */
const quantile = (xs, q) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] : NaN
}

const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d

/**
 * Several runs of the same measurement: p50/p95/p99 of each run, then the
 * median of the runs and their spread (min and max), so one noisy run on a
 * shared machine neither hides nor makes a figure.
 */
function summarize(runs) {
    const per = runs.map(ms => ({ p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99) }))
    const out = { requests: runs.reduce((a, r) => a + r.length, 0) }
    for (const k of ["p50", "p95", "p99"]) {
        const v = per.map(r => r[k])
        out[k] = round(median(v), 2)
        out[`${k}Spread`] = [round(Math.min(...v), 2), round(Math.max(...v), 2)]
    }
    return out
}

module.exports = { median, quantile, round, summarize }
