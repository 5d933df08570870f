import type { Backbone, BackboneFactory, BackboneOptions } from './backbone.js';
import { resnet18 } from './resnet18.js';
import { resnet20 } from './resnet20.js';
import { smallCnn } from './small_cnn.js';

/** Options for `registerBackbone`. */
export interface RegisterBackboneOptions {
  /** Replace a backbone already registered under this name (built-ins included). Default false. */
  override?: boolean;
}

const factories = new Map<string, BackboneFactory>([
  ['smallCnn', smallCnn],
  ['resnet20', resnet20],
  ['resnet18', resnet18],
]);

/**
 * Makes `factory` available as `getBackbone(name, options)`, so configuration files, the bench CLI
 * and saved-model metadata can refer to it by name. The factory must return a backbone whose `name`
 * is `name`. Registering a taken name throws unless `{ override: true }`.
 */
export function registerBackbone(
  name: string,
  factory: BackboneFactory,
  options: RegisterBackboneOptions = {},
): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`Error in registerBackbone: name must be a non-empty string, but got ${String(name)}`);
  }
  if (typeof factory !== 'function') {
    throw new Error(`Error in registerBackbone: factory for '${name}' must be a function, but got ${typeof factory}`);
  }
  if (factories.has(name) && options.override !== true) {
    throw new Error(
      `Error in registerBackbone: a backbone named '${name}' is already registered; ` +
        `pass { override: true } to replace it`,
    );
  }
  factories.set(name, factory);
}

/** Builds the backbone registered as `name`; an unknown name is an error listing the known ones. */
export function getBackbone(name: string, options: BackboneOptions): Backbone {
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new Error(
      `Error in getBackbone: no backbone named '${String(name)}'; known backbones: ${listBackbones().join(', ')}`,
    );
  }
  const backbone = factory(options);
  assertIsBackbone(name, backbone);
  return backbone;
}

/** Names of every registered backbone, built-ins first, then in registration order. */
export function listBackbones(): string[] {
  return [...factories.keys()];
}

/** User factories are plain functions: check what they return before it is wired into a model. */
function assertIsBackbone(name: string, backbone: Backbone): void {
  const problem =
    backbone == null || typeof backbone !== 'object'
      ? `returned ${String(backbone)} instead of a Backbone`
      : typeof backbone.apply !== 'function'
        ? 'returned an object without an apply(input) method'
        : backbone.name !== name
          ? `returned a backbone named '${String(backbone.name)}' (its name must be the registered name)`
          : !Number.isInteger(backbone.embeddingSize) || backbone.embeddingSize <= 0
            ? `returned embeddingSize ${String(backbone.embeddingSize)} (must be a positive integer)`
            : null;
  if (problem !== null) {
    throw new Error(`Error in getBackbone: the factory registered as '${name}' ${problem}`);
  }
}
