// Small real HTTP clients: Node's http for well-formed requests, raw TCP for
// the malformed ones a library would refuse to send.
import * as http from "node:http"
import * as net from "node:net"

export interface HttpResult {
    status: number
    headers: http.IncomingHttpHeaders
    body: Buffer
    ms: number
}

export function httpGet(url: string, timeoutMs = 5000, headers: Record<string, string> = {}, method = "GET", body?: string): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now()
        // A body goes with its Content-Length (the firmware does not take chunked bodies: 501).
        const allHeaders = body !== undefined ? { "Content-Length": `${Buffer.byteLength(body)}`, ...headers } : headers
        const req = http.request(url, { method, headers: allHeaders, agent: false, timeout: timeoutMs }, res => {
            const chunks: Buffer[] = []
            res.on("data", c => chunks.push(c))
            res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - t0 }))
            res.on("error", reject)
        })
        req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)))
        req.on("error", reject)
        if (body !== undefined) req.write(body)
        req.end()
    })
}

export interface RawResult {
    /** Everything the server sent before closing. */
    data: Buffer
    /** Status code parsed from the first line, or 0. */
    status: number
    /** True if the server closed (FIN or RST) before our timeout. */
    closed: boolean
    ms: number
}

/** Sends raw bytes (optionally in timed pieces) and collects the answer until the server closes. */
export function rawRequest(port: number, pieces: (string | Buffer)[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawResult> {
    return new Promise(resolve => {
        const t0 = performance.now()
        const sock = net.connect(port, "127.0.0.1")
        const chunks: Buffer[] = []
        let done = false
        const finish = (closed: boolean) => {
            if (done) return
            done = true
            clearTimeout(timer)
            sock.destroy()
            const data = Buffer.concat(chunks)
            const m = /^HTTP\/1\.[01] (\d{3})/.exec(data.toString("latin1"))
            resolve({ data, status: m ? Number(m[1]) : 0, closed, ms: performance.now() - t0 })
        }
        const timer = setTimeout(() => finish(false), options.timeoutMs ?? 10000)
        sock.on("data", c => chunks.push(c))
        sock.on("close", () => finish(true))
        sock.on("error", () => finish(true))
        sock.on("connect", async () => {
            for (const p of pieces) {
                if (done) return
                sock.write(p)
                if (options.gapMs) await new Promise(r => setTimeout(r, options.gapMs))
            }
        })
    })
}
