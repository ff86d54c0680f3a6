// The program cannot read its heap (no API), so it counts what it allocates that
// can live long: connections, fibers and buffers. Each count must return to its
// idle value when the clients go away; /status shows them and tests assert it.

export class LiveObjects {
    /** Client connections the firmware holds state for. */
    connections = 0
    /** Fibers started per connection or stream that have not ended yet. */
    fibers = 0
    /** Per-connection buffers (request heads and bodies being read). */
    buffers = 0
    /** Bytes held in those buffers, bounded by HEADER_MEMORY_BUDGET_BYTES. */
    bufferBytes = 0
}

export const live = new LiveObjects()
