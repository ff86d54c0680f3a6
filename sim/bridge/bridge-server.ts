// The socket bridge: a real TCP server for LAN clients, multiplexed over the
// firmware's one socket (docs/bridge-protocol.md). It is dumb on purpose: it moves
// bytes, enforces its buffer limits and reports; all HTTP lives in the firmware.
import * as net from "node:net"
import { EventEmitter } from "node:events"
import * as P from "../../src/bridge/protocol-constants"
import { encodeFrame, Frame, FrameDecoder, FramingError } from "./frame-codec"
import { BridgeLimits, DEFAULT_BRIDGE_LIMITS } from "./limits"
import { queueKey, readOsSendQueues } from "./os-send-queue"
import { resetSocket } from "../net/reset-socket"

/** How many retired connection ids are remembered, so late frames for them are dropped quietly. */
const RETIRED_IDS_REMEMBERED = 1024

export interface BridgeStats {
    linkUp: boolean
    links: number
    accepted: number
    refusedNoLink: number
    refusedLimit: number
    evictedSilent: number
    active: number
    bytesToClients: number
    bytesFromClients: number
    errorsSent: number
    creditExceeded: number
}

interface ClientConn {
    id: number
    socket: net.Socket
    /** Client bytes the firmware has asked for and not yet received. */
    readWindow: number
    inbound: Buffer[]
    inboundBytes: number
    /** Bytes sent by the firmware and not yet credited back. */
    inFlight: number
    /** Bytes Node has handed to the OS, in total, and bytes credited back, in total. */
    handedToOs: number
    credited: number
    closeRequested: boolean
    /** "localPort:remotePort", to find the OS send queue. */
    queueKey: string
    bytesFromClient: number
}

const FIXED_FIRMWARE_PAYLOADS: Record<number, number> = {
    [P.MSG_HELLO]: P.HELLO_PAYLOAD_BYTES,
    [P.MSG_LISTEN]: P.LISTEN_PAYLOAD_BYTES,
    [P.MSG_CLOSE]: P.CLOSE_PAYLOAD_BYTES,
    [P.MSG_READ]: P.READ_PAYLOAD_BYTES,
}

export interface BridgeOptions {
    host: string
    /** Port for LAN clients (the device's HTTP port). */
    httpPort: number
    /** Port the firmware's one socket connects to. */
    bridgePort: number
    limits?: Partial<BridgeLimits>
    log?: (msg: string) => void
}

/** Thrown when a port cannot be bound; the message says which port and what to do. */
export class PortInUseError extends Error {
    constructor(readonly port: number, readonly role: string, flag: string, env: string) {
        super(`${role} port ${port} is already in use. Stop whatever holds it (\`ss -ltnp 'sport = :${port}'\` shows it), or choose another port with ${flag} or ${env}.`)
    }
}

export class BridgeServer extends EventEmitter {
    readonly limits: BridgeLimits
    private readonly clientServer = net.createServer({ allowHalfOpen: false, pauseOnConnect: true })
    private readonly linkServer = net.createServer({ noDelay: true })
    private link: net.Socket | undefined
    private linkDecoder = new FrameDecoder()
    private helloDone = false
    private listening = false
    private firmwareMaxPayload = P.MAX_FRAME_PAYLOAD
    /** Client bytes the firmware accepts from each new connection before its first READ (from HELLO). */
    private initialReadWindow = 0
    /** DATA bytes the firmware will still take across all connections (HELLO, then READ on conn 0). */
    private linkReadCredit = 0
    private readonly conns = new Map<number, ClientConn>()
    private readonly retired = new Set<number>()
    private nextId = 1
    private creditTimer: NodeJS.Timeout | undefined
    /** The OS send queues of our clients at the latest reading (os-send-queue.ts), and whether a reading is under way. */
    private osQueues = new Map<string, number>()
    private osQueuesReading = false
    readonly stats: BridgeStats = {
        linkUp: false, links: 0, accepted: 0, refusedNoLink: 0, refusedLimit: 0, evictedSilent: 0, active: 0,
        bytesToClients: 0, bytesFromClients: 0, errorsSent: 0, creditExceeded: 0,
    }

