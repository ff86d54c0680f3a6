// Safari first asks for "Range: bytes=0-1" and plays only if that is answered
// with a correct 206. A live stream has no other byte ranges to offer. Pure.
import { WAV_HEADER_BYTES } from "./wav-header"

/** Parses "bytes=A-B" when it asks only for header bytes (Safari's 0-1 probe); -1 otherwise. */
export function probeRangeEnd(range: string) {
    if (!range || !range.startsWith("bytes=0-")) return -1
    const rest = range.slice(8)
    if (!rest.length) return -1 // "bytes=0-": the whole stream
    let end = 0
    for (let i = 0; i < rest.length; i++) {
        const c = rest.charCodeAt(i)
        if (c < 0x30 || c > 0x39) return -1
        end = end * 10 + (c - 0x30)
    }
    return end < WAV_HEADER_BYTES ? end : -1
}

