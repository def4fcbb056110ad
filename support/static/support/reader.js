/* Samizdat's reader script. Pages are the same bytes for everyone; what is personal (a random id, the variants it
 * draws, supporter and snooze flags, caps, reading count) is decided here from localStorage ("sz:" keys) and never
 * sent; the server gets anonymous counters only. Without JavaScript the server's default ask stays.
 */
"use strict";
(() => {
const DAY = 864e5;
const $ = (css, root = document) => root.querySelector(css);
const $$ = (css, root = document) => root.querySelectorAll(css);
const now = Date.now();
const params = new URLSearchParams(location.search);
// Static mirrors: no counters; goal.json is found from this script's address (any host or sub-path).
const isStatic = $('meta[name="samizdat:mode"][content=static]');
const goalUrl = isStatic ? new URL("../../support/goal.json", document.currentScript.src) : "/support/goal.json";
const forced = params.get("ask"); // editors' preview of a variant: nothing counted or kept

// localStorage may be missing or throw: then state lasts one page view.
const memory = {};
function load(key, fallback) {
  try {
    const raw = localStorage.getItem("sz:" + key);
    if (raw !== null) return JSON.parse(raw);
  } catch {}
  return key in memory ? memory[key] : fallback;
}
function save(key, value) {
  memory[key] = value;
  try { localStorage.setItem("sz:" + key, JSON.stringify(value)); } catch {}
}
function until(key) { // an end time, or 0 if absent or past
  const time = load(key, 0);
  return typeof time === "number" && time > Date.now() ? time : 0;
}
function snooze(days) {
  if (!forced && days > 0) save("snooze", Math.max(until("snooze"), Date.now() + days * DAY));
}
const markSupporter = () => (save("supporter", Date.now() + 365 * DAY), save("former", 0));

// FNV-1a + murmur3's finaliser (similar ids land far apart) → [0, 1).
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

// Supporters (a year) and former ones (win-back asks): marked by pages, see support/dunning/marker.py.
if ($("[data-sz-mark-supporter]")) markSupporter();
if ($("[data-sz-mark-former]")) save("supporter", 0), save("former", now);
if ($("[data-sz-forget-former]")) save("former", 0);

// ?ask-debug=1: what each surface shows and why, for the newsroom.
function debug(lines) {
  if (params.get("ask-debug") !== "1") return;
  const pre = Object.assign(document.createElement("pre"), { className: "ask-debug", textContent: lines.join("\n") });
  if (config) config.after(pre);
  else $("main")?.prepend(pre);
}

const config = $("#sz-asks");
if (!config) return debug(["asks: none on this page"]);
const data = config.dataset;
const setting = (list, name) => Number(((list || "").match(new RegExp(`(?:^|,)${name}:(\\d+)`)) || [])[1]);
const campaign = Number(data.campaign);
const capDays = Number(data.capDays) || 30;
const beacons = !forced && campaign > 0 && !isStatic;

// The random id only seeds the draws below; it never leaves this browser.
let id = load("id", "");
if (typeof id !== "string" || id.length < 16) {
  id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  save("id", id);
}

// Articles read this calendar month, each counted once.
const month = new Date(now).getFullYear() + "-" + new Date(now).getMonth();
let reads = load("reads", null);
if (!reads || reads.month !== month || !Array.isArray(reads.ids)) reads = { month, ids: [] };
if (!forced && !reads.ids.includes(data.article)) {
  reads.ids.push(data.article);
  save("reads", reads);
}

const queue = [];
const count = (arm, kind) => beacons && queue.push([arm, kind]);
function flush() {
  const to = "/support/events/";
  while (queue.length) {
    const body = JSON.stringify({ campaign, events: queue.splice(0, 50) });
    let sent = false;
    try { sent = navigator.sendBeacon(to, new Blob([body], { type: "application/json" })); } catch {}
    if (!sent) fetch(to, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
  }
}

const isRunning = (el) => !(Date.parse(el.dataset.starts) > now) && !(Date.parse(el.dataset.ends) <= now);
function pick(variants, u) {
  const weights = variants.map((v) => Number(v.dataset.weight) || 0);
  let left = u * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < variants.length; i++) if ((left -= weights[i]) < 0) return variants[i];
  return variants[0]; // all weights 0
}

const shown = new Map(); // surface → the variant key it shows
function show(surface, variant) {
  const box = $(".ask__variant", surface);
  const key = (box.dataset.askVariant = variant.dataset.askVariant);
  if (variant !== box) box.replaceChildren(variant.content.cloneNode(true)); // a <template> replaces the default
  for (const link of $$("[data-ask-click],[data-ask-remind]", box)) {
    const url = new URL(link.getAttribute("href"), location.href);
    url.searchParams.set("variant", key);
    link.setAttribute("href", url.pathname + url.search + url.hash); // stays root-relative
  }
  for (const span of $$("[data-reads-count]", box)) span.textContent = reads.ids.length;
  for (const line of $$("[data-reads-line]", box)) line.hidden = reads.ids.length < 2;
  for (const button of $$("[data-ask-close]", surface)) button.hidden = false;
  surface.hidden = false;
  shown.set(surface, key);
}

const supporter = until("supporter");
const former = !supporter && load("former", 0) > now - 365 * DAY;
const isBack = (v) => v.dataset.audience === "former";
function drawable(all) { // win-back variants: for former supporters only
  const on = all.filter(isRunning), back = on.filter(isBack);
  return former && back.length ? back : on.filter((v) => !isBack(v));
}
const snoozed = until("snooze");
const holdback = hash(id + ":holdback") * 100 < Number(data.holdback);
let seen = load("seen", {});
if (!seen || typeof seen !== "object") seen = {};
const report = [];
for (const surface of $$("[data-ask-surface]")) {
  const name = surface.dataset.askSurface;
  const variants = [...$$(".ask__variant, template[data-ask-variant]", surface)];
  const force = forced && variants.find((v) => v.dataset.askVariant === forced);
  const times = [].concat(seen[name] || []).filter((t) => t > now - capDays * DAY);
  const cap = setting(data.caps, name);
  let why;
  surface.hidden = true;
  if (force) {
    show(surface, force);
    why = "forced";
  } else if (supporter) {
    const thanks = $("template[data-ask-thanks]", surface);
    if (thanks) {
      for (const child of surface.children) child.hidden = true;
      surface.append(thanks.content.cloneNode(true));
      surface.hidden = false;
    }
    why = "supporter";
  } else if (holdback) {
    why = "holdback";
  } else if (snoozed) {
    why = "snoozed until " + new Date(snoozed).toISOString().slice(0, 10);
  } else if (!drawable(variants).length) {
    why = "not running";
  } else if (times.length >= cap) {
    why = `cap ${times.length}/${cap} in ${capDays} days`;
  } else {
    // One stable bucket per surface: its low end is the control share, the rest (rescaled) draws the variant.
    // Control readers use up the cap as if they saw the ask, so both arms count alike.
    const bucket = hash(id + ":" + name);
    const control = Math.min(setting(data.controls, name) || 0, 99) / 100;
    if (!forced) times.push(now);
    if (bucket < control) {
      count("control:" + name, "impression");
      why = "control";
    } else {
      show(surface, pick(drawable(variants), (bucket - control) / (1 - control)));
      count(shown.get(surface), "impression");
      why = `cap ${times.length}/${cap}`;
    }
  }
  seen[name] = times;
  report.push(`${name}: ${surface.hidden ? "hidden" : "shown " + (shown.get(surface) || "thanks")} (${why})`);
}
if (holdback && !supporter && report.length) count("holdback", "impression");
if (!forced) save("seen", seen);

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest("[data-ask-already]")) markSupporter(); // then the link goes on
  const surface = target?.closest("[data-ask-surface]");
  const key = shown.get(surface);
  if (!key) return;
  if (target.closest("[data-ask-click]")) count(key, "click");
  if (target.closest("[data-ask-close]")) {
    surface.hidden = true;
    count(key, "close");
    snooze(Number(data.closeSnoozeDays));
  }
  const remind = target.closest("[data-ask-remind]");
  if (remind && openRemind(surface, remind, key)) event.preventDefault();
});

