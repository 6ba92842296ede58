// A camera for bench_live_browser.py, injected into every frame of the page before its scripts
// run (Playwright's init script): getUserMedia returns a canvas's stream that plays dataset
// photos with each frame's number in black and white blocks in the grey strip left of the square
// the model reads (the server's overlay leaves that strip alone), and records when each numbered
// frame was drawn. On the video that comes back, requestVideoFrameCallback reads the number of
// every displayed frame, so latency is measured in the browser's own clock: drawn -> displayed.
// Filled in by Python: __PHOTOS__ (data URLs), __W__, __H__, __FPS__.
(() => {
  if (!navigator.mediaDevices) return;
  const PHOTOS = __PHOTOS__, W = __W__, H = __H__, FPS = __FPS__;
  const BITS = 10, BLOCK = 20, X = Math.max(0, Math.floor((W - H) / 2 - BLOCK) / 2), Y = 10;
  const live = (window.__live = { sent: new Map(), shown: [], stamps: 0, pcs: [] });

  // Every RTCPeerConnection the page makes, for getStats().
  const Peer = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) {
    const pc = new Peer(...args);
    live.pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Peer.prototype;

  function stamp(g, k) {
    let parity = 0;
    for (let b = 0; b <= BITS; b++) {
      const bit = b < BITS ? (k >> b) & 1 : parity;
      parity ^= b < BITS ? bit : 0;
      g.fillStyle = bit ? "#fff" : "#000";
      g.fillRect(X, Y + b * BLOCK, BLOCK, BLOCK);
    }
  }

  function readStamp(px) {  // px: ImageData of the whole frame; -1 when the blocks do not agree
    let k = 0, parity = 0;
    for (let b = 0; b <= BITS; b++) {
      let sum = 0, n = 0;
      for (let y = Y + b * BLOCK + 5; y < Y + (b + 1) * BLOCK - 5; y++)
        for (let x = X + 5; x < X + BLOCK - 5; x++) { sum += px.data[(y * px.width + x) * 4 + 1]; n++; }
      const mean = sum / n;
      if (mean > 70 && mean < 185) return -1;  // a block between black and white: a blurred frame
      const bit = mean >= 128 ? 1 : 0;
      if (b < BITS) { k |= bit << b; parity ^= bit; } else if (bit !== parity) return -1;
    }
    return k;
  }

  function overlaid(px) {  // the yellow outline the server draws on the square's left edge
    let r = 0, bl = 0, n = 0;
    const left = Math.floor((W - Math.min(W, H)) / 2);
    for (let y = Math.floor(H / 3); y < Math.floor((2 * H) / 3); y++) {
      const i = (y * px.width + left) * 4;
      r += px.data[i]; bl += px.data[i + 2]; n++;
    }
    return r / n > 170 && bl / n < 110;
  }

  navigator.mediaDevices.getUserMedia = async () => {
    const images = await Promise.all(PHOTOS.map((src) => new Promise((ok) => {
      const img = new Image();
      img.onload = () => ok(img);
      img.src = src;
    })));
    const canvas = document.createElement("canvas");
    canvas.width = W; canvas.height = H;
    const g = canvas.getContext("2d");
    const stream = canvas.captureStream(0);
    const track = stream.getVideoTracks()[0];
    let k = 0;
    const start = performance.now();
    const tick = () => {
      if (track.readyState === "ended") return;
      k += 1;
      const n = k % (1 << BITS);
      g.drawImage(images[Math.floor(k / FPS) % images.length], 0, 0, W, H);  // a new photo each second
      stamp(g, n);
      track.requestFrame();
      live.sent.set(n, performance.now());
      live.stamps = k;
      setTimeout(tick, Math.max(0, start + ((k + 1) * 1000) / FPS - performance.now()));
    };
    tick();
    watch();
    return stream;
  };

  function watch() {  // the video that shows the server's answer, once it has one
    const video = [...document.querySelectorAll("video")].find((v) => v.srcObject && v.videoWidth > 0);
    if (!video) { setTimeout(watch, 100); return; }
    const c = document.createElement("canvas");
    const g = c.getContext("2d", { willReadFrequently: true });
    const onFrame = (now, meta) => {
      if (c.width !== video.videoWidth) { c.width = video.videoWidth; c.height = video.videoHeight; }
      g.drawImage(video, 0, 0);
      const px = g.getImageData(0, 0, c.width, c.height);
      const n = c.width === W ? readStamp(px) : -1;
      const sent = n >= 0 ? live.sent.get(n) : undefined;
      live.shown.push({ n, sent, shown: meta.expectedDisplayTime, called: now, overlay: overlaid(px) });
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  // What the browser's WebRTC stack says about both directions of every connection.
  window.__liveStats = async () => {
    const out = [];
    for (const pc of live.pcs) {
      if (pc.connectionState !== "connected") continue;
      const report = await pc.getStats();
      const s = {};
      report.forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") s.inbound = r;
        if (r.type === "outbound-rtp" && r.kind === "video") s.outbound = r;
        if (r.type === "candidate-pair" && r.nominated) s.pair = r;
      });
      out.push(JSON.parse(JSON.stringify(s)));
    }
    return out;
  };
})();
