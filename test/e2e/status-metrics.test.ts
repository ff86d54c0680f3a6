// /status, /metrics and the pages, checked against what the test's own clients
// actually did.
import { SimProcess, sleep } from "../support/sim-process"
import { httpGet } from "../support/http-client"
import { StreamClient } from "../support/stream-client"

let sim: SimProcess

beforeAll(async () => {
    sim = await SimProcess.start({ source: "tone" })
})

afterAll(async () => {
    await sim?.stop()
})

function parseMetrics(text: string) {
    const m = new Map<string, number>()
    for (const line of text.split("\n")) {
        if (!line || line.startsWith("#")) continue
        const [name, value] = line.split(" ")
        m.set(name, Number(value))
    }
    return m
}

test("status counts what the clients did: streams opened, refused and ended, bytes, HTTP classes, live objects", async () => {
    const before = await sim.status()
    for (let i = 0; i < 3; i++) expect((await httpGet(sim.url(`/missing-${i}`))).status).toBe(404)
    const streams = [] as StreamClient[]
    for (let i = 0; i < 3; i++) streams.push(await new StreamClient(sim.httpPort).open())
    const refused = await httpGet(sim.url("/stream.wav"))
    expect(refused.status).toBe(503)
    await sleep(1500)
    const during = await sim.status()
    expect(during.streams.active).toBe(3)
    expect(during.streams.admitted - before.streams.admitted).toBe(3)
    expect(during.streams.rejected - before.streams.rejected).toBe(1)
    expect(during.http.status4xx - before.http.status4xx).toBe(3)
    expect(during.http.rejected503 - before.http.rejected503).toBe(1)
    expect(during.live.fibers).toBe(2 + 3) // workers + one fiber per listener
    expect(during.live.connections).toBe(1 + 3) // this request + the listeners
    expect(during.streams.listeners).toHaveLength(3)
    for (const l of during.streams.listeners) {
        expect(l.peer).toMatch(/^127\.0\.0\.1:\d+$/)
        expect(l.state).toBe("streaming")
        expect(l.startedMsAgo).toBeGreaterThan(1000)
        // what the firmware sent covers what our client received; the rest is in flight
        const mine = streams.find(s => s.sock.localPort === Number(l.peer.split(":")[1]))!
        expect(l.bytesSent).toBeGreaterThanOrEqual(mine.pcmBytes)
        expect(l.bytesSent - mine.pcmBytes).toBeLessThan(64 * 1024)
        expect(l.droppedMs).toBe(0)
    }
    expect(during.capture.level.peakDbfs).toBeCloseTo(-12, 0) // the sim's tone
    expect(during.statusTimingMs.count).toBeGreaterThan(0)
    expect(during.statusTimingMs.p99).toBeGreaterThanOrEqual(during.statusTimingMs.p50)

    const first = streams[0]
    const firstPort = first.sock.localPort
    first.close()
    await sleep(500)
    const after = await sim.status()
    const ended = after.streams.recent.find((r: any) => Number(r.peer.split(":")[1]) === firstPort)
    // A FIN while audio is still arriving may reach the bridge as a reset (the client's
    // kernel resets a socket closed with unread data): both say the client left.
    expect(ended.endReason).toMatch(/^client (closed|reset)$/)
    expect(ended.bytesSent).toBeGreaterThanOrEqual(first.pcmBytes)
    expect(after.streams.active).toBe(2)
    streams.slice(1).forEach(s => s.close())
})

test("/metrics carries the same figures in the Prometheus text format", async () => {
    const r = await httpGet(sim.url("/metrics"))
    expect(r.status).toBe(200)
    expect(r.headers["content-type"]).toBe("text/plain; version=0.0.4")
    const m = parseMetrics(r.body.toString())
    const s = await sim.status()
    expect(m.get("mic_streams_max")).toBe(s.streams.max)
    expect(m.get("mic_streams_admitted_total")).toBe(s.streams.admitted)
    expect(m.get("mic_streams_rejected_total")).toBe(s.streams.rejected)
    expect(m.get("mic_sample_rate_hz")).toBe(16000)
    expect(m.get("mic_bridge_link_up")).toBe(1)
    expect(m.get('mic_http_responses_total{class="4xx"}')).toBe(s.http.status4xx)
    expect(m.get("mic_capture_gaps_total")).toBe(s.capture.gaps)
    expect(m.get("mic_capture_stalls_total")).toBe(s.capture.stalls)
    expect(m.get("mic_firmware_pauses_total")).toBe(s.capture.firmwarePauses)
    expect(m.get("mic_capture_frames_total")).toBeLessThanOrEqual(s.capture.frames)
    expect(m.get("mic_capture_frames_total")).toBeGreaterThan(s.capture.frames - 200)
    for (const line of r.body.toString().trim().split("\n"))
        expect(line).toMatch(/^(# (HELP|TYPE) mic_\w+ .+|mic_\w+(\{[a-z]+="[^"]+"\})? -?\d+(\.\d+)?)$/)
})

test("a browser asking for HTML gets a status page", async () => {
    const r = await httpGet(sim.url("/status"), 5000, { Accept: "text/html,application/xhtml+xml" })
    expect(r.status).toBe(200)
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(r.body.toString()).toContain("<h1>network-mic</h1>")
    expect(r.body.toString()).toContain("16000 Hz")
})

test("with three streams running, /, /status, /metrics and /config each answer under 100 ms", async () => {
    const streams = [] as StreamClient[]
    for (let i = 0; i < 3; i++) streams.push(await new StreamClient(sim.httpPort).open())
    await sleep(500)
    for (const path of ["/", "/status", "/metrics", "/config"]) {
        const times: number[] = []
        for (let i = 0; i < 10; i++) {
            const r = await httpGet(sim.url(path))
            expect(r.status).toBe(200)
            times.push(r.ms)
        }
        expect(Math.max(...times)).toBeLessThan(100)
    }
    streams.forEach(s => s.close())
})
