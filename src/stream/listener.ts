// A stream fiber per listener (the xTaskCreate of the ESP-IDF original). Its
// whole life reads here: admitted -> header sent -> streaming <-> behind ->
// closed -> slot freed. Every exit path goes through the finally block.
import * as ds from "@devicescript/core"
import { AudioCapture } from "../audio/capture"
import { BridgeLink } from "../bridge/link"
import { FRAME_HEADER_BYTES, MSG_SEND } from "../bridge/protocol-constants"
import { live } from "../diag/live-objects"
import { Connection } from "../http/connection"
import { Admission } from "./admission"

/** How often a stream fiber looks for new audio: bounds the added latency to ~10 ms. */
export const STREAM_TICK_MS = 10
/** Audio is sent in pieces of at least this much, so the link carries few small frames. */
export const MIN_SEND_MS = 10
/** Largest piece of audio per SEND: small blocks are easier to find in a fragmented 64 KB heap. */
export const MAX_SEND_BYTES = 1024
/** Past this backlog in the bridge the listener is "behind": new audio is dropped and it rejoins at the live edge. */
export const MAX_BACKLOG_MS = 1000
/** A listener behind for this long is disconnected (its slot is worth more to someone else). */
export const STALL_DISCONNECT_MS = 15000
/** Ended sessions kept for /status. */
export const SESSION_HISTORY = 5

export class StreamSession {
    /** "streaming", "behind" or "closed". */
    state = "streaming"
    bytesSent = 0
    /** Audio bytes this listener missed (skipped while behind or lapped by the ring). */
    droppedBytes = 0
    skips = 0
    endReason = ""
    endedAt = 0
    /** Latest backlog in the bridge, bytes. */
    backlogBytes = 0

    constructor(readonly id: number, readonly peer: string, readonly startedAt: number) {}
}

export class StreamRegistry {
    active: StreamSession[] = []
    ended: StreamSession[] = []
    private nextId = 1

    open(peer: string) {
        const s = new StreamSession(this.nextId++, peer, ds.millis())
        this.active.push(s)
        return s
    }

    finish(s: StreamSession) {
        const i = this.active.indexOf(s)
        if (i >= 0) this.active.insert(i, -1)
        this.ended.push(s)
        if (this.ended.length > SESSION_HISTORY) this.ended.shift()
    }
}

export interface StreamDeps {
    capture: AudioCapture
    link: BridgeLink
    admission: Admission
    registry: StreamRegistry
    /** Ends the connection from our side. */
    close: (conn: Connection, abort: boolean, why: string) => void
}

/** The stream fiber: audio from its own cursor at the live edge until the listener goes. */
export async function runStream(conn: Connection, session: StreamSession, deps: StreamDeps) {
    live.fibers++
    const capture = deps.capture
    const ring = capture.ring
    let epoch = capture.epoch
    const formatEpoch = capture.formatEpoch
    const frameBytes = capture.bytesPerFrame()
    const bytesPerMs = (capture.format.sampleRate * frameBytes) / 1000
    const minSend = Math.max(frameBytes, Math.idiv(Math.ceil(bytesPerMs * MIN_SEND_MS), frameBytes) * frameBytes)
    const maxSend = Math.idiv(MAX_SEND_BYTES, frameBytes) * frameBytes
    const maxBacklog = Math.min(bytesPerMs * MAX_BACKLOG_MS, deps.link.connBufferBytes - maxSend)
    let cursor = ring.written
    let behindSince = 0
    try {
        while (!conn.isClosed()) {
            if (capture.formatEpoch !== formatEpoch) {
                session.endReason = "audio format changed"
                break
            }
            if (capture.epoch !== epoch || cursor > ring.written) {
                // format change or ring reset: rejoin at the live edge
                epoch = capture.epoch
                cursor = ring.written
            }
            if (cursor < ring.oldest()) {
                session.droppedBytes += ring.written - cursor
                session.skips++
                cursor = ring.written
            }
            const backlog = deps.link.connBufferBytes - conn.sendCredit
            session.backlogBytes = backlog
            const available = ring.written - cursor
            if (backlog > maxBacklog) {
                const now = ds.millis()
                if (!behindSince) {
                    behindSince = now
                    session.state = "behind"
                    session.skips++
                } else if (now - behindSince > STALL_DISCONNECT_MS) {
                    session.endReason = `stalled: behind for more than ${STALL_DISCONNECT_MS} ms`
                    break
                }
                session.droppedBytes += available
                cursor = ring.written
                await ds.sleep(STREAM_TICK_MS)
                continue
            }
            if (behindSince) {
                behindSince = 0
                session.state = "streaming"
            }
            if (available < minSend) {
                await ds.sleep(STREAM_TICK_MS)
                continue
            }
            let n = Math.min(available, maxSend)
            n = Math.idiv(n, frameBytes) * frameBytes
            const frame = Buffer.alloc(FRAME_HEADER_BYTES + n)
            frame.setAt(0, "u8", MSG_SEND)
            frame.setAt(1, "u16", conn.id)
            frame.setAt(3, "u16", n)
            ring.read(cursor, n, frame, FRAME_HEADER_BYTES)
            if (!deps.link.write(frame)) {
                session.endReason = "bridge link down"
                break
            }
            cursor += n
            conn.sendCredit -= n
            conn.bytesSent += n
            session.bytesSent += n
        }
    } catch (e) {
        session.endReason = `error: ${e}`
    } finally {
        if (!session.endReason) session.endReason = conn.endReason || "closed"
        if (!conn.isClosed()) deps.close(conn, true, session.endReason)
        session.state = "closed"
        session.endedAt = ds.millis()
        deps.registry.finish(session)
        deps.admission.release()
        live.fibers--
    }
}
