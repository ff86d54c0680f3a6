// /config end to end: validation (every invalid class gets a 400 naming the
// problem and changes nothing), persistence across a restart of the VM, and the
// admin-token rules.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SimProcess } from "../support/sim-process"
import { httpGet, rawRequest } from "../support/http-client"
import { StreamClient } from "../support/stream-client"

let sim: SimProcess
let stateDir: string

beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "mic-config-"))
    sim = await SimProcess.start({ source: "pattern", stateDir })
})

afterAll(async () => {
    await sim?.stop()
    rmSync(stateDir, { recursive: true, force: true })
})

const getConfig = async () => JSON.parse((await httpGet(sim.url("/config"))).body.toString())
const post = (body: string, headers: Record<string, string> = {}, method = "POST") =>
    httpGet(sim.url("/config"), 5000, { "Content-Type": "application/json", ...headers }, method, body)

test("GET /config shows the defaults and never a token", async () => {
    const r = await httpGet(sim.url("/config"))
    expect(r.status).toBe(200)
    expect(r.headers["cache-control"]).toBe("no-store")
    expect(JSON.parse(r.body.toString())).toEqual({ deviceName: "network-mic", sampleRate: 16000, channels: 1, gainDb: 0, maxStreams: 3, adminTokenSet: false })
})

describe("every invalid input gets 400 naming the problem, and changes nothing", () => {
    const cases: [string, string, RegExp][] = [
        ["wrong type", `{"maxStreams":"2"}`, /maxStreams "2" is not allowed: use a whole number from 1 to 8/],
        ["out of range", `{"maxStreams":9}`, /maxStreams 9 is not allowed: use a whole number from 1 to 8/],
        ["not a whole number", `{"gainDb":1.5}`, /gainDb 1.5 is not allowed/],
        ["gain out of the board's range", `{"gainDb":25}`, /from -24 to 24/],
        ["sample rate not in the list", `{"sampleRate":12345}`, /sampleRate 12345 is not allowed: use one of 8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000/],
        ["channels", `{"channels":3}`, /channels 3 is not allowed: use 1 \(mono\) or 2 \(stereo\)/],
        ["device name with bad characters", `{"deviceName":"a<b>"}`, /deviceName "a<b>" is not allowed/],
        ["device name too long", `{"deviceName":"${"x".repeat(33)}"}`, /1\.\.32 characters/],
        ["header injection through the name", `{"deviceName":"mic\\r\\nSet-Cookie: x=1"}`, /deviceName .* is not allowed/],
        ["unknown field", `{"maxStreams":2,"colour":"red"}`, /unknown field "colour"; the fields are/],
        ["bad JSON", `{"maxStreams":`, /not valid JSON/],
        ["not an object", `[1,2]`, /must be a JSON object/],
        ["empty object", `{}`, /empty/],
        ["empty body", ``, /empty body/],
        ["short token", `{"adminToken":"abc"}`, /adminToken is not allowed: use "" \(no token\) or 8\.\.64 characters/],
    ]
    test.each(cases)("%s", async (_name, body, message) => {
        const before = await getConfig()
        const r = await post(body)
        expect(r.status).toBe(400)
        expect(JSON.parse(r.body.toString()).message).toMatch(message)
        expect(await getConfig()).toEqual(before)
    })

    test("a huge body gets 413 and changes nothing", async () => {
        const before = await getConfig()
        const r = await rawRequest(sim.httpPort, [`POST /config HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${"{".repeat(5000)}`])
        expect(r.status).toBe(413)
        expect(await getConfig()).toEqual(before)
    })

    test("the valid fields of a rejected change are not applied either (all or nothing)", async () => {
        const r = await post(`{"maxStreams":2,"sampleRate":1}`)
        expect(r.status).toBe(400)
        expect((await getConfig()).maxStreams).toBe(3)
    })
})

test("a valid change applies at once, says what applied, and persists across a restart of the VM", async () => {
    const r = await post(`{"maxStreams":2,"deviceName":"Kitchen mic","gainDb":-6}`, {}, "PUT")
    expect(r.status).toBe(200)
    const answer = JSON.parse(r.body.toString())
    expect(answer).toMatchObject({ applied: ["deviceName", "gainDb", "maxStreams"], restartedAudio: false, closedStreams: 0, persisted: true })
    expect(answer.config).toMatchObject({ maxStreams: 2, deviceName: "Kitchen mic", gainDb: -6 })
    // maxStreams applies now: a third stream is refused
    const a = await new StreamClient(sim.httpPort).open()
    const b = await new StreamClient(sim.httpPort).open()
    const c = await new StreamClient(sim.httpPort).open()
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503])
    a.close(); b.close(); c.close()

    const pid = (await sim.control("/fault/restart-vm")).pid
    expect(pid).toBeGreaterThan(0)
    await sim.waitReady()
    expect(await getConfig()).toMatchObject({ maxStreams: 2, deviceName: "Kitchen mic", gainDb: -6, adminTokenSet: false })
    expect((await sim.status()).streams.max).toBe(2)
})

test("a new sample rate restarts the audio and ends open streams; new streams carry the new format", async () => {
    expect((await post(`{"gainDb":0}`)).status).toBe(200) // the pattern is bit-exact only at 0 dB
    const open = await new StreamClient(sim.httpPort).open()
    const r = await post(`{"sampleRate":48000}`)
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body.toString())).toMatchObject({ applied: ["sampleRate"], restartedAudio: true, closedStreams: 1 })
    const t0 = Date.now()
    while (!open.closed && Date.now() - t0 < 2000) await new Promise(res => setTimeout(res, 50))
    expect(open.closed).toBe(true)
    const fresh = await new StreamClient(sim.httpPort).open()
    expect(fresh.format?.sampleRate).toBe(48000)
    await new Promise(res => setTimeout(res, 1000))
    expect(fresh.mismatches).toBe(0)
    expect(fresh.frames).toBeGreaterThan(40000)
    fresh.close()
    const s = await sim.status()
    expect(s.audio.sampleRate).toBe(48000)
    expect(s.streams.recent.some((x: any) => x.endReason === "audio format changed")).toBe(true)
    expect((await post(`{"sampleRate":16000}`)).status).toBe(200)
})

test("with an admin token, changes need Authorization: Bearer; the token is never shown; failures are counted and slowed", async () => {
    const TOKEN = "s3cret-token"
    expect((await post(`{"adminToken":"${TOKEN}"}`)).status).toBe(200)
    const shown = await httpGet(sim.url("/config"))
    expect(shown.body.toString()).not.toContain(TOKEN)
    expect(JSON.parse(shown.body.toString()).adminTokenSet).toBe(true)

    const none = await post(`{"maxStreams":1}`)
    expect(none.status).toBe(401)
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/)
    const wrong = await post(`{"maxStreams":1}`, { Authorization: "Bearer nope-nope-nope" })
    expect(wrong.status).toBe(401)
    const right = await post(`{"maxStreams":1}`, { Authorization: `Bearer ${TOKEN}` })
    expect(right.status).toBe(200)
    expect((await getConfig()).maxStreams).toBe(1)

    // three failures in a row lock changes out for a while, even with the right token
    for (let i = 0; i < 3; i++) expect((await post(`{"maxStreams":2}`, { Authorization: "Bearer guess-guess" })).status).toBe(401)
    const locked = await post(`{"maxStreams":2}`, { Authorization: `Bearer ${TOKEN}` })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0)
    expect((await getConfig()).maxStreams).toBe(1)
    // reads stay open
    expect((await httpGet(sim.url("/status"))).status).toBe(200)
})
