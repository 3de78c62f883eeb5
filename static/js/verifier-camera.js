// Scan a QR code with the device camera: frames from the video are decoded with jsQR
// (static/vendor/jsqr), and the first code found fills the paste form and sends it.
// Without a camera, camera permission or this script, the rest of the page works as it is.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-camera]");
  const form = document.querySelector("[data-paste-form]");
  if (!box || !form || typeof window.jsQR !== "function") return;
  const status = box.querySelector("[data-camera-status]");
  const video = box.querySelector("[data-camera-video]");
  const startButton = box.querySelector("[data-camera-start]");
  const stopButton = box.querySelector("[data-camera-stop]");
  const say = (key) => { status.textContent = status.dataset["msg" + key] || ""; };
  box.hidden = false;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    startButton.hidden = true;
    say("Unsupported");
    return;
  }

  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const MAX_SIDE = 1280; // larger frames are scaled down: dense codes still have 4+ px a module
  let stream = null;
  let timer = null;

  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  };

  const decodeFrame = () => {
    if (!video.videoWidth) return null;
    const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = window.jsQR(frame.data, frame.width, frame.height, {
      inversionAttempts: "attemptBoth",
    });
    return code && code.data ? code.data : null;
  };

  const found = (text) => {
    stop();
    say("Found");
    form.querySelector("textarea[name=text]").value = text;
    form.querySelector("[data-paste-source]").value = "camera";
    form.submit();
  };

  startButton.addEventListener("click", async () => {
    say("Starting");
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" }, audio: false,
      });
    } catch (error) {
      say("Denied");
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    startButton.hidden = true;
    stopButton.hidden = false;
    await video.play();
    say("Scanning");
    timer = setInterval(() => {
      const text = decodeFrame();
      if (text) found(text);
    }, 250);
  });
  stopButton.addEventListener("click", () => { stop(); status.textContent = ""; });
});
