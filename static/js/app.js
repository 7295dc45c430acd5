// The per-user event socket (with reconnects) and the inbox badge it keeps live.
(() => {
  "use strict";

  // The browser's time zone, for dates and the daily limits' midnight (sora_site.middleware.UserTimeZoneMiddleware).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes(`tz=${encodeURIComponent(zone)}`)) {
    document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  }

  // The inbox badge follows the unread count pushed with every notification.
  function setBadge(unread) {
    document.querySelectorAll("[data-unread-badge]").forEach((badge) => {
      badge.textContent = unread;
      badge.setAttribute("aria-label", interpolate(ngettext("%s unread", "%s unread", unread), [unread]));
      badge.hidden = !unread;
    });
  }
  document.addEventListener("app:event", (event) => {
    if (event.detail.unread !== undefined) setBadge(event.detail.unread);
  });

  // htmx drops 4xx answers; a form whose refusal comes back as its own fragment (the comment sheet:
  // text refused by moderation, an account suspended) says so with data-swap-refusals, and shows it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    const form = event.detail.requestConfig.elt;  // the element that asked (detail.elt is the swap target)
    if ((status === 400 || status === 403) && form.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A form with data-confirm (deleting a post or a draft) asks first.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // A copy button (data-copy: the id of the element whose text it copies), saying so beside it.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector("[data-copy-status]");
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) status.textContent = button.dataset.copied;
    } catch {
      window.getSelection().selectAllChildren(source);  // no clipboard: selected, for the person to copy
    }
  });

  // A region filled by htmx on load (the post page's comments) says it is busy until then.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.getAttribute("aria-busy") === "true") event.detail.target.removeAttribute("aria-busy");
  });

  // Pages listen with: document.addEventListener("app:event", (e) => e.detail ...)
  // "app:socket" reports "open" / "closed" so pages can fall back to polling.
  function connectEvents() {
    const path = document.body.dataset.eventsUrl;
    if (!path) return;
    let delay = 1000;
    const open = () => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}${path}`);
      socket.addEventListener("open", () => {
        delay = 1000;
        document.dispatchEvent(new CustomEvent("app:socket", { detail: "open" }));
      });
      socket.addEventListener("message", (message) => {
        document.dispatchEvent(new CustomEvent("app:event", { detail: JSON.parse(message.data) }));
      });
      socket.addEventListener("close", () => {
        document.dispatchEvent(new CustomEvent("app:socket", { detail: "closed" }));
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      });
    };
    open();
  }

  // Scrub preview: a strip under the player shows the spritesheet tile for the pointed-at moment
  // and seeks there on click. The layout comes from the job's sprite_layout (data-* attributes).
  // It is a slider too: arrow keys seek by a second, Home and End to the ends.
  function setupScrub() {
    document.querySelectorAll(".scrub[data-sprite]").forEach((strip) => {
      const video = document.getElementById(strip.dataset.video);
      const tip = strip.querySelector(".scrub-tip");
      const d = strip.dataset;
      const [tiles, cols, w, h] = [d.tiles, d.columns, d.tileWidth, d.tileHeight].map(Number);
      tip.style.width = `${w}px`;
      tip.style.height = `${h}px`;
      tip.style.backgroundImage = `url("${d.sprite}")`;
      const at = (event) => {
        const box = strip.getBoundingClientRect();
        return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      };
      strip.addEventListener("pointermove", (event) => {
        const share = at(event);
        const tile = Math.min(tiles - 1, Math.round(share * (tiles - 1)));
        tip.style.backgroundPosition = `-${(tile % cols) * w}px -${Math.floor(tile / cols) * h}px`;
        const left = Math.min(Math.max(0, share * strip.clientWidth - w / 2), strip.clientWidth - w);
        tip.style.left = `${left}px`;
        tip.hidden = false;
      });
      strip.addEventListener("pointerleave", () => { tip.hidden = true; });
      strip.addEventListener("click", (event) => {
        if (video && video.duration) video.currentTime = at(event) * video.duration;
      });
      const seconds = (t) => `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, "0")}`;
      if (video) video.addEventListener("timeupdate", () => {
        if (!video.duration) return;
        strip.setAttribute("aria-valuenow", String(Math.round((video.currentTime / video.duration) * 100)));
        strip.setAttribute("aria-valuetext", seconds(video.currentTime));
      });
      strip.addEventListener("keydown", (event) => {
        if (!video || !video.duration) return;
        const moves = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
        if (event.key in moves) video.currentTime = Math.min(video.duration, Math.max(0, video.currentTime + moves[event.key]));
        else if (event.key === "Home") video.currentTime = 0;
        else if (event.key === "End") video.currentTime = video.duration - 0.1;
        else return;
        event.preventDefault();
        event.stopPropagation();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupScrub();
    connectEvents();
  });
})();
