// The board's resources for the bridge, as named limits. A native ESP32 bridge
// would pick smaller numbers for RAM; the simulator uses the same defaults so the
// firmware sees the same behaviour in both places.

export interface BridgeLimits {
    /** Client connections open at once; one more is reset at accept (the firmware never sees it). */
    maxConnections: number
    /** Bytes the firmware may have in flight to one client (sent but not yet taken by the OS). */
    connBufferBytes: number
    /** Client bytes the bridge holds per connection before it stops reading that socket. */
    inboundHoldBytes: number
    /** Drained bytes gathered before one CREDIT frame is sent (fewer frames into the VM). */
    creditBatchBytes: number
    /** A smaller CREDIT batch is flushed after this long, so the firmware never waits long. */
    creditFlushMs: number
}

export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
    // The firmware admits 3 streams by default (8 on a raised config) plus short
    // requests; 32 leaves room for a browser's parallel fetches and a flood test.
    maxConnections: 32,
    // 64 KB is 2 s of 16 kHz mono: room for Wi-Fi jitter, small enough for board RAM.
    connBufferBytes: 64 * 1024,
    // One request header block plus a config body.
    inboundHoldBytes: 8 * 1024,
    // 1/16 of the buffer: about 8 CREDIT frames a second per 16 kHz listener.
    creditBatchBytes: 4 * 1024,
    creditFlushMs: 50,
}
