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
    /** CREDIT cadence: every this many ms, one frame per connection with bytes drained (few frames into the VM). */
    creditFlushMs: number
    /**
     * Unacknowledged bytes the OS may hold for a client before they count as backlog:
     * the size of the board's own TCP send buffer (see os-send-queue.ts).
     */
    osSendAllowanceBytes: number
}

export const DEFAULT_BRIDGE_LIMITS: BridgeLimits = {
    // The firmware admits 3 streams by default (8 on a raised config) plus short
    // requests; 32 leaves room for a browser's parallel fetches and a flood test.
    maxConnections: 32,
    // 64 KB is 2 s of 16 kHz mono: room for Wi-Fi jitter, small enough for board RAM.
    connBufferBytes: 64 * 1024,
    // One request header block plus a config body.
    inboundHoldBytes: 8 * 1024,
    // 20 CREDIT frames a second per busy connection; backlog known to within 50 ms.
    creditFlushMs: 50,
    // ESP-IDF's lwIP default TCP send buffer is 5744 B; 16 KB is a board tuned for audio.
    osSendAllowanceBytes: 16 * 1024,
}
