// A drawing made MNIST-like, as LeCun et al. prepared the digits of MNIST: the digit's bounding box scaled, keeping its
// aspect ratio, to fit 20 x 20 (with area averaging, so thin strokes become grey rather than vanish), then placed in a
// 28 x 28 image so that its centre of mass sits at the image centre. A model trained on MNIST sees a drawing as it saw
// its training digits only after this; a raw 28 x 28 downscale of the whole pad gives small, off-centre digits.

/** The side of an MNIST image, and of the box its digit is scaled to fit. */
export const MNIST_SIDE = 28;
export const DIGIT_BOX = 20;

/** A grey image, row-major, values in [0, 1] (1 = ink). */
export interface GreyImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Pixels at or below this much ink count as background when finding the digit's bounding box. */
const INK_THRESHOLD = 0.05;

/** The smallest rectangle holding every inked pixel, or undefined for a blank image. */
export function inkBounds(image: GreyImage): { left: number; top: number; width: number; height: number } | undefined {
  const { data, width, height } = image;
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > INK_THRESHOLD) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  return right < 0 ? undefined : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Resamples a region of `image` to `outWidth` x `outHeight` by area averaging: each output pixel is the mean of the
 * input area it covers, partial pixels weighted by their overlap.
 */
export function resampleArea(
  image: GreyImage,
  region: { left: number; top: number; width: number; height: number },
  outWidth: number,
  outHeight: number,
): Float32Array {
  const out = new Float32Array(outWidth * outHeight);
  const sx = region.width / outWidth;
  const sy = region.height / outHeight;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = region.top + oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = region.left + ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0 || y < 0 || y >= image.height) continue;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0 || x < 0 || x >= image.width) continue;
          sum += wx * wy * image.data[y * image.width + x];
        }
      }
      out[oy * outWidth + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/** Centre of mass (x, y) of an image, in pixel coordinates (pixel centres at integers); undefined when it is blank. */
export function centreOfMass(data: Float32Array, width: number, height: number): { x: number; y: number } | undefined {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass } : undefined;
}

/**
 * The 28 x 28 MNIST-style image of a drawing (1 = ink), or undefined when nothing is drawn. The digit's bounding box is
 * scaled to fit 20 x 20 and the result moved by whole pixels so that its centre of mass is as close as it gets to the
 * image centre (13.5, 13.5), without cutting the digit.
 */
export function preprocessDrawing(drawing: GreyImage): Float32Array | undefined {
  if (drawing.data.length !== drawing.width * drawing.height) {
    throw new Error(`preprocessDrawing: data holds ${drawing.data.length} values, but the image is ${drawing.width} x ${drawing.height}`);
  }
  const box = inkBounds(drawing);
  if (box === undefined) return undefined;
  const factor = DIGIT_BOX / Math.max(box.width, box.height);
  const width = Math.max(1, Math.min(DIGIT_BOX, Math.round(box.width * factor)));
  const height = Math.max(1, Math.min(DIGIT_BOX, Math.round(box.height * factor)));
  const digit = resampleArea(drawing, box, width, height);
  const mass = centreOfMass(digit, width, height);
  if (mass === undefined) return undefined;
  const centre = (MNIST_SIDE - 1) / 2;
  const left = clamp(Math.round(centre - mass.x), 0, MNIST_SIDE - width);
  const top = clamp(Math.round(centre - mass.y), 0, MNIST_SIDE - height);
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[(top + y) * MNIST_SIDE + left + x] = Math.min(1, digit[y * width + x]);
  }
  return out;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
