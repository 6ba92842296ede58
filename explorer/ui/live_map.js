// Live convolution / pooling while a Streamlit slider is dragged (explorer/ui/live_map.py).
//
// Streamlit sends a slider's value when it is let go; until then only the slider itself
// moves. This module watches the page's sliders (by widget key) on every animation frame
// while a pointer is down or a key was pressed, and whenever their values differ from the
// ones the server drew it hides the server's result and draws the result for the values
// under the pointer itself. Sizes and the sentences for impossible settings come from the
// server's table (explorer/learn/live_maps.py); only the sums are computed here. When the
// server's run for the new values arrives, its result is shown again.

const decoder = new TextDecoder();

// The header, and a promise of the planes (deflated by the server: the browser's own
// DecompressionStream inflates them, a few milliseconds for a 256x256 map).
function unpack(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + n)));
  const start = 4 + n + ((4 - ((4 + n) % 4)) % 4);
  // Copied: the float32 view needs 4-byte alignment of the underlying buffer.
  const body = bytes.slice(start, bytes.byteLength);
  if (header.encoding !== "deflate") return { header, planes: Promise.resolve(new Float32Array(body.buffer)) };
  const inflated = new Blob([body]).stream().pipeThrough(new DecompressionStream("deflate"));
  return { header, planes: new Response(inflated).arrayBuffer().then((b) => new Float32Array(b)) };
}

// The value of one control from its slider, or null when the slider is not on the page.
function readControl(control) {
  const input = document.querySelector(`.st-key-${control.key} input[type="range"]`);
  if (!input) return null;
  const raw = Number(input.value);
  if (control.by_index) return control.options[raw] ?? null;
  return control.options.find((v) => Number(v) === raw) ?? null;
}

function settingsKey(values) {
  return values.map(String).join("|");
}

// Python's f"{v:.3g}" for the legends.
function g3(v) {
  if (v === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 3) {
    const [m, e] = v.toExponential(2).split("e");
    const mant = m.replace(/\.?0+$/, "");
    const sign = e[0] === "-" ? "-" : "+";
    const digits = e.replace(/^[+-]/, "").padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  return String(Number(v.toPrecision(3)));
}

// A grid cell's number as grid_charts.cell_text writes it: at most 5 characters, inside its cell.
function cellText(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  if (Number.isInteger(v) && Math.abs(v) < 1e4) return String(v);
  for (const [decimals, below] of [[2, 9.995], [1, 99.95], [0, 9999.5]]) {
    if (Math.abs(v) < below) {
      const text = v.toFixed(decimals);
      return Number(text) === 0 ? text.replace("-", "") : text;
    }
  }
  const [mantissa, exponent] = v.toExponential(0).split("e");
  return `${mantissa}e${Number(exponent)}`;
}

function limit(values) {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
  }
  return m > 0 && Number.isFinite(m) ? m : 1;
}

function minimum(values) {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < m) m = values[i];
  return m;
}

// Cross-correlation of the (H, W) plane at stride 1 with `pad` zeros on every side: every
// position any padding up to `pad` and any stride can ask for (see crop).
function fullConv(plane, h, w, kernel, k, dilation, pad) {
  const pw = w + 2 * pad;
  const padded = new Float64Array((h + 2 * pad) * pw);
  for (let r = 0; r < h; r++) padded.set(plane.subarray(r * w, (r + 1) * w), (r + pad) * pw + pad);
  const span = dilation * (k - 1) + 1;
  const fh = h + 2 * pad - span + 1;
  const fw = w + 2 * pad - span + 1;
  const out = new Float64Array(Math.max(fh, 0) * Math.max(fw, 0));
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const wt = kernel[a][b];
      if (wt === 0) continue;
      for (let i = 0; i < fh; i++) {
        const src = (i + a * dilation) * pw + b * dilation;
        const dst = i * fw;
        for (let j = 0; j < fw; j++) out[dst + j] += wt * padded[src + j];
      }
    }
  }
  return { map: out, w: fw, pad };
}

// One setting's output from the full map: rows (pad - top) + i * stride, columns likewise.
function crop(full, stride, pads, ho, wo) {
  const out = new Float64Array(ho * wo);
  const r0 = full.pad - pads[0];
  const c0 = full.pad - pads[2];
  for (let i = 0; i < ho; i++) {
    const src = (r0 + i * stride) * full.w + c0;
    for (let j = 0; j < wo; j++) out[i * wo + j] = full.map[src + j * stride];
  }
  return out;
}

