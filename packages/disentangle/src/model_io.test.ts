import * as tf from '@tensorflow/tfjs-core';
import { resolveHandler } from './model_io.js';
import { MemoryIO } from './test-utils/memory_io.js';

describe('resolveHandler', () => {
  it('passes an IOHandler with the needed method through', () => {
    const io = new MemoryIO();
    expect(resolveHandler('save', 'op', io)).toBe(io);
    expect(resolveHandler('load', 'op', io)).toBe(io);
  });

  it('resolves a URL through the tf.io registry', () => {
    const io = new MemoryIO();
    const router = ((url: string | string[]) =>
      typeof url === 'string' && url.startsWith('modeliotest://') ? io : null) as Parameters<typeof tf.io.registerSaveRouter>[0];
    tf.io.registerSaveRouter(router);
    tf.io.registerLoadRouter(router);
    expect(resolveHandler('save', 'op', 'modeliotest://a')).toBe(io);
    expect(resolveHandler('load', 'op', 'modeliotest://a')).toBe(io);
  });

  it('names the direction when no handler is registered for a URL', () => {
    expect(() => resolveHandler('save', 'save', 'nosuchscheme://m')).toThrow(
      "Error in save: no tf.io save handler is registered for 'nosuchscheme://m'. " +
        'For file:// URLs call initBackend() or registerFileSystemRouter() from @ddar/backend first, or pass a tf.io.IOHandler.',
    );
    expect(() => resolveHandler('load', 'load', 'nosuchscheme://m')).toThrow(
      "Error in load: no tf.io load handler is registered for 'nosuchscheme://m'. " +
        'For file:// URLs call initBackend() or registerFileSystemRouter() from @ddar/backend first, or pass a tf.io.IOHandler.',
    );
  });

  it('refuses a handler without the needed method, and a value that is no handler', () => {
    const loadOnly = { load: async () => ({}) } as tf.io.IOHandler;
    const saveOnly = { save: async () => ({}) } as unknown as tf.io.IOHandler;
    expect(() => resolveHandler('save', 'save', loadOnly)).toThrow(
      'Error in save: destination must be a URL string or a tf.io.IOHandler with save(), but got object',
    );
    expect(() => resolveHandler('load', 'load', saveOnly)).toThrow(
      'Error in load: source must be a URL string or a tf.io.IOHandler with load(), but got object',
    );
    expect(() => resolveHandler('load', 'load', 42 as unknown as tf.io.IOHandler)).toThrow(
      'Error in load: source must be a URL string or a tf.io.IOHandler with load(), but got number',
    );
  });
});
