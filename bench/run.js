#!/usr/bin/env node
// `npm run bench`: measures what the product exists for, side by side in one
// run, and writes bench/results/<date>.json and the table in BENCHMARKS.md.
// Everything it starts (simulators, the VM, Icecast, ffmpeg, curl) it stops by
// its own pid. Durations are short enough for the whole run to stay under 15
// minutes on a 2-core machine; MIC_BENCH_SCALE=2 doubles them.
const { spawn, execFileSync } = require("node:child_process")
const fs = require("node:fs")
const http = require("node:http")
const net = require("node:net")
const os = require("node:os")
const path = require("node:path")

const ROOT = path.join(__dirname, "..")
const SCALE = Number(process.env.MIC_BENCH_SCALE ?? 1)
const REQUESTS = Math.round(100 * SCALE) // per latency point
const RUNS = 3 // repetitions of each latency point: median and spread
const CAPACITY_S = Math.round(30 * SCALE)
const MEMORY_STREAM_S = Math.round(120 * SCALE)
const children = new Set()
/** Linux reports process CPU time in clock ticks of 1/100 s (getconf CLK_TCK). */
const CLOCK_TICKS = 100

const sleep = ms => new Promise(r => setTimeout(r, ms))
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN }
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] }
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d

function freePort() {
    return new Promise(res => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)) }) })
}

function track(child) {
    children.add(child)
    child.on("exit", () => children.delete(child))
    return child
}

async function stopChild(child) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    await new Promise(res => {
        const t = setTimeout(() => child.kill("SIGKILL"), 5000)
        child.once("exit", () => { clearTimeout(t); res() })
        child.kill("SIGTERM")
    })
}

function get(port, p, headers = {}, timeout = 5000) {
    return new Promise((resolve, reject) => {
        const t0 = performance.now()
        const req = http.get({ host: "127.0.0.1", port, path: p, agent: false, headers, timeout }, res => {
            const chunks = []
            res.on("data", c => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - t0 }))
        })
        req.on("timeout", () => req.destroy(new Error("timeout")))
        req.on("error", reject)
    })
}

function post(port, p, body) {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: p, method: "POST", agent: false, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } }, res => {
            const chunks = []
            res.on("data", c => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }))
        })
        req.on("error", reject)
        req.end(body)
    })
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS
}

function rssMb(pid) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? round(Number(m[1]) / 1024) : NaN
}

class Sim {
    async start(source = "pattern") {
        this.httpPort = await freePort()
        this.controlPort = await freePort()
        this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mic-bench-"))
        const t0 = performance.now()
        this.child = track(spawn(process.execPath, [path.join(ROOT, "build/sim/main.js"), "--quiet", "--source", source,
            "--http-port", `${this.httpPort}`, "--bridge-port", "0", "--bus-port", "0", "--control-port", `${this.controlPort}`, "--state-dir", this.stateDir],
            { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }))
        this.output = ""
        this.child.stdout.on("data", d => (this.output += d))
        this.child.stderr.on("data", d => (this.output += d))
        for (;;) {
            if (this.child.exitCode !== null) throw new Error(`simulator exited: ${this.output}`)
            try { if ((await get(this.httpPort, "/status", {}, 500)).status === 200) break } catch {}
            await sleep(20)
        }
        this.startupMs = performance.now() - t0
        const s = await this.control("/stats")
        this.vmPid = s.vm.pid
        return this
    }
    async control(p) { return JSON.parse((await get(this.controlPort, p)).body.toString()) }
    async status() { return JSON.parse((await get(this.httpPort, "/status")).body.toString()) }
    async config(body) { const r = await post(this.httpPort, "/config", body); if (r.status !== 200) throw new Error(r.body); return JSON.parse(r.body) }
    async stop() { await stopChild(this.child); fs.rmSync(this.stateDir, { recursive: true, force: true }) }
}

