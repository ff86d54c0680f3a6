// Named limits of the HTTP server, each with the reason for its size. The whole
// program shares a 64 KB heap, so every per-connection allocation is bounded here.

/** Longest request line ("GET /path HTTP/1.1"); longer gets 414. Paths here are short. */
export const MAX_REQUEST_LINE_BYTES = 512
/** Longest request head (request line + headers + blank line); longer gets 431. Browsers send ~500-800 B. */
export const MAX_HEAD_BYTES = 2048
/** Most header fields in one request; more gets 431. */
export const MAX_HEADER_FIELDS = 32
/** Largest request body (a /config JSON document); larger gets 413. */
export const MAX_BODY_BYTES = 1024
/** A client must deliver its whole request within this time or it gets 408 and is closed (slowloris). */
export const HEADER_TIMEOUT_MS = 5000
/** Client bytes asked of the bridge at a time (DATA frames never exceed what was asked). */
export const READ_GRANT_BYTES = 1024
/** All request bytes held at once across connections; past it a connection gets 503. Keeps the heap safe under floods. */
export const HEADER_MEMORY_BUDGET_BYTES = 12 * 1024
/** Connections the firmware tracks at once; the bridge's own limit is usually lower. */
export const MAX_TRACKED_CONNECTIONS = 48
/** Parsed requests waiting for a worker; past it a request gets 503 at once, never a hang. As many as the bridge's connections, so a burst queues instead of failing. */
export const MAX_QUEUED_REQUESTS = 32
/** Worker fibers for short requests: handlers never wait on the network, so two keep up. */
export const HTTP_WORKERS = 2
/** How often the header-timeout sweep runs. */
export const SWEEP_INTERVAL_MS = 250
