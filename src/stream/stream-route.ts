// GET/HEAD /stream.wav: admission, the response head and WAV header, then a
// stream fiber of its own takes the connection over.
import { Device } from "../device"
import { Connection } from "../http/connection"
import { HttpRequest } from "../http/request-parser"
import { STREAM_RETRY_AFTER_S } from "./admission"
import { runStream, StreamDeps } from "./listener"
import { wavHeader } from "./wav-header"
import { probeRangeEnd } from "./range-probe"

export function streamHandler(dev: Device) {
    // Built once and shared by every stream fiber: a closure made per request
    // would keep that request (its headers) alive for the whole stream.
    const server = dev.server
    const deps: StreamDeps = {
        capture: dev.capture,
        link: dev.link,
        admission: dev.admission,
        registry: dev.streams,
        close: (c: Connection, abort: boolean, why: string) => server.close(c, abort, why),
    }
    return async (req: HttpRequest, conn: Connection) => {
        const f = dev.capture.format
        const header = wavHeader(f.sampleRate, f.channels, f.bitsPerSample)
        const probeEnd = probeRangeEnd(req.headers["range"])
        if (probeEnd >= 0) {
            // A byte-range probe of the header: answered exactly, takes no slot.
            server.sendHead(conn, 206, "audio/wav", probeEnd + 1, ["Accept-Ranges: bytes", `Content-Range: bytes 0-${probeEnd}/*`])
            server.sendBody(conn, req.method === "HEAD" ? Buffer.alloc(0) : header.slice(0, probeEnd + 1), true)
            return
        }
        if (req.method === "HEAD") {
            server.sendHead(conn, 200, "audio/wav", -1, ["Accept-Ranges: none"])
            server.sendBody(conn, Buffer.alloc(0), true)
            return
        }
        if (!dev.admission.tryAdmit()) {
            const a = dev.admission
            server.respond(conn, 503, "application/json",
                JSON.stringify({ error: "all stream slots are taken", activeStreams: a.active, maxStreams: a.maxStreams, retryAfterSeconds: STREAM_RETRY_AFTER_S }) + "\n",
                [`Retry-After: ${STREAM_RETRY_AFTER_S}`], false)
            return
        }
        server.markStreaming(conn)
        server.sendHead(conn, 200, "audio/wav", -1, ["Accept-Ranges: none"])
        server.sendBody(conn, header, false)
        const session = dev.streams.open(conn.peer)
        runStream.start(conn, session, deps)
    }
}
