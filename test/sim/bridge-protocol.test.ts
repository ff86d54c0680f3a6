// The bridge protocol against docs/bridge-protocol.md: a test plays the firmware
// over a real TCP link to the simulator's bridge, and real TCP clients connect.
import * as net from "node:net"
import * as P from "../../src/bridge/protocol-constants"
import { BridgeServer } from "../../sim/bridge/bridge-server"
import { encodeFrame, Frame, FrameDecoder } from "../../sim/bridge/frame-codec"

/** The firmware side of the link, as a test sees it. */
class FakeFirmware {
    sock!: net.Socket
    private decoder = new FrameDecoder()
    frames: Frame[] = []
    closed = false
    private waiters: (() => void)[] = []

    async connect(port: number) {
        this.sock = net.connect(port, "127.0.0.1")
        await new Promise(r => this.sock.once("connect", r))
        this.sock.on("data", d => {
            this.frames.push(...this.decoder.push(d))
            this.waiters.splice(0).forEach(w => w())
        })
        this.sock.on("close", () => {
            this.closed = true
            this.waiters.splice(0).forEach(w => w())
        })
    }

    send(type: number, conn: number, payload: Buffer = Buffer.alloc(0)) {
        this.sock.write(encodeFrame(type, conn, payload))
    }

    sendRaw(bytes: Buffer) {
        this.sock.write(bytes)
    }

    /** Waits for (and removes) the first frame matching. */
    async next(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
        const t0 = Date.now()
        for (;;) {
            const i = this.frames.findIndex(match)
            if (i >= 0) return this.frames.splice(i, 1)[0]
            if (this.closed) throw new Error("link closed while waiting for a frame")
            if (Date.now() - t0 > timeoutMs) throw new Error(`no matching frame within ${timeoutMs} ms; have ${JSON.stringify(this.frames.map(f => f.type))}`)
            await new Promise<void>(r => {
                const t = setTimeout(r, 50)
                this.waiters.push(() => { clearTimeout(t); r() })
            })
        }
    }

    async handshake() {
        this.send(P.MSG_HELLO, 0, hello(P.BRIDGE_PROTOCOL_VERSION, P.MAX_FRAME_PAYLOAD))
        const ack = await this.next(f => f.type === P.MSG_HELLO_ACK)
        this.send(P.MSG_LISTEN, 0, Buffer.alloc(4))
        const listening = await this.next(f => f.type === P.MSG_LISTENING)
        return { ack, listening }
    }

    async waitClosed(timeoutMs = 3000) {
        const t0 = Date.now()
        while (!this.closed && Date.now() - t0 < timeoutMs) await new Promise(r => setTimeout(r, 20))
        return this.closed
    }
}

/** HELLO payload: version, reserved, max_payload, initial_read_window, link_read_window. */
function hello(version: number, maxPayload: number, initialWindow = 0, linkWindow = 1 << 20) {
    const p = Buffer.alloc(12)
    p.writeUInt8(version, 0)
    p.writeUInt16LE(maxPayload, 2)
    p.writeUInt32LE(initialWindow, 4)
    p.writeUInt32LE(linkWindow, 8)
    return p
}

function u32(v: number) {
    const p = Buffer.alloc(4)
    p.writeUInt32LE(v, 0)
    return p
}

function errorOf(f: Frame) {
    return { code: f.payload.readUInt8(0), type: f.payload.readUInt8(1), text: f.payload.subarray(2).toString() }
}

let bridge: BridgeServer
let fw: FakeFirmware

beforeEach(async () => {
    bridge = new BridgeServer({ host: "127.0.0.1", httpPort: 0, bridgePort: 0, limits: { connBufferBytes: 8192, maxConnections: 4 } })
    await bridge.start()
    fw = new FakeFirmware()
    await fw.connect(bridge.bridgePort)
})

afterEach(async () => {
    fw.sock.destroy()
    await bridge.stop()
})

async function client() {
    const c = net.connect(bridge.httpPort, "127.0.0.1")
    const received: Buffer[] = []
    c.on("data", d => received.push(d))
    c.on("error", () => {})
    const closed = new Promise<boolean>(r => c.once("close", () => r(true)))
    // A refused client may see the reset before its 'connect' event.
    await Promise.race([new Promise(r => c.once("connect", r)), closed])
    return { c, received, closed }
}

