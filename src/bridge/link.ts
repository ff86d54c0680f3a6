// The firmware's one socket: a link to the board's socket bridge, over which
// every LAN client connection is multiplexed (docs/bridge-protocol.md).
// A fiber keeps the link up: connect, HELLO, LISTEN, read frames, and on any
// failure tell the server (every client is gone) and connect again.
import * as ds from "@devicescript/core"
import { connect, Socket } from "@devicescript/net"
import * as P from "./protocol-constants"
import { encodeFrame, encodeU32Frame, encodeU8Frame, FrameReader, LinkFrame } from "./frames"

/** Pause between reconnect attempts; the link must be back within 2 s of a drop. */
export const RECONNECT_DELAY_MS = 300
/** How long one connect attempt may take on the board's loopback. */
export const CONNECT_TIMEOUT_MS = 2000
/**
 * Client bytes (DATA) the bridge may have in flight to the program across all
 * connections. Without it, a burst of clients pushes chunks into the VM faster
 * than it parses them, and every chunk lands in the 64 KB heap at once.
 */
export const LINK_READ_WINDOW_BYTES = 2048
/** Frames dispatched between two yields of the reader fiber. */
export const FRAMES_PER_YIELD = 8
/** The largest frame payload this firmware accepts; the bridge never sends more. */
export const FIRMWARE_MAX_PAYLOAD = P.MAX_FRAME_PAYLOAD

/** What the link delivers; all handlers are synchronous (they must never await). */
export interface LinkHandler {
    onLinkUp(httpPort: number): void
    onLinkDown(): void
    onAccepted(conn: number, peer: string): void
    onData(conn: number, data: Buffer): void
    onClosed(conn: number, reason: number): void
    onCredit(conn: number, bytes: number): void
}

type DsSocketWrite = typeof ds & { _socketWrite(buf: Buffer): number }

export class BridgeLink {
    /** "down", "connecting", "hello" or "up", as /status shows it. */
    state = "down"
    /** Per-connection send buffer of the bridge, from HELLO_ACK: each client's initial credit. */
    connBufferBytes = 0
    maxConnections = 0
    httpPort = 0
    connects = 0
    drops = 0
    errorsReceived = 0
    lastError = ""
    writeFailures = 0
    private socket: Socket = null

    constructor(
        private readonly handler: LinkHandler,
        private readonly bridgePort: () => Promise<number>,
        /** Client bytes each new connection may deliver before the first READ (saves a round trip per request). */
        readonly initialReadWindow: number
    ) {}

    /** DATA bytes consumed since the last link-level READ. */
    private consumed = 0

    /** Writes one frame now (the VM copies it synchronously). False if the link is down. */
    write(frame: Buffer): boolean {
        if (this.state === "down" || this.state === "connecting") return false
        const r = (ds as DsSocketWrite)._socketWrite(frame)
        if (r !== 0) {
            this.writeFailures++
            return false
        }
        return true
    }

    /**
     * Sends `first` then `second` (may be null) to a client as SEND frames of at
     * most MAX_FRAME_PAYLOAD, and a graceful CLOSE after them when `closeAfter` is
     * set, all in one socket write. The two parts are never concatenated: in a
     * 64 KB heap a response is copied as few times as possible.
     */
    sendBytes(conn: number, first: Buffer, second: Buffer, closeAfter: boolean) {
        const firstLen = first.length
        const total = firstLen + (second ? second.length : 0)
        const frames = Math.idiv(total + P.MAX_FRAME_PAYLOAD - 1, P.MAX_FRAME_PAYLOAD)
        const closeBytes = closeAfter ? P.FRAME_HEADER_BYTES + P.CLOSE_PAYLOAD_BYTES : 0
        const out = Buffer.alloc(frames * P.FRAME_HEADER_BYTES + total + closeBytes)
        let pos = 0
        for (let off = 0; off < total; off += P.MAX_FRAME_PAYLOAD) {
            const n = Math.min(P.MAX_FRAME_PAYLOAD, total - off)
            out.setAt(pos, "u8", P.MSG_SEND)
            out.setAt(pos + 1, "u16", conn)
            out.setAt(pos + 3, "u16", n)
            pos += P.FRAME_HEADER_BYTES
            const fromFirst = off < firstLen ? Math.min(n, firstLen - off) : 0
            if (fromFirst > 0) out.blitAt(pos, first, off, fromFirst)
            if (n > fromFirst) out.blitAt(pos + fromFirst, second, off + fromFirst - firstLen, n - fromFirst)
            pos += n
        }
        if (closeAfter) {
            out.setAt(pos, "u8", P.MSG_CLOSE)
            out.setAt(pos + 1, "u16", conn)
            out.setAt(pos + 3, "u16", P.CLOSE_PAYLOAD_BYTES)
            out.setAt(pos + 5, "u8", P.CLOSE_GRACEFUL)
        }
        return out.length === 0 || this.write(out)
    }