    constructor(private readonly options: BridgeOptions) {
        super()
        this.limits = { ...DEFAULT_BRIDGE_LIMITS, ...options.limits }
        this.clientServer.on("connection", s => this.onClient(s))
        this.linkServer.on("connection", s => this.onLink(s))
    }

    private log(msg: string) {
        this.options.log?.(msg)
    }

    /** Binds both ports; rejects with PortInUseError naming the port. */
    async start() {
        await listen(this.clientServer, this.options.host, this.options.httpPort,
            () => new PortInUseError(this.options.httpPort, "HTTP", "--http-port", "MIC_HTTP_PORT"))
        await listen(this.linkServer, "127.0.0.1", this.options.bridgePort,
            () => new PortInUseError(this.options.bridgePort, "Bridge", "--bridge-port", "MIC_BRIDGE_PORT"))
        this.creditTimer = setInterval(() => this.flushCredits(), this.limits.creditFlushMs)
    }

    get httpPort() {
        return (this.clientServer.address() as net.AddressInfo).port
    }

    get bridgePort() {
        return (this.linkServer.address() as net.AddressInfo).port
    }

    /** Cuts the firmware's link (fault injection and shutdown): every client is reset. */
    dropLink() {
        this.link?.destroy()
    }

    async stop() {
        clearInterval(this.creditTimer)
        for (const c of this.conns.values()) c.socket.destroy()
        this.link?.destroy()
        await Promise.all([closeServer(this.clientServer), closeServer(this.linkServer)])
    }

    // ---- the firmware's link ----

    private onLink(socket: net.Socket) {
        if (this.link) {
            this.log("a new firmware link replaces the old one")
            this.link.destroy()
        }
        this.link = socket
        this.linkDecoder = new FrameDecoder()
        this.helloDone = false
        this.listening = false
        this.stats.links++
        socket.setNoDelay(true)
        socket.on("data", chunk => {
            if (socket !== this.link) return
            let frames: Frame[]
            try {
                frames = this.linkDecoder.push(chunk)
            } catch (e) {
                if (e instanceof FramingError) {
                    this.sendError(P.LINK_CONN_ID, P.ERR_FRAME_TOO_LARGE, e.type, e.message)
                    socket.end()
                    return
                }
                throw e
            }
            for (const f of frames) this.onLinkFrame(f)
        })
        socket.on("error", () => {})
        socket.on("close", () => {
            if (socket !== this.link) return
            this.link = undefined
            this.stats.linkUp = false
            this.listening = false
            for (const c of [...this.conns.values()]) c.socket.destroy()
            this.log("firmware link closed; all clients reset")
            this.emit("link", false)
        })
    }

    private sendToLink(type: number, conn: number, payload?: Uint8Array) {
        this.link?.write(encodeFrame(type, conn, payload))
    }

    private sendError(conn: number, code: number, offendingType: number, text: string) {
        const msg = Buffer.from(text, "utf8").subarray(0, P.MAX_ERROR_TEXT_BYTES)
        const payload = Buffer.alloc(2 + msg.length)
        payload.writeUInt8(code, 0)
        payload.writeUInt8(offendingType, 1)
        msg.copy(payload, 2)
        this.stats.errorsSent++
        this.sendToLink(P.MSG_ERROR, conn, payload)
    }

