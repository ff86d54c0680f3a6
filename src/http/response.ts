// Response heads and the headers every answer carries. Pure string building.
import { FIRMWARE_VERSION } from "../version"

export function statusText(status: number) {
    switch (status) {
        case 200: return "OK"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 416: return "Range Not Satisfiable"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
    }
    return "Unknown"
}

/**
 * Builds a response head. Every response closes its connection (no keep-alive:
 * one request per connection keeps the state per client small and bounded) and
 * carries the LAN-device headers: no caching, no MIME sniffing.
 * `extra` is a list of complete "Name: value" lines, never user-provided text.
 */
export function responseHead(status: number, contentType: string, contentLength: number, extra: string[]) {
    let s = `HTTP/1.1 ${status} ${statusText(status)}\r\n`
    s += `Server: network-mic/${FIRMWARE_VERSION}\r\n`
    if (contentType) s += `Content-Type: ${contentType}\r\n`
    if (contentLength >= 0) s += `Content-Length: ${contentLength}\r\n`
    s += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n"
    for (const line of extra) s += line + "\r\n"
    return s + "\r\n"
}

/** A JSON error body: what was wrong and what is allowed. */
export function errorBody(status: number, message: string) {
    return JSON.stringify({ error: statusText(status), status: status, message: message }) + "\n"
}
