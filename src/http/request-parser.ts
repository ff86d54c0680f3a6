// A bounded, incremental HTTP/1.1 request parser. Pure: bytes in, a request or
// an error status out. Nothing here knows about sockets or fibers.
import {
    MAX_BODY_BYTES,
    MAX_HEAD_BYTES,
    MAX_HEADER_FIELDS,
    MAX_REQUEST_LINE_BYTES,
} from "./limits"

export const PARSE_NEED_MORE = 0
export const PARSE_DONE = 1
export const PARSE_ERROR = 2

export interface HttpRequest {
    method: string
    /** Percent-decoded path, without the query. */
    path: string
    /** Raw query string without "?", or "". */
    query: string
    version: string
    /** Header fields by lower-case name; repeated fields are joined with ", ". */
    headers: Record<string, string>
    body: Buffer
}

function isTokenChar(c: number) {
    // RFC 9110 tchar
    if (c >= 0x30 && c <= 0x39) return true
    if (c >= 0x41 && c <= 0x5a) return true
    if (c >= 0x61 && c <= 0x7a) return true
    return "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0
}

function isToken(s: string) {
    if (!s.length) return false
    for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false
    return true
}

function hexValue(c: number) {
    if (c >= 0x30 && c <= 0x39) return c - 0x30
    if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10
    if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10
    return -1
}

/** Decodes %XX escapes of an ASCII path; returns null on a bad escape or a decoded control byte. */
export function percentDecode(s: string): string {
    if (s.indexOf("%") < 0) return s
    let out = ""
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c !== 0x25) {
            out += s[i]
            continue
        }
        if (i + 2 >= s.length) return null
        const hi = hexValue(s.charCodeAt(i + 1))
        const lo = hexValue(s.charCodeAt(i + 2))
        if (hi < 0 || lo < 0) return null
        const v = hi * 16 + lo
        if (v < 0x20 || v >= 0x7f) return null
        out += String.fromCharCode(v)
        i += 2
    }
    return out
}

/** Parses a non-negative decimal integer of at most 9 digits; -1 otherwise. */
function parseLength(s: string) {
    if (!s.length || s.length > 9) return -1
    let n = 0
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c < 0x30 || c > 0x39) return -1
        n = n * 10 + (c - 0x30)
    }
    return n
}

export class RequestParser {
    private head: Buffer = null
    private body: Buffer = null
    private bodyFill = 0
    private contentLength = 0
    state = PARSE_NEED_MORE
    /** HTTP status for PARSE_ERROR, and a message saying what was wrong and what is allowed. */
    errorStatus = 0
    errorMessage = ""
    request: HttpRequest = null

    /** Drops the request once it has been handled (a stream keeps its connection for hours). */
    release() {
        this.request = null
        this.head = null
        this.body = null
    }

    /** Bytes held by this parser (for the firmware's memory budget). */
    heldBytes() {
        return (this.head ? this.head.length : 0) + (this.body ? this.body.length : 0)
    }

    /** Bytes the parser can still use: the rest of the head or of the declared body. */
    wantBytes() {
        if (this.state !== PARSE_NEED_MORE) return 0
        if (this.request) return this.contentLength - this.bodyFill
        return MAX_HEAD_BYTES - (this.head ? this.head.length : 0)
    }

    private fail(status: number, message: string) {
        this.state = PARSE_ERROR
        this.errorStatus = status
        this.errorMessage = message
        this.head = null
        this.body = null
        return this.state
    }

    /** Feeds bytes; returns PARSE_NEED_MORE, PARSE_DONE or PARSE_ERROR. Bytes past a complete request are ignored. */
    feed(chunk: Buffer): number {
        if (this.state !== PARSE_NEED_MORE) return this.state
        if (this.request) return this.feedBody(chunk, 0)
        const start = this.head ? this.head.length : 0
        this.head = this.head ? this.head.concat(chunk) : chunk
        // Search for the blank line, starting a little before the new bytes.
        let end = -1
        let from = start > 3 ? start - 3 : 0
        for (;;) {
            const nl = this.head.indexOf(10, from)
            if (nl < 0) break
            if (nl >= 1 && this.head[nl - 1] === 10) {
                end = nl + 1
                break
            }
            if (nl >= 3 && this.head[nl - 1] === 13 && this.head[nl - 2] === 10) {
                end = nl + 1
                break
            }
            from = nl + 1
        }
        const firstNl = this.head.indexOf(10)
        if ((firstNl < 0 && this.head.length > MAX_REQUEST_LINE_BYTES) || firstNl > MAX_REQUEST_LINE_BYTES)
            return this.fail(414, `request line longer than ${MAX_REQUEST_LINE_BYTES} bytes`)
        if (end < 0) {
            if (this.head.length >= MAX_HEAD_BYTES)
                return this.fail(431, `request head longer than ${MAX_HEAD_BYTES} bytes`)
            return this.state
        }
        if (end > MAX_HEAD_BYTES) return this.fail(431, `request head longer than ${MAX_HEAD_BYTES} bytes`)
        const rest = end < this.head.length ? this.head.slice(end) : null
        const headBytes = this.head.slice(0, end)
        this.head = null
        const st = this.parseHead(headBytes)
        if (st !== PARSE_NEED_MORE) return st
        return rest ? this.feedBody(rest, 0) : this.state
    }

