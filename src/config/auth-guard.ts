// The optional admin token: who may change the configuration. Failed attempts
// are counted, and after a few in a row the guard refuses for a while (429), so
// a token cannot be guessed at request speed.
import * as ds from "@devicescript/core"

/** Failures in a row allowed before the lockout starts. */
export const AUTH_FREE_FAILURES = 3
/** How long further attempts are refused after that. */
export const AUTH_LOCKOUT_MS = 10000

export const AUTH_OK = 0
export const AUTH_MISSING = 1
export const AUTH_WRONG = 2
export const AUTH_LOCKED = 3

export class AuthGuard {
    failures = 0
    private inARow = 0
    private lockedUntil = 0

    /** Seconds left in a lockout (0 when none). */
    lockoutSeconds() {
        const left = this.lockedUntil - ds.millis()
        return left > 0 ? Math.ceil(left / 1000) : 0
    }

    /** Checks an Authorization header against the token ("" = no token needed). */
    check(token: string, authorization: string): number {
        if (!token.length) return AUTH_OK
        if (this.lockoutSeconds() > 0) return AUTH_LOCKED
        const given = authorization && authorization.startsWith("Bearer ") ? authorization.slice(7).trim() : null
        if (given !== null && sameText(given, token)) {
            this.inARow = 0
            return AUTH_OK
        }
        this.failures++
        if (++this.inARow >= AUTH_FREE_FAILURES) this.lockedUntil = ds.millis() + AUTH_LOCKOUT_MS
        return given === null ? AUTH_MISSING : AUTH_WRONG
    }
}

/** Compares without stopping at the first difference. */
function sameText(a: string, b: string) {
    let diff = a.length ^ b.length
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
    return diff === 0
}
