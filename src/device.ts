// The device: every part of the firmware, wired together once at start.
import * as ds from "@devicescript/core"
import { AudioCapture } from "./audio/capture"
import { BridgeLink } from "./bridge/link"
import { HttpServer } from "./http/server"
import { READ_GRANT_BYTES } from "./http/limits"
import { Admission, DEFAULT_MAX_STREAMS, MAX_STREAMS_CEILING, MAX_STREAMS_LIMIT } from "./stream/admission"
import { StreamRegistry } from "./stream/listener"
import { DeviceConfig, defaultConfig } from "./config/device-config"
import { saveConfig } from "./config/config-store"
import { AuthGuard } from "./config/auth-guard"
import { LatencyWindow } from "./diag/latency-window"

export class Device {
    readonly bootedAt = ds.millis()
    readonly mic = new ds.AudioCapture()
    readonly bridgeRole = new ds.SocketBridge()
    readonly capture = new AudioCapture(this.mic)
    readonly server = new HttpServer()
    readonly link: BridgeLink
    readonly admission = new Admission(DEFAULT_MAX_STREAMS)
    readonly streams = new StreamRegistry()
    config: DeviceConfig = defaultConfig()
    /** Most listeners maxStreams may allow: the board's limit, capped by the firmware's ceiling. */
    streamsLimit = MAX_STREAMS_LIMIT
    readonly authGuard = new AuthGuard()
    /** How long recent /status requests took, from accept to answer (the firmware's own measurement). */
    readonly statusLatency = new LatencyWindow()

    constructor() {
        const role = this.bridgeRole
        this.link = new BridgeLink(this.server, async () => await role.port.read(), READ_GRANT_BYTES)
        this.server.link = this.link
    }

    /** Learns the board's stream limit (socket bridge `max_streams`), within the firmware's ceiling. */
    async readBoardLimits() {
        const boardLimit = await this.bridgeRole.maxStreams.read()
        this.streamsLimit = Math.max(1, Math.min(MAX_STREAMS_CEILING, boardLimit))
    }

    /** Writes the configured format and gain to the board's capture service and follows it. */
    async applyAudioConfig() {
        const c = this.config
        await this.mic.sampleRate.write(c.sampleRate)
        await this.mic.channels.write(c.channels)
        await this.mic.bitsPerSample.write(16)
        await this.mic.gain.write(c.gainDb)
        await this.mic.enabled.write(true)
        this.capture.setFormat({ sampleRate: c.sampleRate, channels: c.channels, bitsPerSample: 16 })
    }

    /**
     * Applies a validated configuration and persists it (verified by reading it back). maxStreams, deviceName and
     * the token apply at once (open streams keep running even above a lower
     * maxStreams); gain applies at once without a restart; a new sample rate or
     * channel count restarts the audio and ends every open stream, because each
     * stream's WAV header announced the old format (listeners reconnect).
     */
    async applyConfig(next: DeviceConfig, changed: string[]) {
        const formatChanged = changed.indexOf("sampleRate") >= 0 || changed.indexOf("channels") >= 0
        const openStreams = this.admission.active
        this.config = next
        this.admission.maxStreams = next.maxStreams
        if (formatChanged) await this.applyAudioConfig()
        else if (changed.indexOf("gainDb") >= 0) await this.mic.gain.write(next.gainDb)
        const persisted = await saveConfig(next)
        return { restartedAudio: formatChanged, closedStreams: formatChanged ? openStreams : 0, persisted }
    }
}
