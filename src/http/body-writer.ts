// A response body written piece by piece, never built whole. The whole program
// shares a 64 KB heap that is never compacted: one 3 KB string, then its 3 KB
// buffer, then a 3 KB link frame need contiguous blocks that a fragmented heap
// may not have (building /metrics whole ran the VM out of memory under the fuzz
// test). So a body is rendered into pieces of at most BODY_PIECE_CHARS, which
// the server counts (Content-Length) and sends one by one. Pure: the pieces go
// to a callback.

/** Largest piece held or sent at a time: 512 characters are at most 2 KB of UTF-8, within one SEND frame. */
export const BODY_PIECE_CHARS = 512

/** Where rendering code writes text. */
export interface BodySink {
    text(s: string): void
}

/** A body renderer: must write the same text each time it is called. */
export type BodyRenderer = (out: BodySink) => void

export class BodyPieces implements BodySink {
    /** UTF-8 bytes emitted so far. */
    bytes = 0
    private pending = ""

    /** `emit` receives each piece; null only counts. */
    constructor(private readonly emit: (piece: Buffer, last: boolean) => void) {}

    text(s: string) {
        if (!s.length) return
        if (this.pending.length + s.length <= BODY_PIECE_CHARS) {
            this.pending += s
            return
        }
        this.flush(false)
        for (let i = 0; i < s.length; i += BODY_PIECE_CHARS) {
            const part = s.slice(i, i + BODY_PIECE_CHARS)
            if (part.length < BODY_PIECE_CHARS) this.pending = part
            else this.put(Buffer.from(part), false)
        }
    }

    /** Emits what is still pending as the last piece (an empty one if nothing is). */
    end() {
        this.flush(true)
    }

    private flush(last: boolean) {
        if (!this.pending.length && !last) return
        const b = Buffer.from(this.pending)
        this.pending = ""
        this.put(b, last)
    }

    private put(b: Buffer, last: boolean) {
        this.bytes += b.length
        if (this.emit) this.emit(b, last)
    }
}
