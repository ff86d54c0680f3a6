#!/usr/bin/env node
// `npm run bench`: measures what the product exists for, side by side in one
// run, and writes bench/results/<date>.json and BENCHMARKS.md. Everything it
// starts (simulators and their VMs, Icecast, ffmpeg) it ends by its own pid.
//
// The budget is 15 minutes on 2 cores, and one of the figures is
// "after 10 minutes of 3 streams": so that soak runs on its own simulator
// beside the other measurements (it costs about a tenth of a core), and
// everything else fits in the same 10 minutes. MIC_BENCH_SCALE=2 doubles the
// windows of the capacity points and the soak.
const { execFileSync } = require("node:child_process")
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { ROOT, Sim, sleep, stopAll, cpuSeconds, rssMb } = require("./lib/processes")
const { Listener, latencyRuns } = require("./lib/clients")
const { median, quantile, round, summarize } = require("./lib/stats")
const { largestBallast } = require("./heap-probe")
const { benchIcecast } = require("./icecast")
const { writeReport } = require("./report")

const SCALE = Number(process.env.MIC_BENCH_SCALE ?? 1)
/** Requests per latency run, and runs per point (median and spread of the runs). */
const REQUESTS = 100
const RUNS = 3
/** Listener counts of the load table; the firmware admits at most its ceiling (src/stream/admission.ts). */
const LOADS = [0, 1, 3, 8, 12, 16, 32]
/** Window per load point: long enough to call a point "zero loss for 30 s" from 8 listeners up. */
const windowSeconds = n => Math.round((n >= 8 ? 30 : 10) * SCALE)
const SOAK_SECONDS = Math.round(600 * SCALE)
const CYCLES = 1000
const HEAP_PROBE_SECONDS = 8
/** The board the load table runs on: it claims more than the firmware's ceiling, so the firmware's own limit shows. */
const BOARD = { boardStreams: 255, maxConnections: 64 }

/** Start-up: from spawning the simulator (build done) to the first /status answer and the first audio byte. */
async function benchStartup(results) {
    const runs = []
    for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now()
        const sim = await new Sim({ source: "tone" }).start()
        const firstStatusMs = performance.now() - t0
        const l = new Listener(sim.httpPort)
        await l.open()
        while (l.bytes === 0 && performance.now() - t0 < 20000) await sleep(1)
        runs.push({ firstStatusMs: round(firstStatusMs, 0), firstAudioByteMs: round(performance.now() - t0, 0) })
        l.close()
        await sim.stop()
    }
    results.startup = {
        firstStatusMs: median(runs.map(r => r.firstStatusMs)), firstAudioByteMs: median(runs.map(r => r.firstAudioByteMs)), runs,
        note: "from spawning the simulator to the answer, as `npm start` does after its build step",
    }
    console.log(`start-up: first /status ${results.startup.firstStatusMs} ms, first audio byte ${results.startup.firstAudioByteMs} ms`)
}

/**
 * Mouth-to-ear: the test pattern names each sample's index, and the simulator
 * sends the report carrying sample i when the last sample of that report is
 * due (capture start + index / rate). Arrival minus that moment is the delay.
 */
function mouthToEar(cap, into) {
    const rate = cap.format.sampleRate
    return (lastIndexMod, at) => {
        const approx = ((at - cap.startedAtWallMs) * rate) / 1000
        const index = lastIndexMod + 65536 * Math.round((approx - lastIndexMod) / 65536)
        const reportEnd = (Math.floor(index / cap.framesPerReport) + 1) * cap.framesPerReport
        into.push(at - (cap.startedAtWallMs + (reportEnd * 1000) / rate))
    }
}

