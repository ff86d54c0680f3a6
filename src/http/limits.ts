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
/**
 * Client bytes asked of the bridge at a time, and every new connection's initial
 * window (DATA frames never exceed what was asked). 512 B holds the request of
 * curl, ffmpeg or VLC whole; a browser's (~700 B) takes one more READ. It bounds
 * what a burst of new connections can push into the heap at once.
 */
export const READ_GRANT_BYTES = 512
/** All request bytes held at once across connections; past it a connection gets 503. Keeps the heap safe under floods. */
export const HEADER_MEMORY_BUDGET_BYTES = 4 * 1024
/**
 * Open connections the firmware keeps besides streams (streams have their own
 * limit, maxStreams). A new one beyond it evicts the oldest connection still
 * sending its request (a flood of idle or slowloris connections cannot lock
 * real clients out); streams are never evicted. With 3 streams it stays below
 * the bridge's own limit (32), so the bridge rarely has to refuse at accept.
 */
export const MAX_OPEN_CONNECTIONS = 24
/** Parsed requests waiting for a worker; past it a request gets 503 at once, never a hang. As many as the bridge's connections, so a burst queues instead of failing. */
export const MAX_QUEUED_REQUESTS = 32
/** Worker fibers for short requests: handlers never wait on the network, so two keep up. */
export const HTTP_WORKERS = 2
/** How often the header-timeout sweep runs. */
export const SWEEP_INTERVAL_MS = 250
