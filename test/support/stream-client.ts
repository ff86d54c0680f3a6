// A real TCP listener of /stream.wav that checks every sample it receives
// against the test pattern (bit-exact, contiguous, in order).
import * as net from "node:net"
import { checkTestPattern, PatternCheck } from "../../sim/audio/test-pattern"
import { resetSocket } from "../../sim/net/reset-socket"

export interface WavFormat {
    sampleRate: number
    channels: number
    bitsPerSample: number
    dataSize: number
}

/** Parses the 44-byte RIFF/WAVE header of a live stream. */
export function parseStreamWavHeader(h: Buffer): WavFormat {
    if (h.toString("ascii", 0, 4) !== "RIFF" || h.toString("ascii", 8, 16) !== "WAVEfmt " || h.toString("ascii", 36, 40) !== "data")
        throw new Error(`not a RIFF/WAVE stream header: ${h.subarray(0, 44).toString("hex")}`)
    if (h.readUInt16LE(20) !== 1) throw new Error("not PCM")
    return { channels: h.readUInt16LE(22), sampleRate: h.readUInt32LE(24), bitsPerSample: h.readUInt16LE(34), dataSize: h.readUInt32LE(40) }
}

export class StreamClient {
    sock!: net.Socket
    status = 0
    headers = ""
    format: WavFormat | undefined
    check: PatternCheck | undefined
    pcmBytes = 0
    closed = false
    /** Raw bytes kept when `keep` is set (to hand to ffprobe). */
    kept: Buffer[] = []
    private head = Buffer.alloc(0)
    private leftover = Buffer.alloc(0)

    constructor(private readonly port: number, private readonly keep = false) {}

    /** Connects and sends the request; resolves once the response head (and WAV header) arrived. */
    open(path = "/stream.wav", timeoutMs = 5000): Promise<this> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no response head within ${timeoutMs} ms`)), timeoutMs)
            this.sock = net.connect(this.port, "127.0.0.1", () => this.sock.write(`GET ${path} HTTP/1.1\r\nHost: mic\r\n\r\n`))
            this.sock.on("error", () => {})
            this.sock.on("close", () => {
                this.closed = true
                clearTimeout(timer)
                resolve(this)
            })
            this.sock.on("data", (d: Buffer) => {
                if (this.keep) this.kept.push(d)
                if (!this.status || !this.format) {
                    this.head = Buffer.concat([this.head, d])
                    const end = this.head.indexOf("\r\n\r\n")
                    if (end < 0) return
                    this.headers = this.head.subarray(0, end).toString("latin1")
                    this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.headers)?.[1] ?? 0)
                    const rest = this.head.subarray(end + 4)
                    if (this.status !== 200) {
                        clearTimeout(timer)
                        resolve(this)
                        return
                    }
                    if (rest.length < 44) return
                    this.format = parseStreamWavHeader(rest)
                    clearTimeout(timer)
                    resolve(this)
                    d = rest.subarray(44)
                }
                this.onPcm(d)
            })
        })
    }

    private onPcm(d: Buffer) {
        this.pcmBytes += d.length
        const frame = 2 * this.format!.channels
        const all = this.leftover.length ? Buffer.concat([this.leftover, d]) : d
        const whole = all.length - (all.length % frame)
        this.check = checkTestPattern(all.subarray(0, whole), this.format!.channels, this.check)
        this.leftover = Buffer.from(all.subarray(whole))
    }

    pause() {
        this.sock.pause()
    }

    resume() {
        this.sock.resume()
    }

    close() {
        this.sock.end()
    }

    reset() {
        resetSocket(this.sock)
    }

    /** Sample frames received and checked. */
    get frames() {
        return this.check?.frames ?? 0
    }

    get mismatches() {
        return this.check?.mismatches ?? 0
    }
}
