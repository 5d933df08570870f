/** Which standard split of a dataset to load; loaders default to `'train'`. */
export type Split = 'train' | 'test';

export function splitOrDefault(split: unknown, where: string): Split {
  if (split === undefined) return 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`${where}: split must be 'train' or 'test', but got ${String(split)}`);
  }
  return split;
}
