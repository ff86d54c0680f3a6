// The HTTP server over the bridge link. The life of a client connection:
// ACCEPTED -> reading the request (bounded, timed) -> queued -> handled by a
// worker (a short answer, or a stream fiber takes over) -> CLOSE/CLOSED.
// Link handlers are synchronous: they parse and queue, never await.
import * as ds from "@devicescript/core"
import { BridgeLink, LinkHandler } from "../bridge/link"
import { CLOSED_EVICTED_SILENT, CLOSED_PEER_RESET } from "../bridge/protocol-constants"
import { live } from "../diag/live-objects"
import { Connection, CONN_CLOSED, CONN_HANDLING, CONN_QUEUED, CONN_READING, CONN_STREAMING } from "./connection"
import {
    HEADER_MEMORY_BUDGET_BYTES,
    HEADER_TIMEOUT_MS,
    HTTP_WORKERS,
    MAX_QUEUED_REQUESTS,
    MAX_OPEN_CONNECTIONS,
    READ_GRANT_BYTES,
    SWEEP_INTERVAL_MS,
} from "./limits"
import { PARSE_DONE, PARSE_ERROR, HttpRequest } from "./request-parser"
import { errorBody, responseHead } from "./response"
import { BodyPieces, BodyRenderer } from "./body-writer"
import { WorkQueue } from "./work-queue"

export type Handler = (req: HttpRequest, conn: Connection) => Promise<void>

export interface Route {
    path: string
    /** Methods allowed; HEAD is allowed wherever GET is. */
    methods: string[]
    handler: Handler
}

export class HttpCounters {
    requests = 0
    status2xx = 0
    status3xx = 0
    status4xx = 0
    status5xx = 0
    timeouts408 = 0
    rejected503 = 0
    /** Connections refused at accept: MAX_OPEN_CONNECTIONS reached and none could be evicted. */
    refusedAtAccept = 0
    /** Connections still sending their request that were closed to make room for a new one. */
    evicted = 0
    /** Connections the client closed or reset before its answer. */
    clientGone = 0
}

export class HttpServer implements LinkHandler {
    link: BridgeLink
    readonly conns: Connection[] = []
    /** Of those, connections a stream fiber has taken over (not counted against MAX_OPEN_CONNECTIONS). */
    private streaming = 0
    readonly counters = new HttpCounters()
    private readonly queue = new WorkQueue<Connection>(MAX_QUEUED_REQUESTS)
    private routes: Route[] = []
    /** Called when a connection ends (streams free their slot through this). */
    onConnectionClosed: (conn: Connection) => void = null

    setRoutes(routes: Route[]) {
        this.routes = routes
    }

    /** Starts the workers and the header-timeout sweep. */
    start() {
        const self = this
        const worker = async () => {
            await self.workerLoop()
        }
        for (let i = 0; i < HTTP_WORKERS; i++) worker.start()
        setInterval(() => self.sweep(), SWEEP_INTERVAL_MS)
    }

    private find(id: number) {
        for (const c of this.conns) if (c.id === id) return c
        return null
    }

    // ---- link events (synchronous) ----

    onLinkUp(httpPort: number) {
        console.log(`serving HTTP on the board's port ${httpPort}`)
    }

    onLinkDown() {
        // Every client went with the link.
        while (this.conns.length) this.forget(this.conns[0], "link down")
    }

    onAccepted(id: number, peer: string) {
        if (this.conns.length - this.streaming >= MAX_OPEN_CONNECTIONS && !this.evictOldestReading()) {
            this.counters.refusedAtAccept++
            this.link.close(id, true)
            return
        }
        const c = new Connection(id, peer, ds.millis(), this.link.connBufferBytes)
        c.readGranted = this.link.initialReadWindow // granted by HELLO for every connection
        this.conns.push(c)
        live.connections++
    }

