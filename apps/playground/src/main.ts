// The playground's entry: picks the backend (or the one ?backend= asks for), loads the models and the test digits that
// ship with the app, and hands them to the Playground.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
// The GPU backends initBackend may take; it ranks them after wasm where this browser renders them in software.
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The bundler copies the .wasm files into the build and gives their URLs; tfjs-backend-wasm would look beside the page.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendInfo, type BackendName } from '@ddar/backend';
import { loadDigits, loadModels } from './assets.js';
import { Playground } from './playground.js';
import './style.css';

const BACKEND_LABELS: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly (wasm)',
  cpu: 'plain JavaScript (cpu)',
};

/** The backend the page was asked for: `?backend=webgl`, else automatic. */
function requestedBackend(): BackendName | 'auto' {
  const asked = new URLSearchParams(location.search).get('backend') ?? 'auto';
  const known = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
  if (!known.includes(asked)) throw new Error(`?backend=${asked} is not a backend of this page; use one of ${known.join(', ')}`);
  return asked as BackendName | 'auto';
}

function showBackend(info: BackendInfo): void {
  const status = document.getElementById('backend-status')!;
  const label = BACKEND_LABELS[info.name] ?? info.name;
  let note = '';
  if (info.softwareRendering !== undefined) note = `rendered in software (${shortRenderer(info.softwareRendering)}): slower than a GPU`;
  else if (/renders in software/.test(info.reason)) note = "this browser's GPU backends render in software here, slower than wasm";
  else if (info.name === 'cpu') note = 'no faster backend could start';
  status.innerHTML = '';
  status.append('Running on ', Object.assign(document.createElement('strong'), { textContent: label }), note === '' ? '' : ` — ${note}`);
  status.title = `initBackend: ${info.name} (${info.reason})`;
  Object.assign(status.dataset, { backend: info.name, reason: info.reason });
}

/** "SwiftShader" rather than the whole ANGLE renderer string. */
function shortRenderer(renderer: string): string {
  const known = /swiftshader|llvmpipe|softpipe|basic render/i.exec(renderer);
  return known ? (known[0].toLowerCase() === 'swiftshader' ? 'SwiftShader' : known[0]) : renderer;
}

function showError(error: unknown): void {
  const status = document.getElementById('backend-status')!;
  status.textContent = `The playground could not start: ${(error as Error).message ?? String(error)}`;
  status.classList.add('error');
  document.getElementById('app')!.dataset.ready = 'failed';
  console.error(error);
}

async function start(): Promise<void> {
  const requested = requestedBackend();
  const choice = document.getElementById('backend-choice') as HTMLSelectElement;
  choice.value = requested === 'cpu' ? 'auto' : requested;
  choice.addEventListener('change', () => {
    const url = new URL(location.href);
    if (choice.value === 'auto') url.searchParams.delete('backend');
    else url.searchParams.set('backend', choice.value);
    location.assign(url.href);
  });
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  });
  const info = await initBackend({ backend: requested });
  showBackend(info);
  const base = new URL('./', location.href);
  const [models, digits] = await Promise.all([loadModels(base), loadDigits(base)]);
  const playground = new Playground(models, digits);
  const app = document.getElementById('app')!;
  app.dataset.ready = 'true';
  app.setAttribute('aria-busy', 'false');
  // For tests and the curious: the state a console user or a test can inspect.
  Object.assign(window, { ddarPlayground: { playground, backend: info, numTensors: () => tf.memory().numTensors } });
}

start().catch(showError);
