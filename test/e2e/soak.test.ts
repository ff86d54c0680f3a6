// Soak: three test-pattern listeners for MIC_SOAK_SECONDS (120 in npm test; 1800
// with `npm run soak`): bit-exact, no panic, live objects and RSS flat.
import { readFileSync } from "node:fs"
import { SimProcess, sleep } from "../support/sim-process"
import { StreamClient } from "../support/stream-client"

const SOAK_SECONDS = Number(process.env.MIC_SOAK_SECONDS ?? 120)
/**
 * RSS may move a little (JIT code, GC timing); it must not grow with time. With
 * the simulator's young generation capped (sim/node-flags.ts), 30 minutes moved
 * its RSS within 77.9-85.0 MB (+6.4 MB end to end); uncapped it grew +28.1 MB.
 */
const MAX_RSS_GROWTH_MB = 12

let sim: SimProcess

beforeAll(async () => {
    sim = await SimProcess.start({ source: "pattern" })
})

afterAll(async () => {
    await sim?.stop()
})

function rssMb(pid: number) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? Number(m[1]) / 1024 : NaN
}

test(`soak: three listeners for ${SOAK_SECONDS} s, bit-exact, nothing grows`, async () => {
    const streams: StreamClient[] = []
    for (let i = 0; i < 3; i++) streams.push(await new StreamClient(sim.httpPort).open())
    await sleep(10000) // let the processes settle before the baseline
    const stats = await sim.control("/stats")
    const vmPid = stats.vm.pid
    const simPid = sim.child.pid!
    const base = { live: (await sim.status()).live, vmRss: rssMb(vmPid), simRss: rssMb(simPid) }
    const samples: { t: number; vmRss: number; simRss: number; live: any }[] = []
    const t0 = Date.now()
    while (Date.now() - t0 < (SOAK_SECONDS - 10) * 1000) {
        await sleep(Math.min(30000, (SOAK_SECONDS - 10) * 1000 - (Date.now() - t0)))
        samples.push({ t: Math.round((Date.now() - t0) / 1000), vmRss: rssMb(vmPid), simRss: rssMb(simPid), live: (await sim.status()).live })
    }
    const end = samples[samples.length - 1]
    // What the firmware saw of each listener, so a failure says whether a skip was
    // the firmware's (skips, droppedMs) or happened on the way to the client.
    const final = await sim.status()
    const listeners = final.streams.listeners.map((l: any) => ({ id: l.id, skips: l.skips, droppedMs: l.droppedMs, backlogMs: l.backlogMs }))
    const firstMismatches = streams.map(s => s.check?.firstMismatch ?? null)
    console.log(`soak ${SOAK_SECONDS} s: VM RSS ${base.vmRss.toFixed(1)} -> ${end.vmRss.toFixed(1)} MB, sim RSS ${base.simRss.toFixed(1)} -> ${end.simRss.toFixed(1)} MB, ` +
        `live ${JSON.stringify(base.live)} -> ${JSON.stringify(end.live)}, frames ${streams.map(s => s.frames).join("/")}, mismatches ${streams.map(s => s.mismatches).join("/")}, ` +
        `first mismatches ${JSON.stringify(firstMismatches)}, firmware's listeners ${JSON.stringify(listeners)}, trajectory ${JSON.stringify(samples)}`)
    for (const s of streams) {
        expect(s.closed).toBe(false)
        expect(s.mismatches).toBe(0)
        expect(s.frames).toBeGreaterThan(16000 * (SOAK_SECONDS - 1))
    }
    expect(end.live).toEqual(base.live)
    expect(end.vmRss - base.vmRss).toBeLessThan(MAX_RSS_GROWTH_MB)
    expect(end.simRss - base.simRss).toBeLessThan(MAX_RSS_GROWTH_MB)
    expect(sim.panics()).toEqual([])
    expect(final.capture.gaps).toBe(0)
    expect(final.streams.listeners.every((l: any) => l.droppedMs === 0)).toBe(true)
    streams.forEach(c => c.close())
}, (SOAK_SECONDS + 60) * 1000)
