// One client connection as the firmware sees it, from ACCEPTED to CLOSED.
import { RequestParser } from "./request-parser"

export const CONN_READING = 0
export const CONN_QUEUED = 1
export const CONN_HANDLING = 2
export const CONN_STREAMING = 3
export const CONN_CLOSED = 4

export class Connection {
    state = CONN_READING
    /** Until the request is handled; null after (a stream's connection lives for hours). */
    parser = new RequestParser()
    /** Client bytes asked of the bridge and client bytes received. */
    readGranted = 0
    readReceived = 0
    /** Bytes we may still send before the bridge's per-connection buffer is full. */
    sendCredit: number
    /** Bytes sent to this client in total. */
    bytesSent = 0
    /** Why the connection ended, for /status ("client closed", "stalled", ...). */
    endReason = ""

    constructor(readonly id: number, readonly peer: string, readonly acceptedAt: number, creditBytes: number) {
        this.sendCredit = creditBytes
    }

    isClosed() {
        return this.state === CONN_CLOSED
    }
}