describe("handshake", () => {
    test("HELLO is answered by HELLO_ACK with the bridge's limits, LISTEN by LISTENING with the port", async () => {
        const { ack, listening } = await fw.handshake()
        expect(ack.conn).toBe(0)
        expect(ack.payload.length).toBe(P.HELLO_ACK_PAYLOAD_BYTES)
        expect(ack.payload.readUInt8(0)).toBe(1)
        expect(ack.payload.readUInt16LE(2)).toBe(2048)
        expect(ack.payload.readUInt16LE(4)).toBe(4)
        expect(ack.payload.readUInt32LE(6)).toBe(8192)
        expect(listening.payload.readUInt16LE(0)).toBe(bridge.httpPort)
    })

    test("a frame before HELLO gets ERROR NOT_READY and nothing else happens", async () => {
        fw.send(P.MSG_LISTEN, 0, Buffer.alloc(4))
        const e = errorOf(await fw.next(f => f.type === P.MSG_ERROR))
        expect(e.code).toBe(P.ERR_NOT_READY)
        expect(e.type).toBe(P.MSG_LISTEN)
        await fw.handshake() // still usable
    })

    test("HELLO with another version gets ERROR BAD_VERSION and the link is closed", async () => {
        fw.send(P.MSG_HELLO, 0, hello(99, 2048))
        const e = errorOf(await fw.next(f => f.type === P.MSG_ERROR))
        expect(e.code).toBe(P.ERR_BAD_VERSION)
        expect(e.text).toContain("99")
        expect(await fw.waitClosed()).toBe(true)
    })

    test("clients are refused (reset) while no firmware listens", async () => {
        const { closed } = await client()
        expect(await closed).toBe(true)
        expect(bridge.stats.refusedNoLink).toBe(1)
    })
})

