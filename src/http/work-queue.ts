// A bounded queue of parsed requests, drained by worker fibers. Producers are
// synchronous packet handlers (they must never await), so push() only stores
// the item and wakes one idle worker.
import * as ds from "@devicescript/core"

export class WorkQueue<T> {
    private items: T[] = []
    private idle: ds.Fiber[] = []

    constructor(readonly capacity: number) {}

    /** Adds an item; false when the queue is full (the caller answers 503). */
    push(item: T): boolean {
        if (this.items.length >= this.capacity) return false
        this.items.push(item)
        const f = this.idle.shift()
        if (f && f.suspended) f.resume(null)
        return true
    }

    /** Waits for the next item (called by a worker fiber). */
    async take(): Promise<T> {
        for (;;) {
            const item = this.items.shift()
            if (item !== undefined) return item
            const me = ds.Fiber.self()
            this.idle.push(me)
            await ds.suspend(1000)
            const i = this.idle.indexOf(me)
            if (i >= 0) this.idle.insert(i, -1)
        }
    }
}
