#!/usr/bin/env node
// `npm test`: the in-VM unit tests, then jest (simulator unit tests and the
// end-to-end tests against the firmware in the VM), then one closing line with
// the totals: "N passed, N failed".
const { spawn, spawnSync } = require("node:child_process")
const { existsSync, readFileSync, rmSync } = require("node:fs")
const { join } = require("node:path")

const root = join(__dirname, "..")
const results = join(root, "build", "jest-results.json")
/**
 * Once jest has written its results it should exit within moments. One that
 * does not is held by a handle that never closes (it happened: a socket reset
 * during its shutdown, see sim/net/reset-socket.ts, made jest spin at exit
 * forever). It is then ended by its pid and the run fails, saying why, instead
 * of hanging CI until its time limit.
 */
const JEST_EXIT_GRACE_MS = 60000

const vm = spawnSync(process.execPath, [join(__dirname, "test-vm.js")], { cwd: root, encoding: "utf8" })
process.stdout.write(vm.stdout || "")
process.stderr.write(vm.stderr || "")
const vmMatch = /vm-tests: (\d+) passed, (\d+) failed/.exec(vm.stdout || "")
let passed = vmMatch ? Number(vmMatch[1]) : 0
let failed = vmMatch ? Number(vmMatch[2]) : 1

rmSync(results, { force: true })
const jestArgs = [join(root, "node_modules", "jest", "bin", "jest.js"), "--runInBand", "--json", `--outputFile=${results}`, ...process.argv.slice(2)]

function runJest() {
    return new Promise(resolve => {
        const child = spawn(process.execPath, jestArgs, { cwd: root, stdio: "inherit" })
        let resultsSeenAt = 0
        let hung = false
        const watch = setInterval(() => {
            if (!resultsSeenAt && existsSync(results)) resultsSeenAt = Date.now()
            if (resultsSeenAt && Date.now() - resultsSeenAt > JEST_EXIT_GRACE_MS) {
                hung = true
                console.error(`test-all: jest wrote its results but did not exit within ${JEST_EXIT_GRACE_MS / 1000} s ` +
                    `(a handle that never closes: a socket, a timer, a child); ending it (pid ${child.pid})`)
                child.kill("SIGKILL")
            }
        }, 1000)
        child.on("exit", status => {
            clearInterval(watch)
            resolve({ status: hung ? 1 : status })
        })
    })
}

main()
async function main() {
    const jest = await runJest()
    try {
        const j = JSON.parse(readFileSync(results, "utf8"))
        passed += j.numPassedTests
        failed += j.numFailedTests + j.numRuntimeErrorTestSuites
    } catch {
        failed += 1
        console.error("test-all: jest wrote no results")
    }
    if (jest.status !== 0 && failed === 0) failed += 1 // jest itself failed (or hung at exit) though every test passed
    console.log(`${passed} passed, ${failed} failed`)
    process.exit(vm.status === 0 && jest.status === 0 && failed === 0 ? 0 : 1)
}
