import * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone, BackboneOptions } from './backbone.js';
import { assertInputMatches, resolveBackboneOptions, scaledChannels } from './backbone_options.js';
import { basicBlock, convBatchNorm, sequence, type ShortcutKind } from './basic_block.js';
import { SeededInitializers } from './seeded_initializers.js';

/** Options of the ResNet built-ins: the shared ones plus the shortcut flavour. */
export interface ResNetOptions extends BackboneOptions {
  /** See {@link ShortcutKind}; each ResNet documents its default. */
  shortcut?: ShortcutKind;
}

/** A ResNet backbone, whose recorded options include the shortcut flavour it was built with. */
export interface ResNetBackbone extends Backbone {
  readonly options: Backbone['options'] & {
    /** The shortcut flavour actually used, after the ResNet's default was applied. */
    readonly shortcut: ShortcutKind;
  };
}

/** What distinguishes one CIFAR-style ResNet of basic blocks from another. */
export interface ResNetSpec {
  name: string;
  /** Filters of the stem and the first stage at width 1; stage s has `2^s` times as many. */
  baseFilters: number;
  /** Basic blocks per stage; every stage after the first starts with a stride-2 block. */
  blocksPerStage: readonly number[];
  defaultShortcut: ShortcutKind;
}

/**
 * conv3x3 + BN + ReLU stem at full resolution (no 7x7 conv or max-pool: inputs are 32x32), stages
 * of basic blocks doubling the filters and halving the resolution, global average pooling. When
 * `embeddingSize` differs from the pooled width, a linear dense layer projects to it.
 */
export function residualNetwork(spec: ResNetSpec, options: ResNetOptions): ResNetBackbone {
  const { name } = spec;
  const stageCount = spec.blocksPerStage.length;
  const pooledWidth = (width: number) => scaledChannels(spec.baseFilters, width) * 2 ** (stageCount - 1);
  const resolved = resolveBackboneOptions(name, options, pooledWidth);
  const shortcut = options.shortcut ?? spec.defaultShortcut;
  if (shortcut !== 'A' && shortcut !== 'B') {
    throw new Error(`Error in ${name}: options.shortcut must be 'A' or 'B', but got ${String(shortcut)}`);
  }
  const { inputShape, width, embeddingSize, namePrefix } = resolved;
  const divisor = 2 ** (stageCount - 1);
  if (inputShape[0] % divisor !== 0 || inputShape[1] % divisor !== 0) {
    throw new Error(
      `Error in ${name}: options.inputShape height and width must be multiples of ${divisor} ` +
        `(${stageCount - 1} stride-2 stages that must halve them exactly), but got [${inputShape.join(', ')}]`,
    );
  }

  const initializers = new SeededInitializers(resolved.seed);
  // Filters double per stage from one rounded base, so that option A's zero padding (which doubles
  // the channels) fits every width multiplier.
  const baseFilters = scaledChannels(spec.baseFilters, width);
  const stem = sequence([
    ...convBatchNorm(`${namePrefix}_stem`, baseFilters, 3, 1, initializers),
    tfl.layers.activation({ name: `${namePrefix}_stem_relu`, activation: 'relu' }),
  ]);
  const blocks: ((x: tfl.SymbolicTensor) => tfl.SymbolicTensor)[] = [];
  let channels = baseFilters;
  spec.blocksPerStage.forEach((blockCount, stage) => {
    const stageFilters = baseFilters * 2 ** stage;
    for (let block = 0; block < blockCount; block++) {
      blocks.push(
        basicBlock({
          name: `${namePrefix}_stage${stage + 1}_block${block + 1}`,
          inputChannels: channels,
          outputChannels: stageFilters,
          stride: stage > 0 && block === 0 ? 2 : 1,
          shortcut,
          initializers,
        }),
      );
      channels = stageFilters;
    }
  });
  const pool = tfl.layers.globalAveragePooling2d({ name: `${namePrefix}_pool` });
  const projection =
    embeddingSize === channels
      ? null
      : tfl.layers.dense({
          name: `${namePrefix}_projection`,
          units: embeddingSize,
          kernelInitializer: initializers.heNormal(),
        });

  return {
    name,
    options: { ...resolved, shortcut },
    embeddingSize,
    apply(input: tfl.SymbolicTensor): tfl.SymbolicTensor {
      assertInputMatches(name, input, inputShape);
      const features = blocks.reduce((x, block) => block(x), stem(input));
      const pooled = pool.apply(features) as tfl.SymbolicTensor;
      return projection === null ? pooled : (projection.apply(pooled) as tfl.SymbolicTensor);
    },
  };
}