describe("connections", () => {
    beforeEach(async () => {
        await fw.handshake()
    })

    test("ACCEPTED names the peer; DATA flows only within READ grants", async () => {
        const { c } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        expect(acc.conn).toBeGreaterThan(0)
        expect(acc.payload.toString()).toMatch(/^127\.0\.0\.1:\d+$/)
        c.write("hello world")
        await new Promise(r => setTimeout(r, 100))
        expect(fw.frames.filter(f => f.type === P.MSG_DATA)).toHaveLength(0)
        fw.send(P.MSG_READ, acc.conn, u32(5))
        const d1 = await fw.next(f => f.type === P.MSG_DATA)
        expect(d1.payload.toString()).toBe("hello")
        fw.send(P.MSG_READ, acc.conn, u32(100))
        const d2 = await fw.next(f => f.type === P.MSG_DATA)
        expect(d2.payload.toString()).toBe(" world")
        c.destroy()
    })

    test("SEND reaches the client in order; CREDIT returns what drained; CLOSE graceful flushes then CLOSED ON_REQUEST", async () => {
        const { received, closed: clientClosed } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        fw.send(P.MSG_SEND, acc.conn, Buffer.from("abc"))
        fw.send(P.MSG_SEND, acc.conn, Buffer.from("def"))
        fw.send(P.MSG_CLOSE, acc.conn, Buffer.from([P.CLOSE_GRACEFUL]))
        const closed = await fw.next(f => f.type === P.MSG_CLOSED && f.conn === acc.conn)
        expect(closed.payload.readUInt8(0)).toBe(P.CLOSED_ON_REQUEST)
        await clientClosed
        expect(Buffer.concat(received).toString()).toBe("abcdef")
    })

    test("CREDIT frames give back exactly the bytes sent", async () => {
        const { c } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        for (let i = 0; i < 5; i++) fw.send(P.MSG_SEND, acc.conn, Buffer.alloc(1000, 0x41))
        let credited = 0
        while (credited < 5000) credited += (await fw.next(f => f.type === P.MSG_CREDIT)).payload.readUInt32LE(0)
        expect(credited).toBe(5000)
        c.destroy()
    })

    test("with an initial read window in HELLO, the first client bytes come without a READ", async () => {
        const fw2 = new FakeFirmware()
        await fw2.connect(bridge.bridgePort) // replaces the link
        fw2.send(P.MSG_HELLO, 0, hello(P.BRIDGE_PROTOCOL_VERSION, P.MAX_FRAME_PAYLOAD, 4))
        await fw2.next(f => f.type === P.MSG_HELLO_ACK)
        fw2.send(P.MSG_LISTEN, 0, Buffer.alloc(4))
        await fw2.next(f => f.type === P.MSG_LISTENING)
        const { c } = await client()
        c.write("GET /")
        const acc = await fw2.next(f => f.type === P.MSG_ACCEPTED)
        expect((await fw2.next(f => f.type === P.MSG_DATA && f.conn === acc.conn)).payload.toString()).toBe("GET ")
        c.destroy()
        fw2.sock.destroy()
    })

    test("the link window bounds DATA across connections until READ on conn 0 gives it back", async () => {
        const fw2 = new FakeFirmware()
        await fw2.connect(bridge.bridgePort)
        fw2.send(P.MSG_HELLO, 0, hello(P.BRIDGE_PROTOCOL_VERSION, P.MAX_FRAME_PAYLOAD, 100, 6))
        await fw2.next(f => f.type === P.MSG_HELLO_ACK)
        fw2.send(P.MSG_LISTEN, 0, Buffer.alloc(4))
        await fw2.next(f => f.type === P.MSG_LISTENING)
        const a = await client()
        a.c.write("AAAA")
        const b = await client()
        b.c.write("BBBB")
        await new Promise(r => setTimeout(r, 150))
        const data = () => fw2.frames.filter(f => f.type === P.MSG_DATA).map(f => f.payload.toString()).join("")
        expect(data().length).toBe(6) // 4 of one client, 2 of the other: the link window
        fw2.send(P.MSG_READ, 0, u32(6))
        await new Promise(r => setTimeout(r, 150))
        expect(data().length).toBe(8)
        expect([...data()].sort().join("")).toBe("AAAABBBB")
        a.c.destroy()
        b.c.destroy()
        fw2.sock.destroy()
    })

    test("a client that closes gives CLOSED BY_PEER; one that resets gives CLOSED PEER_RESET", async () => {
        const a = await client()
        const accA = await fw.next(f => f.type === P.MSG_ACCEPTED)
        a.c.end()
        expect((await fw.next(f => f.type === P.MSG_CLOSED && f.conn === accA.conn)).payload.readUInt8(0)).toBe(P.CLOSED_BY_PEER)
        const b = await client()
        const accB = await fw.next(f => f.type === P.MSG_ACCEPTED)
        b.c.resetAndDestroy()
        expect((await fw.next(f => f.type === P.MSG_CLOSED && f.conn === accB.conn)).payload.readUInt8(0)).toBe(P.CLOSED_PEER_RESET)
        expect(accB.conn).not.toBe(accA.conn)
    })

    test("sending beyond the credit resets the client with CLOSED CREDIT_EXCEEDED", async () => {
        const { c } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        c.pause()
        for (let i = 0; i < 5; i++) fw.send(P.MSG_SEND, acc.conn, Buffer.alloc(2048))
        const closed = await fw.next(f => f.type === P.MSG_CLOSED && f.conn === acc.conn)
        expect(closed.payload.readUInt8(0)).toBe(P.CLOSED_CREDIT_EXCEEDED)
        expect(bridge.stats.creditExceeded).toBe(1)
    })

    test("when full, a silent client makes room (CLOSED EVICTED_SILENT); otherwise newcomers are reset at accept and never announced", async () => {
        const silent = []
        for (let i = 0; i < 4; i++) silent.push(await client())
        for (let i = 0; i < 4; i++) await fw.next(f => f.type === P.MSG_ACCEPTED)
        const newcomer = await client()
        const evicted = await fw.next(f => f.type === P.MSG_CLOSED)
        expect(evicted.payload.readUInt8(0)).toBe(P.CLOSED_EVICTED_SILENT)
        await fw.next(f => f.type === P.MSG_ACCEPTED)
        expect(bridge.stats.evictedSilent).toBe(1)
        silent.forEach(x => x.c.destroy())
        newcomer.c.destroy()
        for (let i = 0; i < 4; i++) await fw.next(f => f.type === P.MSG_CLOSED)
        // now four that have spoken: nobody can be evicted
        const clients = []
        for (let i = 0; i < 4; i++) {
            const c = await client()
            c.c.write("x")
            clients.push(c)
        }
        for (let i = 0; i < 4; i++) await fw.next(f => f.type === P.MSG_ACCEPTED)
        await new Promise(r => setTimeout(r, 300))
        const extra = await client()
        await extra.closed
        expect(bridge.stats.refusedLimit).toBe(1)
        expect(fw.frames.filter(f => f.type === P.MSG_ACCEPTED)).toHaveLength(0)
        clients.forEach(x => x.c.destroy())
    })

    test("when the link drops every client is reset", async () => {
        const { closed } = await client()
        await fw.next(f => f.type === P.MSG_ACCEPTED)
        fw.sock.destroy()
        expect(await closed).toBe(true)
    })
})