    private onLinkFrame(f: Frame) {
        const fixed = FIXED_FIRMWARE_PAYLOADS[f.type]
        if (f.type !== P.MSG_SEND && fixed === undefined)
            return this.sendError(f.conn, P.ERR_UNKNOWN_TYPE, f.type, `unknown frame type 0x${f.type.toString(16)}; firmware may send HELLO, LISTEN, SEND, CLOSE, READ`)
        if (fixed !== undefined && f.payload.length !== fixed)
            return this.sendError(f.conn, P.ERR_BAD_LENGTH, f.type, `frame type 0x${f.type.toString(16)} needs ${fixed} payload bytes, got ${f.payload.length}`)
        if (f.type === P.MSG_SEND && f.payload.length === 0)
            return this.sendError(f.conn, P.ERR_BAD_LENGTH, f.type, `SEND needs 1..${P.MAX_FRAME_PAYLOAD} payload bytes, got 0`)
        if (f.type === P.MSG_HELLO) return this.onHello(f)
        if (!this.helloDone)
            return this.sendError(f.conn, P.ERR_NOT_READY, f.type, "HELLO must be the first frame on the link")
        if (f.type === P.MSG_LISTEN) return this.onListen(f)
        if (f.type === P.MSG_READ && f.conn === P.LINK_CONN_ID) return this.onLinkRead(f.payload.readUInt32LE(0))
        if (f.conn === P.LINK_CONN_ID)
            return this.sendError(f.conn, P.ERR_UNKNOWN_CONN, f.type, "connection id 0 is the link, not a client")
        const c = this.conns.get(f.conn)
        if (!c) {
            if (this.retired.has(f.conn)) return // a late frame for a connection already closed
            return this.sendError(f.conn, P.ERR_UNKNOWN_CONN, f.type, `no client connection with id ${f.conn}`)
        }
        switch (f.type) {
            case P.MSG_SEND: return this.onSend(c, f.payload)
            case P.MSG_CLOSE: return this.onCloseRequest(c, f.payload.readUInt8(0))
            case P.MSG_READ: return this.onRead(c, f.payload.readUInt32LE(0))
        }
    }

    private onHello(f: Frame) {
        const version = f.payload.readUInt8(0)
        if (version !== P.BRIDGE_PROTOCOL_VERSION) {
            this.sendError(P.LINK_CONN_ID, P.ERR_BAD_VERSION, f.type, `protocol version ${version} is not supported; this bridge speaks version ${P.BRIDGE_PROTOCOL_VERSION}`)
            this.link?.end()
            return
        }
        const maxPayload = f.payload.readUInt16LE(2)
        if (maxPayload < 64 || maxPayload > P.MAX_FRAME_PAYLOAD)
            return this.sendError(P.LINK_CONN_ID, P.ERR_BAD_VALUE, f.type, `max payload ${maxPayload} is outside 64..${P.MAX_FRAME_PAYLOAD}`)
        this.firmwareMaxPayload = maxPayload
        this.initialReadWindow = f.payload.readUInt32LE(4)
        this.linkReadCredit = f.payload.readUInt32LE(8)
        this.helloDone = true
        const ack = Buffer.alloc(P.HELLO_ACK_PAYLOAD_BYTES)
        ack.writeUInt8(P.BRIDGE_PROTOCOL_VERSION, 0)
        ack.writeUInt8(0, 1)
        ack.writeUInt16LE(P.MAX_FRAME_PAYLOAD, 2)
        ack.writeUInt16LE(this.limits.maxConnections, 4)
        ack.writeUInt32LE(this.limits.connBufferBytes, 6)
        this.sendToLink(P.MSG_HELLO_ACK, P.LINK_CONN_ID, ack)
    }

    private onListen(f: Frame) {
        const port = f.payload.readUInt16LE(0)
        if (port !== 0 && port !== this.httpPort)
            return this.sendError(P.LINK_CONN_ID, P.ERR_LISTEN_FAILED, f.type, `this bridge serves port ${this.httpPort} only; ask for 0 or ${this.httpPort}, not ${port}`)
        this.listening = true
        this.stats.linkUp = true
        const payload = Buffer.alloc(P.LISTENING_PAYLOAD_BYTES)
        payload.writeUInt16LE(this.httpPort, 0)
        this.sendToLink(P.MSG_LISTENING, P.LINK_CONN_ID, payload)
        this.log(`firmware listening on port ${this.httpPort}`)
        this.emit("link", true)
    }

