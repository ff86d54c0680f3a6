// HTML helpers. Pure.

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string) {
    let out = ""
    for (let i = 0; i < s.length; i++) {
        const ch = s[i]
        if (ch === "&") out += "&amp;"
        else if (ch === "<") out += "&lt;"
        else if (ch === ">") out += "&gt;"
        else if (ch === '"') out += "&quot;"
        else if (ch === "'") out += "&#39;"
        else out += ch
    }
    return out
}

/** True when the client prefers HTML (a browser) over JSON. */
export function wantsHtml(accept: string) {
    if (!accept) return false
    const html = accept.indexOf("text/html")
    const json = accept.indexOf("application/json")
    return html >= 0 && (json < 0 || html < json)
}
