// Launches the DeviceScript VM (`devs run --tcp`) on the compiled bytecode and
// forwards its log line by line with a prefix. The VM is a child process ended
// by its own pid; it is restarted on request (fault injection, bus restart).
import { ChildProcess, spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { EventEmitter } from "node:events"

/** The CLI's own entry point, so no shell and no npx stand between us and the VM's pid. */
export function devsCliPath(root: string) {
    return join(root, "node_modules", "@devicescript", "cli", "built", "devicescript-cli.cjs")
}

export interface DevsRunnerOptions {
    root: string
    bytecode: string
    /** Working directory of the VM: its simulated flash (settings) lives in .devicescript/flash/ under it. */
    stateDir: string
    deviceId?: string
    /** The Jacdac bus port the VM connects to (the preload redirects the CLI's fixed 8082). */
    busPort: number
    log: (line: string) => void
}

export class DevsRunner extends EventEmitter {
    private child: ChildProcess | undefined
    /** True while stop() ends the process, so its exit is not treated as a crash. */
    stoppingOnPurpose = false
    /** Lines the VM printed, kept short for tests that look for a panic. */
    readonly recent: string[] = []
    panics = 0
    starts = 0

    constructor(private readonly options: DevsRunnerOptions) {
        super()
    }

    start() {
        const { root, bytecode, stateDir, deviceId } = this.options
        mkdirSync(stateDir, { recursive: true })
        const args = ["--require", join(__dirname, "vm-socket-preload.js"), devsCliPath(root), "run", "--tcp", bytecode]
        if (deviceId) args.push("--device-id", deviceId)
        this.stoppingOnPurpose = false
        this.starts++
        const child = spawn(process.execPath, args, { cwd: stateDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", MIC_VM_BUS_PORT: `${this.options.busPort}` } })
        this.child = child
        const onLine = (line: string) => {
            this.recent.push(line)
            if (this.recent.length > 200) this.recent.shift()
            if (/panic|OutOfMemory|InfiniteLoop/i.test(line)) this.panics++
            this.options.log(line)
            this.emit("line", line)
        }
        createInterface({ input: child.stdout! }).on("line", onLine)
        createInterface({ input: child.stderr! }).on("line", onLine)
        child.on("exit", (code, signal) => {
            if (this.child === child) this.child = undefined
            this.emit("exit", code, signal)
            if (!this.stoppingOnPurpose) this.options.log(`VM exited (code ${code}, signal ${signal})`)
        })
    }

    get pid() {
        return this.child?.pid
    }

    get running() {
        return !!this.child
    }

    /** Ends the VM by its own pid and waits for it. */
    async stop(): Promise<void> {
        const child = this.child
        if (!child) return
        this.stoppingOnPurpose = true
        await new Promise<void>(resolve => {
            const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
            child.once("exit", () => {
                clearTimeout(timer)
                resolve()
            })
            child.kill("SIGTERM")
        })
    }

    async restart() {
        await this.stop()
        this.start()
    }
}