/** One load point: n bit-checked listeners; /status latency beside them, then CPU and loss over the window. */
async function loadPoint(sim, rate, n, limit, m2e) {
    if (n > limit) return { sampleRate: rate, listeners: n, note: `not admitted: the firmware's ceiling is ${limit} listeners (the 64 KB heap; see Memory)` }
    const cap = (await sim.control("/stats")).capture
    const delays = []
    const ls = []
    for (let i = 0; i < n; i++) ls.push(await new Listener(sim.httpPort, m2e ? mouthToEar(cap, delays) : undefined).open())
    try {
        if (ls.some(l => l.status !== 200)) throw new Error(`only ${ls.filter(l => l.status === 200).length} of ${n} listeners were admitted`)
        await sleep(1000)
        delays.length = 0
        const t0 = performance.now()
        const c0 = { vm: cpuSeconds(sim.vmPid), sim: cpuSeconds(sim.child.pid) }
        const f0 = ls.map(l => l.frames)
        const m0 = ls.reduce((a, l) => a + l.mismatches, 0)
        const d0 = (await sim.status()).streams.listeners.reduce((a, l) => a + l.droppedMs, 0)
        const latency = summarize(await latencyRuns(sim.httpPort, "/status", REQUESTS, RUNS))
        // the firmware's own view of the same requests: accept to answer, inside the VM
        const own = (await sim.status()).statusTimingMs
        const row = { sampleRate: rate, listeners: n, ...latency, firmwareP50: own.p50, firmwareP99: own.p99 }
        if (n > 0) {
            const rest = windowSeconds(n) * 1000 - (performance.now() - t0)
            if (rest > 0) await sleep(rest)
            const secs = (performance.now() - t0) / 1000
            const status = await sim.status()
            const received = ls.map((l, i) => (l.frames - f0[i]) / secs)
            Object.assign(row, {
                seconds: round(secs),
                vmCpuPercent: round((100 * (cpuSeconds(sim.vmPid) - c0.vm)) / secs),
                simCpuPercent: round((100 * (cpuSeconds(sim.child.pid) - c0.sim)) / secs),
                sampleErrors: ls.reduce((a, l) => a + l.mismatches, 0) - m0,
                droppedMs: status.streams.listeners.reduce((a, l) => a + l.droppedMs, 0) - d0,
                disconnected: ls.filter(l => l.closed).length,
                minSamplesPerSecond: round(Math.min(...received), 0),
            })
            row.zeroLoss = row.sampleErrors === 0 && row.droppedMs === 0 && row.disconnected === 0 && row.minSamplesPerSecond > rate * 0.98
        }
        if (m2e) row.mouthToEar = { chunks: delays.length, p50: round(quantile(delays, 0.5)), p99: round(quantile(delays, 0.99)), max: round(Math.max(...delays)) }
        const m = row.mouthToEar ? `, mouth-to-ear p50 ${row.mouthToEar.p50} ms p99 ${row.mouthToEar.p99} ms` : ""
        console.log(`load ${rate} Hz x${n}: /status p50 ${row.p50} ms p99 ${row.p99} ms` + (n ? `, VM CPU ${row.vmCpuPercent}%, zero loss ${row.zeroLoss}` : "") + m)
        return row
    } finally {
        ls.forEach(l => l.close())
        await sim.waitIdle()
    }
}

/** Status latency, cost and capacity against the number of listeners, at one sample rate. */
async function benchLoad(results, rate) {
    const sim = await new Sim(BOARD).start()
    try {
        const limit = (await sim.status()).streams.limit
        await sim.config({ sampleRate: rate, maxStreams: limit })
        await sleep(500)
        const rows = []
        for (const n of LOADS) rows.push(await loadPoint(sim, rate, n, limit, rate === 16000 && (n === 1 || n === 3)))
        results.load = (results.load ?? []).concat(rows)
        const passed = rows.filter(r => r.zeroLoss).map(r => r.listeners)
        const failed = rows.filter(r => r.zeroLoss === false).map(r => r.listeners)
        const max = passed.length ? Math.max(...passed) : 0
        results.capacity = results.capacity ?? {}
        results.capacity[rate] = {
            maxZeroLossListeners: max, firmwareLimit: limit,
            note: failed.length ? `loss first seen at ${Math.min(...failed)} listeners` : max === limit ? `every admitted load was lossless: the firmware's ceiling (${limit}) binds first, not the CPU` : "",
        }
    } finally {
        await sim.stop()
    }
}

/**
 * Memory: the firmware's own counts and the processes' RSS at start, after
 * CYCLES connect/disconnect cycles, after the soak. `cyclesDone` resolves when
 * the cycles (the heavy part) are over: the rest may run beside them.
 */