// "Remind me later" opens the inline form; it posts normally and snoozes asks on submit.
let remindForm = null;
function openRemind(surface, link, key) {
  if (!remindForm) {
    const fragment = $("template[data-ask-remind-form]", surface)?.content.cloneNode(true);
    remindForm = fragment && $("form", fragment);
    if (!remindForm) return false;
    const fields = remindForm.elements;
    if (fields.variant) fields.variant.value = key;
    remindForm.addEventListener("submit", () => {
      snooze({ week: 7, month: 30, quarter: 91 }[fields.when?.value] || 30);
    });
    (link.closest("p") || link).after(fragment);
  }
  remindForm.elements.email?.focus();
  return true;
}

// Live figures replace those baked into the page; fails silently.
if (shown.size) {
  fetch(goalUrl, { credentials: "omit" })
    .then((r) => r.json())
    .then((doc) => {
      const goal = doc.campaigns[data.language];
      for (const el of $$("[data-figure]")) {
        const value = goal.text[el.dataset.figure];
        if (typeof value === "string") el.textContent = value;
      }
      const max = parseFloat(goal.monthly_cost);
      const income = parseFloat(goal.income);
      for (const meter of max > 0 && income >= 0 ? $$("meter[data-goal-meter]") : []) {
        meter.max = max;
        meter.value = income;
        meter.textContent = goal.text.percent + "%";
      }
    })
    .catch(() => {});
}

debug([`asks (${forced ? "preview " + forced : "reader"}, read this month: ${reads.ids.length})`, ...report]);

// Counters go in one batch when the page is hidden or left, and after 2 s for short visits.
addEventListener("pagehide", flush);
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());
setTimeout(flush, 2000);
})();
