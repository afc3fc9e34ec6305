// Home: ask for the listener's shelves as NDJSON and paint each one the moment it arrives.
"use strict";
const $ = (id) => document.getElementById(id);
const KIND = { track: "song", episode: "podcast", prompted: "your prompt" };

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;  // text only: titles never become markup
  return node;
}

function tile(item, user) {
  const box = el("div", "tile");
  box.dataset.kind = item.kind;
  box.append(el("div", "k", KIND[item.kind] || item.kind));
  const title = el("div", "t", item.title);
  if (item.kind === "track" || item.kind === "episode") {
    const link = el("a", "", "");
    link.href = `https://open.spotify.com/${item.kind === "track" ? "track" : "episode"}/${encodeURIComponent(item.id)}`;
    link.rel = "noopener";
    link.append(title);
    box.append(link);
  } else {
    box.append(title);
  }
  box.append(el("div", "s", item.subtitle));
  if (item.why) box.title = item.why;
  return box;
}

function shelf(data, user) {
  const section = el("section", "shelf");
  section.dataset.shelf = data.id;
  section.append(el("h2", "", data.title), el("p", "why", data.why));
  const row = el("div", "row");
  data.items.forEach((item) => row.append(tile(item, user)));
  section.append(row);
  return section;
}

async function openHome(user) {
  const target = $("shelves");
  target.replaceChildren();
  $("status").textContent = "Loading…";
  const headers = { Accept: "application/x-ndjson" };
  const key = localStorage.getItem("segue.apikey");
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(`/users/${encodeURIComponent(user)}/home`, { headers });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    $("status").textContent = problem.detail || `Error ${response.status}`;
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", count = 0;
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    let cut;
    while ((cut = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, cut).trim();
      buffer = buffer.slice(cut + 1);
      if (line) { target.append(shelf(JSON.parse(line), user)); count += 1; }
    }
    if (done) break;
  }
  $("status").textContent = count ? "" : "Nothing to show yet.";
  history.replaceState(null, "", `/home?user=${encodeURIComponent(user)}`);
}

$("home-form").addEventListener("submit", (event) => {
  event.preventDefault();
  openHome($("listener").value.trim());
});
const initial = new URLSearchParams(location.search).get("user");
if (initial) { $("listener").value = initial; openHome(initial); }
