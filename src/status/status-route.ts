// GET /status: what an owner checks, as JSON.
import * as ds from "@devicescript/core"
import { Device } from "../device"
import { live } from "../diag/live-objects"
import { Connection } from "../http/connection"
import { HttpRequest } from "../http/request-parser"
import { StreamSession } from "../stream/listener"
import { FIRMWARE_VERSION } from "../version"
import { escapeHtml, wantsHtml } from "../web/html"
import { BodySink } from "../http/body-writer"
import { writeJson } from "../http/json-writer"

function sessionJson(s: StreamSession, bytesPerMs: number, now: number) {
    return {
        id: s.id,
        peer: s.peer,
        state: s.state,
        startedMsAgo: now - s.startedAt,
        bytesSent: s.bytesSent,
        backlogMs: Math.round(s.backlogBytes / bytesPerMs),
        droppedMs: Math.round(s.droppedBytes / bytesPerMs),
        skips: s.skips,
        endReason: s.endReason,
    }
}

function writeSessions(list: StreamSession[], bytesPerMs: number, now: number, out: BodySink) {
    out.text("[")
    for (let i = 0; i < list.length; i++) {
        if (i) out.text(",")
        out.text(JSON.stringify(sessionJson(list[i], bytesPerMs, now)))
    }
    out.text("]")
}

/**
 * What /status shows, as a snapshot taken once per request. The per-listener
 * lists are writers (json-writer.ts), so the snapshot is small however many
 * listeners there are; code that needs the sessions reads dev.streams.
 */
export function statusJson(dev: Device) {
    const now = ds.millis()
    const cap = dev.capture
    const f = cap.format
    const bytesPerMs = (f.sampleRate * cap.bytesPerFrame()) / 1000
    const c = dev.server.counters
    return {
        firmware: { name: "network-mic", version: FIRMWARE_VERSION },
        deviceName: dev.config.deviceName,
        uptimeMs: now - dev.bootedAt,
        audio: { sampleRate: f.sampleRate, channels: f.channels, bitsPerSample: f.bitsPerSample },
        capture: {
            frames: cap.frames,
            samples: cap.samples,
            gaps: cap.gaps,
            lostSamples: cap.lostSamples,
            boardLostFrames: cap.boardLost,
            restarts: cap.restarts,
            formatMismatches: cap.formatMismatches,
            stalls: cap.stalls,
            stallSilenceMs: Math.idiv(cap.stallSilenceSamples * 1000, f.sampleRate),
            firmwarePauses: cap.firmwarePauses,
            level: { peakDbfs: cap.meter.peakDbfs, rmsDbfs: cap.meter.rmsDbfs, clippedSamples: cap.meter.clipped },
        },
        streams: {
            active: dev.admission.active,
            max: dev.admission.maxStreams,
            limit: dev.streamsLimit,
            admitted: dev.admission.admitted,
            rejected: dev.admission.rejected,
            // Written one session at a time when the answer is sent (json-writer.ts): a
            // copy of every listener's figures at once costs ~300 B of heap per listener.
            listeners: (out: BodySink) => writeSessions(dev.streams.active, bytesPerMs, now, out),
            recent: (out: BodySink) => writeSessions(dev.streams.ended, bytesPerMs, now, out),
        },
        http: {
            requests: c.requests,
            status2xx: c.status2xx,
            status4xx: c.status4xx,
            status5xx: c.status5xx,
            timeouts408: c.timeouts408,
            rejected503: c.rejected503,
            refusedAtAccept: c.refusedAtAccept,
            evicted: c.evicted,
            clientGone: c.clientGone,
        },
        live: {
            connections: live.connections,
            fibers: live.fibers,
            buffers: live.buffers,
            bufferBytes: live.bufferBytes,
        },
        statusTimingMs: { p50: dev.statusLatency.quantile(0.5), p99: dev.statusLatency.quantile(0.99), count: dev.statusLatency.count },
        bridge: {
            state: dev.link.state,
            connects: dev.link.connects,
            drops: dev.link.drops,
            errorsReceived: dev.link.errorsReceived,
            lastError: dev.link.lastError,
        },
    }
}

/** A small page for a browser: the same figures, readable. Written row by row (body-writer.ts). */
export function writeStatusPage(dev: Device, s: any, out: BodySink) {
    const row = (k: string, v: any) => out.text(`<tr><th>${escapeHtml(k)}</th><td>${escapeHtml("" + v)}</td></tr>`)
    const name = escapeHtml(s.deviceName)
    out.text(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name} status</title><style>body{font:15px system-ui,sans-serif;margin:2em}th{text-align:left;padding-right:1em;vertical-align:top}</style></head><body><h1>${name}</h1><table>`)
    row("Firmware", s.firmware.version)
    row("Uptime", `${Math.idiv(s.uptimeMs, 1000)} s`)
    row("Audio", `${s.audio.sampleRate} Hz, ${s.audio.channels} ch, ${s.audio.bitsPerSample} bit`)
    row("Level", `peak ${s.capture.level.peakDbfs} dBFS, RMS ${s.capture.level.rmsDbfs} dBFS, clipped ${s.capture.level.clippedSamples}`)
    row("Capture", `${s.capture.frames} frames, ${s.capture.gaps} gaps, ${s.capture.lostSamples} samples lost`)
    row("Streams", `${s.streams.active} of ${s.streams.max} (board limit ${s.streams.limit}), ${s.streams.rejected} refused`)
    row("HTTP", `${s.http.requests} answers: ${s.http.status2xx} 2xx, ${s.http.status4xx} 4xx, ${s.http.status5xx} 5xx`)
    row("Live objects", `${s.live.connections} connections, ${s.live.fibers} fibers, ${s.live.buffers} buffers`)
    row("Status time", `p50 ${s.statusTimingMs.p50} ms, p99 ${s.statusTimingMs.p99} ms`)
    row("Bridge link", `${s.bridge.state}, ${s.bridge.drops} drops`)
    const bytesPerMs = (s.audio.sampleRate * dev.capture.bytesPerFrame()) / 1000
    for (const l of dev.streams.active)
        row(`Listener ${l.id}`, `${l.peer}, ${l.state}, ${l.bytesSent} B, backlog ${Math.round(l.backlogBytes / bytesPerMs)} ms, dropped ${Math.round(l.droppedBytes / bytesPerMs)} ms`)
    for (const l of dev.streams.ended) row(`Ended ${l.id}`, `${l.peer}: ${l.endReason}`)
    out.text(`</table><p><a href="/">Listen</a> · <a href="/status">JSON</a> (Accept: application/json) · <a href="/metrics">metrics</a></p></body></html>\n`)
}

export function statusHandler(dev: Device) {
    return async (req: HttpRequest, conn: Connection) => {
        const head = req.method === "HEAD"
        // One snapshot, rendered twice (length, then pieces): both passes write the same text.
        const s = statusJson(dev)
        if (wantsHtml(req.headers["accept"]))
            dev.server.respondRendered(conn, 200, "text/html; charset=utf-8", (out: BodySink) => writeStatusPage(dev, s, out), [], head)
        else
            dev.server.respondRendered(conn, 200, "application/json", (out: BodySink) => {
                writeJson(s, out)
                out.text("\n")
            }, [], head)
        dev.statusLatency.add(ds.millis() - conn.acceptedAt)
    }
}
