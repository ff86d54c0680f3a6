// The audio ring: one writer (the capture handler), many readers (the stream
// fibers), each with its own cursor. Positions are absolute byte counts since
// capture started, so a reader knows exactly how far behind it is and whether
// the writer has lapped it. Pure: no fibers, no I/O.

/**
 * The ring's byte budget. The whole program has a 64 KB heap, shared by every
 * buffer, string, closure and fiber; 16 KB is 0.5 s of 16 kHz mono, 0.17 s of
 * 48 kHz mono, enough to ride out scheduling jitter of the stream fibers.
 * Backlog per listener lives in the bridge (board RAM), never here.
 */
export const RING_BYTES = 16 * 1024

export class AudioRing {
    readonly data: Buffer
    /** Bytes written since the ring was (re)started. */
    written = 0

    constructor(readonly capacity: number) {
        this.data = Buffer.alloc(capacity)
    }

    /** Appends `len` bytes of `src` from `srcOff`. */
    write(src: Buffer, srcOff: number, len: number) {
        let pos = this.written % this.capacity
        let off = srcOff
        let left = len
        while (left > 0) {
            const n = Math.min(left, this.capacity - pos)
            this.data.blitAt(pos, src, off, n)
            off += n
            left -= n
            pos = 0
        }
        this.written += len
    }

    /** Appends `len` bytes of silence (a gap the board reported). */
    writeSilence(len: number) {
        let pos = this.written % this.capacity
        let left = len
        while (left > 0) {
            const n = Math.min(left, this.capacity - pos)
            this.data.fillAt(pos, n, 0)
            left -= n
            pos = 0
        }
        this.written += len
    }

    /** Oldest absolute position still held. */
    oldest() {
        return this.written > this.capacity ? this.written - this.capacity : 0
    }

    /** Copies `len` bytes from absolute position `from` into `dst` at `dstOff`. The caller checks from >= oldest. */
    read(from: number, len: number, dst: Buffer, dstOff: number) {
        let pos = from % this.capacity
        let off = dstOff
        let left = len
        while (left > 0) {
            const n = Math.min(left, this.capacity - pos)
            dst.blitAt(off, this.data, pos, n)
            off += n
            left -= n
            pos = 0
        }
    }

    /** Drops everything (format change): readers must re-anchor at `written`. */
    reset() {
        this.written = 0
    }
}