/** A raw listener that counts bytes and checks the test pattern (index mod 65536), and records arrival times. */
class Listener {
    constructor(port, onChunk) { this.port = port; this.onChunk = onChunk; this.bytes = 0; this.mismatches = 0; this.frames = 0; this.status = 0 }
    open(p = "/stream.wav") {
        return new Promise(resolve => {
            let head = Buffer.alloc(0), leftover = Buffer.alloc(0), expect = -1, started = false
            this.sock = net.connect(this.port, "127.0.0.1", () => this.sock.write(`GET ${p} HTTP/1.1\r\nHost: b\r\n\r\n`))
            this.sock.on("error", () => {})
            this.sock.on("close", () => resolve(this))
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
    close() { this.sock?.destroy() }
}

async function latencyPoint(port, pathName, n) {
    const ms = []
    for (let i = 0; i < n; i++) {
        ms.push((await get(port, pathName)).ms)
        await sleep(10)
    }
    return ms
}

function summarize(runs) {
    const per = runs.map(ms => ({ p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99) }))
    const out = {}
    for (const k of ["p50", "p95", "p99"]) {
        const v = per.map(r => r[k])
        out[k] = round(median(v), 2)
        out[`${k}Spread`] = [round(Math.min(...v), 2), round(Math.max(...v), 2)]
    }
    return out
}

async function withListeners(sim, n, fn) {
    const ls = []
    for (let i = 0; i < n; i++) ls.push(await new Listener(sim.httpPort).open())
    try { return await fn(ls) } finally { ls.forEach(l => l.close()); await sleep(300) }
}

async function benchStatusLatency(results) {
    const rows = []
    for (const rate of [16000, 48000]) {
        const sim = await new Sim().start()
        await sim.config(JSON.stringify({ sampleRate: rate, maxStreams: 8 }))
        await sleep(500)
        for (const n of [0, 1, 3, 8]) {
            const row = await withListeners(sim, n, async ls => {
                await sleep(500)
                const runs = []
                for (let r = 0; r < RUNS; r++) runs.push(await latencyPoint(sim.httpPort, "/status", REQUESTS))
                const lost = ls.reduce((a, l) => a + l.mismatches, 0)
                return { sampleRate: rate, listeners: n, ...summarize(runs), listenerMismatches: lost }
            })
            rows.push(row)
            console.log(`status latency ${rate} Hz, ${n} listeners: p50 ${row.p50} ms, p99 ${row.p99} ms`)
        }
        await sim.stop()
    }
    rows.push({ sampleRate: 16000, listeners: 16, note: "not measured: MAX_STREAMS_LIMIT is 8 (src/stream/admission.ts)" })
    rows.push({ sampleRate: 16000, listeners: 32, note: "not measured: MAX_STREAMS_LIMIT is 8 (src/stream/admission.ts)" })
    results.statusLatency = rows
}

async function benchMouthToEar(results) {
    const rows = []
    const sim = await new Sim().start("pattern")
    const cap = (await sim.control("/stats")).capture
    const rate = cap.format.sampleRate
    for (const n of [1, 3]) {
        const lat = []
        const ls = []
        for (let i = 0; i < n; i++) {
            ls.push(await new Listener(sim.httpPort, (lastIndexMod, at) => {
                // unwrap index mod 65536 to the one whose due time is nearest the arrival
                const approx = ((at - cap.startedAtWallMs) * rate) / 1000
                const k = Math.round((approx - lastIndexMod) / 65536)
                const index = lastIndexMod + 65536 * k
                // the report carrying this sample leaves the simulator when its last sample is due
                const reportEnd = (Math.floor(index / cap.framesPerReport) + 1) * cap.framesPerReport
                lat.push(at - (cap.startedAtWallMs + (reportEnd * 1000) / rate))
            }).open())
        }
        await sleep(Math.round(10000 * SCALE))
        ls.forEach(l => l.close())
        rows.push({ listeners: n, samples: lat.length, p50: round(quantile(lat, 0.5), 1), p99: round(quantile(lat, 0.99), 1), max: round(Math.max(...lat), 1) })
        console.log(`mouth-to-ear, ${n} listeners: p50 ${rows.at(-1).p50} ms, p99 ${rows.at(-1).p99} ms`)
        await sleep(300)
    }
    await sim.stop()
    results.mouthToEar = rows
}

async function benchCapacity(results) {
    const rows = []
    for (const rate of [16000, 48000]) {
        const sim = await new Sim().start("pattern")
        await sim.config(JSON.stringify({ sampleRate: rate, maxStreams: 8 }))
        await sleep(500)
        for (const n of [1, 3, 8]) {
            const row = await withListeners(sim, n, async ls => {
                await sleep(1000)
                const c0 = cpuSeconds(sim.vmPid), s0 = cpuSeconds(sim.child.pid), t0 = performance.now()
                const f0 = ls.map(l => l.frames)
                await sleep(CAPACITY_S * 1000)
                const secs = (performance.now() - t0) / 1000
                const status = await sim.status()
                const received = ls.map((l, i) => l.frames - f0[i])
                return {
                    sampleRate: rate, listeners: n, seconds: round(secs),
                    vmCpuPercent: round((100 * (cpuSeconds(sim.vmPid) - c0)) / secs), simCpuPercent: round((100 * (cpuSeconds(sim.child.pid) - s0)) / secs),
                    mismatches: ls.reduce((a, l) => a + l.mismatches, 0), droppedMs: status.streams.listeners.reduce((a, l) => a + l.droppedMs, 0),
                    minReceivedPerSecond: round(Math.min(...received) / secs, 0),
                }
            })
            row.zeroLoss = row.mismatches === 0 && row.droppedMs === 0 && row.minReceivedPerSecond > rate * 0.98
            rows.push(row)
            console.log(`capacity ${rate} Hz x${n}: VM CPU ${row.vmCpuPercent}%, zero loss ${row.zeroLoss}`)
        }
        await sim.stop()
    }
    results.capacity = rows
}

async function benchMemory(results) {
    const sim = await new Sim().start("pattern")
    const snap = async label => {
        const s = await sim.status()
        return { label, live: s.live, vmRssMb: rssMb(sim.vmPid), simRssMb: rssMb(sim.child.pid) }
    }
    const rows = [await snap("start")]
    for (let i = 0; i < 1000; i++) {
        const l = await new Listener(sim.httpPort).open(i % 2 ? "/stream.wav" : "/status")
        if (i % 2) { const t0 = Date.now(); while (l.bytes < 320 && Date.now() - t0 < 1000) await sleep(2) }
        i % 4 === 1 ? l.sock.resetAndDestroy() : l.close()
    }
    await sleep(1000)
    rows.push(await snap("after 1,000 connect/disconnect cycles"))
    await withListeners(sim, 3, async () => { await sleep(MEMORY_STREAM_S * 1000) })
    await sleep(1000)
    rows.push(await snap(`after ${MEMORY_STREAM_S / 60} min of 3 streams`))
    rows.forEach(r => console.log(`memory ${r.label}: live ${JSON.stringify(r.live)}, VM RSS ${r.vmRssMb} MB`))
    await sim.stop()
    results.memory = { snapshots: rows, heapHeadroom: "not measured in this run: the program cannot read its heap; see BENCHMARKS.md" }
}

async function benchStartup(results) {
    const rows = []
    for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now()
        const sim = await new Sim().start("tone")
        const statusMs = performance.now() - t0
        const l = new Listener(sim.httpPort)
        await l.open()
        while (l.bytes === 0) await sleep(1)
        rows.push({ firstStatusMs: round(statusMs, 0), firstAudioByteMs: round(performance.now() - t0, 0) })
        l.close()
        await sim.stop()
    }
    results.startup = { firstStatusMs: median(rows.map(r => r.firstStatusMs)), firstAudioByteMs: median(rows.map(r => r.firstAudioByteMs)), runs: rows,
        note: "from spawning the simulator (build already done), as `npm start` does after its build step" }
    console.log(`start-up: first /status ${results.startup.firstStatusMs} ms, first audio byte ${results.startup.firstAudioByteMs} ms`)
}

async function benchIcecast(results) {
    let icecast
    try { icecast = execFileSync("sh", ["-c", "command -v icecast2 || command -v icecast"]).toString().trim() } catch {}
    if (!icecast) { results.icecast = { note: "icecast2 is not installed (apt-get install icecast2)" }; return }
    const port = await freePort()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mic-icecast-"))
    fs.mkdirSync(path.join(dir, "log"))
    const web = "/usr/share/icecast2/web", admin = "/usr/share/icecast2/admin"
    fs.writeFileSync(path.join(dir, "icecast.xml"), `<icecast><limits><clients>100</clients><sources>2</sources></limits>
<authentication><source-password>benchsrc</source-password><admin-user>admin</admin-user><admin-password>benchadm</admin-password></authentication>
<hostname>127.0.0.1</hostname><listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
<paths><basedir>${dir}</basedir><logdir>${dir}/log</logdir><webroot>${web}</webroot><adminroot>${admin}</adminroot></paths>
<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>1</loglevel></logging><security><chroot>0</chroot></security></icecast>`)
    const ice = track(spawn(icecast, ["-c", path.join(dir, "icecast.xml")], { stdio: "ignore" }))
    const sim = await new Sim().start("pattern")
    let ffmpeg
    try {
        for (let i = 0; i < 100; i++) { try { await get(port, "/status-json.xsl", {}, 500); break } catch { await sleep(50) } }
        // The same PCM/WAV stream, from our device, fed to Icecast by ffmpeg as its source.
        ffmpeg = track(spawn("ffmpeg", ["-nostdin", "-v", "error", "-i", `http://127.0.0.1:${sim.httpPort}/stream.wav`, "-c:a", "pcm_s16le", "-f", "wav",
            "-content_type", "audio/wav", `icecast://source:benchsrc@127.0.0.1:${port}/mic.wav`], { stdio: "ignore" }))
        for (let i = 0; i < 100; i++) {
            const s = JSON.parse((await get(port, "/status-json.xsl")).body.toString())
            if (s.icestats && s.icestats.source) break
            await sleep(100)
        }
        const rows = []
        for (const n of [0, 3]) {
            const ours = [], theirs = [], ls = [], iceLs = []
            for (let i = 0; i < n; i++) ls.push(await new Listener(sim.httpPort).open())
            for (let i = 0; i < n; i++) iceLs.push(await new Listener(port).open("/mic.wav"))
            await sleep(1000)
            const t0 = performance.now()
            const c0 = { vm: cpuSeconds(sim.vmPid), sim: cpuSeconds(sim.child.pid), ice: cpuSeconds(ice.pid) }
            for (let r = 0; r < RUNS; r++) {
                ours.push(await latencyPoint(sim.httpPort, "/status", REQUESTS))
                theirs.push(await latencyPoint(port, "/status-json.xsl", REQUESTS))
            }
            const secs = (performance.now() - t0) / 1000
            const ourCpu = (100 * (cpuSeconds(sim.vmPid) - c0.vm + cpuSeconds(sim.child.pid) - c0.sim)) / secs
            const iceCpu = (100 * (cpuSeconds(ice.pid) - c0.ice)) / secs
            const o = summarize(ours), t = summarize(theirs)
            rows.push({ listeners: n, ourStatusP50: o.p50, ourStatusP99: o.p99, icecastStatusP50: t.p50, icecastStatusP99: t.p99,
                p50Ratio: round(o.p50 / t.p50, 2), p99Ratio: round(o.p99 / t.p99, 2),
                ourCpuPercent: round(ourCpu), icecastCpuPercent: round(iceCpu), cpuRatio: round(ourCpu / Math.max(iceCpu, 0.1), 1),
                icecastListenersReceiving: iceLs.filter(l => l.bytes > 0).length })
            console.log(`icecast ${n} listeners: our status p50 ${o.p50} ms vs icecast ${t.p50} ms; CPU ours ${round(ourCpu)}% vs icecast ${round(iceCpu)}%`)
            ls.forEach(l => l.close()); iceLs.forEach(l => l.close())
            await sleep(300)
        }
        results.icecast = { version: execFileSync("sh", ["-c", "dpkg-query -W -f='${Version}' icecast2 || true"]).toString(), rows,
            note: "ours = the VM + the board simulator (both processes); Icecast = its one process, fed by ffmpeg from our /stream.wav" }
    } finally {
        await stopChild(ffmpeg)
        await stopChild(ice)
        await sim.stop()
        fs.rmSync(dir, { recursive: true, force: true })
    }
}

function writeReport(results) {
    const date = results.date.slice(0, 10)
    fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true })
    const jsonFile = path.join(ROOT, "bench", "results", `${date}.json`)
    fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n")
    const t = (rows, cols) => [`| ${cols.map(c => c[0]).join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`,
        ...rows.map(r => `| ${cols.map(c => (typeof c[1] === "function" ? c[1](r) : r[c[1]] ?? "")).join(" | ")} |`)].join("\n")
    const spread = k => r => (r[k] === undefined ? r.note ?? "" : `${r[k]} (${r[`${k}Spread`][0]}–${r[`${k}Spread`][1]})`)
    let md = `# Benchmarks\n\nOne run of \`${results.command}\` on ${results.machine.cpus} cores (${results.machine.cpuModel}), ` +
        `Node ${results.machine.node}, ${results.date}. Raw results: \`bench/results/${date}.json\`.\n` +
        `Latencies: median of ${RUNS} runs of ${REQUESTS} requests each (fresh connection per request; the firmware has no keep-alive), with the spread (min–max of the runs) in brackets. ` +
        `The machine is shared and noisy: compare figures within this run, not across runs.\n\n`
    md += `## Status latency under load (ms)\n\n` + t(results.statusLatency, [["rate Hz", "sampleRate"], ["listeners", "listeners"], ["p50", spread("p50")], ["p95", spread("p95")], ["p99", spread("p99")], ["listener sample errors", "listenerMismatches"]]) + "\n\n"
    if (results.icecast.rows) md += `## Side by side with Icecast ${results.icecast.version}\n\n${results.icecast.note}.\n\n` + t(results.icecast.rows, [["listeners", "listeners"], ["our /status p50", "ourStatusP50"], ["Icecast /status-json.xsl p50", "icecastStatusP50"], ["p50 ratio (ours/Icecast)", "p50Ratio"], ["our p99", "ourStatusP99"], ["Icecast p99", "icecastStatusP99"], ["p99 ratio", "p99Ratio"], ["our CPU %", "ourCpuPercent"], ["Icecast CPU %", "icecastCpuPercent"], ["CPU ratio", "cpuRatio"]]) + "\n\n"
    else md += `## Side by side with Icecast\n\n${results.icecast.note}\n\n`
    md += `## Mouth-to-ear latency (ms)\n\nFrom the moment the simulator sends the report carrying a sample to the moment a listener's socket receives it, from the test pattern's sample index.\n\n` + t(results.mouthToEar, [["listeners", "listeners"], ["chunks", "samples"], ["p50", "p50"], ["p99", "p99"], ["max", "max"]]) + "\n\n"
    md += `## Capacity and cost (${CAPACITY_S} s per point)\n\nCPU in % of one core. maxStreams is at most 8 (MAX_STREAMS_LIMIT), so 8 is the largest load the firmware admits.\n\n` + t(results.capacity, [["rate Hz", "sampleRate"], ["listeners", "listeners"], ["zero loss", "zeroLoss"], ["VM CPU %", "vmCpuPercent"], ["sim CPU %", "simCpuPercent"], ["dropped ms", "droppedMs"], ["sample errors", "mismatches"]]) + "\n\n"
    md += `## Memory\n\n` + t(results.memory.snapshots, [["when", "label"], ["live connections", r => r.live.connections], ["live fibers", r => r.live.fibers], ["live buffers", r => r.live.buffers], ["VM RSS MB", "vmRssMb"], ["sim RSS MB", "simRssMb"]]) + `\n\nHeap headroom: ${results.memory.heapHeadroom}.\n\n`
    md += `## Start-up\n\nMedian of ${RUNS}: first \`/status\` answer ${results.startup.firstStatusMs} ms, first audio byte ${results.startup.firstAudioByteMs} ms (${results.startup.note}).\n`
    fs.writeFileSync(path.join(ROOT, "BENCHMARKS.md"), md)
    console.log(`bench: wrote ${path.relative(ROOT, jsonFile)} and BENCHMARKS.md`)
}

async function main() {
    const t0 = Date.now()
    const results = {
        date: new Date().toISOString(), command: "npm run bench",
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    }
    const steps = [benchStartup, benchStatusLatency, benchIcecast, benchMouthToEar, benchCapacity, benchMemory]
    for (const step of steps) {
        console.log(`bench: ${step.name}`)
        await step(results)
    }
    results.durationSeconds = Math.round((Date.now() - t0) / 1000)
    writeReport(results)
}

const cleanup = async () => { await Promise.all([...children].map(stopChild)) }
process.on("SIGINT", () => cleanup().then(() => process.exit(130)))
process.on("SIGTERM", () => cleanup().then(() => process.exit(143)))
main().then(cleanup, async e => { console.error(e); await cleanup(); process.exit(1) })
