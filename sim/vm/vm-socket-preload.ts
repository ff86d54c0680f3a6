// Loaded into the VM's process with `node --require` before the DeviceScript CLI.
// It adjusts the two TCP connections the wasm VM makes, as a board's own socket
// layer would configure them:
// - TCP_NODELAY on every connection. The VM opens the program's one socket with
//   net.createConnection and leaves Nagle's algorithm on; every small frame after
//   the first would then wait for the bridge's delayed ACK (40 ms on Linux).
// - The Jacdac bus port. `devs run --tcp` always connects to 127.0.0.1:8082; when
//   MIC_VM_BUS_PORT is set, that connection goes to the given port instead, so
//   several simulators (parallel tests, a developer's own) can run on one machine.
// `import =` gives the module object itself (a namespace import would be read-only).
import net = require("node:net")

/** The port the DeviceScript CLI hard-codes for `devs run --tcp`. */
const DEVS_FIXED_BUS_PORT = 8082
const busPort = Number(process.env.MIC_VM_BUS_PORT ?? DEVS_FIXED_BUS_PORT)

const original = net.createConnection as (...args: unknown[]) => net.Socket
;(net as { createConnection: unknown }).createConnection = function (...args: unknown[]) {
    if (args[0] === DEVS_FIXED_BUS_PORT) args[0] = busPort
    else if (typeof args[0] === "object" && args[0] !== null && (args[0] as net.TcpNetConnectOpts).port === DEVS_FIXED_BUS_PORT)
        args[0] = { ...(args[0] as object), port: busPort }
    const socket = original.apply(net, args)
    socket.setNoDelay(true)
    return socket
}
