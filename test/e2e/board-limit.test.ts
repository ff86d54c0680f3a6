// The board decides how many listeners it can buffer (socket bridge register
// max_streams); the firmware lets maxStreams go up to that and no further.
// A simulated board that claims 12 (the firmware's own ceiling, MAX_STREAMS_CEILING)
// serves 12 bit-exact listeners at once; one that claims more is capped.
import { SimProcess, sleep } from "../support/sim-process"
import { httpGet } from "../support/http-client"
import { StreamClient } from "../support/stream-client"

const BOARD_STREAMS = 12
const FIRMWARE_CEILING = 12 // src/stream/admission.ts MAX_STREAMS_CEILING
const LISTEN_MS = 10000

let sim: SimProcess
const opened: StreamClient[] = []

beforeAll(async () => {
    sim = await SimProcess.start({ source: "pattern", extraArgs: ["--max-streams", `${BOARD_STREAMS}`] })
})

afterAll(async () => {
    for (const c of opened) if (!c.closed) c.reset()
    await sim?.stop()
})

const postConfig = (body: string) => httpGet(sim.url("/config"), 5000, { "Content-Type": "application/json" }, "POST", body)

test("maxStreams may rise to the board's limit and no further; /status and /metrics show the limit", async () => {
    const s = await sim.status()
    expect(s.streams.limit).toBe(BOARD_STREAMS)
    const metrics = (await httpGet(sim.url("/metrics"))).body.toString()
    expect(metrics).toMatch(new RegExp(`^mic_streams_limit ${BOARD_STREAMS}$`, "m"))

    const over = await postConfig(`{"maxStreams":${BOARD_STREAMS + 1}}`)
    expect(over.status).toBe(400)
    expect(JSON.parse(over.body.toString()).message).toMatch(`use a whole number from 1 to ${BOARD_STREAMS} (the hardware limit)`)
    const ok = await postConfig(`{"maxStreams":${BOARD_STREAMS}}`)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body.toString()).config.maxStreams).toBe(BOARD_STREAMS)
})

test("a board that claims more than the firmware's ceiling is capped at the ceiling", async () => {
    const greedy = await SimProcess.start({ source: "pattern", extraArgs: ["--max-streams", "200"] })
    try {
        expect((await greedy.status()).streams.limit).toBe(FIRMWARE_CEILING)
    } finally {
        await greedy.stop()
    }
})

test(`${BOARD_STREAMS} listeners at once stay bit-exact; one more gets 503; /status answers beside them`, async () => {
    const listeners: StreamClient[] = []
    for (let i = 0; i < BOARD_STREAMS; i++) {
        const c = new StreamClient(sim.httpPort)
        opened.push(c)
        listeners.push(await c.open())
        expect(c.status).toBe(200)
    }
    const extra = new StreamClient(sim.httpPort)
    opened.push(extra)
    await extra.open()
    expect(extra.status).toBe(503)

    const before = listeners.map(l => l.frames)
    const statusMs: number[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < LISTEN_MS) {
        const r = await httpGet(sim.url("/status"), 5000)
        expect(r.status).toBe(200)
        statusMs.push(r.ms)
        await sleep(500)
    }
    const seconds = (Date.now() - t0) / 1000
    for (const [i, l] of listeners.entries()) {
        expect(l.closed).toBe(false)
        expect(l.mismatches).toBe(0)
        // real time, within the start-up and scheduling slack of one check
        expect((l.frames - before[i]) / seconds).toBeGreaterThan(16000 * 0.9)
    }
    const s = await sim.status()
    expect(s.streams.active).toBe(BOARD_STREAMS)
    expect(s.live.fibers).toBe(2 + BOARD_STREAMS) // the HTTP workers and one fiber per listener
    expect(sim.panics()).toEqual([])
    // the product's promise for short requests holds at this load too (reported, and bounded generously)
    expect(Math.max(...statusMs)).toBeLessThan(100)
})
