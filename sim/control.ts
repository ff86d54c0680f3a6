// A loopback-only control port for tests and benchmarks: read the board's
// counters and inject faults (cut the link, stop the microphone, restart the VM).
import * as http from "node:http"
import type { Board } from "./board"
import { framesPerReport } from "./audio/format"

export class ControlServer {
    private readonly server: http.Server

    constructor(private readonly board: Board, private readonly requestedPort: number) {
        this.server = http.createServer((req, res) => void this.handle(req, res))
    }

    async start() {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject)
            this.server.listen(this.requestedPort, "127.0.0.1", () => resolve())
        })
    }

    get port() {
        return (this.server.address() as any).port as number
    }

    async stop() {
        this.server.closeAllConnections()
        await new Promise<void>(resolve => this.server.close(() => resolve()))
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
        const url = new URL(req.url ?? "/", "http://control")
        const reply = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" })
            res.end(JSON.stringify(body))
        }
        const b = this.board
        switch (url.pathname) {
            case "/stats":
                return reply(200, {
                    bridge: b.bridge.stats,
                    capture: {
                        framesSent: b.capture.framesSent, lostFrames: b.capture.lostFrames.values()[0], format: b.capture.format,
                        startedAtWallMs: b.capture.startedAtWallMs, framesPerReport: framesPerReport(b.capture.format),
                    },
                    vm: { pid: b.vm?.pid, starts: b.vm?.starts, panics: b.vm?.panics },
                })
            case "/fault/drop-link":
                b.bridge.dropLink()
                return reply(200, { dropped: true })
            case "/fault/mute": {
                const ms = Number(url.searchParams.get("ms") ?? "2000")
                b.capture.muted = true
                setTimeout(() => (b.capture.muted = false), ms)
                return reply(200, { mutedMs: ms })
            }
            case "/fault/restart-vm":
                await b.restartVm()
                return reply(200, { restarted: true, pid: b.vm?.pid })
            default:
                return reply(404, { error: `unknown control path ${url.pathname}; try /stats, /fault/drop-link, /fault/mute?ms=N, /fault/restart-vm` })
        }
    }
}
