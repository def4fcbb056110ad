// Lighthouse over several pages in one Chromium (Debian's, from CHROME_PATH), one audit after another.
//
//   node lighthouse-run.mjs URL [URL ...]
//
// Each URL is audited with the mobile preset (Lighthouse's default) and the desktop one. Prints one JSON object:
// {"<preset> <url>": {"scores": {category: 0-100}, "failed": [[audit id, title, score]], "metrics": {...}}}
import lighthouse, { desktopConfig } from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const urls = process.argv.slice(2);
const flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH, chromeFlags: flags });
const results = {};
try {
  for (const url of urls) {
    for (const [preset, config] of [["mobile", undefined], ["desktop", desktopConfig]]) {
      // A run Chromium could not trace (NO_NAVSTART and the like, a busy machine's hiccup) is run again, twice at most.
      let lhr;
      for (let attempt = 0; attempt < 3; attempt++) {
        lhr = (await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error" }, config)).lhr;
        if (!lhr.runtimeError) break;
      }
      const scores = Object.fromEntries(
        Object.entries(lhr.categories).map(([id, category]) => [id, Math.round(category.score * 100)]));
      const failed = Object.values(lhr.audits)
        .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === "binary")
        .map((audit) => [audit.id, audit.title, audit.score]);
      const metrics = Object.fromEntries(
        ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
          "speed-index"].map((id) => [id, lhr.audits[id] && lhr.audits[id].numericValue]));
      const details = lhr.runtimeError ? { runtimeError: lhr.runtimeError } : {};
      results[`${preset} ${url}`] = { scores, failed, metrics, ...details };
    }
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results));
