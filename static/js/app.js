// The per-user event socket (with reconnects) and the inbox badge it keeps live.
(() => {
  "use strict";

  // The inbox badge follows the unread count pushed with every notification.
  function setBadge(unread) {
    document.querySelectorAll("[data-unread-badge]").forEach((badge) => {
      badge.textContent = unread;
      badge.setAttribute("aria-label", `${unread} unread`);
      badge.hidden = !unread;
    });
  }
  document.addEventListener("app:event", (event) => {
    if (event.detail.unread !== undefined) setBadge(event.detail.unread);
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

  document.addEventListener("DOMContentLoaded", () => {
    connectEvents();
  });
})();