describe("bad frames are rejected with the documented error, and the bridge keeps working", () => {
    beforeEach(async () => {
        await fw.handshake()
    })

    async function stillWorks() {
        const { c, received } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        fw.send(P.MSG_SEND, acc.conn, Buffer.from("ok"))
        for (let i = 0; i < 50 && Buffer.concat(received).length < 2; i++) await new Promise(r => setTimeout(r, 20))
        expect(Buffer.concat(received).toString()).toBe("ok")
        c.destroy()
    }

    test("unknown type: ERROR UNKNOWN_TYPE", async () => {
        fw.send(0x42, 0, Buffer.from([1, 2, 3]))
        const e = errorOf(await fw.next(f => f.type === P.MSG_ERROR))
        expect(e).toMatchObject({ code: P.ERR_UNKNOWN_TYPE, type: 0x42 })
        await stillWorks()
    })

    test.each([
        ["READ with 3 bytes", P.MSG_READ, 3],
        ["CLOSE with 2 bytes", P.MSG_CLOSE, 2],
        ["LISTEN with 0 bytes", P.MSG_LISTEN, 0],
        ["HELLO with 8 bytes", P.MSG_HELLO, 8],
        ["SEND with 0 bytes", P.MSG_SEND, 0],
    ])("wrong length (%s): ERROR BAD_LENGTH", async (_name, type, len) => {
        fw.send(type, 1, Buffer.alloc(len))
        const e = errorOf(await fw.next(f => f.type === P.MSG_ERROR))
        expect(e).toMatchObject({ code: P.ERR_BAD_LENGTH, type })
        await stillWorks()
    })

    test("unknown connection id: ERROR UNKNOWN_CONN", async () => {
        fw.send(P.MSG_SEND, 4242, Buffer.from("x"))
        const e = errorOf(await fw.next(f => f.type === P.MSG_ERROR))
        expect(e).toMatchObject({ code: P.ERR_UNKNOWN_CONN, type: P.MSG_SEND })
        expect(e.text).toContain("4242")
        fw.send(P.MSG_SEND, 0, Buffer.from("x")) // conn 0 is the link, not a client
        expect(errorOf(await fw.next(f => f.type === P.MSG_ERROR)).code).toBe(P.ERR_UNKNOWN_CONN)
        await stillWorks()
    })

    test("a bad CLOSE mode: ERROR BAD_VALUE", async () => {
        const { c } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        fw.send(P.MSG_CLOSE, acc.conn, Buffer.from([7]))
        expect(errorOf(await fw.next(f => f.type === P.MSG_ERROR))).toMatchObject({ code: P.ERR_BAD_VALUE, type: P.MSG_CLOSE })
        c.destroy()
    })

    test("LISTEN for another port: ERROR LISTEN_FAILED", async () => {
        const p = Buffer.alloc(4)
        p.writeUInt16LE(1, 0)
        fw.send(P.MSG_LISTEN, 0, p)
        expect(errorOf(await fw.next(f => f.type === P.MSG_ERROR)).code).toBe(P.ERR_LISTEN_FAILED)
    })

    test("a frame split across many TCP writes is reassembled", async () => {
        const { c, received } = await client()
        const acc = await fw.next(f => f.type === P.MSG_ACCEPTED)
        const frame = encodeFrame(P.MSG_SEND, acc.conn, Buffer.from("split"))
        for (const b of frame) {
            fw.sendRaw(Buffer.from([b]))
            await new Promise(r => setTimeout(r, 2))
        }
        for (let i = 0; i < 50 && Buffer.concat(received).length < 5; i++) await new Promise(r => setTimeout(r, 20))
        expect(Buffer.concat(received).toString()).toBe("split")
        c.destroy()
    })

    test("a declared length above 2048: ERROR FRAME_TOO_LARGE, then the link is closed; a new link works", async () => {
        const header = Buffer.alloc(5)
        header.writeUInt8(P.MSG_SEND, 0)
        header.writeUInt16LE(1, 1)
        header.writeUInt16LE(60000, 3)
        fw.sendRaw(header)
        expect(errorOf(await fw.next(f => f.type === P.MSG_ERROR)).code).toBe(P.ERR_FRAME_TOO_LARGE)
        expect(await fw.waitClosed()).toBe(true)
        fw = new FakeFirmware()
        await fw.connect(bridge.bridgePort)
        await fw.handshake()
        await stillWorks()
    })
})
