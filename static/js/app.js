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

  // Scrub preview: a strip under the player shows the spritesheet tile for the pointed-at moment
  // and seeks there on click. The layout comes from the job's sprite_layout (data-* attributes).
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
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupReels();
    setupScrub();
    connectEvents();
  });
})();
