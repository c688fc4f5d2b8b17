// Drawing with the mouse (or a finger, or a pen): a black square the visitor paints white
// on, read back as a small grey image in [0, 1] like Fashion-MNIST's (light object on
// black). The Explore and Transfer pages take drawn images through it.

export interface DrawPad {
  /** The canvas to put on the page. */
  readonly canvas: HTMLCanvasElement;
  /** The drawing as size x size grey values in [0, 1], row by row (the whole square scaled down). */
  read(size: number): Float32Array;
  /** Whether anything has been drawn since the last clear. */
  readonly drawn: boolean;
  clear(): void;
}

/**
 * A `pixels` x `pixels` drawing square with a round brush `brush` pixels wide; `onChange`
 * runs after each stroke ends and after a clear.
 */
export function drawPad(pixels: number, brush: number, onChange: () => void = () => {}): DrawPad {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = pixels;
  canvas.className = 'draw-pad';
  canvas.title = 'draw here with the mouse';
  canvas.style.touchAction = 'none';
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  let drawn = false;
  let last: [number, number] | null = null;

  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pixels, pixels);
    drawn = false;
  };
  const line = (from: [number, number], to: [number, number]) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = brush;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
    drawn = true;
  };
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * pixels, ((e.clientY - r.top) / r.height) * pixels];
  };
  canvas.onpointerdown = (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
  };
  canvas.onpointermove = (e) => {
    if (!last) return;
    const p = at(e);
    line(last, p);
    last = p;
  };
  canvas.onpointerup = canvas.onpointercancel = () => {
    if (!last) return;
    last = null;
    onChange();
  };
  clear();

  return {
    canvas,
    get drawn() {
      return drawn;
    },
    read(size) {
      const small = new OffscreenCanvas(size, size);
      const sctx = small.getContext('2d')!;
      sctx.imageSmoothingQuality = 'high';
      sctx.drawImage(canvas, 0, 0, size, size);
      const rgba = sctx.getImageData(0, 0, size, size).data;
      const grey = new Float32Array(size * size);
      for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4] / 255;
      return grey;
    },
    clear() {
      clear();
      onChange();
    },
  };
}
