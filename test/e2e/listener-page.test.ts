// The listener page in real headless Chromium (Debian's chromium, driven by
// playwright-core): it plays /stream.wav and its level meter moves.
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { chromium, Browser } from "playwright-core"
import { ROOT, SimProcess } from "../support/sim-process"
import { httpGet } from "../support/http-client"

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const ARTIFACTS = join(ROOT, "test-artifacts")

let sim: SimProcess
let browser: Browser

beforeAll(async () => {
    sim = await SimProcess.start({ source: "tone" })
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
    })
})

afterAll(async () => {
    await browser?.close()
    await sim?.stop()
})

test("the page is small and self-contained", async () => {
    const r = await httpGet(sim.url("/"))
    expect(r.status).toBe(200)
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8")
    const html = r.body.toString()
    expect(html.length).toBeLessThan(8 * 1024)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//) // no external assets
})

test("Listen plays the stream (currentTime advances), the meter moves with the tone, and a screenshot is written", async () => {
    const page = await browser.newPage()
    await page.goto(sim.url("/"))
    await page.click("#play")
    await page.waitForFunction(() => (document.getElementById("player") as HTMLAudioElement).currentTime > 1.5, null, { timeout: 15000 })
    const t1 = await page.evaluate(() => (document.getElementById("player") as HTMLAudioElement).currentTime)
    await page.waitForTimeout(1000)
    const t2 = await page.evaluate(() => (document.getElementById("player") as HTMLAudioElement).currentTime)
    expect(t2).toBeGreaterThan(t1 + 0.5)
    const width = await page.evaluate(() => parseFloat((document.getElementById("bar") as HTMLElement).style.width))
    expect(width).toBeGreaterThan(50) // -12 dBFS on a 60 dB scale is 80%
    expect(await page.textContent("#db")).toMatch(/-12(\.\d)? dBFS/)
    expect(await page.textContent("#active")).toBe("1")
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, "listener-page.png") })
    await page.close()
})

test("when every slot is taken the page says so", async () => {
    const { StreamClient } = require("../support/stream-client")
    // the previous test's player must have let go of its slot first
    for (let i = 0; i < 50 && (await sim.status()).streams.active > 0; i++) await new Promise(r => setTimeout(r, 100))
    const held = []
    // take slots until the device refuses one
    for (let i = 0; i < 10; i++) {
        const c = await new StreamClient(sim.httpPort).open()
        held.push(c)
        if (c.status === 503) break
    }
    expect(held[held.length - 1].status).toBe(503)
    const page = await browser.newPage()
    await page.goto(sim.url("/"))
    await page.waitForFunction(() => /slots are taken/.test(document.getElementById("msg")!.textContent ?? ""), null, { timeout: 5000 })
    expect(await page.textContent("#free")).toBe("0")
    await page.close()
    held.forEach((c: any) => c.close())
})
