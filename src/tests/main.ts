// In-VM unit tests of the firmware's pure logic, run by `devs run --test -k`
// (scripts/test-vm.js). They run in the real DeviceScript VM with GC stress on.
import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { PARSE_DONE, PARSE_ERROR, PARSE_NEED_MORE, RequestParser, percentDecode } from "../http/request-parser"
import { MAX_BODY_BYTES, MAX_HEAD_BYTES } from "../http/limits"
import { AudioRing } from "../audio/ring"
import { LevelMeter, SILENCE_DBFS, toDbfs } from "../audio/level-meter"
import { wavHeader, WAV_HEADER_BYTES } from "../stream/wav-header"
import { probeRangeEnd } from "../stream/range-probe"
import { Admission } from "../stream/admission"
import { encodeFrame, FrameReader, LinkFrame } from "../bridge/frames"
import { errorBody, responseHead } from "../http/response"
import { LatencyWindow, LATENCY_WINDOW } from "../diag/latency-window"
import { applyConfigPatch, defaultConfig, sanitizeStoredConfig } from "../config/device-config"
import { BODY_PIECE_CHARS, BodyPieces, BodySink } from "../http/body-writer"
import { writeJson } from "../http/json-writer"

function parse(text: string) {
    const p = new RequestParser()
    p.feed(Buffer.from(text))
    return p
}

