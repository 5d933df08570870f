import { differences } from './compare_results.js';

describe('differences', () => {
  const run = { clean: { accuracy: 0.5, count: 32 }, perImage: { clean: 'AQID' }, train: { seconds: 3, history: [{ imagesPerSecond: 100, losses: { total: 2.25 } }] } };

  it('ignores wall times, throughput and provenance, and float rounding within the tolerance', () => {
    const other = {
      ...run,
      clean: { accuracy: 0.5 + 1e-9, count: 32 },
      train: { seconds: 9, history: [{ imagesPerSecond: 7, losses: { total: 2.25 * (1 + 1e-8) } }] },
      producedBy: { host: 'b' },
    };
    expect(differences(run, other)).toEqual([]);
  });

  it('finds a changed number, a flipped image, a missing field and a missing item', () => {
    expect(differences(run, { ...run, clean: { accuracy: 0.53125, count: 32 } })).toEqual(['.clean.accuracy: 0.5 vs 0.53125']);
    expect(differences(run, { ...run, perImage: { clean: 'AQIE' } })).toEqual(['.perImage.clean: "AQID" vs "AQIE"']);
    expect(differences(run, { ...run, perImage: {} })).toEqual(['.perImage.clean: present vs missing']);
    expect(differences([1, 2], [1])).toEqual([': 2 items vs 1']);
  });
});
