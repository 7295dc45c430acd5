// Drafts page: live progress over the event socket; polling while the socket is down.
(() => {
  "use strict";
  const status = document.getElementById("live-status");
  if (!status) return;
  const ACTIVE = new Set(["queued", "in_progress", "finishing"]);
  let pollTimer = null;

  const card = (id) => document.querySelector(`[data-job-id="${id}"]`);

  // The active states' labels (the server's, GenerationJob.State); a finished card is fetched whole.
  const STATE_LABELS = { queued: gettext("Queued"), in_progress: gettext("In Progress"), finishing: gettext("Finishing") };

  // The server estimates from the job's own progress rate (generation.selectors.job_seconds_left).

  function timeLeft(update) {
    if (update.state === "queued") return gettext("· waiting for a worker");
    const s = update.seconds_left;
    if (!s) return "";
    return s < 90
      ? interpolate(gettext("· about %s s left"), [s])
      : interpolate(gettext("· about %s min left"), [Math.round(s / 60)]);
  }

  // A finished card is said aloud (state and prompt), and the quota line above ("1 of 2 videos in
  // progress") is fetched again with it: it counted the job as running when the page was made.
  // `video` is the player already put in the card from the push (`showVideo`): it is moved into the
  // fetched card as it is, still loading or playing, and the quota waits until it has a frame.
  const announcer = document.getElementById("jobs-announce");
  async function refreshCard(el, video) {
    const response = await fetch(el.dataset.cardUrl, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const holder = document.createElement("ul");
    holder.innerHTML = (await response.text()).trim();
    const fresh = holder.firstElementChild;
    const served = fresh.querySelector("video");
    if (video && served) {
      video.append(...served.children);  // its subtitles track
      served.replaceWith(video);
    }
    el.replaceWith(fresh);
    if (announcer) {
      const state = fresh.querySelector("[data-testid=job-state]");
      const prompt = fresh.querySelector(".job-prompt");
      announcer.textContent = `${state ? state.textContent : ""}: ${prompt ? prompt.textContent : ""}`;
    }
    if (video && video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      // ...or until it fails, or 2 s at most: the count must not hang on a video that never loads.
      let asked = false;
      const once = () => {
        if (!asked) {
          asked = true;
          refreshQuota();
        }
      };
      video.addEventListener("loadeddata", once, { once: true });
      video.addEventListener("error", once, { once: true });
      setTimeout(once, 2000);
    } else {
      refreshQuota();
    }
  }
  async function refreshQuota() {
    const quota = document.querySelector("[data-testid=quota]");
    if (!quota) return;
    const response = await fetch(location.pathname, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-testid=quota]");
    if (fresh) quota.replaceWith(fresh);
  }
  // A finished video goes into its card straight from the push (its URLs are in it), loading at once,
  // while the rest of the card (actions, badges) is fetched beside it.
  function showVideo(el, update) {
    const video = document.createElement("video");
    video.src = update.video_url;
    if (update.poster_url) video.poster = update.poster_url;
    video.controls = true;
    video.playsInline = true;
    video.preload = "auto";
    const player = document.createElement("div");
    player.className = "player job-player";
    player.append(video);
    const bar = el.querySelector(".progress");
    if (bar) bar.replaceWith(player);
    else el.append(player);
    return video;
  }
  function apply(update) {
    const el = card(update.id);
    if (!el) return;
    if (update.state !== el.dataset.jobState && !(ACTIVE.has(update.state) && ACTIVE.has(el.dataset.jobState))) {
      const video = update.state === "completed" && update.video_url && !el.querySelector("video") ? showVideo(el, update) : null;
      el.dataset.jobState = update.state;  // a second push of the same state fetches nothing more
      refreshCard(el, video);  // a state with different controls (finished, failed...)
      return;
    }
    el.dataset.jobState = update.state;
    el.querySelector("[data-testid=job-state]").textContent = STATE_LABELS[update.state] || update.state;
    const bar = el.querySelector(".progress");
    if (bar) {
      bar.setAttribute("aria-valuenow", update.progress);
      bar.querySelector(".progress-bar").style.width = `${update.progress}%`;
    }
    const percent = el.querySelector("[data-progress-percent]");
    if (percent) percent.textContent = `${update.progress}%`;
    const left = el.querySelector("[data-seconds-left]");
    if (left) left.textContent = timeLeft(update);
  }

  async function poll() {
    for (const el of document.querySelectorAll("[data-job-id]")) {
      if (!ACTIVE.has(el.dataset.jobState)) continue;
      const response = await fetch(el.dataset.statusUrl);
      if (response.ok) apply(await response.json());
    }
  }

  document.addEventListener("app:event", (event) => { if (event.detail.type === "job") apply(event.detail); });
  document.addEventListener("app:socket", (event) => {
    if (event.detail === "open") {
      status.textContent = gettext("Live");
      clearInterval(pollTimer);
      pollTimer = null;
      poll();  // catch up on anything missed while disconnected
    } else if (!pollTimer) {
      status.textContent = gettext("Reconnecting… checking every 2 s");
      pollTimer = setInterval(poll, 2000);
    }
  });
})();
