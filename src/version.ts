/** Firmware version, reported by /status and the Server header. Keep in step with package.json. */
export const FIRMWARE_VERSION = "0.1.0"
