// How many bytes the operating system still holds, unacknowledged, for each
// TCP connection (Linux: the tx_queue column of /proc/net/tcp and tcp6).
//
// Why: on a laptop's loopback the kernel absorbs megabytes for a client that
// stopped reading (send buffers autotune up to tcp_wmem's 4 MB), while an ESP32's
// lwIP buffer holds a few KB. The simulator's bridge counts the kernel's queue
// beyond a board-sized allowance as backlog, so the firmware sees a stalled
// listener as it would on the board. Where /proc is missing the queue reads 0.
import { readFileSync } from "node:fs"

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"]

/** Key of a connection as seen from the server: "localPort:remotePort". */
export function queueKey(localPort: number, remotePort: number) {
    return `${localPort}:${remotePort}`
}

/** Parses /proc/net/tcp text into send-queue bytes by queueKey. Pure. */
export function parseProcNetTcp(text: string, into = new Map<string, number>()) {
    const lines = text.split("\n")
    for (let i = 1; i < lines.length; i++) {
        const f = lines[i].trim().split(/\s+/)
        if (f.length < 5) continue
        const local = f[1].split(":")
        const remote = f[2].split(":")
        const queues = f[4].split(":")
        if (local.length < 2 || remote.length < 2 || queues.length < 2) continue
        const key = queueKey(parseInt(local[local.length - 1], 16), parseInt(remote[remote.length - 1], 16))
        into.set(key, parseInt(queues[0], 16))
    }
    return into
}

export function readOsSendQueues(): Map<string, number> {
    const out = new Map<string, number>()
    for (const t of TABLES) {
        try {
            parseProcNetTcp(readFileSync(t, "latin1"), out)
        } catch {}
    }
    return out
}
