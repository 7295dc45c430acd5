// The player: a full-height snap feed. Autoplay of the visible reel only, tap to pause, double-tap to
// like, one remembered sound setting, preload of the next reel, keys (up/down, space, m), the action
// rail, comment and "why" sheets, more pages as you scroll, and views sent in batches with sendBeacon.
// With prefers-reduced-motion nothing starts by itself; every reel has a Pause/Play button; the single-key
// shortcuts (j, k, m) can be turned off (WCAG 2.1.4), remembered.
(() => {
  "use strict";
  const SOUND_KEY = "openreel:sound";
  const KEYS_KEY = "openreel:shortcuts";
  const SUBTITLES_KEY = "openreel:subtitles";
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  let shortcutsOn = localStorage.getItem(KEYS_KEY) !== "off";
  const feed = document.querySelector("[data-feed]");
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  let soundOn = localStorage.getItem(SOUND_KEY) === "on";
  // On unless turned off: the feed starts muted, and the words are the dialogue.
  let subtitlesOn = localStorage.getItem(SUBTITLES_KEY) !== "off";
  let active = null;

  const reels = () => Array.from(document.querySelectorAll(".reel"));
  const videoOf = (reel) => reel && reel.querySelector("video");

  function post(url, fields = {}) {
    // URL-encoded, not FormData: an empty multipart body is one Django refuses.
    const body = new URLSearchParams(fields);
    return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf(), Accept: "application/json" } });
  }

  function toast(text) {
    let box = document.querySelector(".toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts toasts-floating";
      box.setAttribute("role", "status");
      document.querySelector("main").prepend(box);
    }
    const line = document.createElement("p");
    line.className = "toast";
    line.textContent = text;
    box.append(line);
    setTimeout(() => line.remove(), 4000);
  }

  // Sound: one setting for every reel, kept across clips and visits.
  function applySound() {
    document.querySelectorAll("video[data-autoplay]").forEach((video) => { video.muted = !soundOn; });
    document.querySelectorAll(".reel-sound").forEach((button) => {
      button.textContent = soundOn ? gettext("Turn sound off") : gettext("Turn sound on");
    });
  }
  function toggleSound() {
    soundOn = !soundOn;
    localStorage.setItem(SOUND_KEY, soundOn ? "on" : "off");
    applySound();
    const video = videoOf(active);
    if (video && video.paused && !active.dataset.userPaused) play(video);
  }

  // Subtitles (the dialogue's WebVTT track): one setting for every reel, like the sound.
  function applySubtitles() {
    document.querySelectorAll("video[data-autoplay]").forEach((video) => {
      for (const track of video.textTracks) track.mode = subtitlesOn ? "showing" : "hidden";
    });
    document.querySelectorAll("[data-action=subtitles]").forEach((button) => {
      button.setAttribute("aria-pressed", String(subtitlesOn));
    });
  }

  // Views: one record per time a reel is on screen; resent with growing numbers, the server keeps the max.
  const views = new Map();
  function viewStart(reel) {
    const view = { post: Number(reel.dataset.postId), view: crypto.randomUUID(), ms: 0, done: false, replays: 0,
      since: null, last: 0 };
    views.set(reel, view);
    return view;
  }
  function viewTick(reel, playing) {
    const view = views.get(reel);
    if (!view) return;
    const now = performance.now();
    if (view.since !== null) view.ms += now - view.since;
    view.since = playing ? now : null;
  }
  const pending = new Map();
  function viewQueue(reel) {
    const view = views.get(reel);
    if (!view || !view.post) return;
    viewTick(reel, view.since !== null);
    pending.set(view.view, { post: view.post, view: view.view, ms: Math.round(view.ms), done: view.done,
      replays: view.replays });
  }
  function viewsFlush() {
    if (!feed || !feed.dataset.viewsUrl || !document.body.dataset.eventsUrl) return;
    if (active) viewQueue(active);
    if (!pending.size) return;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    body.append("views", JSON.stringify(Array.from(pending.values()).slice(0, 50)));
    if (navigator.sendBeacon(feed.dataset.viewsUrl, body)) pending.clear();
  }
  setInterval(viewsFlush, 10000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") viewsFlush(); });

  // Browsers refuse to start a video with sound before the person has touched the page: play it
  // muted then, and give it the remembered sound at their first tap or key.
  let soundWaitsForGesture = false;
  function play(video) {
    video.muted = !soundOn;
    video.play().catch(() => {
      if (video.muted) return;
      soundWaitsForGesture = true;
      video.muted = true;
      video.play().catch(() => {});
    });
  }
  const gesture = () => {
    if (!soundWaitsForGesture) return;
    soundWaitsForGesture = false;
    const video = videoOf(active);
    if (video) video.muted = !soundOn;
  };
  document.addEventListener("pointerdown", gesture, true);
  document.addEventListener("keydown", gesture, true);

  function activate(reel) {
    if (reel === active) return;
    if (active) {
      const old = videoOf(active);
      old.pause();
      viewQueue(active);
    }
    active = reel;
    const video = videoOf(reel);
    viewStart(reel);
    video.preload = "auto";
    if (calm.matches && !reel.dataset.userPlayed) reel.dataset.userPaused = "1";  // nothing moves by itself
    if (!reel.dataset.userPaused) play(video);
    showPaused(reel);
    // Preload the next reel, so the swipe lands on a playing video.
    const all = reels();
    const next = videoOf(all[all.indexOf(reel) + 1]);
    if (next && next.preload !== "auto") { next.preload = "auto"; next.load(); }
  }

  function wireVideo(reel) {
    const video = videoOf(reel);
    if (!video || video.dataset.wired) return;
    video.dataset.wired = "1";
    video.addEventListener("play", () => viewTick(reel, true));
    video.addEventListener("pause", () => viewTick(reel, false));
    let lastTime = 0;
    video.addEventListener("timeupdate", () => {
      const view = views.get(reel);
      if (view && video.duration && video.currentTime >= video.duration - 0.35) view.done = true;
      if (view && video.currentTime + 0.5 < lastTime) { view.done = true; view.replays += 1; }  // looped
      lastTime = video.currentTime;
    });
    // Tap pauses or resumes; a double tap likes.
    let tapTimer = null;
    video.addEventListener("click", () => {
      if (tapTimer) {
        clearTimeout(tapTimer);
        tapTimer = null;
        const like = reel.querySelector("[data-action=like]");
        if (like && like.getAttribute("aria-pressed") !== "true") like.click();
        return;
      }
      tapTimer = setTimeout(() => { tapTimer = null; togglePause(reel); }, 260);
    });
  }

  function showPaused(reel) {
    const paused = Boolean(reel.dataset.userPaused);
    const badge = reel.querySelector(".reel-paused");
    if (badge) badge.hidden = !paused;
    const button = reel.querySelector("[data-action=pause]");
    if (button) button.textContent = paused ? gettext("Play") : gettext("Pause");
  }

  function togglePause(reel) {
    const video = videoOf(reel);
    if (!video) return;
    if (reel.dataset.userPaused || video.paused) {
      delete reel.dataset.userPaused;
      reel.dataset.userPlayed = "1";
      if (reel !== active) activate(reel);
      play(video);
    } else {
      reel.dataset.userPaused = "1";
      video.pause();
    }
    showPaused(reel);
  }

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const reel = entry.target.closest(".reel") || entry.target.parentElement;
      if (entry.isIntersecting && entry.intersectionRatio >= 0.6) activate(reel);
      else if (reel === active && entry.intersectionRatio < 0.6) { videoOf(reel).pause(); viewQueue(reel); active = null; }
    }
  }, { threshold: [0, 0.6, 1] });

  function wire(root) {
    root.querySelectorAll("video[data-autoplay]").forEach((video) => {
      const reel = video.closest(".reel") || video.parentElement;
      wireVideo(reel);
      observer.observe(video);
    });
    root.querySelectorAll(".feed-more").forEach((sentinel) => moreObserver.observe(sentinel));
    applySound();
    applySubtitles();
  }

  // More pages: the sentinel after the last reel loads the next one as it comes near.
  const moreObserver = new IntersectionObserver(async (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting || entry.target.dataset.loading) continue;
      const sentinel = entry.target;
      sentinel.dataset.loading = "1";
      moreObserver.unobserve(sentinel);
      const response = await fetch(sentinel.dataset.nextUrl, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) { delete sentinel.dataset.loading; moreObserver.observe(sentinel); continue; }
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      sentinel.replaceWith(...holder.childNodes);
      wire(feed);
      if (window.htmx) window.htmx.process(feed);
    }
  }, { rootMargin: "0px 0px 150% 0px" });

  function step(direction) {
    const all = reels();
    const index = active ? all.indexOf(active) : -1;
    const target = all[Math.max(0, Math.min(all.length - 1, index + direction))];
    if (target) { target.scrollIntoView({ behavior: calm.matches ? "auto" : "smooth", block: "start" }); target.focus({ preventScroll: true }); }
  }

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, dialog[open], [contenteditable]") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("button, a") && event.key === " ") return;  // space presses the focused control
    if (!document.querySelector(".reel")) return;
    const letter = shortcutsOn && ["j", "k", "m"].includes(event.key) ? event.key : null;
    if (event.key === "ArrowDown" || letter === "j") { event.preventDefault(); step(1); }
    else if (event.key === "ArrowUp" || letter === "k") { event.preventDefault(); step(-1); }
    else if (event.key === " ") { event.preventDefault(); if (active) togglePause(active); }
    else if (letter === "m") { toggleSound(); }
  });

  async function openSheet(dialog, fill) {
    await fill(dialog.querySelector("[id$=-body]"));
    if (window.htmx) window.htmx.process(dialog);
    if (!dialog.open) dialog.showModal();
  }

  function setCount(reel, name, value) {
    const el = reel && reel.querySelector(`[data-count=${name}]`);
    if (el && value !== undefined) el.textContent = value;
  }

  // The rail.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const reel = button.closest(".reel");
    const action = button.dataset.action;
    if (button.dataset.login) { location.href = `${button.dataset.login}?next=${encodeURIComponent(location.pathname)}`; return; }
    if (action === "like") {
      const liked = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(liked));
      const response = await post(button.dataset.url, { liked: liked ? "1" : "0" });
      if (response.ok) setCount(reel, "likes", (await response.json()).likes);
      else button.setAttribute("aria-pressed", String(!liked));
    } else if (action === "save") {
      // Private: no count to show, only the viewer's own mark (their list is on their profile).
      const saved = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(saved));
      const response = await post(button.dataset.url, { saved: saved ? "1" : "0" });
      if (response.ok) toast(saved ? gettext("Saved to your bookmarks") : gettext("Removed from your bookmarks"));
      else button.setAttribute("aria-pressed", String(!saved));
    } else if (action === "comments" && document.getElementById("post-comments")) {
      // The post's own page lists its comments below the video: go there rather than open a sheet.
      const section = document.getElementById("post-comments");
      section.scrollIntoView({ behavior: calm.matches ? "auto" : "smooth" });
      const input = section.querySelector("input[name=text]");
      (input || section).focus({ preventScroll: true });
    } else if (action === "comments") {
      const dialog = document.getElementById("comments-dialog");
      await openSheet(dialog, async (body) => {
        const response = await fetch(button.dataset.url, { headers: { "X-Requested-With": "fetch" } });
        body.innerHTML = await response.text();
      });
      const input = dialog.querySelector("input[name=text]");
      if (input) input.focus();
    } else if (action === "why") {
      await openSheet(document.getElementById("why-dialog"), async (body) => {
        body.replaceChildren(reel.querySelector("template.why-text").content.cloneNode(true));
      });
    } else if (action === "report") {
      const dialog = document.getElementById("report-dialog");
      dialog.querySelector("[data-report-form]").action = button.dataset.url;
      dialog.showModal();
    } else if (action === "open-sheet") {
      const dialog = document.getElementById(button.dataset.sheet);
      if (dialog && !dialog.open) dialog.showModal();
    } else if (action === "mood") {
      button.closest(".reel-card").querySelector(".actions").replaceChildren("Thanks. Enjoy, and take care.");
    } else if (action === "sound") {
      toggleSound();
    } else if (action === "pause") {
      togglePause(reel);
    } else if (action === "subtitles") {
      subtitlesOn = !subtitlesOn;
      localStorage.setItem(SUBTITLES_KEY, subtitlesOn ? "on" : "off");
      applySubtitles();
    } else if (action === "shortcuts") {
      shortcutsOn = !shortcutsOn;
      localStorage.setItem(KEYS_KEY, shortcutsOn ? "on" : "off");
      showShortcuts();
    } else if (action === "close") {
      button.closest("dialog").close();
    } else if (action === "share") {
      const response = await post(button.dataset.url);
      if (!response.ok) return;
      const data = await response.json();
      setCount(reel, "shares", data.shares);
      if (navigator.share) navigator.share({ url: data.url }).catch(() => {});
      else if (navigator.clipboard) { navigator.clipboard.writeText(data.url).catch(() => {}); toast(gettext("Link copied")); }
      else toast(data.url);
    } else if (action === "follow") {
      const response = await post(button.dataset.url);
      if (!response.ok) return;
      const handle = button.getAttribute("aria-label");
      document.querySelectorAll(`.rail-follow[aria-label="${handle}"]`).forEach((el) => el.remove());
      toast(button.dataset.followed);
    } else if (action === "not-interested") {
      const response = await post(button.dataset.url);
      if (!response.ok) return;
      const author = reel.querySelector(".reel-author").getAttribute("href");
      // The reel goes, and so do the author's other reels already loaded below it.
      const all = reels();
      all.slice(all.indexOf(reel)).filter((other) => other.querySelector(".reel-author").getAttribute("href") === author)
        .forEach((other) => { if (other === active) active = null; other.remove(); });
      toast(gettext("Got it: you'll see less like this."));
    } else if (action === "reply") {
      const form = button.closest(".comments").querySelector(".comment-form");
      form.querySelector("input[name=parent]").value = button.dataset.commentId;
      const note = form.querySelector(".comment-replying");
      note.hidden = false;
      note.querySelector("span").textContent = `@${button.dataset.handle}`;
      const input = form.querySelector("input[name=text]");
      if (!input.value) input.value = `@${button.dataset.handle} `;
      input.focus();
    } else if (action === "reply-cancel") {
      const form = button.closest(".comment-form");
      form.querySelector("input[name=parent]").value = "";
      form.querySelector(".comment-replying").hidden = true;
    }
  });

  // A comment sheet swapped in by htmx carries the new count: the rail follows it.
  document.addEventListener("htmx:afterSwap", (event) => {
    const sheet = document.querySelector("#comments-body .comments");
    if (!sheet) return;
    setCount(document.getElementById(`reel-${sheet.dataset.postId}`), "comments", sheet.dataset.commentCount);
  });
  // Counts pushed to the author's tabs (someone liked their video).
  document.addEventListener("app:event", (event) => {
    const data = event.detail;
    if (data.type === "post_stats") setCount(document.getElementById(`reel-${data.post}`), "likes", data.likes);
  });

  function showShortcuts() {
    document.querySelectorAll("[data-action=shortcuts]").forEach((button) => {
      button.setAttribute("aria-pressed", String(shortcutsOn));
    });
  }
  showShortcuts();
  wire(document);
})();
