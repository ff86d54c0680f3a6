// GET /: the listener page. One small self-contained document (no external
// assets: the device has no internet): a player on /stream.wav, a live level
// meter and the listener count from /status, and a clear message when every
// slot is taken. The text lives in the bytecode (flash), not in the heap.
import { escapeHtml } from "./html"
import { BodySink } from "../http/body-writer"

const PAGE_HEAD = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>`

const PAGE_STYLE = `</title><style>
body{font:16px system-ui,sans-serif;max-width:34em;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.4em}#meter{height:1.2em;background:#eee;border-radius:.3em;overflow:hidden}
#bar{height:100%;width:0;background:linear-gradient(90deg,#3a3,#cc3 70%,#c33);transition:width .2s}
#msg{min-height:1.5em;color:#a30}.row{margin:1em 0}button{font-size:1em;padding:.4em 1em}
</style></head><body><h1 id="name">`

const PAGE_BODY = `</h1>
<div class="row"><button id="play">Listen</button> <audio id="player" controls preload="none"></audio></div>
<div class="row">Level <span id="db">-</span><div id="meter"><div id="bar"></div></div></div>
<div class="row">Listeners: <b id="active">-</b> of <b id="max">-</b>, free slots: <b id="free">-</b></div>
<div class="row" id="msg" role="status"></div>
<script>
"use strict";
const $ = id => document.getElementById(id);
const player = $("player");
let full = false;
async function poll() {
  try {
    const s = await (await fetch("/status", { headers: { Accept: "application/json" }, cache: "no-store" })).json();
    const peak = s.capture.level.peakDbfs;
    $("db").textContent = peak.toFixed(1) + " dBFS";
    $("bar").style.width = Math.max(0, Math.min(100, (peak + 60) / 60 * 100)) + "%";
    $("active").textContent = s.streams.active;
    $("max").textContent = s.streams.max;
    $("free").textContent = Math.max(0, s.streams.max - s.streams.active);
    full = s.streams.active >= s.streams.max;
    if (full && player.paused) $("msg").textContent = "All " + s.streams.max + " listening slots are taken. Please try again in a moment.";
    else if (!full && $("msg").dataset.kind !== "error") $("msg").textContent = "";
  } catch (e) {
    $("msg").textContent = "The device does not answer.";
  }
}
function listen() {
  $("msg").dataset.kind = "";
  player.src = "/stream.wav?t=" + Date.now();
  player.play().catch(() => {});
}
player.addEventListener("error", () => {
  $("msg").dataset.kind = "error";
  $("msg").textContent = full ? "All listening slots are taken. Please try again in a moment." : "The stream stopped. Press Listen to reconnect.";
});
$("play").addEventListener("click", listen);
poll();
setInterval(poll, 500);
</script></body></html>
`

/** Writes the page: the constant parts go out in pieces straight from the bytecode, never joined in the heap. */
export function writeListenerPage(deviceName: string, out: BodySink) {
    const name = escapeHtml(deviceName)
    out.text(PAGE_HEAD)
    out.text(name)
    out.text(PAGE_STYLE)
    out.text(name)
    out.text(PAGE_BODY)
}
