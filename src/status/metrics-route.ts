// GET /metrics: the /status figures in the Prometheus text format (0.0.4).
import { Device } from "../device"
import { Connection } from "../http/connection"
import { HttpRequest } from "../http/request-parser"
import { statusJson } from "./status-route"
import { BodySink } from "../http/body-writer"
import { STALL_FILL_AFTER_MS, WATCHDOG_LATE_MS } from "../audio/capture"

/** One metric, as HELP, TYPE and sample lines. */
function metric(name: string, help: string, type: string, value: number) {
    return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`
}

/** Writes the metrics of one status snapshot, metric by metric (never one big string: body-writer.ts). */
export function writeMetrics(s: any, out: BodySink) {
    out.text(metric("mic_uptime_seconds", "Seconds since the firmware started.", "gauge", Math.idiv(s.uptimeMs, 1000)))
    out.text(metric("mic_sample_rate_hz", "Configured sample rate.", "gauge", s.audio.sampleRate))
    out.text(metric("mic_channels", "Configured channel count.", "gauge", s.audio.channels))
    out.text(metric("mic_capture_frames_total", "Frame reports received from the capture service.", "counter", s.capture.frames))
    out.text(metric("mic_capture_samples_total", "Sample frames received.", "counter", s.capture.samples))
    out.text(metric("mic_capture_gaps_total", "Gaps in the board's sample counter.", "counter", s.capture.gaps))
    out.text(metric("mic_capture_lost_samples_total", "Sample frames lost in those gaps.", "counter", s.capture.lostSamples))
    out.text(metric("mic_capture_stalls_total", `Times the microphone sent nothing for ${STALL_FILL_AFTER_MS} ms while the firmware ran (silence written in real time).`, "counter", s.capture.stalls))
    out.text(metric("mic_firmware_pauses_total", `Times the firmware itself did not run for ${WATCHDOG_LATE_MS} ms (no silence written for them).`, "counter", s.capture.firmwarePauses))
    out.text(metric("mic_level_peak_dbfs", "Peak level over the last window.", "gauge", s.capture.level.peakDbfs))
    out.text(metric("mic_level_rms_dbfs", "RMS level over the last window.", "gauge", s.capture.level.rmsDbfs))
    out.text(metric("mic_clipped_samples_total", "Samples at full scale.", "counter", s.capture.level.clippedSamples))
    out.text(metric("mic_streams_active", "Listeners streaming now.", "gauge", s.streams.active))
    out.text(metric("mic_streams_max", "Configured maxStreams.", "gauge", s.streams.max))
    out.text(metric("mic_streams_limit", "Most listeners maxStreams may allow on this board.", "gauge", s.streams.limit))
    out.text(metric("mic_streams_admitted_total", "Streams admitted.", "counter", s.streams.admitted))
    out.text(metric("mic_streams_rejected_total", "Stream requests refused with 503 (all slots taken).", "counter", s.streams.rejected))
    out.text("# HELP mic_http_responses_total Responses by status class.\n# TYPE mic_http_responses_total counter\n")
    out.text(`mic_http_responses_total{class="2xx"} ${s.http.status2xx}\nmic_http_responses_total{class="4xx"} ${s.http.status4xx}\nmic_http_responses_total{class="5xx"} ${s.http.status5xx}\n`)
    out.text(metric("mic_http_rejected_503_total", "Requests answered 503.", "counter", s.http.rejected503))
    out.text(metric("mic_http_timeouts_408_total", "Requests answered 408.", "counter", s.http.timeouts408))
    out.text(metric("mic_live_connections", "Client connections the firmware holds.", "gauge", s.live.connections))
    out.text(metric("mic_live_fibers", "Fibers started per worker or stream that are running.", "gauge", s.live.fibers))
    out.text(metric("mic_live_buffers", "Request buffers held.", "gauge", s.live.buffers))
    out.text(metric("mic_bridge_link_up", "1 when the socket bridge link is up.", "gauge", s.bridge.state === "up" ? 1 : 0))
    out.text(metric("mic_bridge_link_drops_total", "Times the bridge link dropped.", "counter", s.bridge.drops))
    out.text("# HELP mic_status_duration_ms Firmware-measured /status time, accept to answer.\n# TYPE mic_status_duration_ms summary\n")
    out.text(`mic_status_duration_ms{quantile="0.5"} ${s.statusTimingMs.p50}\nmic_status_duration_ms{quantile="0.99"} ${s.statusTimingMs.p99}\nmic_status_duration_ms_count ${s.statusTimingMs.count}\n`)
}

export function metricsHandler(dev: Device) {
    return async (req: HttpRequest, conn: Connection) => {
        const s = statusJson(dev)
        dev.server.respondRendered(conn, 200, "text/plain; version=0.0.4", (out: BodySink) => writeMetrics(s, out), [], req.method === "HEAD")
    }
}
