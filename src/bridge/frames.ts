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
 * Reassembles frames from socket chunks. Holds at most one partial frame, so its
 * memory is bounded by MAX_FRAME_PAYLOAD + header. `error` is set (and the link
 * must be dropped) when a frame declares more than MAX_FRAME_PAYLOAD bytes.
 */
export class FrameReader {
    private pending: Buffer = null
    error: string = null

    push(chunk: Buffer, out: LinkFrame[]) {
        let buf = this.pending ? this.pending.concat(chunk) : chunk
        this.pending = null
        let off = 0
        while (buf.length - off >= FRAME_HEADER_BYTES) {
            const len = buf.getAt(off + 3, "u16")
            if (len > MAX_FRAME_PAYLOAD) {
                this.error = `frame declares ${len} bytes, more than MAX_FRAME_PAYLOAD ${MAX_FRAME_PAYLOAD}`
                return
            }
            if (buf.length - off < FRAME_HEADER_BYTES + len) break
            out.push({
                type: buf.getAt(off, "u8"),
                conn: buf.getAt(off + 1, "u16"),
                payload: buf.slice(off + FRAME_HEADER_BYTES, off + FRAME_HEADER_BYTES + len),
            })
            off += FRAME_HEADER_BYTES + len
        }
        if (off < buf.length) this.pending = buf.slice(off)
    }
}
