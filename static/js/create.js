// Create page: mode toggle, prompt counter, storyboard shots, one idempotency key per form view.
(() => {
  "use strict";
  const form = document.getElementById("create-form");
  if (!form) return;
  const key = form.querySelector("[data-idempotency-key]");
  if (!key.value) key.value = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();

  const applyMode = () => {
    const mode = form.querySelector("input[name=mode]:checked").value;
    form.querySelectorAll("[data-mode]").forEach((el) => {
      el.hidden = el.dataset.mode !== mode;
      el.querySelectorAll("textarea, input").forEach((input) => { input.disabled = el.hidden; });
    });
  };
  form.querySelectorAll("input[name=mode]").forEach((radio) => radio.addEventListener("change", applyMode));
  applyMode();

  const prompt = document.getElementById("prompt");
  const count = document.getElementById(prompt.dataset.counter);
  const updateCount = () => { count.textContent = prompt.value.length.toLocaleString(); };
  prompt.addEventListener("input", updateCount);
  updateCount();

  const list = document.getElementById("shot-list");
  const total = document.getElementById("shot-total");
  const updateShots = () => {
    const shots = list.querySelectorAll(".shot");
    let sum = 0;
    shots.forEach((shot) => { sum += Number(shot.querySelector("input").value) || 0; });
    total.textContent = sum;
    list.querySelectorAll("[data-remove-shot]").forEach((b) => { b.disabled = shots.length <= 2; });
    document.getElementById("add-shot").disabled = shots.length >= 6;
  };
  list.addEventListener("input", updateShots);
  list.addEventListener("click", (event) => {
    if (event.target.matches("[data-remove-shot]")) { event.target.closest(".shot").remove(); updateShots(); }
  });
  document.getElementById("add-shot").addEventListener("click", () => {
    const copy = list.querySelector(".shot").cloneNode(true);
    copy.querySelector("textarea").value = "";
    copy.querySelector("input").value = 4;
    list.appendChild(copy);
    updateShots();
    copy.querySelector("textarea").focus();
  });
  updateShots();
})();
