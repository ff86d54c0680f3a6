// Pure framing of the socket bridge protocol (docs/bridge-protocol.md): no sockets here.
import {
    FRAME_HEADER_BYTES,
    MAX_FRAME_PAYLOAD,
} from "../../src/bridge/protocol-constants"

export interface Frame {
    type: number
    conn: number
    payload: Buffer
}

/** Encodes one frame: type u8, conn u16 LE, length u16 LE, payload. */
export function encodeFrame(type: number, conn: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
    if (payload.length > MAX_FRAME_PAYLOAD)
        throw new RangeError(`bridge frame payload of ${payload.length} bytes exceeds MAX_FRAME_PAYLOAD (${MAX_FRAME_PAYLOAD})`)
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length)
    frame.writeUInt8(type, 0)
    frame.writeUInt16LE(conn, 1)
    frame.writeUInt16LE(payload.length, 3)
    frame.set(payload, FRAME_HEADER_BYTES)
    return frame
}

/** Thrown when the stream cannot be re-synchronised (declared length beyond the limit). */
export class FramingError extends Error {
    constructor(readonly declaredLength: number, readonly type: number) {
        super(`frame of type 0x${type.toString(16)} declares ${declaredLength} payload bytes; at most ${MAX_FRAME_PAYLOAD} are allowed`)
    }
}

/**
 * Reassembles frames from arbitrary TCP chunks. Holds at most one partial frame
 * (MAX_FRAME_PAYLOAD + header), so a peer cannot make it grow without bound.
 */
export class FrameDecoder {
    private pending: Buffer = Buffer.alloc(0)

    /** Feeds bytes; returns every complete frame. Throws FramingError on an oversized declaration. */
    push(chunk: Uint8Array): Frame[] {
        this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk)
        const frames: Frame[] = []
        let offset = 0
        while (this.pending.length - offset >= FRAME_HEADER_BYTES) {
            const type = this.pending.readUInt8(offset)
            const conn = this.pending.readUInt16LE(offset + 1)
            const length = this.pending.readUInt16LE(offset + 3)
            if (length > MAX_FRAME_PAYLOAD) {
                this.pending = Buffer.alloc(0)
                throw new FramingError(length, type)
            }
            const end = offset + FRAME_HEADER_BYTES + length
            if (end > this.pending.length) break
            frames.push({ type, conn, payload: Buffer.from(this.pending.subarray(offset + FRAME_HEADER_BYTES, end)) })
            offset = end
        }
        this.pending = this.pending.subarray(offset)
        return frames
    }

    /** Bytes of an incomplete frame still waiting for the rest. */
    get pendingBytes() {
        return this.pending.length
    }
}