    private feedBody(chunk: Buffer, off: number): number {
        const n = Math.min(chunk.length - off, this.contentLength - this.bodyFill)
        if (n > 0) {
            this.body.blitAt(this.bodyFill, chunk, off, n)
            this.bodyFill += n
        }
        if (this.bodyFill >= this.contentLength) {
            this.request.body = this.body
            this.body = null
            this.state = PARSE_DONE
        }
        return this.state
    }

    private parseHead(bytes: Buffer): number {
        for (let i = 0; i < bytes.length; i++) {
            const c = bytes[i]
            if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c >= 0x7f)
                return this.fail(400, `byte ${c} (decimal) at offset ${i} is not allowed in a request head (printable ASCII only)`)
        }
        // Line by line, each line its own small string: no copy of the whole head
        // as one string and no array of all lines (a 64 KB heap serves many clients).
        let method = ""
        let target = ""
        let version = ""
        let path = ""
        let q = -1
        const headers: Record<string, string> = {}
        let count = 0
        let start = 0
        let lineNo = 0
        while (start < bytes.length) {
            let nl = bytes.indexOf(10, start)
            if (nl < 0) nl = bytes.length
            let end = nl
            if (end > start && bytes[end - 1] === 13) end--
            const line = end > start ? bytes.slice(start, end).toString() : ""
            start = nl + 1
            if (lineNo++ === 0) {
                const parts = line.split(" ")
                if (parts.length !== 3) return this.fail(400, `malformed request line: expected 'METHOD /path HTTP/1.1'`)
                method = parts[0]
                target = parts[1]
                version = parts[2]
                if (!isToken(method)) return this.fail(400, `malformed method: expected a token such as GET`)
                if (version !== "HTTP/1.1" && version !== "HTTP/1.0") {
                    if (version.startsWith("HTTP/") && version.length === 8) return this.fail(505, `HTTP version ${version} is not supported; use HTTP/1.1 or HTTP/1.0`)
                    return this.fail(400, `malformed HTTP version: expected HTTP/1.1 or HTTP/1.0`)
                }
                if (!target.length || target.charCodeAt(0) !== 0x2f)
                    return this.fail(400, `request target must be an origin-form path starting with '/'`)
                q = target.indexOf("?")
                path = percentDecode(q >= 0 ? target.slice(0, q) : target)
                if (path === null) return this.fail(400, `bad percent-encoding in the path`)
                continue
            }
            if (!line.length) continue
            const c0 = line.charCodeAt(0)
            if (c0 === 32 || c0 === 9) return this.fail(400, `obsolete header line folding is not allowed`)
            const colon = line.indexOf(":")
            if (colon <= 0) return this.fail(400, `header line without a 'name:' prefix`)
            const name = line.slice(0, colon).toLowerCase()
            if (!isToken(name)) return this.fail(400, `malformed header name '${name}'`)
            if (++count > MAX_HEADER_FIELDS) return this.fail(431, `more than ${MAX_HEADER_FIELDS} header fields`)
            const value = line.slice(colon + 1).trim()
            const prev = headers[name]
            if (prev !== undefined) {
                if (name === "content-length" && prev !== value) return this.fail(400, `conflicting Content-Length headers`)
                if (name === "host") return this.fail(400, `more than one Host header`)
                if (name !== "content-length") headers[name] = prev + ", " + value
            } else headers[name] = value
        }
        if (version === "HTTP/1.1" && headers["host"] === undefined) return this.fail(400, `HTTP/1.1 request without a Host header`)
        const te = headers["transfer-encoding"]
        const cl = headers["content-length"]
        if (te !== undefined && cl !== undefined) return this.fail(400, `both Transfer-Encoding and Content-Length: not allowed`)
        if (te !== undefined) return this.fail(501, `Transfer-Encoding is not supported; send a Content-Length body of at most ${MAX_BODY_BYTES} bytes`)
        let length = 0
        if (cl !== undefined) {
            length = parseLength(cl)
            if (length < 0) return this.fail(400, `Content-Length must be a decimal number of bytes`)
            if (length > MAX_BODY_BYTES) return this.fail(413, `body of ${length} bytes is larger than ${MAX_BODY_BYTES} bytes`)
        }
        this.request = {
            method,
            path,
            query: q >= 0 ? target.slice(q + 1) : "",
            version,
            headers,
            body: null,
        }
        this.contentLength = length
        this.body = Buffer.alloc(length)
        this.bodyFill = 0
        if (length === 0) {
            this.request.body = this.body
            this.body = null
            this.state = PARSE_DONE
        }
        return this.state
    }
}
