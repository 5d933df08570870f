import * as tf from '@tensorflow/tfjs-core';

/** An IOHandler that keeps the saved artifacts in memory, so tests need no file system. */
export class MemoryIO implements tf.io.IOHandler {
  artifacts: tf.io.ModelArtifacts | undefined;

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    this.artifacts = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    if (this.artifacts === undefined) throw new Error('MemoryIO: nothing saved yet');
    // A JSON round trip of the topology and metadata, as a model.json on disk would go through.
    return {
      ...this.artifacts,
      modelTopology: JSON.parse(JSON.stringify(this.artifacts.modelTopology)),
      userDefinedMetadata: JSON.parse(JSON.stringify(this.artifacts.userDefinedMetadata ?? null)) ?? undefined,
    };
  }
}
