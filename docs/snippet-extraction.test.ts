// How `ts run` blocks are found in the docs' markdown (see scripts/snippets.ts), and that the docs have some.
import { extractSnippets, snippets } from './scripts/snippets';

describe('extractSnippets', () => {
  it('finds `ts run` blocks with the line of their fence and ignores other blocks', () => {
    const md = ['# t', '```ts', 'skip();', '```', '', '```ts run', 'a();', '  b();', '```', '~~~ts run', 'c();', '~~~'].join('\n');
    expect(extractSnippets(md, 'x.md')).toEqual([
      { file: 'x.md', line: 6, code: 'a();\n  b();\n' },
      { file: 'x.md', line: 10, code: 'c();\n' },
    ]);
  });

  it('the docs hold runnable snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(10);
  });
});
