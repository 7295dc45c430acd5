// @cameo autocomplete for prompt boxes: type "@" and pick a cameo you may use (arrows + Enter/Tab).
(() => {
  "use strict";
  const url = document.currentScript?.dataset.url || "/cameos/mentions.json";
  const list = document.createElement("ul");
  list.id = "cameo-suggestions";
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", gettext("Cameos you can use"));
  list.hidden = true;
  let field = null;
  let items = [];
  let active = 0;
  let timer = null;

  const wordAtCaret = (el) => {
    const before = el.value.slice(0, el.selectionStart);
    const match = before.match(/(^|[^\w@])@([a-z0-9_]{0,30})$/i);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  };

  function close() {
    list.hidden = true;
    items = [];
    if (field) field.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.replaceChildren(...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = `cameo-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      li.innerHTML = "<strong></strong> <span class='muted'></span>";
      li.querySelector("strong").textContent = `@${item.handle}`;
      li.querySelector("span").textContent = `${item.name} · ${item.kind}`;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    list.hidden = !items.length;
    if (items.length) field.setAttribute("aria-activedescendant", `cameo-option-${active}`);
    field.insertAdjacentElement("afterend", list);
  }

  function pick(i) {
    const at = wordAtCaret(field);
    if (!at) return close();
    const text = `@${items[i].handle} `;
    field.value = field.value.slice(0, at.start) + text + field.value.slice(field.selectionStart);
    field.selectionStart = field.selectionEnd = at.start + text.length;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    close();
  }

  async function suggest(el) {
    const at = wordAtCaret(el);
    if (!at) return close();
    const response = await fetch(`${url}?q=${encodeURIComponent(at.query)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return close();
    field = el;
    items = (await response.json()).results;
    active = 0;
    render();
  }

  document.addEventListener("input", (e) => {
    if (!e.target.matches("textarea[name=prompt], textarea[name=shot_prompt]")) return;
    clearTimeout(timer);
    timer = setTimeout(() => suggest(e.target), 120);
  });
  document.addEventListener("keydown", (e) => {
    if (list.hidden || e.target !== field) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      render();
    } else if (e.key === "Enter" || e.key === "Tab") {
      pick(active);
    } else if (e.key === "Escape") {
      close();
    } else {
      return;
    }
    e.preventDefault();
  });
  document.addEventListener("focusout", (e) => { if (e.target === field) setTimeout(close, 150); });
})();
