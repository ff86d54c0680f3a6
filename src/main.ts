// Network microphone firmware: the capture path, the HTTP server over the
// board's socket bridge, and a stream fiber per listener.
import { Device } from "./device"
import { statusHandler } from "./status/status-route"
import { streamHandler } from "./stream/stream-route"
import { FIRMWARE_VERSION } from "./version"

const dev = new Device()
console.log(`network-mic ${FIRMWARE_VERSION} starting`)
dev.capture.start()
dev.server.setRoutes([
    { path: "/status", methods: ["GET"], handler: statusHandler(dev) },
    { path: "/stream.wav", methods: ["GET"], handler: streamHandler(dev) },
])
dev.server.start()

const boot = async () => {
    await dev.capture.readBoardFormat()
    await dev.link.run()
}
boot.start()
