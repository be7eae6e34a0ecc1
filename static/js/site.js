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
