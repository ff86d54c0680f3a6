#!/usr/bin/env node
// Builds the firmware twice with the real DeviceScript compiler: for the ESP32-S3
// board config in boards/ (so it always builds for its real target) and for the
// simulator. Each bytecode is copied out of .devicescript/bin (which every
// `devs build` or `devs run` overwrites) into build/firmware/.
// Also fails the build when a service spec did not compile: `devs build` only
// prints spec errors and exits 0.
const { spawnSync } = require("node:child_process")
const { copyFileSync, mkdirSync, readFileSync } = require("node:fs")
const { join } = require("node:path")

const root = join(__dirname, "..")
const cli = join(root, "node_modules", "@devicescript", "cli", "built", "devicescript-cli.cjs")
const out = join(root, "build", "firmware")
mkdirSync(out, { recursive: true })

/** Services the board must provide; each must be in services.json after a build. */
const REQUIRED_SERVICES = ["audioCapture", "socketBridge"]

function build(entry, name) {
    const r = spawnSync(process.execPath, [cli, "build", entry], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
    const text = ((r.stdout || "") + (r.stderr || "")).replace(/\x1b\[[0-9;]*m/g, "")
    process.stdout.write(text.split("\n").filter(l => !/^using devs/.test(l)).join("\n"))
    if (r.status !== 0 || /\berror\b/i.test(text)) {
        console.error(`build-firmware: compiling ${entry} failed (exit ${r.status})`)
        process.exit(1)
    }
    for (const ext of [".devs", "-dbg.json"]) copyFileSync(join(root, ".devicescript", "bin", `bytecode${ext}`), join(out, `${name}${ext}`))
    const size = readFileSync(join(out, `${name}.devs`)).length
    console.log(`build-firmware: ${entry} -> build/firmware/${name}.devs (${size} bytes)`)
}

build("src/main-esp32s3.ts", "esp32s3_inmp441")
build("src/main.ts", "network-mic")

const specs = JSON.parse(readFileSync(join(root, ".devicescript", "services.json"), "utf8"))
for (const name of REQUIRED_SERVICES) {
    if (!specs.some(s => s.camelName === name)) {
        console.error(`build-firmware: service '${name}' is missing from .devicescript/services.json: its spec in services/ has an error (see the build output above)`)
        process.exit(1)
    }
}
console.log(`build-firmware: services compiled: ${REQUIRED_SERVICES.join(", ")}`)
