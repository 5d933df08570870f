import { loadCifar10, loadFashionMnist, loadMnist, type Dataset } from '@ddar/datasets';
import type { DatasetName } from './profiles.js';

/** Loads a split of one of the paper's datasets, keeping the first `limit` examples. */
export async function loadDataset(name: DatasetName, split: 'train' | 'test', limit?: number): Promise<Dataset> {
  switch (name) {
    case 'mnist':
      return loadMnist({ split, limit });
    case 'fashion-mnist':
      return loadFashionMnist({ split, limit });
    case 'cifar10':
      return loadCifar10({ split, limit });
  }
}

/** Grayscale datasets share MNIST's epsilon grid; color ones use CIFAR-10's (DESIGN.md §1). */
export function family(name: DatasetName): 'grayscale' | 'color' {
  return name === 'cifar10' ? 'color' : 'grayscale';
}
