// Processes the benchmarks start: the simulator (which launches the VM), Icecast,
// ffmpeg. Every child is tracked and ended by its own pid, also on Ctrl-C.
const { spawn } = require("node:child_process")
const fs = require("node:fs")
const net = require("node:net")
const os = require("node:os")
const path = require("node:path")
const { get, post } = require("./clients")

const ROOT = path.join(__dirname, "..", "..")
/** Linux reports process CPU time in clock ticks of 1/100 s (getconf CLK_TCK). */
const CLOCK_TICKS = 100
/** A simulator that does not serve /status within this is a failed start (an out-of-memory boot loop, say). */
const SIM_START_TIMEOUT_MS = 30000

const children = new Set()
const sleep = ms => new Promise(r => setTimeout(r, ms))

function freePort() {
    return new Promise(res => {
        const s = net.createServer()
        s.listen(0, "127.0.0.1", () => {
            const p = s.address().port
            s.close(() => res(p))
        })
    })
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
        child.once("exit", () => {
            clearTimeout(t)
            res()
        })
        child.kill("SIGTERM")
    })
}

async function stopAll() {
    await Promise.all([...children].map(stopChild))
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS
}

function rssMb(pid) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN
}

/** The board simulator with the firmware in its VM, on free ports and a fresh simulated flash. */
class Sim {
    /**
     * @param {object} o source (pattern), boardStreams (the board's max_streams),
     *   maxConnections (the bridge's), bytecode (another build of the firmware)
     */
    constructor(o = {}) {
        this.o = { source: "pattern", ...o }
    }

    async start() {
        const o = this.o
        this.httpPort = await freePort()
        this.controlPort = await freePort()
        this.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mic-bench-"))
        // the Node flags every launcher of the simulator passes (sim/node-flags.ts; built by `npm run bench`)
        const { SIM_NODE_FLAGS } = require(path.join(ROOT, "build", "sim", "node-flags.js"))
        const args = [...SIM_NODE_FLAGS, path.join(ROOT, "build/sim/main.js"), "--source", o.source,
            "--http-port", `${this.httpPort}`, "--bridge-port", "0", "--bus-port", "0", "--control-port", `${this.controlPort}`, "--state-dir", this.stateDir]
        if (o.boardStreams) args.push("--max-streams", `${o.boardStreams}`)
        if (o.maxConnections) args.push("--max-connections", `${o.maxConnections}`)
        if (o.bytecode) args.push("--bytecode", o.bytecode)
        const t0 = performance.now()
        this.child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }))
        this.output = ""
        const keep = d => {
            this.output += d
            if (this.output.length > 200000) this.output = this.output.slice(-100000)
        }
        this.child.stdout.on("data", keep)
        this.child.stderr.on("data", keep)
        for (;;) {
            if (this.child.exitCode !== null) throw new Error(`simulator exited: ${this.output.slice(-2000)}`)
            if (performance.now() - t0 > SIM_START_TIMEOUT_MS) throw new Error(`the firmware did not answer /status within ${SIM_START_TIMEOUT_MS} ms`)
            try {
                if ((await get(this.httpPort, "/status", {}, 500)).status === 200) break
            } catch {}
            await sleep(20)
        }
        this.startupMs = performance.now() - t0
        this.vmPid = (await this.control("/stats")).vm.pid
        return this
    }

    async control(p) {
        return JSON.parse((await get(this.controlPort, p)).body.toString())
    }

    async status() {
        return JSON.parse((await get(this.httpPort, "/status")).body.toString())
    }

    async config(patch) {
        const r = await post(this.httpPort, "/config", JSON.stringify(patch))
        if (r.status !== 200) throw new Error(`POST /config ${JSON.stringify(patch)}: ${r.status} ${r.body}`)
        return JSON.parse(r.body)
    }

    /** Panics the VM reported (out of memory, step limit), counted by the simulator. */
    async panics() {
        return (await this.control("/stats")).vm.panics
    }

    /** Waits until the firmware holds no stream and only the idle objects. */
    async waitIdle(timeoutMs = 5000) {
        const t0 = Date.now()
        for (;;) {
            const s = await this.status()
            if (s.streams.active === 0 || Date.now() - t0 > timeoutMs) return s
            await sleep(100)
        }
    }

    async stop() {
        await stopChild(this.child)
        if (this.stateDir) fs.rmSync(this.stateDir, { recursive: true, force: true })
    }
}

module.exports = { ROOT, Sim, sleep, freePort, track, stopChild, stopAll, cpuSeconds, rssMb }
