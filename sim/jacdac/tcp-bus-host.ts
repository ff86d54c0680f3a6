// A listening Jacdac transport: jacdac-ts only ships a connecting Node transport,
// but `devs run --tcp` connects to 127.0.0.1:8082, so the simulator must be the
// side that listens. Wire format (the VM's): one length byte then the frame; a
// frame of 255 bytes or more is 0xff, a little-endian u16 length, then the frame.
import * as net from "node:net"
import { Transport } from "jacdac-ts"
import { PortInUseError } from "../bridge/bridge-server"

/** The port `devs run --tcp` connects to, fixed in the DeviceScript CLI; the VM preload can redirect it (vm-socket-preload.ts). */
export const DEVS_TCP_BUS_PORT = 8082

export class TcpBusHost extends Transport {
    private server: net.Server | undefined
    private readonly peers = new Set<net.Socket>()

    constructor(readonly host: string, readonly port: number) {
        super("tcp-bus-host", { checkPulse: false })
    }

    description() {
        return `listening on ${this.host}:${this.port}`
    }

    protected transportConnectAsync(): Promise<void> {
        return new Promise((resolve, reject) => {
            const server = net.createServer(sock => this.onPeer(sock))
            server.once("error", (e: NodeJS.ErrnoException) =>
                reject(e.code === "EADDRINUSE"
                    ? new PortInUseError(this.port, "Jacdac bus (devs run --tcp)", "--bus-port", "MIC_BUS_PORT")
                    : e))
            server.listen(this.port, this.host, () => {
                this.server = server
                resolve()
            })
        })
    }

    protected transportDisconnectAsync(): Promise<void> {
        for (const p of this.peers) p.destroy()
        this.peers.clear()
        const server = this.server
        this.server = undefined
        return new Promise(resolve => (server ? server.close(() => resolve()) : resolve()))
    }

    protected transportSendPacketAsync(frame: Uint8Array): Promise<void> {
        const wire = encodeBusFrame(frame)
        for (const p of this.peers) p.write(wire)
        return Promise.resolve()
    }

    get boundPort() {
        return (this.server?.address() as net.AddressInfo | null)?.port ?? this.port
    }

    /** Number of connected VMs (0 or 1 in practice). */
    get peerCount() {
        return this.peers.size
    }

    private onPeer(sock: net.Socket) {
        sock.setNoDelay(true)
        this.peers.add(sock)
        let pending = Buffer.alloc(0)
        sock.on("data", chunk => {
            pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
            for (;;) {
                const frame = decodeBusFrame(pending)
                if (!frame) break
                pending = pending.subarray(frame.consumed)
                this.handleFrame(new Uint8Array(frame.frame))
            }
        })
        sock.on("error", () => {})
        sock.on("close", () => this.peers.delete(sock))
    }
}

export function encodeBusFrame(frame: Uint8Array): Buffer {
    if (frame.length >= 0xff) {
        const out = Buffer.alloc(3 + frame.length)
        out[0] = 0xff
        out.writeUInt16LE(frame.length, 1)
        out.set(frame, 3)
        return out
    }
    const out = Buffer.alloc(1 + frame.length)
    out[0] = frame.length
    out.set(frame, 1)
    return out
}

export function decodeBusFrame(buf: Buffer): { frame: Buffer; consumed: number } | undefined {
    if (buf.length < 1) return undefined
    if (buf[0] === 0xff) {
        if (buf.length < 3) return undefined
        const len = buf.readUInt16LE(1)
        if (buf.length < 3 + len) return undefined
        return { frame: buf.subarray(3, 3 + len), consumed: 3 + len }
    }
    const len = buf[0]
    if (buf.length < 1 + len) return undefined
    return { frame: buf.subarray(1, 1 + len), consumed: 1 + len }
}
