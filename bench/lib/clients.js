// Real clients for the benchmarks: one HTTP request per fresh connection (the
// firmware closes every connection after its answer), and a raw /stream.wav
// listener that checks the test pattern sample by sample.
const http = require("node:http")
const net = require("node:net")

function get(port, p, headers = {}, timeout = 5000) {
    return new Promise((resolve, reject) => {
        const t0 = performance.now()
        const req = http.get({ host: "127.0.0.1", port, path: p, agent: false, headers, timeout }, res => {
            const chunks = []
            res.on("data", c => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - t0 }))
        })
        req.on("timeout", () => req.destroy(new Error(`GET ${p}: no answer within ${timeout} ms`)))
        req.on("error", reject)
    })
}

function post(port, p, body, timeout = 5000) {
    return new Promise((resolve, reject) => {
        const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }
        const req = http.request({ host: "127.0.0.1", port, path: p, method: "POST", agent: false, headers, timeout }, res => {
            const chunks = []
            res.on("data", c => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }))
        })
        req.on("timeout", () => req.destroy(new Error(`POST ${p}: no answer within ${timeout} ms`)))
        req.on("error", reject)
        req.end(body)
    })
}

/**
 * A listener of /stream.wav that counts sample frames and checks the test
 * pattern (each frame's first sample is its index mod 65536), so a lost,
 * repeated or reordered sample is a mismatch. `onChunk(lastIndexMod, atMs)`
 * sees the index of the last whole frame of each chunk and its arrival time
 * (wall clock, ms), for mouth-to-ear latency.
 */
/** A listener that gets no response head within this is given up on (its status stays 0). */
const OPEN_TIMEOUT_MS = 5000

class Listener {
    constructor(port, onChunk) {
        this.port = port
        this.onChunk = onChunk
        this.bytes = 0
        this.frames = 0
        this.mismatches = 0
        this.status = 0
        this.closed = false
    }

    /** Resolves once the response head (and for a 200, the WAV header) arrived, the connection ended, or OPEN_TIMEOUT_MS passed. */
    open(p = "/stream.wav") {
        return new Promise(resolve => {
            const timer = setTimeout(() => resolve(this), OPEN_TIMEOUT_MS)
            let head = Buffer.alloc(0)
            let leftover = Buffer.alloc(0)
            let expect = -1
            let started = false
            this.sock = net.connect(this.port, "127.0.0.1", () => this.sock.write(`GET ${p} HTTP/1.1\r\nHost: bench\r\n\r\n`))
            this.sock.on("error", () => {})
            this.sock.on("close", () => {
                this.closed = true
                resolve(this)
            })
            this.sock.on("data", d => {
                const at = performance.timeOrigin + performance.now()
                if (!started) {
                    head = Buffer.concat([head, d])
                    const end = head.indexOf("\r\n\r\n")
                    if (end < 0) return
                    this.status = Number(head.toString("latin1", 9, 12))
                    if (this.status !== 200) return resolve(this)
                    if (head.length < end + 4 + 44) return
                    this.channels = head.readUInt16LE(end + 4 + 22)
                    started = true
                    clearTimeout(timer)
                    resolve(this)
                    d = head.subarray(end + 48)
                }
                this.bytes += d.length
                const all = leftover.length ? Buffer.concat([leftover, d]) : d
                const fb = 2 * this.channels
                const whole = all.length - (all.length % fb)
                for (let o = 0; o < whole; o += fb) {
                    const v = all.readUInt16LE(o)
                    if (expect >= 0 && v !== expect) this.mismatches++
                    expect = (v + 1) & 0xffff
                    this.frames++
                }
                if (whole && this.onChunk) this.onChunk(all.readUInt16LE(whole - fb), at)
                leftover = Buffer.from(all.subarray(whole))
            })
        })
    }

    close() {
        this.sock?.destroy()
    }

    reset() {
        this.sock?.resetAndDestroy()
    }
}

/** `runs` runs of `requests` GETs of `p`, each on a fresh connection, 10 ms apart: the latencies, ms, per run. */
async function latencyRuns(port, p, requests, runs) {
    const out = []
    for (let r = 0; r < runs; r++) {
        const ms = []
        for (let i = 0; i < requests; i++) {
            ms.push((await get(port, p)).ms)
            await new Promise(res => setTimeout(res, 10))
        }
        out.push(ms)
    }
    return out
}

module.exports = { get, post, Listener, latencyRuns }