    onData(id: number, data: Buffer) {
        const c = this.find(id)
        if (!c || c.state !== CONN_READING) return // bytes after the request are not read
        c.readReceived += data.length
        const before = c.parser.heldBytes()
        const st = c.parser.feed(data)
        this.account(before, c.parser.heldBytes())
        if (st === PARSE_ERROR) {
            this.fail(c, c.parser.errorStatus, c.parser.errorMessage)
        } else if (st === PARSE_DONE) {
            this.account(c.parser.heldBytes(), 0)
            c.state = CONN_QUEUED
            if (!this.queue.push(c)) this.fail(c, 503, `server busy: ${MAX_QUEUED_REQUESTS} requests already waiting; retry`, ["Retry-After: 1"])
        } else if (live.bufferBytes > HEADER_MEMORY_BUDGET_BYTES) {
            this.fail(c, 503, `too many partial requests held (${HEADER_MEMORY_BUDGET_BYTES} bytes); retry`, ["Retry-After: 1"])
        } else if (c.readReceived >= c.readGranted) {
            this.grant(c)
        }
    }

    onClosed(id: number, reason: number) {
        const c = this.find(id)
        if (!c) return
        if (c.state !== CONN_CLOSED) this.counters.clientGone++
        this.forget(c, reason === CLOSED_PEER_RESET ? "client reset" : reason === CLOSED_EVICTED_SILENT ? "evicted by the bridge: silent" : "client closed")
    }

    onCredit(id: number, bytes: number) {
        const c = this.find(id)
        if (c) c.sendCredit += bytes
    }

    // ---- helpers ----

    private account(before: number, after: number) {
        if (before === 0 && after > 0) live.buffers++
        if (before > 0 && after === 0) live.buffers--
        live.bufferBytes += after - before
    }

    private grant(c: Connection) {
        const n = Math.min(READ_GRANT_BYTES, c.parser.wantBytes())
        if (n <= 0) return
        c.readGranted += n
        this.link.grantRead(c.id, n)
    }

    /** Drops the firmware's state for a connection (the bridge already closed it or is closing it). */
    private forget(c: Connection, why: string) {
        const i = this.conns.indexOf(c)
        if (i < 0) return
        this.conns.insert(i, -1)
        if (c.parser) this.account(c.parser.heldBytes(), 0)
        if (!c.endReason) c.endReason = why
        if (c.state === CONN_STREAMING) this.streaming--
        c.state = CONN_CLOSED
        live.connections--
        if (this.onConnectionClosed) this.onConnectionClosed(c)
    }

    /** Closes a connection from our side (after its answer, or to abort it). */
    close(c: Connection, abort: boolean, why: string) {
        if (c.state === CONN_CLOSED) return
        this.link.close(c.id, abort)
        this.forget(c, why)
    }

    private countStatus(status: number) {
        this.counters.requests++
        if (status < 300) this.counters.status2xx++
        else if (status < 400) this.counters.status3xx++
        else if (status < 500) this.counters.status4xx++
        else this.counters.status5xx++
        if (status === 503) this.counters.rejected503++
        if (status === 408) this.counters.timeouts408++
    }

    /** Writes a response head; the body follows with sendBody. Counts the status. */
    sendHead(c: Connection, status: number, contentType: string, contentLength: number, extra: string[]) {
        this.countStatus(status)
        this.sendBody(c, Buffer.from(responseHead(status, contentType, contentLength, extra)), false)
    }

    /** Sends bytes to the client; with `closeAfter`, a graceful close follows in the same write. */
    sendBody(c: Connection, body: Buffer, closeAfter: boolean) {
        this.sendParts(c, body, null, closeAfter)
    }

    private sendParts(c: Connection, first: Buffer, second: Buffer, closeAfter: boolean) {
        if (c.state === CONN_CLOSED) return
        const n = first.length + (second ? second.length : 0)
        c.sendCredit -= n
        c.bytesSent += n
        this.link.sendBytes(c.id, first, second, closeAfter)
        if (closeAfter) this.forget(c, "answered")
    }

    /** A complete short answer (head and body in one write), then a graceful close. */
    respond(c: Connection, status: number, contentType: string, body: string, extra: string[], headOnly: boolean) {
        const bytes = Buffer.from(body)
        this.countStatus(status)
        const head = Buffer.from(responseHead(status, contentType, bytes.length, extra))
        this.sendParts(c, head, headOnly ? null : bytes, true)
    }

