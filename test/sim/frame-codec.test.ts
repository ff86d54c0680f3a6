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
