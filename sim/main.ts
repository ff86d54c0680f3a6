// The board simulator: one command that stands in for the ESP32-S3 board.
// It serves the audio capture and socket bridge Jacdac services, runs the socket
// bridge on real TCP ports, hosts the Jacdac bus and launches the DeviceScript VM
// on the same bytecode the board would run.
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { parseOptions, USAGE, UsageError } from "./options"
import { Board } from "./board"
import { hasSemiSpaceCap, SIM_NODE_FLAGS } from "./node-flags"

const ROOT = resolve(__dirname, "..", "..")

async function main() {
    let options
    try {
        options = parseOptions(process.argv.slice(2), process.env, ROOT)
    } catch (e) {
        if (e instanceof UsageError) {
            if (e.message) console.error(`sim: ${e.message}\n`)
            console.error(USAGE)
            process.exit(e.message ? 2 : 0)
        }
        throw e
    }
    const board = new Board(options, ROOT)
    let stopping = false
    const shutdown = async (signal: string) => {
        if (stopping) return
        stopping = true
        console.log(`sim: ${signal}, stopping the VM and the board`)
        await board.stop()
        process.exit(0)
    }
    process.on("SIGINT", () => void shutdown("SIGINT"))
    process.on("SIGTERM", () => void shutdown("SIGTERM"))
    try {
        await board.start()
    } catch (e: any) {
        console.error(`sim: ${e?.message ?? e}`)
        if (process.env.MIC_DEBUG) console.error(e)
        await board.stop()
        process.exit(1)
    }
    const version = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")).version
    console.log(`sim: board simulator ${version}: ${board.describe()}`)
    if (!hasSemiSpaceCap(process.execArgv, process.env.NODE_OPTIONS))
        console.log(`sim: note: started without ${SIM_NODE_FLAGS.join(" ")}; V8 will grow its young generation and this process's RSS by about 30 MB over the first minutes (bounded, not a leak; see sim/node-flags.ts)`)
}

void main()
