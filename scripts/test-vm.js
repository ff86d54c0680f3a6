#!/usr/bin/env node
// Runs the firmware's in-VM unit tests (src/tests/main.ts) in the real
// DeviceScript VM. `-k` is required: without it the suites never run and the
// CLI still prints "test OK". The VM's own summary ("tests: N, pass: P, error: E")
// is turned into the "N passed, N failed" line CI readers expect.
const { spawnSync } = require("node:child_process")
const { join } = require("node:path")

const root = join(__dirname, "..")
const cli = join(root, "node_modules", "@devicescript", "cli", "built", "devicescript-cli.cjs")
/** The VM runs with GC stress on in test mode: give the suites room. */
const TEST_TIMEOUT_MS = 60000

const r = spawnSync(process.execPath, [cli, "run", "src/tests/main.ts", "--test", "-k", "-T", `${TEST_TIMEOUT_MS}`],
    { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
const text = ((r.stdout || "") + (r.stderr || "")).replace(/\x1b\[[0-9;]*m/g, "")
process.stdout.write(text)
const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(text)
if (!m) {
    console.log("vm-tests: 0 passed, 1 failed")
    console.error("vm-tests: the VM printed no test summary (did a suite panic before the end?)")
    process.exit(1)
}
const [, total, pass, error] = m.map(Number)
console.log(`vm-tests: ${pass} passed, ${error} failed`)
process.exit(r.status === 0 && error === 0 && pass === total && total > 0 ? 0 : 1)
