// The audio ring: one writer (the capture handler), many readers (the stream
// fibers), each with its own cursor. Positions are absolute byte counts since
// capture started, so a reader knows exactly how far behind it is and whether
// the writer has lapped it. Pure: no fibers, no I/O.

/**
 * The ring's byte budget. The whole program has a 64 KB heap, shared by every
 * buffer, string, closure and fiber. 8 KB is 0.25 s of 16 kHz mono, 85 ms of
 * 48 kHz mono, 43 ms of 48 kHz stereo: the stream fibers look every 10 ms, so
 * that rides out their jitter. With 12 or 16 KB the VM ran out of memory under
 * the fuzz test (3 streams and 12 hostile clients at once); 8 KB passed.
 * Backlog per listener lives in the bridge (board RAM), never here.
 */
export const RING_BYTES = 8 * 1024

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