// Max / average / sum pooling of one (H, W) plane, as torch pads (-inf for max, zeros counted).
function pool(plane, h, w, size, stride, padding, mode, ho, wo) {
  const out = new Float64Array(ho * wo);
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      let best = -Infinity;
      let total = 0;
      for (let a = 0; a < size; a++) {
        const r = i * stride - padding + a;
        if (r < 0 || r >= h) continue;
        for (let b = 0; b < size; b++) {
          const c = j * stride - padding + b;
          if (c < 0 || c >= w) continue;
          const v = plane[r * w + c];
          if (v > best) best = v;
          total += v;
        }
      }
      out[i * wo + j] = mode === "max" ? best : mode === "avg" ? total / (size * size) : total;
    }
  }
  return out;
}

// The largest padding on any side that the table asks for with this kernel size and dilation.
function widestPad(header, size, dilation) {
  let pad = 0;
  for (const [key, entry] of Object.entries(header.table)) {
    const v = key.split("|");
    if (entry.pads && v[0] === String(size) && v[3] === String(dilation)) pad = Math.max(pad, ...entry.pads);
  }
  return pad;
}

function compute(header, planes, s, entry, fulls) {
  const [c, h, w] = header.shape;
  const { h: ho, w: wo, pads } = entry;
  const maps = [];
  for (let ch = 0; ch < c; ch++) {
    const plane = planes.subarray(ch * h * w, (ch + 1) * h * w);
    if (header.op === "conv") {
      // One convolution per kernel size and dilation; a stride or padding is a crop of it.
      const key = `${s.size}|${s.dilation}`;
      if (!fulls.has(key)) {
        const pad = widestPad(header, s.size, s.dilation);
        fulls.set(key, fullConv(plane, h, w, header.style.kernels[String(s.size)], s.size, s.dilation, pad));
      }
      let out = crop(fulls.get(key), s.stride, pads, ho, wo);
      if (header.style.relu) out = out.map((v) => Math.max(v, 0));
      maps.push(out);
    } else {
      maps.push(pool(plane, h, w, s.size, s.stride, s.padding, header.style.mode, ho, wo));
    }
  }
  return { h: ho, w: wo, maps };
}

// The colour of every output value, as the server's pictures have it.
function colours(header, result) {
  const st = header.style;
  const n = result.h * result.w;
  const rgb = new Uint8ClampedArray(n * 3);
  if (result.maps.length === 3) {  // an RGB picture pooled: drawn as a picture
    let top = 1;
    if (st.mode === "sum") top = Math.max(Math.max(...result.maps.map((m) => m.reduce((x, y) => Math.max(x, y), -Infinity))), 1e-9);
    for (let ch = 0; ch < 3; ch++) {
      const m = result.maps[ch];
      for (let i = 0; i < n; i++) rgb[i * 3 + ch] = Math.floor(Math.min(Math.max(m[i] / top, 0), 1) * 255 + 0.5);
    }
    return rgb;
  }
  const m = result.maps[0];
  const signed = minimum(m) < 0;
  const lim = st.fixed_scale ?? limit(m);
  const pal = st.palettes;
  for (let i = 0; i < n; i++) {
    let idx;
    let table;
    if (st.colours === "picture") {
      idx = Math.floor(Math.min(Math.max(m[i], 0), 1) * 254 + 0.5);
      table = pal.grey;
    } else if (signed) {
      idx = Math.floor(Math.min(Math.max(m[i] * (127 / lim) + 127.5, 0), 254));
      table = pal.diverging;
    } else if (header.op === "pool") {  // colormaps.grey: 0..255 straight
      const g = Math.floor(Math.min(Math.max(m[i] / lim, 0), 1) * 255 + 0.5);
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = g;
      continue;
    } else {
      idx = Math.floor(Math.min(Math.max(m[i] * (254 / lim) + 0.5, 0), 254));
      table = pal.grey;
    }
    rgb[i * 3] = table[idx * 3];
    rgb[i * 3 + 1] = table[idx * 3 + 1];
    rgb[i * 3 + 2] = table[idx * 3 + 2];
  }
  return rgb;
}

function legend(header, m) {
  const st = header.style;
  if (st.colours === "picture") return "drawn like a photo: 0 black, 1 white, beyond that clipped";
  const lim = st.fixed_scale ?? limit(m);
  if (minimum(m) < 0) return `blue = negative, white = 0, red = positive (scale ±${g3(lim)})`;
  return `black = 0, white = ${g3(lim)} (no negative values)`;
}

