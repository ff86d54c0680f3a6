// resetSocket: a reset right after end() must not leave a handle that keeps the
// process from exiting (Node 20's resetAndDestroy does; see sim/net/reset-socket.ts).
import { spawnSync } from "node:child_process"
import { join } from "node:path"
import { ROOT } from "../support/sim-process"

/** A process that exits on its own takes well under a second; the Node bug spins forever. */
const EXIT_WITHIN_MS = 10000
/** The compiled helper (npm test builds before jest runs), for the child processes to require. */
const RESET_SOCKET_JS = JSON.stringify(join(ROOT, "build", "sim", "net", "reset-socket.js"))

function runChild(resetCall: string) {
    const script = `
        const net = require("node:net")
        const { resetSocket } = require(${RESET_SOCKET_JS})
        const server = net.createServer(s => { s.on("error", () => {}); s.write("audio") }).listen(0, "127.0.0.1", () => {
            const c = net.connect(server.address().port, "127.0.0.1", () => {
                c.on("error", e => console.log("error " + e.code))
                c.end()
                ${resetCall}
                server.close()
            })
        })`
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: EXIT_WITHIN_MS, killSignal: "SIGKILL" })
}

test("a socket reset right after end() is destroyed cleanly and the process exits on its own", () => {
    const r = runChild("resetSocket(c)")
    expect(r.signal).toBeNull() // not killed by the timeout
    expect(r.status).toBe(0)
    expect(r.stdout).not.toContain("EINVAL")
})

test("a socket that was not ended is still reset (RST), and the process exits", () => {
    const r = runChild("") // control: ending alone lets the process exit
    expect(r.status).toBe(0)
    const r2 = spawnSync(process.execPath, ["-e", `
        const net = require("node:net")
        const { resetSocket } = require(${RESET_SOCKET_JS})
        const server = net.createServer(s => s.on("error", e => { console.log("server saw " + e.code); server.close() })).listen(0, "127.0.0.1", () => {
            const c = net.connect(server.address().port, "127.0.0.1", () => setTimeout(() => resetSocket(c), 50))
        })`], { encoding: "utf8", timeout: EXIT_WITHIN_MS, killSignal: "SIGKILL" })
    expect(r2.status).toBe(0)
    expect(r2.stdout).toContain("server saw ECONNRESET")
})
