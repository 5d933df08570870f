import type * as tfl from '@tensorflow/tfjs-layers';

/** Height, width, channels of one input image (batch dimension excluded). */
export type ImageShape = [height: number, width: number, channels: number];

/** Options every backbone factory receives. Built-ins read the extra fields they document. */
export interface BackboneOptions {
  /** Shape of one input image, e.g. [28, 28, 1] for MNIST or [32, 32, 3] for CIFAR-10. */
  inputShape: ImageShape;
  /** Multiplier or base number of channels, as documented by each backbone. */
  width?: number;
  /** Size d of the embedding the backbone outputs as [N, d]. */
  embeddingSize?: number;
  /** Prefix for layer names, so that two backbones can live in one model. */
  namePrefix?: string;
  /** Seed for the weight initializers, for reproducible runs. */
  seed?: number;
}

/**
 * An embedding network: maps an image batch [N, H, W, C] to an embedding [N, d].
 *
 * A backbone is a recipe of tfjs-layers layers applied to a symbolic input, not a model of its own,
 * so the DDAR model that embeds it is one functional `tf.LayersModel` that saves and loads in the
 * standard tfjs format with every weight (backbone, heads, decoders) in one `model.json`.
 */
export interface Backbone {
  /** Registry name (e.g. `smallCnn`), recorded in saved models. */
  readonly name: string;
  /** The options it was built with, after defaults; recorded in saved models. */
  readonly options: Readonly<Required<Omit<BackboneOptions, 'seed'>>> & {
    /** Initializer seed, present only if one was given; without it the weights are not reproducible. */
    seed?: number;
  };
  /** Size d of the embedding. */
  readonly embeddingSize: number;
  /** Applies the backbone's layers to `input` ([N, H, W, C]) and returns the embedding ([N, d]). */
  apply(input: tfl.SymbolicTensor): tfl.SymbolicTensor;
}

/** Builds a backbone for the given options; throws a clear error for an input it cannot take. */
export type BackboneFactory = (options: BackboneOptions) => Backbone;
