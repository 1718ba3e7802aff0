// Authoring forms (catalog items, pathways). Every form works without this script; it only makes them quicker.

// A form with problems: move to the list of them, so a screen reader hears them all at once.
(() => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();

// The catalog item form: show only the chosen format's group of fields.
(() => {
  const select = document.querySelector("[data-format-select]");
  if (!select) return;
  const show = () => {
    for (const group of document.querySelectorAll(".format-group")) {
      group.hidden = !group.dataset.formats.split(" ").includes(select.value);
    }
  };
  select.addEventListener("change", show);
  show();
})();

// Skill rows: add a row from the template, remove one; the formset's TOTAL_FORMS counts every row index used.
(() => {
  const list = document.querySelector("[data-skill-rows]");
  const template = document.querySelector("[data-skill-row-template]");
  const add = document.querySelector("[data-add-skill-row]");
  const total = document.querySelector("input[name='skills-TOTAL_FORMS']");
  const max = document.querySelector("input[name='skills-MAX_NUM_FORMS']");
  if (!list || !template || !add || !total) return;
  const wire = (row) => {
    const remove = row.querySelector("[data-remove-skill-row]");
    remove.hidden = false;
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      (next ? next.querySelector("input") : add).focus();
    });
  };
  list.querySelectorAll("[data-skill-row]").forEach(wire);
  add.hidden = false;
  add.addEventListener("click", () => {
    const index = Number(total.value);
    if (max && index >= Number(max.value)) {
      add.disabled = true;
      return;
    }
    const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__number__", String(index + 1));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = list.lastElementChild;
    wire(row);
    if (window.htmx) window.htmx.process(row);
    row.querySelector("input").focus();
  });
})();

// Pathway builder: after a move (htmx swaps the stage list), keep focus on the button that was pressed, or
// on its partner when the item reached the top or bottom and that button is gone.
document.addEventListener("htmx:afterSettle", (event) => {
  const pressed = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!pressed || !pressed.id || !pressed.dataset.focusAfter) return;
  const again = document.getElementById(pressed.id);
  const partner = document.getElementById(pressed.dataset.focusAfter);
  const target = again && !again.disabled ? again : partner;
  if (target) target.focus();
});

// A new stage's item search: a ticked result joins the chosen items, so the next search does not drop it.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.name !== "items" || !box.closest("[data-found-items]")) return;
  const chosen = box.closest("fieldset").querySelector("[data-chosen-items]");
  if (box.checked && chosen) {
    chosen.append(box.closest("label"));
    box.focus();
  }
});
