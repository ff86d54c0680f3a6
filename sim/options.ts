// Command-line flags and environment variables of the simulator. Every port is
// configurable; flags win over the environment, which wins over the defaults.
import { resolve } from "node:path"
import { SOURCE_NAMES, SourceName } from "./audio/sources"
import { DEVS_TCP_BUS_PORT } from "./jacdac/tcp-bus-host"

export type BusMode = "host" | "hub"

/** The stream limit the simulated board tells the firmware by default: the ESP32-S3 board's (src/stream/admission.ts). */
export const BOARD_MAX_STREAMS = 8
/** The most a simulated board may claim (the u8 register's room); the firmware caps it at its own MAX_STREAMS_CEILING. */
export const SIM_MAX_STREAMS_LIMIT = 255

export interface SimOptions {
    host: string
    httpPort: number
    bridgePort: number
    busPort: number
    busMode: BusMode
    hubUrl: string
    source: SourceName
    wavPath?: string
    sampleRate: number
    channels: number
    stateDir: string
    bytecode: string
    /** Start the VM ourselves (false: only the board, e.g. when the VS Code debugger runs the program). */
    launchVm: boolean
    /** Overrides of the bridge's named limits (tests and benchmarks). */
    maxConnections?: number
    /** The board's stream limit, told to the firmware by the socket bridge's max_streams register. */
    maxStreams: number
    controlPort?: number
    quiet: boolean
}

export const USAGE = `Usage: node build/sim/main.js [options]

  --http-port N      HTTP port for LAN clients (env MIC_HTTP_PORT, default 8080)
  --host ADDR        address the HTTP port binds (env MIC_HOST, default 127.0.0.1)
  --bridge-port N    port of the firmware's socket link (env MIC_BRIDGE_PORT, default 8090)
  --bus-port N       Jacdac bus port in host mode (env MIC_BUS_PORT, default 8082; 0 = any free
                     port; the VM launched by the simulator is redirected to it)
  --bus hub          join the devtools hub (ws://127.0.0.1:8081) instead of hosting the bus;
                     the VS Code extension then runs the program (implies --no-vm)
  --hub-url URL      hub address for --bus hub (env MIC_HUB_URL)
  --source NAME      tone | noise | wav | pattern (env MIC_SOURCE, default tone)
  --wav FILE         WAV file for --source wav (env MIC_WAV)
  --sample-rate N    initial sample rate in Hz (env MIC_SAMPLE_RATE, default 16000)
  --channels N       1 or 2 (env MIC_CHANNELS, default 1)
  --state-dir DIR    where the VM keeps its simulated flash (env MIC_STATE_DIR, default .sim-state)
  --bytecode FILE    compiled program (default build/firmware/network-mic.devs)
  --no-vm            do not launch the VM
  --max-connections N  the bridge's connection limit (env MIC_MAX_CONNECTIONS, default 32)
  --max-streams N    most listeners the board allows (env MIC_MAX_STREAMS, default 8, 1..255; the
                     firmware lets maxStreams go up to it, within its own ceiling of 12)
  --control-port N   local control port for tests and benchmarks (env MIC_CONTROL_PORT, off by default)
  --quiet            do not forward the VM's log
`

export class UsageError extends Error {}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, root: string): SimOptions {
    const flags = new Map<string, string | true>()
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (!a.startsWith("--")) throw new UsageError(`unexpected argument '${a}'`)
        const [name, inline] = a.slice(2).split("=", 2)
        if (["no-vm", "quiet", "help"].includes(name)) flags.set(name, true)
        else {
            const v = inline ?? argv[++i]
            if (v === undefined) throw new UsageError(`--${name} needs a value`)
            flags.set(name, v)
        }
    }
    const known = ["http-port", "host", "bridge-port", "bus-port", "bus", "hub-url", "source", "wav", "sample-rate", "channels", "state-dir", "bytecode", "no-vm", "max-connections", "max-streams", "control-port", "quiet", "help"]
    for (const k of flags.keys()) if (!known.includes(k)) throw new UsageError(`unknown option --${k}`)
    if (flags.has("help")) throw new UsageError("")
    const str = (flag: string, envName: string, def?: string) => {
        const f = flags.get(flag)
        return typeof f === "string" ? f : env[envName] ?? def
    }
    const int = (flag: string, envName: string, def: number | undefined, min: number, max: number) => {
        const s = str(flag, envName)
        if (s === undefined) return def
        const n = Number(s)
        if (!Number.isInteger(n) || n < min || n > max)
            throw new UsageError(`--${flag} (or ${envName}) must be an integer in ${min}..${max}, got '${s}'`)
        return n
    }
    const source = str("source", "MIC_SOURCE", "tone") as SourceName
    if (!SOURCE_NAMES.includes(source)) throw new UsageError(`--source must be one of ${SOURCE_NAMES.join(", ")}, got '${source}'`)
    const busMode = str("bus", "MIC_BUS", "host") as BusMode
    if (busMode !== "host" && busMode !== "hub") throw new UsageError(`--bus must be host or hub, got '${busMode}'`)
    const sampleRate = int("sample-rate", "MIC_SAMPLE_RATE", 16000, 8000, 48000)!
    const channels = int("channels", "MIC_CHANNELS", 1, 1, 2)!
    const wavPath = str("wav", "MIC_WAV")
    if (source === "wav" && !wavPath) throw new UsageError("--source wav needs --wav FILE")
    return {
        host: str("host", "MIC_HOST", "127.0.0.1")!,
        httpPort: int("http-port", "MIC_HTTP_PORT", 8080, 0, 65535)!,
        bridgePort: int("bridge-port", "MIC_BRIDGE_PORT", 8090, 0, 65535)!,
        busPort: int("bus-port", "MIC_BUS_PORT", DEVS_TCP_BUS_PORT, 0, 65535)!,
        busMode,
        hubUrl: str("hub-url", "MIC_HUB_URL", "ws://127.0.0.1:8081")!,
        source,
        wavPath: wavPath && resolve(wavPath),
        sampleRate,
        channels,
        stateDir: resolve(str("state-dir", "MIC_STATE_DIR", resolve(root, ".sim-state"))!),
        bytecode: resolve(str("bytecode", "MIC_BYTECODE", resolve(root, "build/firmware/network-mic.devs"))!),
        launchVm: !flags.has("no-vm") && busMode === "host",
        maxConnections: int("max-connections", "MIC_MAX_CONNECTIONS", undefined, 1, 1024),
        maxStreams: int("max-streams", "MIC_MAX_STREAMS", BOARD_MAX_STREAMS, 1, SIM_MAX_STREAMS_LIMIT)!,
        controlPort: int("control-port", "MIC_CONTROL_PORT", undefined, 0, 65535),
        quiet: flags.has("quiet"),
    }
}
