// The article form in four sections, one shown at a time, as tabs (the WAI-ARIA tabs pattern):
// content; promotion and related; publishing and embargo; corrections and live coverage.
// Each fieldset names its section in its classes (ArticleAdmin.fieldsets), inline groups are
// placed below. A form sent back with errors opens on the first section that has one. Without
// scripts the form is one long page, as before.
(function () {
  "use strict";
  const SECTIONS = [
    ["content", "Content"],
    ["promotion", "Promotion and related"],
    ["publishing", "Publishing and embargo"],
    ["coverage", "Corrections and live coverage"],
  ];
  const INLINE_GROUPS = {
    "related_links-group": "promotion",
    "redirects-group": "promotion",
    "corrections-group": "coverage",
  };

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("article_form");
    if (!form) return;
    const members = {};
    for (const [key] of SECTIONS) {
      members[key] = [...form.querySelectorAll(`fieldset.section-${key}`)];
    }
    for (const [id, key] of Object.entries(INLINE_GROUPS)) {
      const group = document.getElementById(id);
      if (group) members[key].push(group);
    }
    const present = SECTIONS.filter(([key]) => members[key].length);
    if (present.length < 2) return;

    const tabs = document.createElement("div");
    tabs.className = "section-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", "Sections of the article");
    const buttons = {};
    present.forEach(function ([key, title], index) {
      members[key].forEach(function (element, n) {
        element.id = element.id || `section-${key}-${n}`;
        element.setAttribute("role", element.tagName === "FIELDSET" ? "group" : "region");
        element.setAttribute("aria-labelledby", `section-tab-${key}`);
      });
      const button = document.createElement("button");
      button.type = "button";
      button.id = `section-tab-${key}`;
      button.className = "section-tab";
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", members[key].map((element) => element.id).join(" "));
      button.textContent = title;
      button.addEventListener("click", () => show(key, true));
      button.addEventListener("keydown", function (event) {
        const step = {ArrowRight: 1, ArrowLeft: -1}[event.key];
        if (!step) return;
        const next = present[(index + step + present.length) % present.length][0];
        show(next, true);
        buttons[next].focus();
      });
      buttons[key] = button;
      tabs.append(button);
    });
    members[present[0][0]][0].before(tabs);

    function show(key, remember) {
      for (const [other] of present) {
        const current = other === key;
        buttons[other].setAttribute("aria-selected", String(current));
        buttons[other].tabIndex = current ? 0 : -1;
        for (const element of members[other]) element.hidden = !current;
      }
      if (remember) history.replaceState(null, "", `#${key}`);
    }

    const withError = form.querySelector(".errorlist, .errors");
    const erring = withError && present.find(([key]) => members[key].some((m) => m.contains(withError)));
    const asked = location.hash.slice(1);
    const opening = erring
      ? erring[0]
      : present.some(([key]) => key === asked)
        ? asked
        : present[0][0];
    show(opening, false);
  });
})();
