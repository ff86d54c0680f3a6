// GET /status: what an owner checks, as JSON.
import * as ds from "@devicescript/core"
import { Device } from "../device"
import { live } from "../diag/live-objects"
import { Connection } from "../http/connection"
import { HttpRequest } from "../http/request-parser"
import { StreamSession } from "../stream/listener"
import { FIRMWARE_VERSION } from "../version"

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

export function statusJson(dev: Device) {
    const now = ds.millis()
    const cap = dev.capture
    const f = cap.format
    const bytesPerMs = (f.sampleRate * cap.bytesPerFrame()) / 1000
    const c = dev.server.counters
    return {
        firmware: { name: "network-mic", version: FIRMWARE_VERSION },
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
            level: { peakDbfs: cap.meter.peakDbfs, rmsDbfs: cap.meter.rmsDbfs, clippedSamples: cap.meter.clipped },
        },
        streams: {
            active: dev.admission.active,
            max: dev.admission.maxStreams,
            admitted: dev.admission.admitted,
            rejected: dev.admission.rejected,
            listeners: dev.streams.active.map(s => sessionJson(s, bytesPerMs, now)),
            recent: dev.streams.ended.map(s => sessionJson(s, bytesPerMs, now)),
        },
        http: {
            requests: c.requests,
            status2xx: c.status2xx,
            status4xx: c.status4xx,
            status5xx: c.status5xx,
            timeouts408: c.timeouts408,
            rejected503: c.rejected503,
            refusedAtAccept: c.refusedAtAccept,
            clientGone: c.clientGone,
        },
        live: {
            connections: live.connections,
            fibers: live.fibers,
            buffers: live.buffers,
            bufferBytes: live.bufferBytes,
        },
        bridge: {
            state: dev.link.state,
            connects: dev.link.connects,
            drops: dev.link.drops,
            errorsReceived: dev.link.errorsReceived,
            lastError: dev.link.lastError,
        },
    }
}

export function statusHandler(dev: Device) {
    return async (req: HttpRequest, conn: Connection) => {
        const t0 = ds.millis()
        const body = JSON.stringify(statusJson(dev)) + "\n"
        const t1 = ds.millis()
        dev.server.respond(conn, 200, "application/json", body, [`Server-Timing: wait;dur=${t0 - conn.acceptedAt}, build;dur=${t1 - t0}`], req.method === "HEAD")
    }
}
