// Feed autoplay, sound toggles, and the per-user event socket (with reconnects).
(() => {
  "use strict";

  function setupReels() {
    const videos = document.querySelectorAll("video[data-autoplay]");
    if (!videos.length) return;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const video = entry.target;
        if (entry.isIntersecting && entry.intersectionRatio > 0.6) video.play().catch(() => {});
        else video.pause();
      }
    }, { threshold: [0, 0.6, 1] });
    videos.forEach((video) => observer.observe(video));
    document.querySelectorAll(".reel-sound").forEach((button) => {
      button.addEventListener("click", () => {
        const video = button.closest(".reel").querySelector("video");
        video.muted = !video.muted;
        button.setAttribute("aria-pressed", String(!video.muted));
        button.setAttribute("aria-label", video.muted ? "Turn sound on" : "Turn sound off");
        button.textContent = video.muted ? "Sound off" : "Sound on";
      });
    });
  }

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
    setupReels();
    connectEvents();
  });
})();