describe("request parser", () => {
    test("a GET with headers and a query", () => {
        const p = parse("GET /status?x=1 HTTP/1.1\r\nHost: mic\r\nAccept: text/html\r\n\r\n")
        expect(p.state).toBe(PARSE_DONE)
        expect(p.request.method).toBe("GET")
        expect(p.request.path).toBe("/status")
        expect(p.request.query).toBe("x=1")
        expect(p.request.headers["host"]).toBe("mic")
        expect(p.request.headers["accept"]).toBe("text/html")
    })
    test("bytes arriving one at a time", () => {
        const p = new RequestParser()
        const text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        for (let i = 0; i < text.length; i++) p.feed(Buffer.from(text[i]))
        expect(p.state).toBe(PARSE_DONE)
        expect(p.request.path).toBe("/")
    })
    test("a body by Content-Length, split", () => {
        const p = new RequestParser()
        p.feed(Buffer.from("POST /config HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n{\"a\""))
        expect(p.state).toBe(PARSE_NEED_MORE)
        expect(p.wantBytes()).toBe(3)
        p.feed(Buffer.from(":1}"))
        expect(p.state).toBe(PARSE_DONE)
        expect(p.request.body.toString()).toBe("{\"a\":1}")
    })
    test("errors carry the status and say what is allowed", () => {
        expect(parse("GARBAGE\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n").errorStatus).toBe(505)
        expect(parse("GET / HTTP/1.1\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET x HTTP/1.1\r\nHost: a\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").errorStatus).toBe(400)
        expect(parse("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").errorStatus).toBe(501)
        expect(parse("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n").errorStatus).toBe(400)
        const big = parse(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`)
        expect(big.errorStatus).toBe(413)
        expect(big.errorMessage.indexOf(`${MAX_BODY_BYTES}`) >= 0).toBe(true)
    })
    test("a NUL byte in the head is refused", () => {
        const p = new RequestParser()
        const b = Buffer.from("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        b[5] = 0
        p.feed(b)
        expect(p.state).toBe(PARSE_ERROR)
        expect(p.errorStatus).toBe(400)
    })
    test("a head that never ends stops at MAX_HEAD_BYTES with 431", () => {
        const p = new RequestParser()
        p.feed(Buffer.from("GET / HTTP/1.1\r\nHost: a\r\n"))
        let n = 0
        while (p.state === PARSE_NEED_MORE && n++ < 100) p.feed(Buffer.from("X-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"))
        expect(p.errorStatus).toBe(431)
        expect(p.heldBytes()).toBe(0)
        expect(n * 46 < MAX_HEAD_BYTES + 100).toBe(true)
    })
    test("percent-decoding", () => {
        expect(percentDecode("/a%20b")).toBe("/a b")
        expect(percentDecode("/a%2")).toBe(null)
        expect(percentDecode("/a%00")).toBe(null)
    })
})

describe("audio ring", () => {
    test("wraps and reads back what was written", () => {
        const r = new AudioRing(8)
        const src = Buffer.from([1, 2, 3, 4, 5, 6])
        r.write(src, 0, 6)
        r.write(src, 0, 6)
        expect(r.written).toBe(12)
        expect(r.oldest()).toBe(4)
        const out = Buffer.alloc(8)
        r.read(4, 8, out, 0)
        expect(out.toString("hex")).toBe("0506010203040506")
    })
    test("silence fills a gap", () => {
        const r = new AudioRing(8)
        r.write(Buffer.from([9, 9]), 0, 2)
        r.writeSilence(4)
        const out = Buffer.alloc(6)
        r.read(0, 6, out, 0)
        expect(out.toString("hex")).toBe("090900000000")
    })
})

describe("level meter", () => {
    test("full scale is 0 dBFS, silence is the floor, clipping is counted", () => {
        expect(toDbfs(32768)).toBe(0)
        expect(toDbfs(0)).toBe(SILENCE_DBFS)
        const m = new LevelMeter(400, 1) // a 100-sample window, 25 measured
        const b = Buffer.alloc(2 * 200)
        for (let i = 0; i < 200; i++) b.setAt(2 * i, "i16", i % 2 ? 8192 : -8192)
        b.setAt(0, "i16", 32767)
        m.add(b, 0, b.length)
        expect(m.clipped).toBe(1)
        expect(Math.round(m.rmsDbfs)).toBe(-12)
    })
})

describe("stream helpers", () => {
    test("the WAV header announces PCM and an open-ended size", () => {
        const h = wavHeader(16000, 1, 16)
        expect(h.length).toBe(WAV_HEADER_BYTES)
        expect(h.slice(0, 4).toString()).toBe("RIFF")
        expect(h.getAt(4, "u32")).toBe(0xffffffff)
        expect(h.getAt(24, "u32")).toBe(16000)
        expect(h.getAt(28, "u32")).toBe(32000)
        expect(h.getAt(32, "u16")).toBe(2)
        expect(h.getAt(40, "u32")).toBe(0xffffffff)
    })
    test("Safari's range probe is recognised, a whole-stream range is not", () => {
        expect(probeRangeEnd("bytes=0-1")).toBe(1)
        expect(probeRangeEnd("bytes=0-")).toBe(-1)
        expect(probeRangeEnd("bytes=100-200")).toBe(-1)
        expect(probeRangeEnd(undefined)).toBe(-1)
    })
    test("admission gives maxStreams slots, then refuses and counts", () => {
        const a = new Admission(2)
        expect(a.tryAdmit()).toBe(true)
        expect(a.tryAdmit()).toBe(true)
        expect(a.tryAdmit()).toBe(false)
        expect(a.rejected).toBe(1)
        a.release()
        expect(a.tryAdmit()).toBe(true)
    })
})

describe("bridge frames and responses", () => {
    test("frames round-trip through the reader across any split", () => {
        const f = encodeFrame(0x84, 7, Buffer.from("hello"))
        for (let cut = 0; cut <= f.length; cut++) {
            const r = new FrameReader()
            const out: LinkFrame[] = []
            r.push(f.slice(0, cut))
            for (let x = r.next(); x; x = r.next()) out.push(x)
            r.push(f.slice(cut))
            for (let x = r.next(); x; x = r.next()) out.push(x)
            expect(out.length).toBe(1)
            expect(out[0].conn).toBe(7)
            expect(out[0].payload.toString()).toBe("hello")
        }
    })
    test("an oversized declared length is an error, not an allocation", () => {
        const r = new FrameReader()
        const h = Buffer.alloc(5)
        h.setAt(3, "u16", 60000)
        r.push(h)
        expect(r.next()).toBe(null)
        expect(r.error !== null).toBe(true)
    })
    test("response heads carry the LAN-device headers", () => {
        const h = responseHead(200, "application/json", 2, [])
        expect(h.indexOf("Cache-Control: no-store") > 0).toBe(true)
        expect(h.indexOf("X-Content-Type-Options: nosniff") > 0).toBe(true)
        expect(h.indexOf("Connection: close") > 0).toBe(true)
        expect(JSON.parse(errorBody(404, "no")).status).toBe(404)
    })
})

describe("latency window", () => {
    test("quantiles of a full window, cheaply (regression: sorting 100 values per /status hit the step limit)", async () => {
        await ds.sleep(1) // start with a fresh step budget: the suites before ran without yielding
        const w = new LatencyWindow()
        expect(w.quantile(0.5)).toBe(-1)
        for (let i = 0; i < 2 * LATENCY_WINDOW; i++) w.add(i % 100) // the window holds 0..99
        await ds.sleep(1)
        for (let k = 0; k < 20; k++) {
            expect(w.quantile(0.5)).toBe(49)
            expect(w.quantile(0.99)).toBe(98)
        }
        w.add(500) // beyond the last bucket
        expect(w.quantile(1)).toBe(127)
    })
})

describe("configuration", () => {
    test("a valid patch changes only what it names", () => {
        const r = applyConfigPatch(defaultConfig(), JSON.parse(`{"maxStreams":2,"gainDb":-3}`))
        expect(r.error).toBe(null)
        expect(r.next.maxStreams).toBe(2)
        expect(r.next.gainDb).toBe(-3)
        expect(r.next.sampleRate).toBe(16000)
        expect(r.changed.length).toBe(2)
    })
    test("invalid patches name the field and what is allowed", () => {
        const c = defaultConfig()
        expect(applyConfigPatch(c, JSON.parse(`{"sampleRate":12345}`)).error.indexOf("sampleRate 12345 is not allowed") >= 0).toBe(true)
        expect(applyConfigPatch(c, JSON.parse(`{"x":1}`)).error.indexOf("unknown field") >= 0).toBe(true)
        expect(applyConfigPatch(c, JSON.parse(`[1]`)).error.indexOf("JSON object") >= 0).toBe(true)
        expect(applyConfigPatch(c, JSON.parse(`{"deviceName":"a\\nb"}`)).error.indexOf("deviceName") >= 0).toBe(true)
    })
    test("maxStreams is bounded by the board's limit, and a stored value above it falls back", () => {
        const c = defaultConfig()
        expect(applyConfigPatch(c, JSON.parse(`{"maxStreams":9}`)).error.indexOf("from 1 to 8") >= 0).toBe(true)
        expect(applyConfigPatch(c, JSON.parse(`{"maxStreams":16}`), 16).error).toBe(null)
        expect(applyConfigPatch(c, JSON.parse(`{"maxStreams":17}`), 16).error.indexOf("from 1 to 16") >= 0).toBe(true)
        expect(sanitizeStoredConfig(JSON.parse(`{"maxStreams":16,"gainDb":3}`), 8).maxStreams).toBe(3)
        expect(sanitizeStoredConfig(JSON.parse(`{"maxStreams":16,"gainDb":3}`), 8).gainDb).toBe(3)
        expect(sanitizeStoredConfig(JSON.parse(`{"maxStreams":16}`), 32).maxStreams).toBe(16)
    })
})

describe("bodies written in pieces", () => {
    const render = (out: BodySink) => {
        out.text("head;")
        for (let i = 0; i < 40; i++) out.text(`line ${i} with some text to make it longer\n`)
        out.text("ünïcödé;")
        let big = ""
        for (let i = 0; i < 30; i++) big += "0123456789abcdefghijklmnopqrstuvwxyz" // 1080 chars in one call
        out.text(big)
        out.text("end")
    }
    test("the pieces add up to the whole text, none longer than a piece, the last one marked, the length counted", () => {
        let whole = ""
        render({ text: (s: string) => (whole += s) })
        let sent = ""
        let pieces = 0
        let lasts = 0
        let longest = 0
        const w = new BodyPieces((piece: Buffer, last: boolean) => {
            sent += piece.toString()
            pieces++
            if (last) lasts++
            longest = Math.max(longest, piece.toString().length)
        })
        render(w)
        w.end()
        expect(sent).toBe(whole)
        expect(lasts).toBe(1)
        expect(pieces > 4).toBe(true)
        expect(longest <= BODY_PIECE_CHARS).toBe(true)
        const counter = new BodyPieces(null) // counting only, nothing emitted
        render(counter)
        counter.end()
        expect(counter.bytes).toBe(Buffer.from(whole).length)
        expect(w.bytes).toBe(Buffer.from(whole).length)
    })
    test("an empty body still ends with one (empty) last piece", () => {
        let calls = 0
        const w = new BodyPieces((piece: Buffer, last: boolean) => {
            calls++
            expect(last).toBe(true)
            expect(piece.length).toBe(0)
        })
        w.end()
        expect(calls).toBe(1)
    })
    test("JSON written part by part equals JSON.stringify", () => {
        const doc = JSON.parse(`{"a":1,"b":"x\\"y","c":[1,2,{"d":[true,false,null],"e":{"f":"g"}}],"h":{"i":[],"j":{}},"k":-1.5}`)
        let text = ""
        writeJson(doc, { text: (s: string) => (text += s) })
        expect(text).toBe(JSON.stringify(doc))
    })
    test("a function value writes its own JSON (a long list, one element at a time)", () => {
        const doc = { n: 2, list: (out: BodySink) => out.text("[1,2]"), after: "x" }
        let text = ""
        writeJson(doc, { text: (s: string) => (text += s) })
        expect(text).toBe(`{"n":2,"list":[1,2],"after":"x"}`)
    })
})
