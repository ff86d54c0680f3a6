// The device: every part of the firmware, wired together once at start.
import * as ds from "@devicescript/core"
import { AudioCapture } from "./audio/capture"
import { BridgeLink } from "./bridge/link"
import { HttpServer } from "./http/server"
import { READ_GRANT_BYTES } from "./http/limits"
import { Admission, DEFAULT_MAX_STREAMS } from "./stream/admission"
import { StreamRegistry } from "./stream/listener"

export class Device {
    readonly bootedAt = ds.millis()
    readonly mic = new ds.AudioCapture()
    readonly bridgeRole = new ds.SocketBridge()
    readonly capture = new AudioCapture(this.mic)
    readonly server = new HttpServer()
    readonly link: BridgeLink
    readonly admission = new Admission(DEFAULT_MAX_STREAMS)
    readonly streams = new StreamRegistry()

    constructor() {
        const role = this.bridgeRole
        this.link = new BridgeLink(this.server, async () => await role.port.read(), READ_GRANT_BYTES)
        this.server.link = this.link
    }
}
