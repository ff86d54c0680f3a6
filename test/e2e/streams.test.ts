// Live audio, end to end: real listeners against the firmware in the VM, every
// sample checked against the simulator's test pattern.
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SimProcess, sleep } from "../support/sim-process"
import { httpGet, rawRequest } from "../support/http-client"
import { StreamClient } from "../support/stream-client"

/** The product's promise for short requests, however many streams run. */
const STATUS_BUDGET_MS = 100
const IDLE_FIBERS = 2 // the HTTP workers (src/http/limits.ts HTTP_WORKERS)

let sim: SimProcess
let tmp: string

beforeAll(async () => {
    sim = await SimProcess.start({ source: "pattern" })
    tmp = mkdtempSync(join(tmpdir(), "mic-streams-"))
})

/** Every listener a test opened; closed after each test even when it failed, so one failure never cascades. */
const opened: StreamClient[] = []

afterEach(async () => {
    for (const c of opened.splice(0)) if (!c.closed) c.reset()
    await waitIdle()
})

afterAll(async () => {
    await sim?.stop()
    rmSync(tmp, { recursive: true, force: true })
})

async function openStreams(n: number, keepFirst = false) {
    const out: StreamClient[] = []
    for (let i = 0; i < n; i++) {
        const c = new StreamClient(sim.httpPort, keepFirst && i === 0)
        opened.push(c)
        out.push(await c.open())
    }
    return out
}

/** Polls /status once a second for `seconds`; returns every latency. */
async function pollStatus(seconds: number) {
    const ms: number[] = []
    for (let i = 0; i < seconds; i++) {
        const r = await httpGet(sim.url("/status"), 5000)
        expect(r.status).toBe(200)
        ms.push(r.ms)
        await sleep(1000 - Math.min(r.ms, 900))
    }
    return ms
}

async function waitIdle(timeoutMs = 3000) {
    const t0 = Date.now()
    let s = await sim.status()
    while ((s.streams.active !== 0 || s.live.connections !== 1 || s.live.fibers !== IDLE_FIBERS) && Date.now() - t0 < timeoutMs) {
        await sleep(100)
        s = await sim.status()
    }
    return s
}

test("scenario 1: one stream while /status is polled every second for 30 s: every answer under 100 ms", async () => {
    const [a] = await openStreams(1)
    const ms = await pollStatus(30)
    expect(Math.max(...ms)).toBeLessThan(STATUS_BUDGET_MS)
    expect(a.frames).toBeGreaterThan(16000 * 29)
    expect(a.mismatches).toBe(0)
    a.close()
    await waitIdle()
})

