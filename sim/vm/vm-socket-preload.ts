// Loaded into the VM's process with `node --require` before the DeviceScript CLI.
// It adjusts the two TCP connections the wasm VM makes, as a board's own socket
// layer would configure them:
// - TCP_NODELAY on every connection. The VM opens the program's one socket with
//   net.createConnection and leaves Nagle's algorithm on; every small frame after
//   the first would then wait for the bridge's delayed ACK (40 ms on Linux).
// - The Jacdac bus port. `devs run --tcp` always connects to 127.0.0.1:8082; when
//   MIC_VM_BUS_PORT is set, that connection goes to the given port instead, so
//   several simulators (parallel tests, a developer's own) can run on one machine.
// - Wake the VM on input. The wasm host runs the VM only from a timer (every
//   jd_max_sleep, up to 10 ms): bytes that arrive on a socket wait for the next
//   tick, ~5 ms on average, before the program sees them. A board's main loop
//   wakes on I/O, so here any data on a VM socket runs the VM's step at once.
// `import =` gives the module object itself (a namespace import would be read-only).
import net = require("node:net")

/** The port the DeviceScript CLI hard-codes for `devs run --tcp`. */
const DEVS_FIXED_BUS_PORT = 8082
const busPort = Number(process.env.MIC_VM_BUS_PORT ?? DEVS_FIXED_BUS_PORT)

/** The VM's step function and its pending timer, found when the host schedules it. */
let vmStep: (() => void) | undefined
let vmStepTimer: NodeJS.Timeout | undefined
let wakePending = false
const originalSetTimeout = global.setTimeout
;(global as { setTimeout: unknown }).setTimeout = function (fn: unknown, ...rest: unknown[]) {
    const timer = (originalSetTimeout as (...a: unknown[]) => NodeJS.Timeout)(fn, ...rest)
    if (typeof fn === "function" && (fn === vmStep || (!vmStep && /_jd_em_process\(\)/.test(fn.toString())))) {
        vmStep = fn as () => void
        vmStepTimer = timer
    }
    return timer
}

/** Runs the VM's step now instead of at its next timer tick (one wake per turn of the event loop). */
function wakeVm() {
    if (!vmStep || wakePending) return
    wakePending = true
    setImmediate(() => {
        wakePending = false
        if (vmStepTimer) clearTimeout(vmStepTimer)
        vmStepTimer = undefined
        vmStep!()
    })
}

const original = net.createConnection as (...args: unknown[]) => net.Socket
;(net as { createConnection: unknown }).createConnection = function (...args: unknown[]) {
    if (args[0] === DEVS_FIXED_BUS_PORT) args[0] = busPort
    else if (typeof args[0] === "object" && args[0] !== null && (args[0] as net.TcpNetConnectOpts).port === DEVS_FIXED_BUS_PORT)
        args[0] = { ...(args[0] as object), port: busPort }
    const socket = original.apply(net, args)
    socket.setNoDelay(true)
    socket.on("data", wakeVm)
    return socket
}
