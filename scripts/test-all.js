#!/usr/bin/env node
// `npm test`: the in-VM unit tests, then jest (simulator unit tests and the
// end-to-end tests against the firmware in the VM), then one closing line with
// the totals: "N passed, N failed".
const { spawnSync } = require("node:child_process")
const { readFileSync, rmSync } = require("node:fs")
const { join } = require("node:path")

const root = join(__dirname, "..")
const results = join(root, "build", "jest-results.json")

const vm = spawnSync(process.execPath, [join(__dirname, "test-vm.js")], { cwd: root, encoding: "utf8" })
process.stdout.write(vm.stdout || "")
process.stderr.write(vm.stderr || "")
const vmMatch = /vm-tests: (\d+) passed, (\d+) failed/.exec(vm.stdout || "")
let passed = vmMatch ? Number(vmMatch[1]) : 0
let failed = vmMatch ? Number(vmMatch[2]) : 1

rmSync(results, { force: true })
const jestArgs = [join(root, "node_modules", "jest", "bin", "jest.js"), "--runInBand", "--json", `--outputFile=${results}`, ...process.argv.slice(2)]
const jest = spawnSync(process.execPath, jestArgs, { cwd: root, stdio: "inherit" })
try {
    const j = JSON.parse(readFileSync(results, "utf8"))
    passed += j.numPassedTests
    failed += j.numFailedTests + j.numRuntimeErrorTestSuites
} catch {
    failed += 1
    console.error("test-all: jest wrote no results")
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(vm.status === 0 && jest.status === 0 && failed === 0 ? 0 : 1)
