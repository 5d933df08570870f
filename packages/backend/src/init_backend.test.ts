import * as tf from '@tensorflow/tfjs-core';
import { initBackend, currentBackend } from './init_backend.js';

describe('initBackend', () => {
  const savedEnv = process.env.DDAR_BACKEND;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.DDAR_BACKEND;
    else process.env.DDAR_BACKEND = savedEnv;
  });

  it('picks the fastest available backend and logs one line saying which and why', async () => {
    delete process.env.DDAR_BACKEND;
    const lines: string[] = [];
    const info = await initBackend({ log: (line) => lines.push(line) });
    // tfjs-node cannot be installed on this project's machines, so wasm is the fastest here.
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/tfjs-node-gpu not installed/);
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toEqual([`[ddar] backend: wasm (${info.reason})`]);
    expect(currentBackend()).toEqual(info);
  });

  it('honours an explicit option over DDAR_BACKEND', async () => {
    process.env.DDAR_BACKEND = 'wasm';
    const info = await initBackend({ backend: 'cpu', log: false });
    expect(info).toEqual({ name: 'cpu', reason: 'requested' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reads DDAR_BACKEND when no option is given', async () => {
    process.env.DDAR_BACKEND = 'cpu';
    expect((await initBackend({ log: false })).name).toBe('cpu');
    process.env.DDAR_BACKEND = 'wasm';
    expect((await initBackend({ log: false })).name).toBe('wasm');
  });

  it('fails clearly, without falling back, when a requested backend is unavailable', async () => {
    await expect(initBackend({ backend: 'tensorflow', log: false })).rejects.toThrow(
      /backend 'tensorflow' was requested but is not available .*tfjs-node/,
    );
  });

  it('rejects an unknown backend name, saying where it came from', async () => {
    process.env.DDAR_BACKEND = 'webgpu';
    await expect(initBackend({ log: false })).rejects.toThrow(
      "initBackend: DDAR_BACKEND must be one of auto, tensorflow, wasm, cpu, but got 'webgpu'; 'webgpu' is not a backend of Node.js",
    );
    await expect(initBackend({ backend: 'gpu' as never, log: false })).rejects.toThrow(/options.backend must be one of/);
  });
});