test("scenario 2 and bit-exactness: three listeners get valid WAV, bit-exact and contiguous for 60 s, while /status from a fourth client stays under 100 ms", async () => {
    const streams = await openStreams(3, true)
    for (const s of streams) {
        expect(s.status).toBe(200)
        expect(s.headers).toMatch(/Content-Type: audio\/wav/i)
        expect(s.headers).toMatch(/Cache-Control: no-store/i)
        expect(s.format).toEqual({ sampleRate: 16000, channels: 1, bitsPerSample: 16, dataSize: 0xffffffff })
    }
    const ms = await pollStatus(61)
    expect(Math.max(...ms)).toBeLessThan(STATUS_BUDGET_MS)
    for (const s of streams) {
        expect(s.closed).toBe(false)
        expect(s.frames).toBeGreaterThan(16000 * 60)
        expect(s.mismatches).toBe(0)
    }
    // ffprobe reads what the first listener received
    const file = join(tmp, "listener1.wav")
    writeFileSync(file, Buffer.concat(streams[0].kept).subarray(streams[0].headers.length + 4))
    const probe = JSON.parse(execFileSync("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file]).toString())
    expect(probe.streams[0]).toMatchObject({ codec_name: "pcm_s16le", sample_rate: "16000", channels: 1 })
    const status = await sim.status()
    expect(status.capture.gaps).toBe(0)
    expect(status.streams.listeners.every((l: any) => l.droppedMs === 0)).toBe(true)
    streams.forEach(s => s.close())
    await waitIdle()
})

test("scenario 3: a fourth stream gets 503 with Retry-After at once, /status still answers, and a freed slot admits a new stream within 1 s", async () => {
    const streams = await openStreams(3)
    const t0 = performance.now()
    const fourth = await httpGet(sim.url("/stream.wav"), 3000)
    const fourthMs = performance.now() - t0
    expect(fourth.status).toBe(503)
    expect(fourthMs).toBeLessThan(STATUS_BUDGET_MS)
    expect(Number(fourth.headers["retry-after"])).toBeGreaterThan(0)
    expect(JSON.parse(fourth.body.toString())).toMatchObject({ activeStreams: 3, maxStreams: 3 })
    const fifth = await httpGet(sim.url("/status"))
    expect(fifth.status).toBe(200)
    expect(JSON.parse(fifth.body.toString()).streams.rejected).toBeGreaterThanOrEqual(1)
    streams[0].close()
    const freedAt = Date.now()
    let next: StreamClient | undefined
    while (Date.now() - freedAt < 1000) {
        const c = await new StreamClient(sim.httpPort).open()
        if (c.status === 200) {
            next = c
            break
        }
        await sleep(50)
    }
    expect(next?.status).toBe(200)
    expect(Date.now() - freedAt).toBeLessThan(1000)
    next!.close()
    streams.slice(1).forEach(s => s.close())
    await waitIdle()
})

test("HEAD gives the stream's headers without a slot; Safari's Range 0-1 probe gets an exact 206", async () => {
    const head = await httpGet(sim.url("/stream.wav"), 3000, {}, "HEAD")
    expect(head.status).toBe(200)
    expect(head.headers["content-type"]).toBe("audio/wav")
    expect(head.body.length).toBe(0)
    const probe = await httpGet(sim.url("/stream.wav"), 3000, { Range: "bytes=0-1" })
    expect(probe.status).toBe(206)
    expect(probe.headers["content-range"]).toBe("bytes 0-1/*")
    expect(probe.body.toString()).toBe("RI")
    expect((await sim.status()).streams.active).toBe(0)
})

test("a listener that stops reading for 10 s costs the other two not a sample; its drops are counted; /status stays under 100 ms", async () => {
    const [stalled, a, b] = await openStreams(3)
    await sleep(500)
    stalled.pause()
    const ms = await pollStatus(10)
    expect(Math.max(...ms)).toBeLessThan(STATUS_BUDGET_MS)
    const s = await sim.status()
    const mine = s.streams.listeners.find((l: any) => l.droppedMs > 0)
    expect(mine).toBeDefined()
    expect(mine.state).toBe("behind")
    stalled.resume()
    await sleep(2000)
    for (const c of [a, b]) {
        expect(c.mismatches).toBe(0)
        expect(c.frames).toBeGreaterThan(16000 * 11)
    }
    // the stalled listener rejoined at the live edge: its stream has a jump, nothing else
    expect(stalled.closed).toBe(false)
    ;[stalled, a, b].forEach(c => c.close())
    await waitIdle()
})

test("2,000 connect/disconnect cycles (clean and reset, mid-header and mid-stream) leave nothing behind", async () => {
    const CYCLES_PER_KIND = 500 // x4 kinds = 2,000
    const headerCycle = async (reset: boolean) => {
        const sock = await new Promise<import("node:net").Socket>(resolve => {
            const s = require("node:net").connect(sim.httpPort, "127.0.0.1", () => resolve(s))
            s.on("error", () => {})
        })
        sock.write("GET /status HTTP/1.1\r\nHo")
        await sleep(2)
        if (reset) sock.resetAndDestroy()
        else sock.destroy()
    }
    let streamed = 0
    const streamCycle = async (reset: boolean) => {
        const c = await new StreamClient(sim.httpPort).open()
        if (c.status === 200) {
            const t0 = Date.now()
            while (c.pcmBytes < 640 && Date.now() - t0 < 2000) await sleep(5)
            if (c.pcmBytes >= 640) streamed++
        }
        if (reset) c.reset()
        else c.close()
    }
    const run = async (n: number, cycle: (reset: boolean) => Promise<void>, reset: boolean) => {
        for (let i = 0; i < n; i++) await cycle(reset)
    }
    await Promise.all([
        run(CYCLES_PER_KIND, headerCycle, false),
        run(CYCLES_PER_KIND, headerCycle, true),
        run(CYCLES_PER_KIND, streamCycle, false),
        run(CYCLES_PER_KIND, streamCycle, true),
    ])
    expect(streamed).toBeGreaterThan(CYCLES_PER_KIND) // most stream cycles really streamed (2 at a time, 3 slots)
    const s = await waitIdle(5000)
    expect(s.streams.active).toBe(0)
    expect(s.live).toEqual({ connections: 1, fibers: IDLE_FIBERS, buffers: 0, bufferBytes: 0 })
    expect(sim.panics()).toEqual([])
    // and the device still streams
    const [c] = await openStreams(1)
    await sleep(500)
    expect(c.frames).toBeGreaterThan(4000)
    expect(c.mismatches).toBe(0)
    c.close()
    await waitIdle()
})

test("ffmpeg and sox record 10 s from /stream.wav into a playable file of the right length", async () => {
    const ffOut = join(tmp, "ffmpeg.wav")
    execFileSync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", sim.url("/stream.wav"), "-t", "10", "-c:a", "pcm_s16le", ffOut], { timeout: 30000 })
    const ffSamples = Number(execFileSync("soxi", ["-s", ffOut]).toString().trim())
    expect(Math.abs(ffSamples - 160000)).toBeLessThanOrEqual(114)

    const soxOut = join(tmp, "sox.wav")
    await new Promise<void>((resolve, reject) => {
        const curl = spawn("curl", ["-sN", sim.url("/stream.wav")], { stdio: ["ignore", "pipe", "ignore"] })
        const sox = spawn("sox", ["-q", "-t", "wav", "-", soxOut, "trim", "0", "10"], { stdio: ["pipe", "ignore", "pipe"] })
        curl.stdout.pipe(sox.stdin)
        sox.stdin.on("error", () => {})
        sox.on("exit", code => {
            curl.kill()
            code === 0 ? resolve() : reject(new Error(`sox exited ${code}`))
        })
    })
    const soxSamples = Number(execFileSync("soxi", ["-s", soxOut]).toString().trim())
    expect(Math.abs(soxSamples - 160000)).toBeLessThanOrEqual(114)
    // what sox wrote is the test pattern, bit-exact
    const { checkTestPattern } = require("../../sim/audio/test-pattern")
    expect(checkTestPattern(readFileSync(soxOut).subarray(44), 1).mismatches).toBe(0)
    await waitIdle()
})
