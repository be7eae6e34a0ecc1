// "Load more": fetch the next page's cards and append them, without a full page reload.
// Progressive enhancement: without JavaScript the same links are plain pagination.
(function () {
  "use strict";

  function cardsIn(grid) {
    return new Set(Array.from(grid.querySelectorAll(".card__title a")).map((a) => a.getAttribute("href")));
  }

  async function loadMore(link) {
    const section = link.closest("[data-load-more]");
    const grid = section.querySelector(".card-grid");
    const nav = link.closest("nav");
    const status = section.querySelector("[role=status]");
    if (link.dataset.loading) return;
    link.dataset.loading = "1";
    status.textContent = "Loading…";
    try {
      const response = await fetch(link.href, {headers: {Accept: "text/html"}});
      if (!response.ok) throw new Error(response.statusText);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const seen = cardsIn(grid);
      seen.add(window.location.pathname);
      const incoming = page.querySelector("[data-load-more] .card-grid") || page.querySelector(".card-grid");
      let added = 0;
      for (const card of Array.from(incoming ? incoming.children : [])) {
        const href = card.querySelector(".card__title a")?.getAttribute("href");
        if (href && seen.has(href)) continue;
        grid.append(document.adoptNode(card));
        added += 1;
      }
      const nextNav = page.querySelector("[data-load-more] nav.pagination");
      if (nextNav && nextNav.querySelector("a.load-more")) {
        // The fetched page's links are relative to it, not to this page.
        nextNav.querySelectorAll("a[href]").forEach((a) => {
          a.href = new URL(a.getAttribute("href"), response.url).href;
        });
        nav.replaceWith(document.adoptNode(nextNav));
        wire(section);
      } else {
        nav.remove();
      }
      status.textContent = added ? `${added} more articles loaded.` : "No more articles.";
    } catch (error) {
      delete link.dataset.loading;
      status.textContent = "Could not load more articles. Follow the link to continue.";
    }
  }

  function wire(section) {
    const link = section.querySelector("a.load-more");
    if (!link) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      loadMore(link);
    });
  }

  document.querySelectorAll("[data-load-more]").forEach(wire);
})();

// Live coverage: ask for entries newer than the newest one shown, every 20 s while the tab is
// visible (the browser revalidates with the ETag: 304 when nothing is new). Without JavaScript
// a reload shows them.
(function () {
  "use strict";
  const section = document.querySelector("[data-live-poll]");
  if (!section) return;
  const POLL_SECONDS = Number(section.dataset.pollSeconds) || 20;
  const feed = section.querySelector(".live-feed");
  const status = section.querySelector(".live__status");
  let timer = null;
  let ended = false;

  async function poll() {
    timer = null;
    try {
      const url = `${section.dataset.livePoll}?after=${encodeURIComponent(section.dataset.after)}`;
      const response = await fetch(url, {headers: {Accept: "application/json"}, cache: "no-cache"});
      if (!response.ok) throw new Error(response.statusText);
      const data = await response.json();
      const fresh = data.entries.filter((entry) => !document.getElementById(`entry-${entry.id}`));
      // Entries come newest first: insert oldest first so the newest ends on top.
      for (const entry of fresh.reverse()) {
        const item = new DOMParser().parseFromString(entry.html, "text/html").body.firstElementChild;
        item.classList.add("live-entry--new");
        feed.prepend(document.adoptNode(item));
        section.dataset.after = String(Math.max(Number(section.dataset.after), entry.id));
      }
      if (fresh.length) {
        section.querySelector(".live__empty")?.remove();
        status.textContent = fresh.length === 1 ? "1 new entry" : `${fresh.length} new entries`;
      }
      if (!data.live) {
        ended = true; // coverage is over: stop asking
        return;
      }
    } catch (error) {
      status.textContent = "";
    }
    schedule();
  }

  function schedule() {
    if (timer === null && !ended && !document.hidden) timer = window.setTimeout(poll, POLL_SECONDS * 1000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else {
      schedule();
    }
  });
  schedule();
})();

// Most read: an article page tells the site it was read (a beacon once the page is visible,
// no cookie: the page stays the same cached bytes for everyone), and the "Most read" block
// fills itself from /most-read/, a page of its own kept for a minute. Without JavaScript the
// block is a link to that page, and nothing is counted.
(function () {
  "use strict";
  const read = document.querySelector("[data-read-beacon]");
  if (read && navigator.sendBeacon) {
    const send = function () {
      if (document.visibilityState !== "visible" || read.dataset.sent) return;
      read.dataset.sent = "1";
      navigator.sendBeacon(read.dataset.readBeacon);
    };
    send();
    document.addEventListener("visibilitychange", send);
  }

  const block = document.querySelector("[data-most-read]");
  if (!block) return;
  fetch(block.dataset.mostRead, {headers: {Accept: "text/html"}})
    .then((response) => (response.ok ? response.text() : Promise.reject(response.statusText)))
    .then((html) => {
      const page = new DOMParser().parseFromString(html, "text/html");
      const list = page.querySelector("#most-read-day .most-read__list");
      if (!list) return; // nothing read yet: the link stays
      block.querySelector(".most-read__content").replaceChildren(document.adoptNode(list));
    })
    .catch(() => {}); // the link to the page stays
})();