    /**
     * A complete answer whose body `render` writes, then a graceful close. For
     * bodies of more than a few hundred bytes: the body is held as pieces of at
     * most BODY_PIECE_CHARS (small blocks that even a fragmented heap has, see
     * body-writer.ts), counted for Content-Length, then sent piece by piece.
     */
    respondRendered(c: Connection, status: number, contentType: string, render: BodyRenderer, extra: string[], headOnly: boolean) {
        if (c.state === CONN_CLOSED) return
        const pieces: Buffer[] = []
        const body = new BodyPieces((piece: Buffer, last: boolean) => {
            if (piece.length) pieces.push(piece)
        })
        render(body) // also for HEAD: its Content-Length is the GET's
        body.end()
        this.countStatus(status)
        const head = Buffer.from(responseHead(status, contentType, body.bytes, extra))
        const parts = headOnly ? 0 : pieces.length
        c.sendCredit -= head.length + (headOnly ? 0 : body.bytes)
        c.bytesSent += head.length + (headOnly ? 0 : body.bytes)
        // the head and the first piece in one write, then a write per piece, the last one with the close
        this.link.sendBytes(c.id, head, parts ? pieces[0] : null, parts <= 1)
        for (let i = 1; i < parts; i++) this.link.sendBytes(c.id, pieces[i], null, i === parts - 1)
        this.forget(c, "answered")
    }

    /** A JSON error naming what was wrong and what is allowed. */
    fail(c: Connection, status: number, message: string, extra: string[] = []) {
        this.respond(c, status, "application/json", errorBody(status, message), extra, false)
    }

    /** Aborts the oldest connection still sending its request; false if there is none. */
    private evictOldestReading() {
        for (const c of this.conns) {
            if (c.state === CONN_READING) {
                this.counters.evicted++
                this.close(c, true, "evicted: connection limit")
                return true
            }
        }
        return false
    }

    private sweep() {
        const now = ds.millis()
        for (let i = this.conns.length - 1; i >= 0; i--) {
            const c = this.conns[i]
            if (c.state === CONN_READING && now - c.acceptedAt > HEADER_TIMEOUT_MS)
                this.fail(c, 408, `the request was not complete within ${HEADER_TIMEOUT_MS} ms`)
        }
    }

    private async workerLoop() {
        live.fibers++
        for (;;) {
            const c = await this.queue.take()
            if (c.state !== CONN_QUEUED) continue // the client left while queued
            c.state = CONN_HANDLING
            try {
                await this.dispatch(c)
            } catch (e) {
                console.warn(`handler failed for ${c.parser.request.path}: ${e}`)
                if (c.state === CONN_HANDLING) this.fail(c, 500, "internal error")
            }
            // The request is done with; a stream keeps its connection for hours without it.
            c.parser.release()
            c.parser = null
            // Yield between requests: a burst must not run past the VM's step limit.
            await ds.sleep(0)
        }
    }

    private async dispatch(c: Connection) {
        const req = c.parser.request
        let route: Route = null
        for (const r of this.routes) if (r.path === req.path) route = r
        if (!route) return this.fail(c, 404, `no resource at ${req.path}; try /, /status or /stream.wav`)
        const method = req.method === "HEAD" && route.methods.indexOf("GET") >= 0 ? "GET" : req.method
        if (route.methods.indexOf(method) < 0) {
            const allowed = route.methods.slice(0)
            if (allowed.indexOf("GET") >= 0) allowed.push("HEAD")
            return this.fail(c, 405, `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(", ")}`, [`Allow: ${allowed.join(", ")}`])
        }
        await route.handler(req, c)
    }

    /** Marks a connection as taken over by a stream fiber. */
    markStreaming(c: Connection) {
        if (c.state === CONN_CLOSED || c.state === CONN_STREAMING) return
        c.state = CONN_STREAMING
        this.streaming++
    }
}
