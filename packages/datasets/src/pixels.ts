/**
 * Converts 8-bit pixels to float32 in [0, 1] in one pass, so loading keeps at most the file's
 * bytes plus one float32 copy alive (the tensor takes the float32 array).
 */
export function unitFloatPixels(pixels: Uint8Array, count: number = pixels.length): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = pixels[i] / 255;
  return out;
}
