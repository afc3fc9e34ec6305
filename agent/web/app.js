// Segue web page: streams a playlist from POST /generate/stream, refines and exports it.
// Every piece of server text is written with textContent, never parsed as HTML, so titles and narration stay text.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { playlist: null, tracks: [], segments: [], added: new Set() };

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function headers() {
  const h = { "Content-Type": "application/json", Accept: "application/json" };
  const key = $("apikey").value.trim();
  if (key) h["X-API-Key"] = key;
  return h;
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function problemText(p, status) {
  if (p && p.title) return `${p.title}${p.detail ? ": " + p.detail : ""}${p.request_id ? ` (request ${p.request_id})` : ""}`;
  return `request failed (${status})`;
}

async function readProblem(res) {
  try { return problemText(await res.json(), res.status); } catch { return problemText(null, res.status); }
}

// ------------------------------------------------------------------ Server-Sent Events over fetch (POST)

async function* sseEvents(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
}

function parseBlock(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue; // keep-alive comment
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { name, data: JSON.parse(data.join("\n")) };
}

// ------------------------------------------------------------------ generate

function generateBody() {
  const body = { prompt: $("prompt").value.trim() };
  const n = parseInt($("length").value, 10);
  if (Number.isFinite(n) && n > 0) body[$("unit").value] = n;
  if ($("clean").checked) body.allow_explicit = false;
  const listener = $("listener").value.trim();
  if (listener) body.user_id = listener;
  return body;
}

async function generate(event) {
  event.preventDefault();
  const body = generateBody();
  if (!body.prompt) return setStatus("Type a prompt first.", true);
  busy(true);
  setStatus("Listening to your prompt…");
  resetResult();
  try {
    const res = await fetch("/generate/stream", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    if (!res.ok) return setStatus(await readProblem(res), true);
    for await (const ev of sseEvents(res)) onStreamEvent(ev);
  } catch (err) {
    setStatus(`Could not reach Segue: ${err.message}`, true);
  } finally {
    busy(false);
  }
}

function onStreamEvent(ev) {
  if (ev.name === "spec") {
    $("result").hidden = false;
    $("title").textContent = ev.data.prompt;
    setStatus("Picking tracks…");
  } else if (ev.name === "track") {
    state.tracks.push(ev.data);
    renderTable();
    renderChart();
  } else if (ev.name === "segment") {
    state.segments.push(ev.data);
    renderTable();
  } else if (ev.name === "done") {
    showPlaylist(ev.data);
    history.replaceState(null, "", `?playlist=${encodeURIComponent(ev.data.id)}`);
    setStatus(`Ready: ${ev.data.tracks.length} tracks.`);
  } else if (ev.name === "error") {
    setStatus(problemText(ev.data), true);
  }
}

// ------------------------------------------------------------------ refine

async function refine(event) {
  event.preventDefault();
  const instruction = $("instruction").value.trim();
  if (!instruction || !state.playlist) return;
  busy(true);
  setStatus(`Refining: ${instruction}…`);
  try {
    const res = await fetch(`/playlists/${encodeURIComponent(state.playlist.id)}/refine`,
      { method: "POST", headers: headers(), body: JSON.stringify({ instruction }) });
    if (!res.ok) return setStatus(await readProblem(res), true);
    const result = await res.json();
    state.added = new Set(result.diff.added.map((t) => t.id));
    showPlaylist(result.playlist);
    history.replaceState(null, "", `?playlist=${encodeURIComponent(result.playlist.id)}`);
    renderDiff(result);
    setStatus(`Refined: kept ${result.diff.kept.length}, added ${result.diff.added.length}, removed ${result.diff.removed.length}.`);
  } catch (err) {
    setStatus(`Could not reach Segue: ${err.message}`, true);
  } finally {
    busy(false);
  }
}

function renderDiff(result) {
  const box = $("diff");
  box.replaceChildren();
  box.hidden = false;
  const changes = result.changes.map((c) => `${c.field}: ${c.before} → ${c.after}`).join(" · ");
  box.append(el("p", { class: "summary" }, changes ? `Changed ${changes}` : "No change to the spec."));
  for (const [label, items] of [["Removed", result.diff.removed], ["Added", result.diff.added]]) {
    if (!items.length) continue;
    box.append(el("h3", {}, `${label} (${items.length})`));
    const list = el("ul");
    for (const t of items) list.append(el("li", {}, `${t.title} — ${t.artists.join(", ")}: ${t.reason}`));
    box.append(list);
  }
}

// ------------------------------------------------------------------ rendering

function resetResult() {
  Object.assign(state, { playlist: null, tracks: [], segments: [], added: new Set() });
  $("diff").hidden = true;
  $("result").hidden = true;
  renderTable();
  renderChart();
  $("constraints").replaceChildren();
}

function showPlaylist(p) {
  Object.assign(state, { playlist: p, tracks: p.tracks, segments: p.segments });
  $("result").hidden = false;
  $("title").textContent = p.prompt;
  const minutes = Math.round(p.tracks.reduce((s, t) => s + t.duration_ms, 0) / 60000);
  $("meta").textContent = `${p.tracks.length} tracks · ${minutes} min · ${p.provider}${p.degraded ? " (degraded)" : ""} · ${p.id}`;
  for (const fmt of ["m3u8", "xspf", "jspf"]) {
    const a = $(`export-${fmt}`);
    a.href = `/playlists/${encodeURIComponent(p.id)}/export/${fmt}`;
    a.setAttribute("download", `segue-${p.id}.${fmt}`);
  }
  renderTable();
  renderChart();
  renderConstraints(p.constraints);
}

function renderTable() {
  const body = $("tracks").tBodies[0];
  const bySlot = new Map(state.segments.map((s) => [s.before_position, s]));
  const rows = [];
  for (const t of state.tracks) {
    if (bySlot.has(t.position)) rows.push(narrationRow(bySlot.get(t.position)));
    rows.push(trackRow(t));
  }
  const outro = bySlot.get(state.tracks.length + 1);
  if (outro && state.tracks.length) rows.push(narrationRow(outro));
  body.replaceChildren(...rows);
}

function narrationRow(segment) {
  const row = el("tr", { class: "narration" });
  row.append(el("td", { colspan: "8" }, segment.text));
  return row;
}

function trackRow(t) {
  const row = el("tr", { class: state.added.has(t.id) ? "track added" : "track", "data-id": t.id });
  row.append(el("td", { class: "num" }, t.position));
  const title = el("td", { class: "title" }, t.title);
  if (t.explicit === true) title.append(el("span", { class: "explicit", title: "explicit" }, "E"));
  const artists = t.artists.join(", ");
  title.append(el("span", { class: "by" }, artists)); // shown under the title when the Artist column is hidden
  row.append(title, el("td", { class: "artist" }, artists), el("td", { class: "num" }, t.year ?? ""),
    el("td", { class: "num" }, t.tempo == null ? "" : Math.round(t.tempo)), el("td", { class: "camelot" }, t.camelot ?? ""));
  row.append(energyCell(t.energy), el("td", { class: "why" }, t.why));
  return row;
}

// Talk episodes have no audio features: their energy, tempo and key are null and their cells stay empty.
function energyCell(energy) {
  const cell = el("td", energy == null ? { class: "meter" } : { class: "meter", title: `energy ${energy.toFixed(2)}` });
  if (energy == null) return cell;
  const bar = el("div", { class: "energy" });
  const fill = el("span");
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, energy)) * 100)}%`;
  bar.append(fill);
  cell.append(bar);
  return cell;
}

function renderConstraints(list) {
  $("constraints").replaceChildren(...(list || []).map((c) =>
    el("li", { class: c.met ? "met" : "unmet" }, `${c.met ? "✓" : "✗"} ${c.name}: ${c.actual} (asked ${c.target})`)));
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function renderChart() {
  const chart = $("chart");
  chart.replaceChildren();
  const tracks = state.tracks;
  if (!tracks.length) $("tempo-key").textContent = "tempo (BPM)";
  const [w, h, pad] = [800, 160, 12];
  for (const y of [0.25, 0.5, 0.75]) chart.append(svg("line", { x1: 0, x2: w, y1: h * y, y2: h * y, class: "grid", stroke: "#2a2f40" }));
  if (!tracks.length) return;
  const x = (i) => (tracks.length === 1 ? w / 2 : pad + (i * (w - 2 * pad)) / (tracks.length - 1));
  const music = tracks.map((t, i) => [t, i]).filter(([t]) => t.energy != null);  // talk episodes are not plotted
  const tempos = music.map(([t]) => t.tempo).filter((v) => v > 0);
  const [lo, hi] = [Math.min(...tempos, 200) - 5, Math.max(...tempos, 60) + 5];
  $("tempo-key").textContent = tempos.length ? `tempo (${Math.round(Math.min(...tempos))}–${Math.round(Math.max(...tempos))} BPM)` : "tempo (BPM)";
  const yEnergy = (t) => h - pad - t.energy * (h - 2 * pad);
  const yTempo = (t) => h - pad - ((t.tempo - lo) / (hi - lo || 1)) * (h - 2 * pad);
  const line = (fy, color, cls) => svg("polyline", { points: music.map(([t, i]) => `${x(i)},${fy(t)}`).join(" "),
    fill: "none", stroke: color, "stroke-width": 2.5, "stroke-linejoin": "round", "vector-effect": "non-scaling-stroke", class: cls });
  chart.append(line(yTempo, "#7c6cff", "tempo"), line(yEnergy, "#ff7a59", "energy"));
  music.forEach(([t, i]) => {
    const dot = svg("circle", { cx: x(i), cy: yEnergy(t), r: 3.5, fill: "#ff7a59" });
    const tip = svg("title", {});
    tip.textContent = `${t.position}. ${t.title} — energy ${t.energy.toFixed(2)}, ${Math.round(t.tempo)} BPM`;
    dot.append(tip);
    chart.append(dot);
  });
}

async function loadFromUrl() {
  const id = new URLSearchParams(location.search).get("playlist");
  if (!id) return;
  setStatus("Loading playlist…");
  try {
    const res = await fetch(`/playlists/${encodeURIComponent(id)}`, { headers: headers() });
    if (!res.ok) return setStatus(await readProblem(res), true);
    const p = await res.json();
    showPlaylist(p);
    setStatus(`Loaded ${p.tracks.length} tracks.`);
  } catch (err) {
    setStatus(`Could not reach Segue: ${err.message}`, true);
  }
}

function busy(on) {
  $("go").disabled = on;
  $("refine-go").disabled = on;
}

// ------------------------------------------------------------------ wiring

$("generate-form").addEventListener("submit", generate);
$("refine-form").addEventListener("submit", refine);
$("examples").addEventListener("click", (e) => {
  if (e.target.classList.contains("chip")) { $("prompt").value = e.target.textContent; $("prompt").focus(); }
});
$("refine-examples").addEventListener("click", (e) => {
  if (e.target.classList.contains("chip")) { $("instruction").value = e.target.textContent; $("instruction").focus(); }
});
$("apikey").value = localStorage.getItem("segue.apikey") || "";
$("apikey").addEventListener("change", () => localStorage.setItem("segue.apikey", $("apikey").value));
loadFromUrl();
