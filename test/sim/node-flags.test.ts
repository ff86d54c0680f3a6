// The simulator's Node flags: recognised in either place Node takes them, and
// they really bound V8's young generation in this Node.
import { spawnSync } from "node:child_process"
import { hasSemiSpaceCap, SIM_MAX_SEMI_SPACE_MB, SIM_NODE_FLAGS } from "../../sim/node-flags"

test("the semi-space cap is found in the process's flags or in NODE_OPTIONS, and only there", () => {
    expect(hasSemiSpaceCap(SIM_NODE_FLAGS)).toBe(true)
    expect(hasSemiSpaceCap([], `--trace-warnings ${SIM_NODE_FLAGS[0]}`)).toBe(true)
    expect(hasSemiSpaceCap(["--inspect"], "--max-old-space-size=100")).toBe(false)
    expect(hasSemiSpaceCap([])).toBe(false)
})

test("with the flags, the young generation stays within the cap while a process allocates with survivors", () => {
    // Allocation with a steady set of survivors is what made the simulator's new space double up to 16 MB.
    const script = `
        const v8 = require("v8"); const keep = []; let biggest = 0
        for (let i = 0; i < 400000; i++) {
            keep.push(Buffer.alloc(256)); if (keep.length > 2000) keep.shift()
            if (i % 1000 === 0) biggest = Math.max(biggest, v8.getHeapSpaceStatistics().find(s => s.space_name === "new_space").space_size)
        }
        console.log(biggest)`
    const r = spawnSync(process.execPath, [...SIM_NODE_FLAGS, "-e", script], { encoding: "utf8" })
    expect(r.status).toBe(0)
    const newSpaceBytes = Number(r.stdout.trim())
    expect(newSpaceBytes).toBeGreaterThan(0)
    // new space = two semi-spaces (V8 reports the usable part of them)
    expect(newSpaceBytes).toBeLessThanOrEqual(2 * SIM_MAX_SEMI_SPACE_MB * 1024 * 1024)
})
