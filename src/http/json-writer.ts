// JSON written into a BodySink part by part, so a large document (the /status of
// many listeners) is never one string in the heap. Values at NATIVE_DEPTH and
// below are small and go through the VM's native JSON.stringify, far cheaper in
// VM steps than walking them here. A function value is a writer that writes its
// own JSON (a long list, one element at a time).
import { BodySink } from "./body-writer"

/** Depth from which values are stringified whole (0 is the document). */
export const NATIVE_DEPTH = 3

export function writeJson(v: any, out: BodySink, depth: number = 0) {
    if (typeof v === "function") {
        v(out)
    } else if (v === null || v === undefined || typeof v !== "object" || depth >= NATIVE_DEPTH) {
        out.text(v === undefined ? "null" : JSON.stringify(v))
    } else if (Array.isArray(v)) {
        out.text("[")
        for (let i = 0; i < v.length; i++) {
            if (i) out.text(",")
            writeJson(v[i], out, depth + 1)
        }
        out.text("]")
    } else {
        out.text("{")
        const keys = Object.keys(v)
        for (let i = 0; i < keys.length; i++) {
            out.text(i ? "," : "")
            out.text(JSON.stringify(keys[i]))
            out.text(":")
            writeJson(v[keys[i]], out, depth + 1)
        }
        out.text("}")
    }
}
