// Whether the browser's WebGL or WebGPU is emulated on the CPU. Headless browsers and machines without a usable GPU
// driver render through SwiftShader or Mesa's llvmpipe: tfjs's webgl backend then trains 30 to 50 times slower than
// wasm (apps/browser-check in headless Chromium: 15 s against 0.4 s for the same 9 steps), so initBackend ranks such a
// GPU backend after wasm.

/** Renderer names of CPU implementations of WebGL / Vulkan, as WEBGL_debug_renderer_info reports them. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software rasterizer|microsoft basic render/i;

/** True for the renderer string of a WebGL implementation that runs on the CPU. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}

interface WebGLLike {
  getExtension(name: string): unknown;
  getParameter(parameter: number): unknown;
}

/** WEBGL_debug_renderer_info's UNMASKED_RENDERER_WEBGL, which the extension object also carries. */
const UNMASKED_RENDERER_WEBGL = 0x9246;
/** WebGLRenderingContext.RENDERER: the masked name, all that browsers without the extension give. */
const RENDERER = 0x1f01;

/** The WebGL renderer's name, or undefined where there is no document or no WebGL. */
export function webglRenderer(): string | undefined {
  const doc = (globalThis as { document?: { createElement(tag: string): unknown } }).document;
  if (doc === undefined) return undefined;
  try {
    const canvas = doc.createElement('canvas') as { getContext(kind: string): WebGLLike | null };
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (gl == null) return undefined;
    const debug = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL?: number } | null;
    const name = gl.getParameter(debug != null ? (debug.UNMASKED_RENDERER_WEBGL ?? UNMASKED_RENDERER_WEBGL) : RENDERER);
    // Browsers keep few WebGL contexts alive at once; this probe must not take one from the page or from tfjs.
    (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/**
 * A description of the WebGPU adapter when it is a software one (a fallback adapter, or SwiftShader), else undefined
 * (also where there is no WebGPU: tfjs's webgpu backend then fails to start on its own).
 */
export async function softwareWebGpuAdapter(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } }).navigator?.gpu;
  if (gpu === undefined) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (adapter == null) return undefined;
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter((part) => part !== undefined && part !== '').join(' ');
    if (adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || isSoftwareRenderer(name)) {
      return `a fallback adapter${name === '' ? '' : ` (${name})`}`;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
