// How many bytes the operating system still holds, unacknowledged, for each
// TCP connection (Linux: the tx_queue column of /proc/net/tcp and tcp6).
//
// Why: on a laptop's loopback the kernel absorbs megabytes for a client that
// stopped reading (send buffers autotune up to tcp_wmem's 4 MB), while an ESP32's
// lwIP buffer holds a few KB. The simulator's bridge counts the kernel's queue
// beyond a board-sized allowance as backlog, so the firmware sees a stalled
// listener as it would on the board. Where /proc is missing the queue reads 0.
import { readFile } from "node:fs/promises"

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"]

/** Key of a connection as seen from the server: "localPort:remotePort". */
export function queueKey(localPort: number, remotePort: number) {
    return `${localPort}:${remotePort}`
}

/**
 * Parses /proc/net/tcp text into send-queue bytes by queueKey. With `localPort`,
 * only the lines of that local port are parsed (found by a native substring
 * search: a busy machine's table has thousands of lines). Pure.
 */
export function parseProcNetTcp(text: string, into = new Map<string, number>(), localPort?: number) {
    const lines = localPort === undefined ? text.split("\n").slice(1) : linesOfLocalPort(text, localPort)
    for (const line of lines) {
        const f = line.trim().split(/\s+/)
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

/** The lines whose local address ends in `:PORT ` (the local address is the line's second field). */
function linesOfLocalPort(text: string, localPort: number) {
    const needle = `:${localPort.toString(16).toUpperCase().padStart(4, "0")} `
    const out: string[] = []
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
        const start = text.lastIndexOf("\n", at) + 1
        const end = text.indexOf("\n", at)
        const line = text.slice(start, end < 0 ? text.length : end)
        // only when the match is the local address (field 2), not the remote one
        const fields = line.trim().split(/\s+/, 3)
        if (fields[1] && fields[1].endsWith(needle.trim())) out.push(line)
        if (end < 0) break
        at = end
    }
    return out
}

/**
 * Reads the send queues of the connections on `localPort`. Asynchronous on
 * purpose: the kernel takes milliseconds to produce the table (7 ms with 700
 * sockets), which must not stall the event loop that paces the audio and
 * carries every client's bytes.
 */
export async function readOsSendQueues(localPort: number): Promise<Map<string, number>> {
    const out = new Map<string, number>()
    for (const t of TABLES) {
        try {
            parseProcNetTcp(await readFile(t, "latin1"), out, localPort)
        } catch {}
    }
    return out
}