function drawPicture(canvas, header, result) {
  const rgb = colours(header, result);
  const scale = header.style.scales[Math.min(Math.max(result.h, result.w), header.style.scales.length - 1)];
  const H = result.h * scale;
  const W = result.w * scale;
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  const px = new Uint32Array(img.data.buffer);
  const n = result.h * result.w;
  const colour = new Uint32Array(n);
  for (let i = 0; i < n; i++) colour[i] = 0xff000000 | (rgb[i * 3 + 2] << 16) | (rgb[i * 3 + 1] << 8) | rgb[i * 3];
  for (let y = 0; y < H; y++) {
    const row = ((y / scale) | 0) * result.w;
    const dst = y * W;
    for (let x = 0; x < W; x++) px[dst + x] = colour[row + ((x / scale) | 0)];
  }
  ctx.putImageData(img, 0, 0);
  const cell = header.style.cell;
  if (cell) {  // the receptive-field pixel, boxed as conv_pictures.map_picture does
    const i = Math.min(cell[0], result.h - 1);
    const j = Math.min(cell[1], result.w - 1);
    const line = Math.min(2, scale);
    ctx.fillStyle = "rgb(255, 200, 0)";
    ctx.fillRect(j * scale, i * scale, scale, line);
    ctx.fillRect(j * scale, (i + 1) * scale - line, scale, line);
    ctx.fillRect(j * scale, i * scale, line, scale);
    ctx.fillRect((j + 1) * scale - line, i * scale, line, scale);
  }
}

function drawGrid(canvas, header, result) {
  const m = result.maps[0];
  // The server's grid chart's rule (grid_charts.CellRule): the grid keeps its size when a drag starts.
  const [room, lo, hi] = header.style.cells ?? [300, 18, 34];
  const cell = Math.max(lo, Math.min(hi, Math.floor(room / Math.max(result.h, result.w, 1))));
  const rgb = colours({ ...header, op: "conv", style: { ...header.style, colours: "auto" } }, result);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = result.w * cell * ratio;
  canvas.height = result.h * cell * ratio;
  canvas.style.width = `${result.w * cell}px`;
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.font = `${Math.max(8, Math.floor(cell * 0.34))}px sans-serif`;  // grid_charts.font_px
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let i = 0; i < result.h; i++) {
    for (let j = 0; j < result.w; j++) {
      const k = i * result.w + j;
      ctx.fillStyle = `rgb(${rgb[k * 3]}, ${rgb[k * 3 + 1]}, ${rgb[k * 3 + 2]})`;
      ctx.fillRect(j * cell, i * cell, cell, cell);
      ctx.strokeStyle = "#cccccc";
      ctx.strokeRect(j * cell, i * cell, cell, cell);
      const dark = rgb[k * 3] + rgb[k * 3 + 1] + rgb[k * 3 + 2] < 3 * 128;
      ctx.fillStyle = dark ? "white" : "black";
      if (Math.max(result.h, result.w) <= 14) ctx.fillText(cellText(m[k]), (j + 0.5) * cell, (i + 0.5) * cell);
    }
  }
}

function caption(header, result) {
  const st = header.style;
  const size = `${result.h}x${result.w}`;
  if (header.view === "grid") return `Output ${size} (follows the slider; click a cell after you let go)`;
  const tail = result.maps.length === 3 ? "" : `: ${legend(header, result.maps[0])}`;
  if (header.op === "pool") return `${st.mode_name} pooled ${size}, drawn at the same width${tail}`;
  return `Output ${size}${st.relu ? " after ReLU" : ""}${tail}`;
}