    private onSend(c: ClientConn, data: Buffer) {
        if (c.closeRequested) return
        if (c.inFlight + data.length > this.limits.connBufferBytes) {
            // The firmware ignored its credit: protect the board, tell it why.
            this.stats.creditExceeded++
            this.closeClient(c, true, P.CLOSED_CREDIT_EXCEEDED)
            return
        }
        c.inFlight += data.length
        this.stats.bytesToClients += data.length
        const len = data.length
        c.socket.write(data, () => {
            c.handedToOs += len
        })
    }

    private onCloseRequest(c: ClientConn, mode: number) {
        if (mode !== P.CLOSE_GRACEFUL && mode !== P.CLOSE_ABORT)
            return this.sendError(c.id, P.ERR_BAD_VALUE, P.MSG_CLOSE, `close mode ${mode} is not 0 (graceful) or 1 (abort)`)
        this.closeClient(c, mode === P.CLOSE_ABORT, P.CLOSED_ON_REQUEST)
    }

    /** READ on connection 0: the firmware consumed DATA; that much more may be in flight on the link. */
    private onLinkRead(bytes: number) {
        this.linkReadCredit = Math.min(this.linkReadCredit + bytes, 0xffffffff)
        for (const c of this.conns.values()) {
            if (this.linkReadCredit <= 0) break
            if (c.inbound.length) this.pumpInbound(c)
        }
    }

    private onRead(c: ClientConn, bytes: number) {
        c.readWindow = Math.min(c.readWindow + bytes, 0xffffffff)
        this.pumpInbound(c)
    }

    // ---- LAN clients ----

    private allocateId(): number {
        for (;;) {
            const id = this.nextId
            this.nextId = this.nextId >= 0xffff ? 1 : this.nextId + 1
            if (!this.conns.has(id)) {
                this.retired.delete(id)
                return id
            }
        }
    }

    private onClient(socket: net.Socket) {
        socket.on("error", () => {})
        if (!this.link || !this.listening) {
            this.stats.refusedNoLink++
            resetSocket(socket)
            return
        }
        if (this.conns.size >= this.limits.maxConnections && !this.evictSilent()) {
            this.stats.refusedLimit++
            resetSocket(socket)
            return
        }
        socket.setNoDelay(true)
        const c: ClientConn = {
            id: this.allocateId(), socket, readWindow: this.initialReadWindow, inbound: [], inboundBytes: 0,
            inFlight: 0, handedToOs: 0, credited: 0, closeRequested: false,
            queueKey: queueKey(socket.localPort ?? 0, socket.remotePort ?? 0),
            bytesFromClient: 0,
        }
        this.conns.set(c.id, c)
        this.stats.accepted++
        this.stats.active = this.conns.size
        const peer = Buffer.from(formatPeer(socket), "utf8").subarray(0, P.MAX_PEER_BYTES)
        this.sendToLink(P.MSG_ACCEPTED, c.id, peer)
        socket.on("data", (chunk: Buffer) => {
            this.stats.bytesFromClients += chunk.length
            c.bytesFromClient += chunk.length
            c.inbound.push(chunk)
            c.inboundBytes += chunk.length
            if (c.inboundBytes >= this.limits.inboundHoldBytes) socket.pause()
            this.pumpInbound(c)
        })
        socket.on("close", hadError => {
            if (this.conns.get(c.id) !== c) return
            this.conns.delete(c.id)
            this.retire(c.id)
            this.stats.active = this.conns.size
            const reason = c.closeRequested ? P.CLOSED_ON_REQUEST : hadError ? P.CLOSED_PEER_RESET : P.CLOSED_BY_PEER
            this.sendToLink(P.MSG_CLOSED, c.id, Buffer.from([reason]))
        })
        socket.resume()
    }

