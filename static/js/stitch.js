// Drafts page, the stitch form: ticked drafts gather at the top in the order ticked, ↑/↓ move them,
// and the line by the button says how many and how long. The form sends the list's order.
(() => {
  "use strict";
  const form = document.querySelector("[data-stitch-form]");
  if (!form) return;
  const list = form.querySelector(".stitch-list");
  const total = form.querySelector("[data-stitch-total]");
  const rows = () => Array.from(list.querySelectorAll("[data-stitch-row]"));
  const picked = (row) => row.querySelector("input[type=checkbox]").checked;
  const seconds = (row, edge) => Number(row.querySelector(`input[name^="${edge}-"]`).value);

  function update() {
    const chosen = rows().filter(picked);
    const length = chosen.reduce((sum, row) => sum + Math.max(0, seconds(row, "end") - seconds(row, "start")), 0);
    rows().forEach((row) => row.classList.toggle("stitch-picked", picked(row)));
    total.textContent = chosen.length
      ? interpolate(ngettext("%s draft · %s s", "%s drafts · %s s", chosen.length), [chosen.length, length.toFixed(1)])
      : "";
  }

  form.querySelectorAll(".stitch-move").forEach((buttons) => { buttons.hidden = false; });
  list.addEventListener("change", (event) => {
    const box = event.target;
    if (box.type === "checkbox") {
      // A newly ticked draft goes after the ones ticked before it; an unticked one after all of them.
      const row = box.closest("[data-stitch-row]");
      const others = rows().filter((r) => r !== row && picked(r));
      const after = others[others.length - 1];
      if (after) after.after(row); else list.prepend(row);
    }
    update();
  });
  list.addEventListener("input", update);
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move]");
    if (!button) return;
    const row = button.closest("[data-stitch-row]");
    const neighbour = button.dataset.move === "-1" ? row.previousElementSibling : row.nextElementSibling;
    if (!neighbour) return;
    if (button.dataset.move === "-1") neighbour.before(row); else neighbour.after(row);
    button.focus();
    update();
  });
  update();
})();
