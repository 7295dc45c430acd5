// Cameo recording: camera + mic preview, the server's liveness challenge, MediaRecorder, upload with
// progress, then the verification result (pushed over the event socket; polling while it is down).
(() => {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root) return;

  const SECONDS = 12;
  const MIN_SECONDS = 8;
  // The moves are codes; these are the words the person reads (a direction, not the verb "leave").
  const MOVE_WORDS = { left: pgettext("head turn", "left"), right: pgettext("head turn", "right") };
  const moves = (root.dataset.moves || "left,right").split(",").map((move) => MOVE_WORDS[move] || move);
  const digits = (root.dataset.digits || "").split("").join(" ");
  // What to do when, during the recording (seconds from the start).
  const STEPS = [
    [0, gettext("Look straight at the camera")],
    [2, interpolate(gettext("Turn your head to your %s"), [moves[0]])],
    [4.5, interpolate(gettext("Now turn to your %s"), [moves[1]])],
    [7, interpolate(gettext("Face the camera and read aloud: %s"), [digits])],
  ];
  const preview = document.getElementById("preview");
  const playback = document.getElementById("playback");
  const prompt = document.getElementById("step-prompt");
  const errorBox = document.getElementById("recorder-error");
  const liveStatus = document.getElementById("live-status");
  let stream = null;
  let recorder = null;
  let blob = null;
  let tick = null;
  let pollTimer = null;
  let socketOpen = false;

  function setState(state) {
    root.dataset.state = state;
    for (const el of root.querySelectorAll("[data-show]")) {
      el.hidden = !el.dataset.show.split(" ").includes(state);
    }
    const focusable = root.querySelector(`[data-show~="${state}"] button:not([disabled]), [data-show~="${state}"] a`);
    if (focusable && ["preview", "review", "active", "rejected", "in_review"].includes(state)) focusable.focus();
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function cameraError(error) {
    const name = error && error.name;
    if (!navigator.mediaDevices || !window.isSecureContext) {
      return gettext("Recording needs a secure connection (https). Open this page over https and try again.");
    }
    if (name === "NotAllowedError" || name === "SecurityError") {
      return gettext("Camera and microphone access is blocked. Allow both for this site (the camera icon in the " +
        "address bar, or your browser's site settings), then press the button again.");
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return gettext("We couldn't find a camera and a microphone. Connect them (or use a phone), then try again.");
    }
    if (name === "NotReadableError") {
      return gettext("Your camera or microphone is busy in another app. Close it there, then try again.");
    }
    return gettext("We couldn't start your camera. Reload the page and try again.");
  }

  async function startCamera() {
    showError("");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showError(cameraError(null));
      return;
    }
    if (typeof MediaRecorder === "undefined") {
      showError(gettext("This browser can't record video. Use a recent Chrome, Firefox, Edge or Safari."));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
        // No automatic gain: it turns the quiet wait up and then clips the spoken digits, which the
        // server must hear (and the voice profile is measured on the voice as it is).
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: false },
      });
    } catch (error) {
      showError(cameraError(error));
      return;
    }
    preview.srcObject = stream;
    preview.hidden = false;
    playback.hidden = true;
    prompt.textContent = gettext("Get ready: press Start recording");
    setState("preview");
  }

  function pickType() {
    const types = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm", "video/mp4"];
    return types.find((t) => MediaRecorder.isTypeSupported(t)) || "";
  }

  function record() {
    const chunks = [];
    // The raw camera stream is recorded; only the preview is mirrored (CSS).
    recorder = new MediaRecorder(stream, { mimeType: pickType() });
    recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = () => {
      clearInterval(tick);
      blob = new Blob(chunks, { type: (recorder.mimeType || "video/webm").split(";")[0] });
      playback.src = URL.createObjectURL(blob);
      preview.hidden = true;
      playback.hidden = false;
      prompt.textContent = "";
      setState("review");
    };
    const started = performance.now();
    const stopButton = root.querySelector('[data-action="stop"]');
    stopButton.disabled = true;
    tick = setInterval(() => {
      const t = (performance.now() - started) / 1000;
      document.getElementById("rec-time").textContent = t.toFixed(1);
      const step = STEPS.filter(([at]) => t >= at).pop();
      if (prompt.textContent !== step[1]) prompt.textContent = step[1];
      if (t >= MIN_SECONDS) stopButton.disabled = false;
      if (t >= SECONDS && recorder.state === "recording") recorder.stop();
    }, 100);
    recorder.start(1000);
    setState("recording");
  }

  function upload() {
    showError("");
    const maxBytes = Number(root.dataset.maxBytes) * 1024 * 1024;
    if (blob.size > maxBytes) {
      showError(interpolate(gettext("This recording is too large (over %s MB). Record again, 8 to 15 seconds."), [root.dataset.maxBytes]));
      return;
    }
    const form = new FormData();
    form.append("nonce", root.dataset.nonce);
    form.append("recording", blob, blob.type.includes("mp4") ? "cameo.mp4" : "cameo.webm");
    if (document.getElementById("keep-recording").checked) form.append("keep_recording", "on");
    if (document.getElementById("keep-voice-sample").checked) form.append("keep_voice_sample", "on");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", root.dataset.uploadUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]);
    const bar = document.getElementById("upload-progress");
    xhr.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const pct = Math.round((event.loaded / event.total) * 100);
      bar.setAttribute("aria-valuenow", pct);
      bar.querySelector(".progress-bar").style.width = `${pct}%`;
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON: a proxy error page */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        stopCamera();
        apply(body);
        startPolling();
      } else {
        setState("review");
        showError((body.error && body.error.message) || interpolate(gettext("Upload failed (%s). Try again."), [xhr.status]));
      }
    };
    xhr.onerror = () => { setState("review"); showError(gettext("The upload failed: check your connection and try again.")); };
    setState("uploading");
    xhr.send(form);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  function apply(update) {
    if (!update || !update.status) return;
    const list = document.getElementById("failures");
    list.replaceChildren(...(update.failures || []).map((f) => {
      const item = document.createElement("li");
      item.textContent = f.message;
      item.dataset.code = f.code;
      return item;
    }));
    // The spoken-digit check's own outcome (the recogniser may be missing or fail on a server).
    for (const el of root.querySelectorAll("[data-digits-check]")) el.hidden = el.dataset.digitsCheck !== update.digits_check;
    setState(update.status);
    if (!["queued", "verifying"].includes(update.status)) stopPolling();
  }

  async function poll() {
    const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.ok) apply(await response.json());
  }

  function startPolling() {
    if (socketOpen || pollTimer || !["queued", "verifying"].includes(root.dataset.state)) return;
    liveStatus.textContent = gettext("Checking every 2 s");
    pollTimer = setInterval(poll, 2000);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
    liveStatus.textContent = "";
  }

  document.addEventListener("app:event", (event) => {
    if (event.detail.type === "cameo") apply(event.detail);
  });
  document.addEventListener("app:socket", (event) => {
    socketOpen = event.detail === "open";
    if (socketOpen) {
      stopPolling();
      if (["queued", "verifying"].includes(root.dataset.state)) poll();  // catch up on anything missed
    } else {
      startPolling();
    }
  });

  root.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "start-camera") startCamera();
    else if (action === "record") record();
    else if (action === "stop" && recorder && recorder.state === "recording") recorder.stop();
    else if (action === "rerecord") { preview.hidden = false; playback.hidden = true; setState("preview"); }
    else if (action === "upload") upload();
  });

  setState(root.dataset.state);
  startPolling();
})();
