// Tag autocomplete for the comma-separated tags field: suggests existing tags for the word
// being typed, as whole-field values the browser's own <datalist> can offer.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const input = document.getElementById("id_tags");
  if (!input || !input.dataset.suggestUrl) return;
  const list = document.createElement("datalist");
  list.id = "tag-suggestions";
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  input.after(list);
  let pending;
  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(suggest, 150);
  });
  function suggest() {
    const parts = input.value.split(",");
    const word = parts.pop().trim();
    const done = parts.map((p) => p.trim()).filter(Boolean);
    if (!word) return;
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(word), {credentials: "same-origin"})
      .then((response) => (response.ok ? response.json() : {tags: []}))
      .then(function (data) {
        list.replaceChildren(...data.tags
          .filter((name) => !done.includes(name))
          .map(function (name) {
            const option = document.createElement("option");
            option.value = [...done, name].join(", ");
            return option;
          }));
      });
  }
});
