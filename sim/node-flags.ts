// Flags for the Node process that runs the simulator.
//
// V8 grows its young generation ("new space", two semi-spaces) from 1 MB per
// semi-space up to 16 MB as a long-running process keeps allocating: every time
// the bytes that survived scavenges add up to the new space's size, it doubles.
// Any steady allocation does that eventually, so the simulator's RSS climbed by
// about 30 MB over its first 10-20 minutes (the 30-minute soak: +29.9 MB) and
// then stopped. Bounded, not a leak (the V8 heap after a full GC stayed at
// 9.2-9.4 MB), but a soak that must tell a leak from noise needs a flat
// baseline, and a board stand-in that grows by a third of its size is not what
// anyone expects. Capping the semi-space keeps the RSS flat; scavenges happen
// more often but each is shorter (the simulator's live heap is about 10 MB).

/** Largest semi-space V8 may use in the simulator's process, MB. */
export const SIM_MAX_SEMI_SPACE_MB = 2

/** The Node flags every launcher of build/sim/main.js passes (npm start, tests, benchmarks, VS Code). */
export const SIM_NODE_FLAGS = [`--max-semi-space-size=${SIM_MAX_SEMI_SPACE_MB}`]

/** True when this process was started with the young-generation cap (flag or NODE_OPTIONS). */
export function hasSemiSpaceCap(execArgv: string[], nodeOptions = ""): boolean {
    return [...execArgv, ...nodeOptions.split(/\s+/)].some(a => a.startsWith("--max-semi-space-size"))
}
