// The drawing pad and the small pictures of the page. The pad draws strokes with the pointer (mouse, pen or touch)
// and sends its ink (the alpha channel, width x height bytes) to .NET after every change, at most one frame apart;
// .NET scales it to 28x28 as MNIST did and runs LeNet-5.
window.cnnPad = (() => {
  const pads = new WeakMap();

  function init(canvas, dotnet, lineWidth) {
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const state = { ctx, dotnet, drawing: false, last: null, pending: false, busy: false };
    pads.set(canvas, state);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = "#000";
    const at = e => {
      const r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    };
    canvas.addEventListener("pointerdown", e => {
      e.preventDefault();
      canvas.setPointerCapture?.(e.pointerId);
      state.drawing = true;
      state.last = at(e);
      dot(state, state.last);
    });
    canvas.addEventListener("pointermove", e => {
      if (!state.drawing) return;
      e.preventDefault();
      const p = at(e);
      line(state, state.last, p);
      state.last = p;
    });
    const end = () => { state.drawing = false; state.last = null; };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
  }

  function dot(state, p) {
    state.ctx.beginPath();
    state.ctx.arc(p[0], p[1], state.ctx.lineWidth / 2, 0, 2 * Math.PI);
    state.ctx.fill();
    changed(state);
  }

  function line(state, a, b) {
    state.ctx.beginPath();
    state.ctx.moveTo(a[0], a[1]);
    state.ctx.lineTo(b[0], b[1]);
    state.ctx.stroke();
    changed(state);
  }

  // one prediction in flight at a time; changes meanwhile are sent when it is done
  function changed(state) {
    state.pending = true;
    if (!state.busy) requestAnimationFrame(() => send(state));
  }

  async function send(state) {
    if (state.busy || !state.pending) return;
    state.busy = true;
    state.pending = false;
    try {
      const c = state.ctx.canvas;
      const rgba = state.ctx.getImageData(0, 0, c.width, c.height).data;
      const ink = new Uint8Array(c.width * c.height);
      for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i + 3];
      await state.dotnet.invokeMethodAsync("OnInk", ink, c.width, c.height);
    } finally {
      state.busy = false;
      if (state.pending) requestAnimationFrame(() => send(state));
    }
  }

  function clear(canvas) {
    const state = pads.get(canvas);
    state.ctx.clearRect(0, 0, canvas.width, canvas.height);
    changed(state);
  }

  // A grid of feature maps: count maps of h x w bytes each (128 = 0 for signed maps, 0 = 0 otherwise), scale pixels per value.
  function maps(canvas, bytes, count, h, w, columns, scale, signed) {
    const rows = Math.ceil(count / columns), gap = 2;
    canvas.width = columns * (w * scale + gap) - gap;
    canvas.height = rows * (h * scale + gap) - gap;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const img = ctx.createImageData(w, h);
    const tmp = document.createElement("canvas");
    tmp.width = w; tmp.height = h;
    const tctx = tmp.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    for (let m = 0; m < count; m++) {
      for (let i = 0; i < h * w; i++) {
        const v = bytes[m * h * w + i];
        let r, g, b;
        if (signed) {
          // negative blue, positive orange, 0 white
          const t = (v - 128) / 127;
          if (t >= 0) { r = 255; g = 255 - 120 * t; b = 255 - 255 * t; } else { r = 255 + 215 * t; g = 255 + 130 * t; b = 255; }
        } else { r = g = b = 255 - v; }
        img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
      }
      tctx.putImageData(img, 0, 0);
      const x = (m % columns) * (w * scale + gap), y = Math.floor(m / columns) * (h * scale + gap);
      ctx.drawImage(tmp, x, y, w * scale, h * scale);
    }
  }

  // Bars for a dense layer's activations: bytes 128 = 0 (signed) or 0 = 0.
  function bars(canvas, bytes, signed) {
    const n = bytes.length, bw = Math.max(2, Math.floor(360 / n));
    canvas.width = n * bw; canvas.height = 60;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const base = signed ? 30 : 59;
    for (let i = 0; i < n; i++) {
      const t = signed ? (bytes[i] - 128) / 127 : bytes[i] / 255;
      ctx.fillStyle = t >= 0 ? "#e8731a" : "#3b7dd8";
      const hgt = Math.round(Math.abs(t) * (signed ? 29 : 58));
      ctx.fillRect(i * bw, t >= 0 ? base - hgt : base, bw - 1, hgt || 1);
    }
  }

  // For tests: replay strokes (arrays of [x, y] in canvas pixels) as pointer events on the canvas.
  function replay(canvas, strokes) {
    const r = canvas.getBoundingClientRect();
    const fire = (type, p) => canvas.dispatchEvent(new PointerEvent(type, {
      bubbles: true, cancelable: true, pointerId: 1, pointerType: "mouse", isPrimary: true, buttons: type === "pointerup" ? 0 : 1,
      clientX: r.left + p[0] * r.width / canvas.width, clientY: r.top + p[1] * r.height / canvas.height }));
    for (const s of strokes) {
      fire("pointerdown", s[0]);
      for (const p of s.slice(1)) fire("pointermove", p);
      fire("pointerup", s[s.length - 1]);
    }
  }

  // Resolves after the next frame is painted: training awaits it between batches, so the page repaints and handles Stop.
  const nextFrame = () => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));

  return { init, clear, maps, bars, replay, nextFrame, now: () => performance.now() };
})();
