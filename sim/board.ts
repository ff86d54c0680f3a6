// The simulated board: the Jacdac services it provides, the socket bridge, the
// bus, and the VM that runs the firmware. Start and stop in one place.
import { readFileSync, existsSync } from "node:fs"
import { resolve } from "node:path"
import { JDBus, JDServerServiceProvider, JDServiceServer, Transport, createWebSocketTransport } from "jacdac-ts"
import { SimOptions } from "./options"
import { BridgeServer } from "./bridge/bridge-server"
import { AudioCaptureServer } from "./audio/capture-server"
import { createSource } from "./audio/sources"
import { TcpBusHost } from "./jacdac/tcp-bus-host"
import { DevsRunner } from "./vm/devs-runner"
import { ControlServer } from "./control"
import { BRIDGE_PROTOCOL_VERSION } from "../src/bridge/protocol-constants"

/** Socket bridge service registers (services/socketbridge.md). */
const SOCKET_BRIDGE_PORT_REG = 0x180
const SOCKET_BRIDGE_VERSION_REG = 0x181
const SOCKET_BRIDGE_MAX_STREAMS_REG = 0x182

/** If the VM process dies on its own, it is started again after this pause. */
const VM_RESTART_DELAY_MS = 1000

interface SpecEntry {
    camelName: string
    classIdentifier: number
}

/** Reads the service classes `devs build` compiled from services/*.md; fails clearly if one is missing. */
export function loadServiceSpecs(root: string) {
    const path = resolve(root, ".devicescript", "services.json")
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`)
    const specs = JSON.parse(readFileSync(path, "utf8")) as SpecEntry[]
    const find = (camel: string) => {
        const s = specs.find(x => x.camelName === camel)
        if (!s) throw new Error(`service '${camel}' is not in ${path}: \`devs build\` printed a spec error for services/; fix it and build again`)
        return s.classIdentifier
    }
    return { specs, audioCapture: find("audioCapture"), socketBridge: find("socketBridge") }
}

export class Board {
    readonly bridge: BridgeServer
    capture!: AudioCaptureServer
    private bus: JDBus | undefined
    private busHost: TcpBusHost | undefined
    vm: DevsRunner | undefined
    private control: ControlServer | undefined
    private vmRestartTimer: NodeJS.Timeout | undefined
    private stopped = false

    constructor(readonly options: SimOptions, readonly root: string) {
        this.bridge = new BridgeServer({
            host: options.host,
            httpPort: options.httpPort,
            bridgePort: options.bridgePort,
            limits: options.maxConnections ? { maxConnections: options.maxConnections } : undefined,
            log: msg => this.log(`bridge: ${msg}`),
        })
    }

    private log(msg: string) {
        if (!this.options.quiet) console.log(`sim: ${msg}`)
    }

    async start() {
        const o = this.options
        const classes = loadServiceSpecs(this.root)
        if (o.launchVm && !existsSync(o.bytecode)) throw new Error(`${o.bytecode} is missing: run \`npm run build\` first`)
        await this.bridge.start()

        let transport: Transport
        if (o.busMode === "host") transport = this.busHost = new TcpBusHost("127.0.0.1", o.busPort)
        else {
            ;(globalThis as any).WebSocket ??= require("ws")
            transport = createWebSocketTransport(o.hubUrl)
        }
        // The bus loads the custom service specs; servers can only be made after it.
        this.bus = new JDBus([transport], { services: classes.specs as any, client: false, disableRoleManager: true })

        const source = createSource(o.source, o.wavPath)
        this.capture = new AudioCaptureServer(classes.audioCapture, source)
        this.capture.sampleRate.setValues([o.sampleRate])
        this.capture.channels.setValues([o.channels])
        const bridgeInfo = new JDServiceServer(classes.socketBridge)
        bridgeInfo.addRegister<[number]>(SOCKET_BRIDGE_PORT_REG, [this.bridge.bridgePort])
        bridgeInfo.addRegister<[number]>(SOCKET_BRIDGE_VERSION_REG, [BRIDGE_PROTOCOL_VERSION])
        bridgeInfo.addRegister<[number]>(SOCKET_BRIDGE_MAX_STREAMS_REG, [o.maxStreams])

        this.bus.addServiceProvider(new JDServerServiceProvider("network-mic-board", [this.capture, bridgeInfo], { deviceId: "a0b1c2d3e4f50617" }))
        await transport.connect()
        if (!transport.connected) throw new Error(o.busMode === "host"
            ? `could not listen on the Jacdac bus port ${o.busPort}: another simulator or \`devs devtools\` probably holds it (\`ss -ltnp 'sport = :${o.busPort}'\` shows it). Stop it, or use --bus hub to join a running devtools hub.`
            : `could not join the devtools hub at ${o.hubUrl}: start it with \`npx devs devtools\` or the VS Code extension`)
        this.capture.start()

        if (o.controlPort !== undefined) {
            this.control = new ControlServer(this, o.controlPort)
            await this.control.start()
        }
        if (o.launchVm) this.startVm()
    }

    private startVm() {
        const vm = new DevsRunner({
            root: this.root,
            bytecode: this.options.bytecode,
            stateDir: this.options.stateDir,
            busPort: this.busPort,
            log: line => { if (!this.options.quiet) console.log(`vm: ${line}`) },
        })
        vm.on("exit", () => {
            if (this.stopped || this.vm !== vm || vm.stoppingOnPurpose) return
            this.vmRestartTimer = setTimeout(() => vm.start(), VM_RESTART_DELAY_MS)
        })
        this.vm = vm
        vm.start()
    }

    /** The bus port actually bound (the option may be 0: any free port). */
    get busPort() {
        return this.busHost?.boundPort ?? this.options.busPort
    }

    /** Restarts the VM process (fault injection; configuration must survive). */
    async restartVm() {
        await this.vm?.restart()
    }

    describe() {
        const url = `http://${this.options.host}:${this.bridge.httpPort}/`
        const parts = [`serving ${url} (status: ${url}status)`, `bridge on 127.0.0.1:${this.bridge.bridgePort}`,
            `audio: ${this.capture.source.name}, ${this.capture.format.sampleRate} Hz, ${this.capture.format.channels} ch`]
        if (this.control) parts.push(`control on 127.0.0.1:${this.control.port}`)
        if (!this.options.launchVm) parts.push("VM not launched (--no-vm)")
        return parts.join("; ")
    }

    async stop() {
        this.stopped = true
        clearTimeout(this.vmRestartTimer)
        await this.vm?.stop()
        this.capture?.stop()
        await this.control?.stop()
        await this.bridge.stop()
        try {
            await this.bus?.disconnect()
            this.bus?.dispose()
        } catch {}
    }
}
