"""What the reader script hands to the browser to send, counted in the page as it hands it over.

``COUNT_SENDS`` is an init script: in each document it counts the batches of counters given to ``sendBeacon`` (and
accepted) or POSTed by ``fetch`` when a beacon is refused, and ``window.__szSends`` reads the count. A test thus knows
what a page sent the moment the page's own handler returns, and waits for exactly that to reach the server (or knows
that nothing will), instead of pausing for a guessed time.
"""

COUNT_SENDS = """(() => {
  let sends = 0;
  Object.defineProperty(window, "__szSends", { get: () => sends });
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (...args) => {
    const queued = beacon(...args);
    if (queued) sends += 1;
    return queued;
  };
  const fetcher = window.fetch.bind(window);
  window.fetch = (input, init) => {
    if (init && init.method === "POST") sends += 1;
    return fetcher(input, init);
  };
})();"""


def leave(page):
    """Fire the page's pagehide handlers (what leaving it does, while it stays open) and return how many batches the
    document has sent so far, those included."""
    return page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide')), window.__szSends")
