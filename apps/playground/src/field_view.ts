// How the playground draws DDAR's warp. The model's displacement D at output pixel p says where p reads the template:
// at p + D(p). A person thinks the other way round, of the template's ink moving into the image, so the view shows the
// motion -D: each arrow goes from where the ink was in the template to where it lands. Colour is the usual optical-flow
// wheel (hue = direction of motion, brightness = distance), as in ddar-bench's grids but for the motion.

/** HSV (s = 1) to RGB in [0, 1]: hue from the direction of (dx, dy), value from its length over `fullBrightness`. */
export function flowColor(dx: number, dy: number, fullBrightness: number): [number, number, number] {
  const v = Math.min(1, Math.hypot(dx, dy) / (fullBrightness || 1));
  const hue = ((Math.atan2(dy, dx) / (2 * Math.PI) + 1) % 1) * 6;
  const f = hue - Math.floor(hue);
  const q = v * (1 - f);
  const t = v * f;
  const sectors: Array<[number, number, number]> = [[v, t, 0], [q, v, 0], [0, v, t], [0, q, v], [t, 0, v], [v, 0, q]];
  return sectors[Math.floor(hue) % 6];
}

/** One arrow of the motion field, in pixel coordinates of the image (x right, y down). */
export interface Arrow {
  fromX: number;
  fromY: number;
  toX: number;
  toY: number;
}

/** The motion field -D of a displacement field [H, W, 2] (dx, dy interleaved), and the longest motion in it. */
export function motionField(displacement: ArrayLike<number>, height: number, width: number): { motion: Float32Array; longest: number } {
  if (displacement.length !== height * width * 2) {
    throw new Error(`motionField: displacement holds ${displacement.length} values, but a ${height} x ${width} field has ${height * width * 2}`);
  }
  const motion = new Float32Array(displacement.length);
  let longest = 0;
  for (let i = 0; i < displacement.length; i += 2) {
    motion[i] = -displacement[i];
    motion[i + 1] = -displacement[i + 1];
    longest = Math.max(longest, Math.hypot(motion[i], motion[i + 1]));
  }
  return { motion, longest };
}

/** Arrows every `step` pixels, each from the template position p + D(p) to the image position p. */
export function motionArrows(displacement: ArrayLike<number>, height: number, width: number, step: number): Arrow[] {
  const arrows: Arrow[] = [];
  const offset = Math.floor(((height - 1) % step) / 2);
  for (let y = offset; y < height; y += step) {
    for (let x = offset; x < width; x += step) {
      const i = (y * width + x) * 2;
      arrows.push({ fromX: x + displacement[i], fromY: y + displacement[i + 1], toX: x, toY: y });
    }
  }
  return arrows;
}
