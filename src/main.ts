// Network microphone firmware: the capture path, the HTTP server over the
// board's socket bridge, and a stream fiber per listener.
import { Device } from "./device"
import { configHandler } from "./config/config-route"
import { loadConfig } from "./config/config-store"
import { metricsHandler } from "./status/metrics-route"
import { statusHandler } from "./status/status-route"
import { streamHandler } from "./stream/stream-route"
import { writeListenerPage } from "./web/listener-page"
import { BodySink } from "./http/body-writer"
import { FIRMWARE_VERSION } from "./version"

const dev = new Device()
console.log(`network-mic ${FIRMWARE_VERSION} starting`)
dev.capture.start()
dev.server.setRoutes([
    {
        path: "/",
        methods: ["GET"],
        handler: async (req, conn) => {
            const name = dev.config.deviceName
            dev.server.respondRendered(conn, 200, "text/html; charset=utf-8", (out: BodySink) => writeListenerPage(name, out), [], req.method === "HEAD")
        },
    },
    { path: "/status", methods: ["GET"], handler: statusHandler(dev) },
    { path: "/metrics", methods: ["GET"], handler: metricsHandler(dev) },
    { path: "/config", methods: ["GET", "POST", "PUT"], handler: configHandler(dev) },
    { path: "/stream.wav", methods: ["GET"], handler: streamHandler(dev) },
])
dev.server.start()

const boot = async () => {
    await dev.readBoardLimits()
    dev.config = await loadConfig(dev.streamsLimit)
    dev.admission.maxStreams = dev.config.maxStreams
    await dev.applyAudioConfig()
    await dev.link.run()
}
boot.start()