export default function (component) {
  const { data, parentElement } = component;
  if (!data) return undefined;
  const { header, planes: inflating } = unpack(data instanceof Uint8Array ? data : new Uint8Array(data));
  let planes = null;  // until inflated (the server's result stays shown meanwhile)
  const root = parentElement.querySelector(".live-map");
  const canvas = root.querySelector("canvas");
  const text = root.querySelector(".live-caption");
  const problem = root.querySelector(".live-problem");
  const host = parentElement.host ?? parentElement;
  root.dataset.view = header.view;
  const restKey = settingsKey(header.controls.map((c) => c.value));
  let shownKey = restKey;
  let pointerDown = false;
  let lastInput = 0;
  let running = false;
  const fulls = new Map();  // "size|dilation" -> the stride-1 map with the widest padding
  // Only the latest run's instance draws, even if an older one's clean-up has not run yet.
  const generation = {};
  parentElement.liveGeneration = generation;
  const current = () => parentElement.liveGeneration === generation;
  root.liveResult = null;

  // The server's own result (every element of the target container but this one).
  function serverElements() {
    const box = host.closest?.(`.st-key-${header.target}`);
    if (!box) return [];
    const mine = host.closest('[data-testid="stElementContainer"]');
    return [...box.querySelectorAll('[data-testid="stElementContainer"]')].filter(
      (e) => e !== mine && !e.contains(host) && !mine?.contains(e));
  }

  // This component's own slot: folded away while the server's result is shown.
  function mySlot(visible) {
    const mine = host.closest?.('[data-testid="stElementContainer"]');
    if (mine) mine.style.display = visible ? "" : "none";
  }

  function showServer() {
    mySlot(false);
    root.hidden = true;
    text.textContent = "";  // no second "Output ..." on the page while the server's is shown
    problem.textContent = "";
    root.dataset.state = "rest";
    for (const e of serverElements()) e.style.display = "";
  }

  function showLive(values) {
    const key = settingsKey(values);
    const entry = header.table[key];
    const t0 = performance.now();
    for (const e of serverElements()) e.style.display = "none";
    mySlot(true);
    root.hidden = false;
    root.dataset.state = "live";
    root.dataset.settings = key;
    if (!entry) {
      problem.hidden = false;
      problem.textContent = "Let go of the slider to see this setting.";
      canvas.hidden = true;
      text.textContent = "";
      return;
    }
    if (entry.error) {
      problem.hidden = false;
      problem.textContent = entry.error;
      canvas.hidden = true;
      text.textContent = "";
      root.liveResult = { settings: key, error: entry.error };
    } else {
      const s = { ...(header.style.fixed ?? {}),
        ...Object.fromEntries(header.controls.map((c, i) => [c.name, values[i]])) };
      const result = compute(header, planes, s, entry, fulls);
      problem.hidden = true;
      canvas.hidden = false;
      if (header.view === "grid") drawGrid(canvas, header, result);
      else drawPicture(canvas, header, result);
      text.textContent = caption(header, result);
      root.liveResult = { settings: key, h: result.h, w: result.w, maps: result.maps.map((m) => Array.from(m)) };
    }
    root.dataset.ms = (performance.now() - t0).toFixed(1);
    root.dataset.draws = String(Number(root.dataset.draws || 0) + 1);
  }

  function frame() {
    if (!current()) {
      running = false;
      return;
    }
    const values = header.controls.map(readControl);
    if (planes !== null && values.every((v) => v !== null)) {
      const key = settingsKey(values);
      if (key !== shownKey) {
        shownKey = key;
        if (key === restKey) showServer();
        else showLive(values);
      }
    }
    if (pointerDown || performance.now() - lastInput < 1500) requestAnimationFrame(frame);
    else running = false;
  }

  function wake() {
    lastInput = performance.now();
    if (!running) {
      running = true;
      requestAnimationFrame(frame);
    }
  }

  const down = () => { pointerDown = true; wake(); };
  const up = () => { pointerDown = false; wake(); };
  document.addEventListener("pointerdown", down, true);
  document.addEventListener("pointerup", up, true);
  document.addEventListener("pointercancel", up, true);
  document.addEventListener("keydown", wake, true);
  showServer();
  inflating.then((p) => {
    if (!current()) return;
    planes = p;
    wake();  // a run that arrives mid-drag starts from the sliders as they are
    // The full map of the current kernel size and dilation, while the page is idle: the first
    // stride or padding a drag reaches is then a crop, not a convolution.
    const now = header.table[restKey];
    if (header.op === "conv" && now && !now.error) {
      const settings = Object.fromEntries(header.controls.map((c) => [c.name, c.value]));
      (window.requestIdleCallback ?? setTimeout)(() => compute(header, planes, settings, now, fulls));
    }
  });
  return () => {
    document.removeEventListener("pointerdown", down, true);
    document.removeEventListener("pointerup", up, true);
    document.removeEventListener("pointercancel", up, true);
    document.removeEventListener("keydown", wake, true);
    for (const e of serverElements()) e.style.display = "";
  };
}
