// The foundation, end to end: the firmware in the real DeviceScript VM on the
// simulated board, answered over real TCP by the bridge.
import { SimProcess, sleep } from "../support/sim-process"
import { httpGet, rawRequest } from "../support/http-client"

const HEADER_TIMEOUT_MS = 5000 // src/http/limits.ts
const MAX_HEAD_BYTES = 2048

let sim: SimProcess

beforeAll(async () => {
    sim = await SimProcess.start({ source: "tone" })
})

afterAll(async () => {
    await sim?.stop()
})

test("/status is valid JSON describing the firmware, the audio format and the link", async () => {
    const r = await httpGet(sim.url("/status"))
    expect(r.status).toBe(200)
    expect(r.headers["content-type"]).toBe("application/json")
    expect(r.headers["cache-control"]).toBe("no-store")
    const s = JSON.parse(r.body.toString())
    expect(s.firmware.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(s.audio).toEqual({ sampleRate: 16000, channels: 1, bitsPerSample: 16 })
    expect(s.bridge.state).toBe("up")
    expect(s.uptimeMs).toBeGreaterThan(0)
})

test("the frame counter grows at the configured rate (16 kHz / 114 samples per frame)", async () => {
    const a = await sim.status()
    const t0 = performance.now()
    await sleep(3000)
    const b = await sim.status()
    const seconds = (performance.now() - t0) / 1000
    const framesPerSecond = (b.capture.frames - a.capture.frames) / seconds
    const samplesPerSecond = (b.capture.samples - a.capture.samples) / seconds
    expect(framesPerSecond).toBeGreaterThan(16000 / 114 * 0.9)
    expect(framesPerSecond).toBeLessThan(16000 / 114 * 1.1)
    expect(samplesPerSecond).toBeGreaterThan(16000 * 0.9)
    expect(samplesPerSecond).toBeLessThan(16000 * 1.1)
    expect(b.capture.gaps).toBe(0)
})

test("20 concurrent /status requests all get answers", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => httpGet(sim.url("/status"), 10000)))
    for (const r of results) {
        expect(r.status).toBe(200)
        expect(() => JSON.parse(r.body.toString())).not.toThrow()
    }
})

test("a malformed request line gets 400 with a message", async () => {
    const r = await rawRequest(sim.httpPort, ["GARBAGE\r\n\r\n"])
    expect(r.status).toBe(400)
    expect(r.data.toString()).toContain("malformed request line")
    expect(r.closed).toBe(true)
})

test("an unknown path gets 404 and a wrong method 405 with Allow", async () => {
    const nf = await httpGet(sim.url("/nope"))
    expect(nf.status).toBe(404)
    expect(JSON.parse(nf.body.toString()).message).toContain("/nope")
    const wm = await httpGet(sim.url("/status"), 5000, {}, "DELETE")
    expect(wm.status).toBe(405)
    expect(wm.headers["allow"]).toBe("GET, HEAD")
})

test("an oversized header block gets 431, a long request line 414, a large body 413", async () => {
    const big = await rawRequest(sim.httpPort, [`GET /status HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`])
    expect(big.status).toBe(431)
    const longLine = await rawRequest(sim.httpPort, [`GET /${"a".repeat(600)} HTTP/1.1\r\nHost: x\r\n\r\n`])
    expect(longLine.status).toBe(414)
    const body = await rawRequest(sim.httpPort, [`POST /status HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n`])
    expect(body.status).toBe(413)
})

test("a client that sends half a request and stalls gets 408 after the named timeout, without delaying a request beside it", async () => {
    const stalled = rawRequest(sim.httpPort, ["GET /status HTTP/1.1\r\nHo"], { timeoutMs: HEADER_TIMEOUT_MS + 5000 })
    await sleep(500)
    const beside = await httpGet(sim.url("/status"))
    expect(beside.status).toBe(200)
    expect(beside.ms).toBeLessThan(1000)
    const r = await stalled
    expect(r.status).toBe(408)
    expect(r.closed).toBe(true)
    expect(r.ms).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 100)
    expect(r.ms).toBeLessThan(HEADER_TIMEOUT_MS + 2000)
})

test("bad requests do not disturb a request running beside them, and the VM never panics", async () => {
    const bad = Promise.all([
        rawRequest(sim.httpPort, ["\x00\x01\x02\r\n\r\n"]),
        rawRequest(sim.httpPort, ["GET / HTTP/9.9\r\n\r\n"]),
        rawRequest(sim.httpPort, ["GET /status HTTP/1.1\r\n\r\n"]), // no Host
    ])
    const good = await httpGet(sim.url("/status"))
    expect(good.status).toBe(200)
    const [nul, ver, noHost] = await bad
    expect(nul.status).toBe(400)
    expect(ver.status).toBe(505)
    expect(noHost.status).toBe(400)
    expect(sim.panics()).toEqual([])
    const s = await sim.status()
    expect(s.live.buffers).toBe(0)
})
