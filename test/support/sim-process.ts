// Starts the real simulator (node build/sim/main.js), which launches the real
// DeviceScript VM on the compiled firmware, and stops it by its own pid.
import { ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { freePort } from "./ports"
import { httpGet } from "./http-client"
import { SIM_NODE_FLAGS } from "../../sim/node-flags"

export const ROOT = resolve(__dirname, "..", "..")

/** Attempts to start while the VM's fixed bus port (8082) is still held by a simulator that is shutting down. */
const BUS_PORT_ATTEMPTS = 10

export interface SimOptions {
    source?: string
    sampleRate?: number
    channels?: number
    stateDir?: string
    extraArgs?: string[]
}

export class SimProcess {
    child!: ChildProcess
    httpPort = 0
    bridgePort = 0
    controlPort = 0
    stateDir = ""
    private ownStateDir = false
    /** Everything the simulator and the VM printed. */
    output: string[] = []

    /** Starts a simulator; if the fixed bus port is still held (a previous one shutting down), tries again for a while. */
    static async start(options: SimOptions = {}) {
        for (let attempt = 1; ; attempt++) {
            const sim = new SimProcess()
            try {
                await sim.start(options)
                return sim
            } catch (e: any) {
                await sim.stop()
                if (attempt >= BUS_PORT_ATTEMPTS || !/Jacdac bus port/.test(String(e?.message))) throw e
                await sleep(1000)
            }
        }
    }

    async start(options: SimOptions = {}) {
        this.httpPort = await freePort()
        this.bridgePort = await freePort()
        this.controlPort = await freePort()
        if (options.stateDir) this.stateDir = options.stateDir
        else {
            this.stateDir = mkdtempSync(join(tmpdir(), "mic-sim-"))
            this.ownStateDir = true
        }
        const args = [...SIM_NODE_FLAGS, join(ROOT, "build", "sim", "main.js"),
            "--http-port", `${this.httpPort}`, "--bridge-port", `${this.bridgePort}`, "--control-port", `${this.controlPort}`, "--bus-port", "0",
            "--source", options.source ?? "pattern", "--state-dir", this.stateDir,
            "--sample-rate", `${options.sampleRate ?? 16000}`, "--channels", `${options.channels ?? 1}`,
            ...(options.extraArgs ?? [])]
        this.child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
        const collect = (b: Buffer) => {
            for (const line of b.toString().split("\n")) if (line.trim()) this.output.push(line)
            if (this.output.length > 5000) this.output.splice(0, 1000)
        }
        this.child.stdout!.on("data", collect)
        this.child.stderr!.on("data", collect)
        await this.waitReady()
    }

    url(path: string) {
        return `http://127.0.0.1:${this.httpPort}${path}`
    }

    /** Waits until the firmware answers /status (it runs in the VM, so this proves the whole chain). */
    async waitReady(timeoutMs = 30000) {
        const t0 = Date.now()
        while (Date.now() - t0 < timeoutMs) {
            if (this.child.exitCode !== null) throw new Error(`simulator exited: ${this.output.join("\n")}`)
            try {
                const r = await httpGet(this.url("/status"), 1000)
                if (r.status === 200) return
            } catch {}
            await sleep(200)
        }
        throw new Error(`firmware did not answer /status within ${timeoutMs} ms:\n${this.output.slice(-40).join("\n")}`)
    }

    async status(): Promise<any> {
        const r = await httpGet(this.url("/status"), 3000)
        return JSON.parse(r.body.toString())
    }

    async control(path: string): Promise<any> {
        const r = await httpGet(`http://127.0.0.1:${this.controlPort}${path}`, 10000)
        return JSON.parse(r.body.toString())
    }

    /** Lines that show the VM panicked (out of memory, infinite loop, exception). */
    panics() {
        return this.output.filter(l => /panic|OutOfMemory|InfiniteLoop|Unhandled exception/i.test(l))
    }

    async stop() {
        if (process.env.MIC_SIM_LOG) require("node:fs").appendFileSync(process.env.MIC_SIM_LOG, this.output.join("\n") + "\n")
        if (this.panics().length) {
            // keep the VM's own account of a panic (stack trace) for whoever reads the CI run
            const dir = join(ROOT, "test-artifacts")
            require("node:fs").mkdirSync(dir, { recursive: true })
            const file = join(dir, `sim-panic-${this.httpPort}.log`)
            require("node:fs").writeFileSync(file, this.output.join("\n") + "\n")
            console.warn(`simulator output with a VM panic kept in ${file}`)
        }
        const child = this.child
        if (child && child.exitCode === null) {
            await new Promise<void>(resolve => {
                const t = setTimeout(() => child.kill("SIGKILL"), 5000)
                child.once("exit", () => {
                    clearTimeout(t)
                    resolve()
                })
                child.kill("SIGTERM")
            })
        }
        if (this.ownStateDir) rmSync(this.stateDir, { recursive: true, force: true })
    }
}

export function sleep(ms: number) {
    return new Promise(resolve => setTimeout(resolve, ms))
}
