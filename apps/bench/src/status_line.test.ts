import { StatusLine } from './status_line.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

function fakeClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('StatusLine on a terminal', () => {
  it('redraws in place, at most every redrawMs, blanking what a longer status left, and ends the line', () => {
    const stream = fakeStream(true, 80);
    const clock = fakeClock();
    const status = new StatusLine(stream, { now: clock.now, redrawMs: 100 });
    status.update('100/1000 images', 0.1);
    clock.advance(50);
    status.update('200/1000 images', 0.2); // too soon: not drawn
    clock.advance(60);
    status.update('9/1000', 0.3);
    clock.advance(10);
    status.update('1000/1000 images', 1); // the last one is drawn however soon
    status.end();
    expect(stream.writes).toEqual(['\r100/1000 images', '\r9/1000         ', '\r1000/1000 images', '\n']);
  });

  it('draws the newest status on end when a throttled update was not drawn, and cuts lines to the terminal width', () => {
    const stream = fakeStream(true, 10);
    const clock = fakeClock();
    const status = new StatusLine(stream, { now: clock.now });
    status.update('a long status line');
    status.update('short');
    status.end();
    expect(stream.writes).toEqual(['\ra long st', '\rshort    ', '\n']);
  });

  it('writes nothing at all when nothing was reported', () => {
    const stream = fakeStream(true);
    new StatusLine(stream).end();
    expect(stream.writes).toEqual([]);
  });
});

describe('StatusLine elsewhere (CI logs, files)', () => {
  it('never writes a carriage return: the first status, each tenth of the way, and the last, as plain lines', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const status = new StatusLine(stream, { now: clock.now });
    for (let done = 10; done <= 1000; done += 10) {
      clock.advance(100);
      status.update(`${done}/1000 images`, done / 1000);
    }
    status.end();
    expect(stream.writes.join('')).not.toContain('\r');
    expect(stream.writes).toEqual([
      '10/1000 images\n', '100/1000 images\n', '200/1000 images\n', '300/1000 images\n', '400/1000 images\n', '500/1000 images\n',
      '600/1000 images\n', '700/1000 images\n', '800/1000 images\n', '900/1000 images\n', '1000/1000 images\n',
    ]);
  });

  it('without a fraction, writes a line at most every plainEveryMs, and the last status on end', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const status = new StatusLine(stream, { now: clock.now, plainEveryMs: 30_000 });
    for (let batch = 1; batch <= 10; batch++) {
      status.update(`${batch} batches`);
      clock.advance(10_000);
    }
    status.end();
    // 0 s, 30 s, 60 s, 90 s, then the last at the end.
    expect(stream.writes).toEqual(['1 batches\n', '4 batches\n', '7 batches\n', '10 batches\n']);
    status.update('again');
    status.end();
    expect(stream.writes.slice(4)).toEqual(['again\n']);
  });

  it('treats a stream without isTTY (a pipe, a file) as not a terminal', () => {
    const writes: string[] = [];
    const status = new StatusLine({ write: (text: string) => writes.push(text) });
    status.update('1/2 images', 0.5);
    status.update('2/2 images', 1);
    status.end();
    expect(writes).toEqual(['1/2 images\n', '2/2 images\n']);
  });
});
