// Socket bridge protocol, version 1: the numbers of docs/bridge-protocol.md.
// This file is compiled twice: by DeviceScript into the firmware and by tsc into
// the simulator's bridge, so both ends of the link share one definition.
// It must hold only constants: no imports, no runtime APIs.

/** Protocol version spoken by this firmware and this simulator. */
export const BRIDGE_PROTOCOL_VERSION = 1

/** Every frame starts with type u8, conn u16 LE, length u16 LE. */
export const FRAME_HEADER_BYTES = 5

/** Largest payload either side may put in one frame (the receiver's reassembly buffer). */
export const MAX_FRAME_PAYLOAD = 2048

/** Connection id 0 names the link itself (HELLO, LISTEN, ...). Client ids are 1..65535. */
export const LINK_CONN_ID = 0

// Firmware -> bridge
export const MSG_HELLO = 0x01
export const MSG_LISTEN = 0x02
export const MSG_SEND = 0x03
export const MSG_CLOSE = 0x04
export const MSG_READ = 0x05

// Bridge -> firmware
export const MSG_HELLO_ACK = 0x81
export const MSG_LISTENING = 0x82
export const MSG_ACCEPTED = 0x83
export const MSG_DATA = 0x84
export const MSG_CLOSED = 0x85
export const MSG_CREDIT = 0x86
export const MSG_ERROR = 0x8f

/** Fixed payload sizes; -1 means variable (bounds in the spec). */
export const HELLO_PAYLOAD_BYTES = 12
export const LISTEN_PAYLOAD_BYTES = 4
export const CLOSE_PAYLOAD_BYTES = 1
export const READ_PAYLOAD_BYTES = 4
export const HELLO_ACK_PAYLOAD_BYTES = 10
export const LISTENING_PAYLOAD_BYTES = 2
export const CLOSED_PAYLOAD_BYTES = 1
export const CREDIT_PAYLOAD_BYTES = 4
/** ACCEPTED carries the peer as UTF-8 text "ip:port", 1..MAX_PEER_BYTES. */
export const MAX_PEER_BYTES = 64
/** ERROR: code u8, offending type u8, then up to MAX_ERROR_TEXT_BYTES of UTF-8. */
export const MAX_ERROR_TEXT_BYTES = 200

// CLOSE modes
export const CLOSE_GRACEFUL = 0
export const CLOSE_ABORT = 1

// CLOSED reasons
export const CLOSED_BY_PEER = 0
export const CLOSED_PEER_RESET = 1
export const CLOSED_ON_REQUEST = 2
export const CLOSED_CREDIT_EXCEEDED = 3
export const CLOSED_BRIDGE_SHUTDOWN = 4
export const CLOSED_EVICTED_SILENT = 5

// ERROR codes
export const ERR_UNKNOWN_TYPE = 1
export const ERR_BAD_LENGTH = 2
export const ERR_UNKNOWN_CONN = 3
export const ERR_BAD_VERSION = 4
export const ERR_NOT_READY = 5
export const ERR_FRAME_TOO_LARGE = 6
export const ERR_LISTEN_FAILED = 7
export const ERR_BAD_VALUE = 8