    /**
     * When full, the oldest connection that has not sent a single byte makes room
     * for the newcomer: a flood of silent connections cannot lock real clients
     * out (a real client sends its request right after connecting; in a burst
     * every slot is young, so there is no age guard). False if there is none.
     */
    private evictSilent(): boolean {
        for (const c of this.conns.values()) {
            if (c.bytesFromClient === 0 && !c.closeRequested) {
                this.stats.evictedSilent++
                this.closeClient(c, true, P.CLOSED_EVICTED_SILENT)
                return true
            }
        }
        return false
    }

    private retire(id: number) {
        this.retired.add(id)
        if (this.retired.size > RETIRED_IDS_REMEMBERED) {
            const oldest = this.retired.values().next().value as number
            this.retired.delete(oldest)
        }
    }

    /** Forwards held client bytes, never more than the connection's read window or the link's. */
    private pumpInbound(c: ClientConn) {
        while (c.readWindow > 0 && this.linkReadCredit > 0 && c.inbound.length) {
            const head = c.inbound[0]
            const n = Math.min(head.length, c.readWindow, this.linkReadCredit, this.firmwareMaxPayload)
            this.linkReadCredit -= n
            this.sendToLink(P.MSG_DATA, c.id, head.subarray(0, n))
            if (n === head.length) c.inbound.shift()
            else c.inbound[0] = head.subarray(n)
            c.inboundBytes -= n
            c.readWindow -= n
        }
        if (c.inboundBytes < this.limits.inboundHoldBytes && c.socket.isPaused()) c.socket.resume()
    }

    /**
     * Returns credit for bytes that left the bridge: handed to the OS, less what the
     * OS still queues beyond a board-sized TCP buffer (osSendAllowanceBytes).
     */
    private returnCredit(c: ClientConn, osQueue: number) {
        const excess = Math.max(0, osQueue - this.limits.osSendAllowanceBytes)
        const due = c.handedToOs - excess - c.credited
        if (due <= 0) return
        const payload = Buffer.alloc(P.CREDIT_PAYLOAD_BYTES)
        payload.writeUInt32LE(due, 0)
        c.credited += due
        c.inFlight -= due
        this.sendToLink(P.MSG_CREDIT, c.id, payload)
    }

    /**
     * Every creditFlushMs: one CREDIT per connection with anything due (batched,
     * few frames into the VM), against the OS queues of the latest reading. A new
     * reading starts in the background; it is at most one period old when used,
     * so a stalled client's backlog shows up to one period late.
     */
    private flushCredits() {
        let pending = false
        for (const c of this.conns.values()) {
            if (c.handedToOs === c.credited) continue
            pending = true
            this.returnCredit(c, this.osQueues.get(c.queueKey) ?? 0)
        }
        if (pending && !this.osQueuesReading) {
            this.osQueuesReading = true
            readOsSendQueues(this.httpPort).then(q => {
                this.osQueues = q
                this.osQueuesReading = false
            })
        }
    }

    private closeClient(c: ClientConn, abort: boolean, reason: number) {
        if (c.closeRequested) return
        c.closeRequested = true
        if (abort) {
            this.conns.delete(c.id)
            this.retire(c.id)
            this.stats.active = this.conns.size
            resetSocket(c.socket)
            this.sendToLink(P.MSG_CLOSED, c.id, Buffer.from([reason]))
        } else {
            c.socket.end()
        }
    }

    /** Live client connections (for the simulator's own checks). */
    get activeConnections() {
        return this.conns.size
    }
}

function formatPeer(s: net.Socket) {
    const addr = s.remoteAddress ?? "?"
    return addr.includes(":") ? `[${addr}]:${s.remotePort}` : `${addr}:${s.remotePort}`
}

function listen(server: net.Server, host: string, port: number, inUse: () => Error) {
    return new Promise<void>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? inUse() : e)
        server.once("error", onError)
        server.listen(port, host, () => {
            server.off("error", onError)
            resolve()
        })
    })
}

function closeServer(server: net.Server) {
    return new Promise<void>(resolve => server.close(() => resolve()))
}
