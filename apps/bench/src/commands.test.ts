import { parseNumbers } from './commands.js';

describe('parseNumbers (--epsilons)', () => {
  it('reads a comma-separated list, spaces allowed', () => {
    expect(parseNumbers('--epsilons', '0.1, 0.2,0.3')).toEqual([0.1, 0.2, 0.3]);
    expect(parseNumbers('--epsilons', '0')).toEqual([0]);
  });

  it.each(['', ' ', '0.1,,0.2', '0.1,', ',0.1', 'a', '-0.1', '0.1,Infinity'])("refuses '%s' instead of reading an empty item as 0", (text) => {
    expect(() => parseNumbers('--epsilons', text)).toThrow(`--epsilons must be a comma-separated list of non-negative numbers, but got '${text}'`);
  });
});