    grantRead(conn: number, bytes: number) {
        return this.write(encodeU32Frame(P.MSG_READ, conn, bytes))
    }

    close(conn: number, abort: boolean) {
        return this.write(encodeU8Frame(P.MSG_CLOSE, conn, abort ? P.CLOSE_ABORT : P.CLOSE_GRACEFUL))
    }

    /** Runs forever in its own fiber. */
    async run() {
        for (;;) {
            try {
                await this.session()
            } catch (e) {
                this.lastError = "" + e
            }
            if (this.state === "up") this.handler.onLinkDown()
            if (this.state !== "down") this.drops++
            this.state = "down"
            if (this.socket) await this.socket.close()
            this.socket = null
            await ds.sleep(RECONNECT_DELAY_MS)
        }
    }

    private async session() {
        this.state = "connecting"
        const port = await this.bridgePort()
        this.socket = await connect({ host: "127.0.0.1", port, timeout: CONNECT_TIMEOUT_MS })
        this.connects++
        this.state = "hello"
        const hello = Buffer.alloc(P.HELLO_PAYLOAD_BYTES)
        hello.setAt(0, "u8", P.BRIDGE_PROTOCOL_VERSION)
        hello.setAt(2, "u16", FIRMWARE_MAX_PAYLOAD)
        hello.setAt(4, "u32", this.initialReadWindow)
        hello.setAt(8, "u32", LINK_READ_WINDOW_BYTES)
        this.write(encodeFrame(P.MSG_HELLO, P.LINK_CONN_ID, hello))
        const reader = new FrameReader()
        for (;;) {
            const chunk = await this.socket.recv()
            if (!chunk) return // closed by the bridge
            reader.push(chunk)
            let n = 0
            for (let f = reader.next(); f; f = reader.next()) {
                this.dispatch(f)
                // A burst of frames must not run past the VM's step limit (InfiniteLoop panic).
                if (++n % FRAMES_PER_YIELD === 0) await ds.sleep(0)
            }
            if (reader.error) throw new Error(reader.error)
            if (this.consumed > 0) {
                // give the link window back: the bridge may send that much more DATA
                this.write(encodeU32Frame(P.MSG_READ, P.LINK_CONN_ID, this.consumed))
                this.consumed = 0
            }
        }
    }

    private dispatch(f: LinkFrame) {
        const p = f.payload
        switch (f.type) {
            case P.MSG_HELLO_ACK:
                if (p.length !== P.HELLO_ACK_PAYLOAD_BYTES || p.getAt(0, "u8") !== P.BRIDGE_PROTOCOL_VERSION)
                    throw new Error("bridge answered HELLO with an unsupported version or length")
                this.maxConnections = p.getAt(4, "u16")
                this.connBufferBytes = p.getAt(6, "u32")
                this.write(encodeU32Frame(P.MSG_LISTEN, P.LINK_CONN_ID, 0))
                break
            case P.MSG_LISTENING:
                this.httpPort = p.getAt(0, "u16")
                this.state = "up"
                this.handler.onLinkUp(this.httpPort)
                break
            case P.MSG_ACCEPTED:
                this.handler.onAccepted(f.conn, p.toString())
                break
            case P.MSG_DATA:
                this.consumed += p.length
                this.handler.onData(f.conn, p)
                break
            case P.MSG_CLOSED:
                this.handler.onClosed(f.conn, p.length ? p.getAt(0, "u8") : P.CLOSED_BY_PEER)
                break
            case P.MSG_CREDIT:
                if (p.length === P.CREDIT_PAYLOAD_BYTES) this.handler.onCredit(f.conn, p.getAt(0, "u32"))
                break
            case P.MSG_ERROR:
                this.errorsReceived++
                this.lastError = `bridge error ${p.getAt(0, "u8")} on frame type ${p.getAt(1, "u8")} conn ${f.conn}: ${p.slice(2).toString()}`
                console.warn(this.lastError)
                break
            default:
                // A newer bridge may send more; the frame is skipped whole thanks to its length.
                this.errorsReceived++
        }
    }
}
