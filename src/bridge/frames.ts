// Pure framing of the bridge protocol on DeviceScript buffers (docs/bridge-protocol.md).
import {
    FRAME_HEADER_BYTES,
    MAX_FRAME_PAYLOAD,
} from "./protocol-constants"

/** Builds one frame: type u8, conn u16 LE, length u16 LE, then the payload. */
export function encodeFrame(type: number, conn: number, payload: Buffer) {
    const len = payload ? payload.length : 0
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + len)
    frame.setAt(0, "u8", type)
    frame.setAt(1, "u16", conn)
    frame.setAt(3, "u16", len)
    if (len) frame.blitAt(FRAME_HEADER_BYTES, payload, 0, len)
    return frame
}

/** Builds a frame whose payload is one u32 (READ, LISTEN). */
export function encodeU32Frame(type: number, conn: number, value: number) {
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + 4)
    frame.setAt(0, "u8", type)
    frame.setAt(1, "u16", conn)
    frame.setAt(3, "u16", 4)
    frame.setAt(FRAME_HEADER_BYTES, "u32", value)
    return frame
}

/** Builds a frame whose payload is one u8 (CLOSE). */
export function encodeU8Frame(type: number, conn: number, value: number) {
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + 1)
    frame.setAt(0, "u8", type)
    frame.setAt(1, "u16", conn)
    frame.setAt(3, "u16", 1)
    frame.setAt(FRAME_HEADER_BYTES, "u8", value)
    return frame
}

export interface LinkFrame {
    type: number
    conn: number
    payload: Buffer
}

/**
 * Reassembles frames from socket chunks, one frame at a time: each is decoded
 * and handed over before the next is sliced, so a large chunk is never held
 * twice (once whole, once as frames). Holds at most one partial frame between
 * chunks. `error` is set (and the link must be dropped) when a frame declares
 * more than MAX_FRAME_PAYLOAD bytes.
 */
export class FrameReader {
    private buf: Buffer = null
    private off = 0
    error: string = null

    push(chunk: Buffer) {
        if (this.buf && this.off < this.buf.length) this.buf = this.buf.slice(this.off).concat(chunk)
        else this.buf = chunk
        this.off = 0
    }

    /** The next complete frame, or null until more bytes arrive (or on error). */
    next(): LinkFrame {
        const buf = this.buf
        if (!buf || this.error || buf.length - this.off < FRAME_HEADER_BYTES) return null
        const off = this.off
        const len = buf.getAt(off + 3, "u16")
        if (len > MAX_FRAME_PAYLOAD) {
            this.error = `frame declares ${len} bytes, more than MAX_FRAME_PAYLOAD ${MAX_FRAME_PAYLOAD}`
            return null
        }
        if (buf.length - off < FRAME_HEADER_BYTES + len) return null
        this.off = off + FRAME_HEADER_BYTES + len
        const frame: LinkFrame = {
            type: buf.getAt(off, "u8"),
            conn: buf.getAt(off + 1, "u16"),
            payload: buf.slice(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len),
        }
        if (this.off >= buf.length) {
            this.buf = null
            this.off = 0
        }
        return frame
    }
}
