// Resetting a TCP connection (RST instead of FIN), safely.
//
// Node 20's socket.resetAndDestroy() fails with EINVAL while a shutdown
// (socket.end()) is still in progress (libuv refuses SO_LINGER 0 then), and
// Node marks the handle as closing anyway: it is never closed, its file
// descriptor stays open, and when the process exits it spins at 100% CPU in its
// handle cleanup instead of ending. Found when a jest run finished every test,
// wrote its results and never exited (a listener was ended, then reset by the
// test's clean-up). A socket that was already ended gets destroy() instead: it
// has said goodbye, so there is nothing left for a reset to cut short.
import type { Socket } from "node:net"

export function resetSocket(socket: Socket) {
    if (socket.destroyed) return
    if (socket.writableEnded) socket.destroy()
    else socket.resetAndDestroy()
}