async function benchMemory(cyclesDone) {
    const sim = await new Sim().start()
    try {
        const snap = async label => {
            const s = await sim.status()
            return { label, live: s.live, vmRssMb: rssMb(sim.vmPid), simRssMb: rssMb(sim.child.pid), uptimeS: Math.round(s.uptimeMs / 1000) }
        }
        const rows = [await snap("at start")]
        for (let i = 0; i < CYCLES; i++) {
            const l = await new Listener(sim.httpPort).open(i % 2 ? "/stream.wav" : "/status")
            if (i % 2) {
                const t0 = Date.now()
                while (l.bytes < 320 && Date.now() - t0 < 1000) await sleep(2)
            }
            i % 4 === 1 ? l.reset() : l.close()
        }
        await sim.waitIdle()
        await sleep(500)
        rows.push(await snap(`after ${CYCLES} connect/disconnect cycles`))
        cyclesDone()
        const ls = []
        for (let i = 0; i < 3; i++) ls.push(await new Listener(sim.httpPort).open())
        await sleep(SOAK_SECONDS * 1000)
        // what the firmware saw, to tell a gap from the board from a listener skipped ahead
        const s = await sim.status()
        const soak = {
            seconds: SOAK_SECONDS, sampleErrors: ls.reduce((a, l) => a + l.mismatches, 0), disconnected: ls.filter(l => l.closed).length, samples: ls.map(l => l.frames),
            captureGaps: s.capture.gaps, lostSamples: s.capture.lostSamples, stalls: s.capture.stalls,
            listenerSkips: s.streams.listeners.map(l => l.skips), listenerDroppedMs: s.streams.listeners.map(l => l.droppedMs),
            boardLostFrames: (await sim.control("/stats")).capture.lostFrames,
        }
        ls.forEach(l => l.close())
        await sim.waitIdle()
        await sleep(500)
        rows.push(await snap(`after ${SOAK_SECONDS / 60} min of 3 streams`))
        rows.forEach(r => console.log(`memory ${r.label}: live ${JSON.stringify(r.live)}, VM RSS ${r.vmRssMb} MB, sim RSS ${r.simRssMb} MB`))
        return { snapshots: rows, soak, panics: await sim.panics() }
    } finally {
        await sim.stop()
    }
}

/** Heap headroom with 3 listeners and at the firmware's ceiling; from them, what a listener costs. */
async function benchHeap(results, ceiling) {
    const log = m => console.log(m)
    const at3 = await largestBallast(3, HEAP_PROBE_SECONDS, log)
    const atCeiling = await largestBallast(ceiling, HEAP_PROBE_SECONDS, log)
    const perListener = at3 >= 0 && atCeiling >= 0 ? Math.round((at3 - atCeiling) / (ceiling - 3)) : null
    const ringBytes = Number(/RING_BYTES = (\d+) \* 1024/.exec(fs.readFileSync(path.join(ROOT, "src/audio/ring.ts"), "utf8"))[1]) * 1024
    results.heap = {
        probeSeconds: HEAP_PROBE_SECONDS, ringBytes,
        headroomBytesWith3Listeners: at3, headroomListeners: ceiling, headroomBytesAtCeiling: atCeiling,
        bytesPerListener: perListener,
        largestRingBytes: at3 >= 0 ? ringBytes + at3 : null,
        listenersTheHeapWouldHold: perListener ? 3 + Math.floor(at3 / perListener) : null,
    }
    console.log(`heap: headroom ${at3} B with 3 listeners, ${atCeiling} B with ${ceiling}; ~${perListener} B per listener`)
}

async function main() {
    const t0 = Date.now()
    const results = {
        date: new Date().toISOString(), command: "npm run bench",
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
        settings: { requestsPerRun: REQUESTS, runs: RUNS, loads: LOADS, soakSeconds: SOAK_SECONDS, cycles: CYCLES, scale: SCALE },
    }
    console.log("bench: start-up")
    await benchStartup(results)
    console.log(`bench: memory: ${CYCLES} connect/disconnect cycles, then a ${SOAK_SECONDS} s soak beside the rest`)
    let cyclesDone
    const cycles = new Promise(res => (cyclesDone = res))
    const memory = benchMemory(cyclesDone)
    memory.catch(() => cyclesDone())
    await cycles // the cycles load the machine hard: nothing is measured beside them
    for (const rate of [16000, 48000]) {
        console.log(`bench: load at ${rate} Hz`)
        await benchLoad(results, rate)
    }
    console.log("bench: Icecast side by side")
    results.icecast = await benchIcecast(new Sim(), REQUESTS, RUNS)
    console.log("bench: heap probe")
    await benchHeap(results, results.capacity[16000].firmwareLimit)
    console.log("bench: waiting for the memory soak")
    results.memory = await memory
    results.durationSeconds = Math.round((Date.now() - t0) / 1000)
    writeReport(results)
}

const cleanup = async () => {
    await stopAll()
}
process.on("SIGINT", () => cleanup().then(() => process.exit(130)))
process.on("SIGTERM", () => cleanup().then(() => process.exit(143)))
main().then(cleanup, async e => {
    console.error(e)
    await cleanup()
    process.exit(1)
})
