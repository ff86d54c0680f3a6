import { encodeFrame, FrameDecoder, FramingError } from "../../sim/bridge/frame-codec"
import { MAX_FRAME_PAYLOAD } from "../../src/bridge/protocol-constants"

test("a frame is type u8, conn u16 LE, length u16 LE, payload", () => {
    expect(encodeFrame(0x84, 0x0102, Buffer.from("hi")).toString("hex")).toBe("840201020068" + "69")
})

test("frames are reassembled from any split and any concatenation", () => {
    const stream = Buffer.concat([encodeFrame(1, 0, Buffer.alloc(4)), encodeFrame(3, 7, Buffer.from("abc")), encodeFrame(4, 7, Buffer.from([0]))])
    for (let cut = 0; cut <= stream.length; cut++) {
        const d = new FrameDecoder()
        const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))]
        expect(frames.map(f => [f.type, f.conn, f.payload.toString("hex")])).toEqual([[1, 0, "00000000"], [3, 7, "616263"], [4, 7, "00"]])
        expect(d.pendingBytes).toBe(0)
    }
})

test("an oversized declaration throws a FramingError naming the limit", () => {
    const d = new FrameDecoder()
    const h = Buffer.from([3, 1, 0, 0, 0])
    h.writeUInt16LE(MAX_FRAME_PAYLOAD + 1, 3)
    expect(() => d.push(h)).toThrow(FramingError)
    expect(() => encodeFrame(3, 1, Buffer.alloc(MAX_FRAME_PAYLOAD + 1))).toThrow(/MAX_FRAME_PAYLOAD/)
})

import { parseProcNetTcp, queueKey } from "../../sim/bridge/os-send-queue"

test("the OS send queue is read from /proc/net/tcp's tx_queue by local and remote port", () => {
    const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 0100007F:D2F0 01 0001A000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 4 30 10 -1
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0`
    const q = parseProcNetTcp(text)
    expect(q.get(queueKey(8080, 0xd2f0))).toBe(0x1a000)
    expect(q.get(queueKey(8080, 0))).toBe(0)
})

test("filtered by local port, only that port's lines are read, not lines where it is the remote port", () => {
    const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 0100007F:D2F0 01 0001A000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 4 30 10 -1
   1: 0100007F:D2F0 0100007F:1F90 01 00000010:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0050 0100007F:C000 01 00000020:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0`
    const q = parseProcNetTcp(text, new Map(), 8080)
    expect([...q.entries()]).toEqual([[queueKey(8080, 0xd2f0), 0x1a000]])
})
