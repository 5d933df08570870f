import { MAX_GRID_IMAGES, parseAttackEpsilons, parseNumbers, parseWorkers, showCommand } from './commands.js';

describe('parseNumbers (--epsilons)', () => {
  it('reads a comma-separated list, spaces allowed', () => {
    expect(parseNumbers('--epsilons', '0.1, 0.2,0.3')).toEqual([0.1, 0.2, 0.3]);
    expect(parseNumbers('--epsilons', '0')).toEqual([0]);
  });

  it.each(['', ' ', '0.1,,0.2', '0.1,', ',0.1', 'a', '-0.1', '0.1,Infinity'])("refuses '%s' instead of reading an empty item as 0", (text) => {
    expect(() => parseNumbers('--epsilons', text)).toThrow(`--epsilons must be a comma-separated list of non-negative numbers, but got '${text}'`);
  });
});

describe('parseAttackEpsilons (attack --epsilons)', () => {
  it('refuses an L-infinity budget above the input range, suggesting the budget in [0, 1] units', () => {
    expect(parseAttackEpsilons('pgd', '0.1,1')).toEqual([0.1, 1]);
    expect(() => parseAttackEpsilons('pgd', '0.1,8')).toThrow(
      '--epsilons 8 is larger than the whole input range [0, 1], so pgd could replace any image by any other. Budgets are in pixel units of [0, 1]: for 8/255 write 0.03137',
    );
    expect(() => parseAttackEpsilons('fgsm', '1.5')).toThrow('--epsilons 1.5 is larger');
    // An L2 radius of 2 on a 784-pixel image is an ordinary budget.
    expect(parseAttackEpsilons('pgd-l2', '2')).toEqual([2]);
    expect(parseAttackEpsilons('cw', '2')).toEqual([2]);
  });
});

describe('parseWorkers (--workers)', () => {
  it('says when there are more workers than spare cores, and takes the count anyway', () => {
    const warnings: string[] = [];
    expect(parseWorkers('64', (line) => warnings.push(line), 2)).toBe(64);
    expect(warnings).toEqual([
      'warning: --workers 64 on 2 cores: 65 threads will share them and every step will wait for the slowest; --workers 1 (one per spare core) is faster',
    ]);
    expect(parseWorkers('1', (line) => warnings.push(line), 2)).toBe(1);
    expect(parseWorkers('0', (line) => warnings.push(line), 1)).toBe(0);
    expect(warnings).toHaveLength(1);
  });

  it('refuses what is not a count', () => {
    expect(() => parseWorkers('65', () => undefined, 2)).toThrow("--workers must be an integer from 0 to 64, but got '65'");
    expect(() => parseWorkers('-1', () => undefined, 2)).toThrow('--workers must be an integer from 0 to 64');
  });
});

describe('show --images', () => {
  it(`refuses more than ${MAX_GRID_IMAGES} images per row before loading anything`, async () => {
    await expect(showCommand({ model: '/nonexistent', out: '/tmp/grid.png', images: 100000 })).rejects.toThrow(
      `--images 100000: a grid shows at most ${MAX_GRID_IMAGES} images per row`,
    );
  });
});
