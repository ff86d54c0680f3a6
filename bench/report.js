// Writes one bench run: the raw results as bench/results/<date>.json and the
// tables of BENCHMARKS.md, with the command that reproduced them and the machine.
const fs = require("node:fs")
const path = require("node:path")
const { ROOT } = require("./lib/processes")

function table(rows, cols) {
    const cell = (r, c) => (typeof c[1] === "function" ? c[1](r) : r[c[1]] ?? "")
    return [`| ${cols.map(c => c[0]).join(" | ")} |`, `|${cols.map(() => "---").join("|")}|`, ...rows.map(r => `| ${cols.map(c => cell(r, c)).join(" | ")} |`)].join("\n")
}

const spread = k => r => (r[k] === undefined ? "" : `${r[k]} (${r[`${k}Spread`][0]}–${r[`${k}Spread`][1]})`)
/** The p50 cell, or the reason a point was not measured. */
const p50OrNote = r => (r.p50 === undefined ? r.note ?? "" : spread("p50")(r))

function writeReport(results) {
    const date = results.date.slice(0, 10)
    fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true })
    const jsonFile = path.join(ROOT, "bench", "results", `${date}.json`)
    fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n")
    const st = results.settings
    const m = results.machine
    let md = `# Benchmarks\n\n`
    md += `One run of \`${results.command}\` (${Math.round(results.durationSeconds / 60)} min) on ${m.cpus} cores (${m.cpuModel}), Node ${m.node}, ${m.platform}, ${results.date}. `
    md += `Raw results: [\`bench/results/${date}.json\`](bench/results/${date}.json). The simulator runs the real firmware bytecode in the DeviceScript VM (wasm); every client is a real TCP client on loopback.\n\n`
    md += `Latencies are the median of ${st.runs} runs of ${st.requestsPerRun} \`GET /status\` requests, each on a fresh connection (the firmware answers one request per connection by design, so there is no keep-alive figure), with the spread of the runs (min–max) in brackets. `
    md += `The machine is shared and noisy: compare figures within this run. The ${st.soakSeconds / 60}-minute memory soak (3 listeners on a simulator of its own, after its connect/disconnect cycles, which run alone) runs beside the other measurements, so that the whole bench fits in 15 minutes.\n\n`

    md += `## Status latency, cost and capacity against load\n\n`
    md += `Listeners are bit-checked test-pattern streams. "Firmware's own": the firmware's measurement of its last requests, from the bridge's ACCEPTED to the last byte handed to the link (whole milliseconds, the VM's clock); the rest of the client's figure is the simulated board (bridge, bus, the wasm host) and loopback. CPU is % of one core over the window. "Zero loss": no sample error, no dropped audio, no disconnect, and every listener received ≥ 98% of real time.\n\n`
    md += table(results.load, [["rate Hz", "sampleRate"], ["listeners", "listeners"], ["/status p50 ms", p50OrNote], ["p95 ms", spread("p95")], ["p99 ms", spread("p99")],
        ["firmware's own p50/p99 ms", r => (r.firmwareP50 === undefined ? "" : `${r.firmwareP50} / ${r.firmwareP99}`)], ["window s", "seconds"], ["VM CPU %", "vmCpuPercent"], ["sim CPU %", "simCpuPercent"], ["zero loss", "zeroLoss"], ["sample errors", "sampleErrors"], ["dropped ms", "droppedMs"]])
    md += `\n\nCapacity (the most listeners with zero loss for the window): ` +
        Object.entries(results.capacity).map(([rate, c]) => `**${c.maxZeroLossListeners} at ${rate} Hz** (firmware limit ${c.firmwareLimit}${c.note ? `; ${c.note}` : ""})`).join(", ") + ".\n\n"

    const m2e = results.load.filter(r => r.mouthToEar)
    md += `## Mouth-to-ear latency\n\nFrom the moment the simulator sends the report that carries a sample (when the report's last sample is due by the clock) to the moment a listener's socket receives it, from the test pattern's sample index (no guessing), 16 kHz.\n\n`
    md += table(m2e, [["listeners", "listeners"], ["chunks", r => r.mouthToEar.chunks], ["p50 ms", r => r.mouthToEar.p50], ["p99 ms", r => r.mouthToEar.p99], ["max ms", r => r.mouthToEar.max]]) + "\n\n"

    const ice = results.icecast
    if (ice.rows) {
        md += `## Side by side with Icecast ${ice.version}\n\n${ice.note}. Same number of listeners on each; requests alternate between the two servers in one run.\n\n`
        md += table(ice.rows, [["listeners each", "listeners"], ["our /status p50 ms", "ourStatusP50"], ["Icecast /status-json.xsl p50 ms", "icecastStatusP50"], ["p50 ratio (ours/Icecast)", "p50Ratio"],
            ["our p99 ms", "ourStatusP99"], ["Icecast p99 ms", "icecastStatusP99"], ["p99 ratio", "p99Ratio"], ["our CPU %", "ourCpuPercent"], ["Icecast CPU %", "icecastCpuPercent"], ["CPU ratio (ours/Icecast)", "cpuRatio"]]) + "\n\n"
    } else md += `## Side by side with Icecast\n\n${ice.note}\n\n`

    const mem = results.memory
    md += `## Memory\n\nThe program cannot read its 64 KB heap, so it counts what it holds (connections, fibers, request buffers; idle is 1 connection (the /status request itself), 2 fibers (the HTTP workers), 0 buffers), and the processes' RSS is read from /proc.\n\n`
    md += table(mem.snapshots, [["when", "label"], ["live connections", r => r.live.connections], ["live fibers", r => r.live.fibers], ["live buffers", r => r.live.buffers], ["VM RSS MB", "vmRssMb"], ["sim RSS MB", "simRssMb"]]) + "\n\n"
    const so = mem.soak
    md += `Soak: ${so.seconds / 60} min of 3 listeners, ${so.sampleErrors} sample errors, ${so.disconnected} disconnects, ${mem.panics} VM panics`
    if (so.captureGaps !== undefined) md += `; the firmware saw ${so.captureGaps} gaps from the board (${so.lostSamples} samples), ${so.stalls} microphone stalls, frames the board itself lost ${so.boardLostFrames}, listener skips ${so.listenerSkips.join("/")} (dropped ${so.listenerDroppedMs.join("/")} ms)`
    md += `. This soak shares the machine with every other measurement of the run (it is there for the memory figures); the bit-exact soak runs alone: \`npm run soak\`.\n\n`
    const h = results.heap
    md += `**Heap headroom** (bench/heap-probe.js): the firmware built with one extra buffer held for ever, under ${h.probeSeconds} s of listeners plus bursts of requests on every route; the largest buffer that never ran the VM out of memory, to 1 KB. `
    md += `With 3 listeners: **${h.headroomBytesWith3Listeners} B**; with ${h.headroomListeners} (the firmware's ceiling): **${h.headroomBytesAtCeiling} B**. `
    md += `So one listener costs about ${h.bytesPerListener} B of heap, the ${h.ringBytes / 1024} KB audio ring could grow to about ${h.largestRingBytes === null ? "?" : Math.floor(h.largestRingBytes / 1024)} KB with 3 listeners, and the heap would hold about ${h.listenersTheHeapWouldHold} listeners with nothing to spare (the ceiling keeps a margin for hostile traffic).\n\n`

    md += `## Start-up\n\nMedian of ${results.startup.runs.length}: first \`/status\` answer **${results.startup.firstStatusMs} ms**, first audio byte **${results.startup.firstAudioByteMs} ms** (${results.startup.note}).\n`
    fs.writeFileSync(path.join(ROOT, "BENCHMARKS.md"), md)
    console.log(`bench: wrote ${path.relative(ROOT, jsonFile)} and BENCHMARKS.md`)
}

module.exports = { writeReport }

// `node bench/report.js bench/results/<date>.json` writes BENCHMARKS.md again from a stored run.
if (require.main === module) writeReport(JSON.parse(fs.readFileSync(process.argv[2], "utf8")))
