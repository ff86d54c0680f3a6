// The device's configuration: what it is, its defaults, and the validation of a
// change. Pure: JSON in, a new configuration or an error naming the field out.
import { DEFAULT_MAX_STREAMS, MAX_STREAMS_LIMIT } from "../stream/admission"

export interface DeviceConfig {
    deviceName: string
    sampleRate: number
    channels: number
    gainDb: number
    maxStreams: number
    /** "" = no token; never shown by GET /config. */
    adminToken: string
}

export const SAMPLE_RATES = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000]
/** The board's digital gain range (services/audiocapture.md), in whole dB. */
export const GAIN_MIN_DB = -24
export const GAIN_MAX_DB = 24
/** Device name: shown on the pages and in headers, so short and plain. */
export const DEVICE_NAME_MAX = 32
export const DEVICE_NAME_CHARS = "letters, digits, space, '-', '_' and '.'"
/** Admin token: long enough not to guess, short enough to type. */
export const TOKEN_MIN = 8
export const TOKEN_MAX = 64
export const TOKEN_CHARS = "letters, digits, '-', '_', '.' and '~'"

export const CONFIG_FIELDS = ["deviceName", "sampleRate", "channels", "gainDb", "maxStreams", "adminToken"]

export function defaultConfig(): DeviceConfig {
    return { deviceName: "network-mic", sampleRate: 16000, channels: 1, gainDb: 0, maxStreams: DEFAULT_MAX_STREAMS, adminToken: "" }
}

/** The configuration as GET /config shows it: the token never leaves the device. */
export function publicConfig(c: DeviceConfig) {
    return {
        deviceName: c.deviceName,
        sampleRate: c.sampleRate,
        channels: c.channels,
        gainDb: c.gainDb,
        maxStreams: c.maxStreams,
        adminTokenSet: c.adminToken.length > 0,
    }
}

function isAlnum(c: number) {
    return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

function onlyChars(s: string, extra: string) {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (!isAlnum(c) && extra.indexOf(s[i]) < 0) return false
    }
    return true
}

function isInteger(v: any) {
    return typeof v === "number" && Math.floor(v) === v && v === v
}

/** Short, safe rendering of a rejected value for an error message. */
function show(v: any) {
    let s = typeof v === "string" ? JSON.stringify(v) : v === null ? "null" : typeof v === "object" ? (Array.isArray(v) ? "an array" : "an object") : "" + v
    if (s.length > 40) s = s.slice(0, 37) + "..."
    return s
}

export interface ConfigResult {
    error: string
    next: DeviceConfig
    /** Fields whose value changed. */
    changed: string[]
}

/**
 * Applies a JSON patch object to `current`. All or nothing: the first invalid
 * field rejects the whole change, with a message naming the field, the value and
 * what is allowed. Unknown fields are refused, not ignored. `streamsLimit` is
 * the most listeners this board allows (the device learns it at boot).
 */
export function applyConfigPatch(current: DeviceConfig, patch: any, streamsLimit: number = MAX_STREAMS_LIMIT): ConfigResult {
    const fail = (msg: string): ConfigResult => ({ error: msg, next: null, changed: [] })
    if (patch === null || typeof patch !== "object" || Array.isArray(patch))
        return fail(`the body must be a JSON object with some of: ${CONFIG_FIELDS.join(", ")}`)
    const keys = Object.keys(patch)
    if (!keys.length) return fail(`the JSON object is empty; give some of: ${CONFIG_FIELDS.join(", ")}`)
    const next: DeviceConfig = {
        deviceName: current.deviceName,
        sampleRate: current.sampleRate,
        channels: current.channels,
        gainDb: current.gainDb,
        maxStreams: current.maxStreams,
        adminToken: current.adminToken,
    }
    for (const k of keys) {
        const v = patch[k]
        if (k === "deviceName") {
            if (typeof v !== "string" || v.length < 1 || v.length > DEVICE_NAME_MAX || !onlyChars(v, " -_."))
                return fail(`deviceName ${show(v)} is not allowed: use 1..${DEVICE_NAME_MAX} characters, ${DEVICE_NAME_CHARS}`)
            next.deviceName = v
        } else if (k === "sampleRate") {
            if (!isInteger(v) || SAMPLE_RATES.indexOf(v) < 0)
                return fail(`sampleRate ${show(v)} is not allowed: use one of ${SAMPLE_RATES.join(", ")} (Hz)`)
            next.sampleRate = v
        } else if (k === "channels") {
            if (v !== 1 && v !== 2) return fail(`channels ${show(v)} is not allowed: use 1 (mono) or 2 (stereo)`)
            next.channels = v
        } else if (k === "gainDb") {
            if (!isInteger(v) || v < GAIN_MIN_DB || v > GAIN_MAX_DB)
                return fail(`gainDb ${show(v)} is not allowed: use a whole number of dB from ${GAIN_MIN_DB} to ${GAIN_MAX_DB}`)
            next.gainDb = v
        } else if (k === "maxStreams") {
            if (!isInteger(v) || v < 1 || v > streamsLimit)
                return fail(`maxStreams ${show(v)} is not allowed: use a whole number from 1 to ${streamsLimit} (the hardware limit)`)
            next.maxStreams = v
        } else if (k === "adminToken") {
            if (typeof v !== "string" || (v.length > 0 && (v.length < TOKEN_MIN || v.length > TOKEN_MAX || !onlyChars(v, "-_.~"))))
                return fail(`adminToken is not allowed: use "" (no token) or ${TOKEN_MIN}..${TOKEN_MAX} characters, ${TOKEN_CHARS}`)
            next.adminToken = v
        } else {
            return fail(`unknown field ${show(k)}; the fields are ${CONFIG_FIELDS.join(", ")}`)
        }
    }
    const changed: string[] = []
    if (next.deviceName !== current.deviceName) changed.push("deviceName")
    if (next.sampleRate !== current.sampleRate) changed.push("sampleRate")
    if (next.channels !== current.channels) changed.push("channels")
    if (next.gainDb !== current.gainDb) changed.push("gainDb")
    if (next.maxStreams !== current.maxStreams) changed.push("maxStreams")
    if (next.adminToken !== current.adminToken) changed.push("adminToken")
    return { error: null, next, changed }
}

/** Checks a stored configuration (it may come from an older firmware); falls back to defaults field by field. */
export function sanitizeStoredConfig(stored: any, streamsLimit: number = MAX_STREAMS_LIMIT): DeviceConfig {
    const c = defaultConfig()
    if (!stored || typeof stored !== "object") return c
    for (const k of CONFIG_FIELDS) {
        if (stored[k] === undefined) continue
        const one: any = {}
        one[k] = stored[k]
        const r = applyConfigPatch(c, one, streamsLimit)
        if (!r.error) {
            c.deviceName = r.next.deviceName
            c.sampleRate = r.next.sampleRate
            c.channels = r.next.channels
            c.gainDb = r.next.gainDb
            c.maxStreams = r.next.maxStreams
            c.adminToken = r.next.adminToken
        }
    }
    return c
}
