// Accessible names for what the admin's widgets build in the page: the rich-text body, the
// autocomplete boxes (Select2) and their search fields, and the empty column heading of a
// table of inline rows. Run once everything is built, and again for each row added.
(function () {
  "use strict";

  function labelText(id) {
    const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function labelId(id) {
    const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
    if (!label) return "";
    label.id = label.id || `label-${id}`;
    return label.id;
  }

  // Select2 names its box by the chosen value alone (nothing when empty), leaves its search
  // field unnamed, and puts its "remove all" cross straight into a list: name each by the
  // field's label, and make the cross an item of the list it sits in.
  function nameSelect2Boxes(root) {
    for (const select of root.querySelectorAll("select.admin-autocomplete")) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) continue;
      const name = labelText(select.id) || select.getAttribute("aria-label") || select.name;
      const box = container.querySelector(".select2-selection");
      const rendered = container.querySelector(".select2-selection__rendered");
      const label = labelId(select.id);
      if (rendered) {
        // Shown text inside the box, not a text field of its own.
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
      if (box && rendered && rendered.id && label) {
        box.setAttribute("aria-labelledby", `${label} ${rendered.id}`);
      } else if (box) {
        box.removeAttribute("aria-labelledby");
        box.setAttribute("aria-label", name);
      }
      const search = container.querySelector(".select2-search__field");
      if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", `Search ${name}`);
      for (const cross of container.querySelectorAll("ul > .select2-selection__clear")) {
        cross.setAttribute("role", "listitem");
        cross.setAttribute("aria-label", "Remove all");
      }
    }
  }

  function nameEmptyHeadings(root) {
    for (const heading of root.querySelectorAll("table th.original")) {
      if (heading.textContent.trim()) continue;
      const text = document.createElement("span");
      text.className = "visually-hidden";
      text.textContent = "Saved row";
      heading.append(text);
    }
  }

  document.addEventListener("prose-editor:ready", function (event) {
    const name = labelText(event.detail.textarea.id) || "Body";
    event.detail.editor.view.dom.setAttribute("aria-label", name);
  });

  function nameAll() {
    nameSelect2Boxes(document);
    nameEmptyHeadings(document);
  }

  // Select2 builds and rebuilds its boxes whenever it likes (on load, for each added row, on
  // each choice): name them after each change to the page, at most once a frame.
  let pending = false;
  const observer = new MutationObserver(function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      observer.disconnect();
      nameAll();
      observer.observe(document.body, {childList: true, subtree: true});
    });
  });
  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    observer.observe(document.body, {childList: true, subtree: true});
  });
})();
