// A peer side by side: Icecast (Debian's icecast2) on loopback, fed the same
// PCM/WAV stream by ffmpeg (its source reads our /stream.wav), with the same
// number of listeners on each. Its /status-json.xsl latency against our
// /status, and its CPU against ours, measured alternately in one run.
const { execFileSync, spawn } = require("node:child_process")
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { sleep, freePort, track, stopChild, cpuSeconds } = require("./lib/processes")
const { get, Listener, latencyRuns } = require("./lib/clients")
const { round, summarize } = require("./lib/stats")

const ICECAST_WEB = "/usr/share/icecast2/web"
const ICECAST_ADMIN = "/usr/share/icecast2/admin"

function icecastBinary() {
    try {
        return execFileSync("sh", ["-c", "command -v icecast2 || command -v icecast"]).toString().trim()
    } catch {
        return ""
    }
}

function icecastConfig(dir, port) {
    return `<icecast><limits><clients>100</clients><sources>2</sources></limits>
<authentication><source-password>benchsrc</source-password><admin-user>admin</admin-user><admin-password>benchadm</admin-password></authentication>
<hostname>127.0.0.1</hostname><listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
<paths><basedir>${dir}</basedir><logdir>${dir}/log</logdir><webroot>${ICECAST_WEB}</webroot><adminroot>${ICECAST_ADMIN}</adminroot></paths>
<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>1</loglevel></logging>
<security><chroot>0</chroot>${process.getuid && process.getuid() === 0 ? "<changeowner><user>nobody</user><group>nogroup</group></changeowner>" : ""}</security></icecast>`
}

async function benchIcecast(sim, requests, runs) {
    const icecast = icecastBinary()
    if (!icecast) return { note: "icecast2 is not installed (apt-get install icecast2): no comparison in this run" }
    const port = await freePort()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mic-icecast-"))
    fs.mkdirSync(path.join(dir, "log"))
    // Icecast refuses to run as root; as root it drops to nobody, who must write its log.
    fs.chmodSync(dir, 0o777)
    fs.chmodSync(path.join(dir, "log"), 0o777)
    fs.writeFileSync(path.join(dir, "icecast.xml"), icecastConfig(dir, port))
    let ice, ffmpeg
    try {
        ice = track(spawn(icecast, ["-c", path.join(dir, "icecast.xml")], { stdio: "ignore" }))
        await sim.start()
        let up = false
        for (let i = 0; i < 100 && !up; i++) {
            try {
                up = (await get(port, "/status-json.xsl", {}, 500)).status === 200
            } catch {
                await sleep(50)
            }
        }
        if (!up) return { note: `Icecast did not start: ${fs.readFileSync(path.join(dir, "log", "error.log"), "utf8").slice(-500)}` }
        ffmpeg = track(spawn("ffmpeg", ["-nostdin", "-v", "error", "-i", `http://127.0.0.1:${sim.httpPort}/stream.wav`, "-c:a", "pcm_s16le", "-f", "wav",
            "-content_type", "audio/wav", `icecast://source:benchsrc@127.0.0.1:${port}/mic.wav`], { stdio: "ignore" }))
        for (let i = 0; i < 100; i++) {
            const s = JSON.parse((await get(port, "/status-json.xsl")).body.toString())
            if (s.icestats && s.icestats.source) break
            await sleep(100)
        }
        const rows = []
        for (const n of [0, 3]) {
            const ours = []
            const theirs = []
            const ls = []
            const iceLs = []
            for (let i = 0; i < n; i++) ls.push(await new Listener(sim.httpPort).open())
            for (let i = 0; i < n; i++) iceLs.push(await new Listener(port).open("/mic.wav"))
            await sleep(1000)
            const t0 = performance.now()
            const c0 = { vm: cpuSeconds(sim.vmPid), sim: cpuSeconds(sim.child.pid), ice: cpuSeconds(ice.pid) }
            for (let r = 0; r < runs; r++) {
                ours.push(...(await latencyRuns(sim.httpPort, "/status", requests, 1)))
                theirs.push(...(await latencyRuns(port, "/status-json.xsl", requests, 1)))
            }
            const secs = (performance.now() - t0) / 1000
            const ourCpu = (100 * (cpuSeconds(sim.vmPid) - c0.vm + cpuSeconds(sim.child.pid) - c0.sim)) / secs
            const iceCpu = (100 * (cpuSeconds(ice.pid) - c0.ice)) / secs
            const o = summarize(ours)
            const t = summarize(theirs)
            rows.push({
                listeners: n, ourStatusP50: o.p50, ourStatusP99: o.p99, icecastStatusP50: t.p50, icecastStatusP99: t.p99,
                p50Ratio: round(o.p50 / t.p50, 2), p99Ratio: round(o.p99 / t.p99, 2),
                ourCpuPercent: round(ourCpu), icecastCpuPercent: round(iceCpu), cpuRatio: round(ourCpu / Math.max(iceCpu, 0.1), 1),
                icecastListenersReceiving: iceLs.filter(l => l.bytes > 0).length,
            })
            console.log(`icecast, ${n} listeners each: our /status p50 ${o.p50} ms vs Icecast ${t.p50} ms; CPU ours ${round(ourCpu)}% vs Icecast ${round(iceCpu)}%`)
            ls.forEach(l => l.close())
            iceLs.forEach(l => l.close())
            await sleep(300)
        }
        return {
            version: execFileSync("sh", ["-c", "dpkg-query -W -f='${Version}' icecast2 2>/dev/null || true"]).toString(), rows,
            note: "ours = the VM and the board simulator (both processes); Icecast = its one process, whose source is ffmpeg reading our /stream.wav",
        }
    } finally {
        await stopChild(ffmpeg)
        await stopChild(ice)
        await sim.stop()
        fs.rmSync(dir, { recursive: true, force: true })
    }
}

module.exports = { benchIcecast }
