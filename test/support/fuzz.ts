// A seeded generator of hostile HTTP requests: grammar-based cases (bad request
// lines, bad and duplicate headers, NUL and non-ASCII bytes, huge and endless
// heads, bad percent-encoding, conflicting Content-Length/Transfer-Encoding,
// pipelined garbage, bodies on GET, invalid /config bodies) and byte-level
// mutations of valid requests. The same seed gives the same requests.

/** mulberry32: small, fast, good enough to pick fuzz cases reproducibly. */
export function rng(seed: number) {
    let a = seed >>> 0
    return () => {
        a = (a + 0x6d2b79f5) >>> 0
        let t = a
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
}

export interface FuzzCase {
    name: string
    bytes: Buffer
    /** True when the request may be incomplete on purpose: the answer may be 408 after the header timeout. */
    incomplete: boolean
}

const PATHS = ["/", "/status", "/metrics", "/config", "/stream.wav", "/nope", "/%41", "/a?b=c"]
/** Invalid by construction: each has an unknown field or a wrong type, so no mutation of it is likely valid. */
const BAD_CONFIG_BODIES = [
    `{"maxStreams":"3","zz":1}`, `{"sampleRate":1,"colour":2}`, `{"gainDb":[1],"x":0}`, `{"deviceName":null,"q":1}`,
    `{"channels":{},"y":[]}`, `{"maxStreams":1e9,"bad":true}`, `{"adminToken":5,"n":"a"}`, `[{"a":1}]`, `"text"`, `{"a":`,
]

export function fuzzCases(seed: number, count: number): FuzzCase[] {
    const r = rng(seed)
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]
    const int = (n: number) => Math.floor(r() * n)
    const out: FuzzCase[] = []
    const valid = () => `GET ${pick(PATHS)} HTTP/1.1\r\nHost: mic\r\nAccept: */*\r\n\r\n`
    const grammar: (() => [string, string | Buffer, boolean?])[] = [
        () => ["bad request line", `${pick(["GET", "G ET", "", "get", "GET\t", "POST  /"])} ${pick(["/", "", "x", "//", "*"])} ${pick(["HTTP/1.1", "HTTP/1", "HTTP/9.9", "HTTP/1.1 extra", "http/1.1", ""])}\r\nHost: m\r\n\r\n`],
        () => ["bad header", `GET /status HTTP/1.1\r\nHost: m\r\n${pick([" folded: x", "NoColon", ": empty-name", "Bad Name: v", "X-A:\u0001", "\u00ff\u00fe: v"])}\r\n\r\n`],
        () => ["duplicate headers", `GET /status HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n`],
        () => ["NUL and non-ASCII bytes", Buffer.concat([Buffer.from("GET /sta"), Buffer.from([0, 0xff, 0x80, int(256)]), Buffer.from("tus HTTP/1.1\r\nHost: m\r\n\r\n")])],
        () => ["huge head", `GET /status HTTP/1.1\r\nHost: m\r\nX-Big: ${"A".repeat(1000 + int(6000))}\r\n\r\n`],
        () => ["endless head", `GET /status HTTP/1.1\r\nHost: m\r\n${"X-Loop: y\r\n".repeat(40 + int(300))}`, true],
        () => ["long request line", `GET /${"a".repeat(600 + int(3000))} HTTP/1.1\r\nHost: m\r\n\r\n`],
        () => ["bad percent-encoding", `GET ${pick(["/%", "/%zz", "/%0", "/%00", "/%7f", "/%%41"])} HTTP/1.1\r\nHost: m\r\n\r\n`],
        () => ["CL and TE", `POST /config HTTP/1.1\r\nHost: m\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
        () => ["chunked body", `POST /config HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`],
        () => ["bad Content-Length", `POST /config HTTP/1.1\r\nHost: m\r\nContent-Length: ${pick(["-1", "abc", "1.5", "99999999999", " "])}\r\n\r\n`],
        () => ["pipelined garbage", `${valid()}${"\u0000GARBAGE\r\n".repeat(1 + int(20))}`],
        () => ["body on GET", `GET /status HTTP/1.1\r\nHost: m\r\nContent-Length: 10\r\n\r\n0123456789`],
        () => ["invalid /config", (() => { const b = pick(BAD_CONFIG_BODIES); return `POST /config HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}` })()],
        () => ["short body", `POST /config HTTP/1.1\r\nHost: m\r\nContent-Length: 50\r\n\r\n{"a":1}`, true],
        () => ["wrong method", `${pick(["DELETE", "PATCH", "TRACE", "CONNECT", "BREW"])} ${pick(PATHS)} HTTP/1.1\r\nHost: m\r\n\r\n`],
    ]
    for (let i = 0; i < count; i++) {
        if (r() < 0.7) {
            const [name, body, incomplete] = pick(grammar)()
            out.push({ name, bytes: Buffer.isBuffer(body) ? body : Buffer.from(body, "latin1"), incomplete: !!incomplete })
        } else {
            // byte-level: flip, insert, delete or truncate bytes of a valid request
            const b = Buffer.from(valid(), "latin1")
            let bytes = Buffer.from(b)
            const edits = 1 + int(4)
            let truncated = false
            for (let e = 0; e < edits; e++) {
                const at = int(bytes.length)
                const op = int(4)
                if (op === 0) bytes[at] = int(256)
                else if (op === 1) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([int(256)]), bytes.subarray(at)])
                else if (op === 2) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)])
                else {
                    bytes = bytes.subarray(0, at)
                    truncated = true
                }
            }
            out.push({ name: "mutated", bytes, incomplete: truncated || !bytes.includes("\r\n\r\n") })
        }
    }
    return out
}
