// Loaded into the VM's process with `node --require` before the DeviceScript CLI.
// The wasm VM opens the program's one socket with net.createConnection and leaves
// Nagle's algorithm on; every small frame after the first then waits for the
// bridge's delayed ACK (40 ms on Linux), which would put 40 ms into every answer.
// A board's native socket layer sets TCP_NODELAY on its loopback link; so does
// this preload, for every TCP connection the VM process makes.
// `import =` gives the module object itself (a namespace import would be read-only).
import net = require("node:net")

const original = net.createConnection as (...args: unknown[]) => net.Socket
;(net as { createConnection: unknown }).createConnection = function (...args: unknown[]) {
    const socket = original.apply(net, args)
    socket.setNoDelay(true)
    return socket
}
