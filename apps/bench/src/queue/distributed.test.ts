// The acceptance test of distributed runs: a real Redis (redis-server with an append-only file, an ACL user and a
// password), worker processes of the built CLI, and the smoke profile through the queue. One worker is killed with
// SIGKILL in the middle of a training cell, Redis is killed and restarted mid-run, and the enqueuing command is
// interrupted and run again; the results must equal a local run's. Without redis-server the test is skipped, saying
// what to install; CI installs it and sets DDAR_REQUIRE_REDIS=1, which turns the skip into a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { Results } from '../results.js';
import { parseQueueUrl } from './connection.js';
import { QUEUE_NAME, jobIds } from './run.js';
import { runDifferences } from './test-utils/compare_results.js';

const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function findRedisServer(): string | undefined {
  const named = process.env.DDAR_REDIS_SERVER;
  if (named !== undefined) {
    if (!existsSync(named)) throw new Error(`DDAR_REDIS_SERVER=${named}: no such file`);
    return named;
  }
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin'];
  return dirs.map((dir) => path.join(dir, 'redis-server')).find((file) => existsSync(file));
}

const redisServer = findRedisServer();
const INSTALL = "install Redis (Debian: apt-get install redis-server) to run it, or point DDAR_REDIS_SERVER at a redis-server binary";
if (redisServer === undefined) {
  if (process.env.DDAR_REQUIRE_REDIS === '1') throw new Error(`DDAR_REQUIRE_REDIS=1 but no redis-server was found: ${INSTALL}`);
  console.warn(`distributed.test.ts skipped: no redis-server found; ${INSTALL}`);
}
const describeWithRedis = redisServer !== undefined ? describe : describe.skip;

/** A process of this test, in a process group of its own: killing the group also kills the processes BullMQ forked. */
class Started {
  readonly child: ChildProcess;
  log = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private watchers: Array<{ pattern: RegExp; callback: (match: RegExpMatchArray) => void }> = [];

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const onData = (chunk: Buffer) => {
      this.log += chunk.toString();
      for (const watcher of [...this.watchers]) {
        const match = this.log.match(watcher.pattern);
        if (match !== null) {
          this.watchers.splice(this.watchers.indexOf(watcher), 1);
          watcher.callback(match);
        }
      }
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Calls `callback` synchronously, in the same turn as the output that first matches `pattern`. */
  on(pattern: RegExp, callback: (match: RegExpMatchArray) => void): void {
    const match = this.log.match(pattern);
    if (match !== null) callback(match);
    else this.watchers.push({ pattern, callback });
  }

  waitFor(pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs / 1000} s; log:\n${this.log.slice(-3000)}`)), timeoutMs);
      // A wait that lost a race must not keep the test process alive.
      timer.unref();
      void this.exited.then(({ code, signal }) => {
        if (this.log.match(pattern) === null) reject(new Error(`exited (${code ?? signal}) without ${pattern}; log:\n${this.log.slice(-3000)}`));
      });
      this.on(pattern, (match) => {
        clearTimeout(timer);
        resolve(match);
      });
    });
  }

  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) process.kill(-this.child.pid!, signal);
  }
}

const started: Started[] = [];
function start(command: string, args: string[], env?: NodeJS.ProcessEnv): Started {
  const process_ = new Started(command, args, env);
  started.push(process_);
  return process_;
}
const ddarBench = (args: string[], env: NodeJS.ProcessEnv = {}) => start(process.execPath, [cli, ...args], { DDAR_BACKEND: 'wasm', ...env });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const PASSWORD = 'test-only-password';

/** `text` as a regular expression that matches it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function startRedis(port: number, dir: string): Promise<Started> {
  const redis = start(redisServer!, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    // Every write is on disk before Redis answers it: a kill loses nothing.
    '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
    // Authentication through the URL, as docs/distributed.md asks: an ACL user with a password. The default user keeps
    // a password of its own rather than being switched off: Redis replays its append-only file as the default user, and
    // releases before the fix of Redis issue 14541 drop every transaction of the file when that user is off.
    '--user', 'default', 'on', `>${PASSWORD}-default`, '~*', '&*', '+@all',
    '--user', 'ddar', 'on', `>${PASSWORD}`, '~bull:*', '&*', '+@all',
  ]);
  await redis.waitFor(/Ready to accept connections/, 30_000);
  return redis;
}

async function readResults(dir: string): Promise<Results> {
  return JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8')) as Results;
}

describe('ddar-bench reproduce --queue and worker: what they refuse before any work', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the app first (pnpm turbo run build --filter=@ddar/bench...)`);
  });
  afterAll(async () => {
    for (const process_ of started) process_.kill('SIGKILL');
    await Promise.all(started.map((process_) => process_.exited));
  });

  it.each([
    [['reproduce', '--profile', 'smoke', '--queue', 'redis://127.0.0.1:6379'], "reproduce --queue needs --artifacts <dir>: the run's directory, on a filesystem every worker shares"],
    [['reproduce', '--profile', 'smoke', '--artifacts', '/tmp/x'], 'reproduce --artifacts needs --queue <url> (or the URL in DDAR_BENCH_QUEUE)'],
    [['reproduce', '--profile', 'smoke', '--queue', 'redis://127.0.0.1:6379', '--artifacts', '/tmp/x', '--out', '/tmp/y'], "with --queue the run's directory is --artifacts, not --out"],
    [['reproduce', '--profile', 'smoke', '--queue', 'localhost:6379', '--artifacts', '/tmp/x'], "--queue must be a URL of the form redis://[user:password@]host:port[/db] or rediss://… for TLS, but got 'localhost:6379'"],
    [['worker'], 'worker needs --queue <url> (or the URL in DDAR_BENCH_QUEUE)'],
    [['worker', '--queue', 'redis://127.0.0.1:6379', '--lock-duration', '0'], "--lock-duration must be a number of seconds from 0.1 to 86400, but got '0'"],
    [['worker', '--queue', 'redis://127.0.0.1:6379', '--artifacts', '/nonexistent/share'], '--artifacts /nonexistent/share does not exist on this machine; mount the shared filesystem there first'],
  ])('%j', async (args, message) => {
    const refused = ddarBench(args);
    expect(await refused.exited).toEqual({ code: 1, signal: null });
    expect(refused.log).toContain(`ddar-bench: ${message}`);
  });

  it('says nothing listens where the URL points, at once', async () => {
    const port = await freePort();
    const refused = ddarBench(['reproduce', '--profile', 'smoke', '--queue', `redis://127.0.0.1:${port}`, '--artifacts', '/tmp/never-made']);
    expect(await refused.exited).toEqual({ code: 1, signal: null });
    expect(refused.log).toContain(`ddar-bench: cannot reach Redis at redis://127.0.0.1:${port}: nothing is listening there`);
    expect(existsSync('/tmp/never-made')).toBe(false);
  });
});

describeWithRedis('a distributed smoke run: Redis, worker processes, faults', () => {
  let tmp: string;
  let port: number;
  let url: string;
  let redis: Started;
  let queue: Queue;
  let local: Results;

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the app first (pnpm turbo run build --filter=@ddar/bench...)`);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-distributed-'));
    await fs.mkdir(path.join(tmp, 'redis'));
    port = await freePort();
    url = `redis://ddar:${PASSWORD}@127.0.0.1:${port}`;
    redis = await startRedis(port, path.join(tmp, 'redis'));
    queue = new Queue(QUEUE_NAME, { connection: { ...parseQueueUrl(url).options, maxRetriesPerRequest: null } });
    queue.on('error', () => {});
    // The reference: a local run of the same profile with the same thread count (one training thread everywhere).
    const reference = ddarBench(['reproduce', '--profile', 'smoke', '--out', path.join(tmp, 'local'), '--workers', '0']);
    expect(await reference.exited).toEqual({ code: 0, signal: null });
    local = await readResults(path.join(tmp, 'local'));
  }, 240_000);

  afterAll(async () => {
    await queue?.close();
    // Everything this test started, by process (group) id.
    // DDAR_TEST_LOG_DIR=<dir> keeps every process's command, exit and output, to read after a failure.
    const logDir = process.env.DDAR_TEST_LOG_DIR;
    if (logDir !== undefined) {
      for (const [i, p] of started.entries()) {
        await fs.writeFile(path.join(logDir, `${i}.log`), `${p.child.spawnargs.join(' ')} (exit ${p.child.exitCode ?? p.child.signalCode})\n${p.log}`);
      }
    }
    for (const process_ of started) process_.kill('SIGKILL');
    await Promise.all(started.map((process_) => process_.exited));
    if (tmp !== undefined) await fs.rm(tmp, { recursive: true, force: true });
  });

  // The workers take the URL from the environment, as docs/distributed.md advises (no password in `ps`).
  const worker = () =>
    ddarBench(['worker', '--workers', '0', '--lock-duration', '5', '--stalled-interval', '1', '--checkpoint-every', '1'], { DDAR_BENCH_QUEUE: url });

  it('survives a worker killed mid-training, a Redis restart and a repeated command, and equals the local run', async () => {
    const artifacts = path.join(tmp, 'queued');
    const workers = [worker(), worker()];
    await Promise.all(workers.map((w) => w.waitFor(/^worker \S+: queue redis:\/\/ddar:\*\*\*@/m, 60_000)));
    const nameOf = (w: Started) => /^worker (\S+): queue/m.exec(w.log)![1];

    // Killed "in the middle of a training cell": right after the slowest cell's first checkpoint, 3 of 4 steps to go.
    const victimCell = 'ddar+consistency';
    const checkpointed = new RegExp(`\\[mnist seed 1 ${literal(victimCell)}\\] checkpoint at step (\\d+):`);
    const killed = new Promise<{ worker: Started; step: number }>((resolve) => {
      let done = false;
      for (const candidate of workers) {
        candidate.on(checkpointed, (match) => {
          // Once: the worker that resumes the cell writes the same line.
          if (done) return;
          done = true;
          candidate.kill('SIGKILL');
          resolve({ worker: candidate, step: Number(match[1]) });
        });
      }
    });

    // Enqueue, stop watching (Ctrl-C), and run the same command again: it attaches, and nothing is enqueued twice.
    const command = ['reproduce', '--profile', 'smoke', '--queue', url, '--artifacts', artifacts];
    const first = ddarBench(command);
    const runId = (await first.waitFor(/enqueued run ([0-9a-f]+) on redis:\/\/ddar:\*\*\*@/))[1];
    first.kill('SIGINT');
    expect(await first.exited).toEqual({ code: 130, signal: null });
    expect(first.log).toContain(`stopped watching; run ${runId} goes on on the workers`);
    const again = ddarBench(command);
    await again.waitFor(new RegExp(`run ${runId} \\(${literal(artifacts)}\\) is already in the queue: nothing enqueued again`));
    const counts = await queue.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(7 + 1 + 1);

    const { worker: victim, step } = await killed;
    expect(step).toBeLessThan(4);
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const survivors = [workers.find((w) => w !== victim)!, worker()];

    // Another worker takes the cell once its lock expires, and continues from the checkpoint, not from scratch.
    const resumed = new RegExp(`\\[mnist seed 1 ${literal(victimCell)}\\] resuming from ${literal(artifacts)}/runs/mnist/seed-1/${literal(victimCell)}/checkpoint/step-0*(\\d+) at epoch 1, step (\\d+)/4`);
    const waits = survivors.map((w) => w.waitFor(resumed).then((match) => ({ worker: w, match })));
    const resumer = await Promise.race(waits);
    // The other worker never resumes that cell: its wait ends, unheard, when it stops.
    for (const wait of waits) wait.catch(() => {});
    expect(Number(resumer.match[1])).toBeGreaterThanOrEqual(step);
    expect(Number(resumer.match[2])).toBeLessThan(4);
    expect(resumer.worker.log).not.toMatch(new RegExp(`\\[mnist seed 1 ${literal(victimCell)}\\] no checkpoint in`));

    // Redis dies mid-run and comes back on the same port and files; the workers reconnect by themselves.
    expect(again.log).not.toContain('done:');
    redis.kill('SIGKILL');
    await redis.exited;
    redis = await startRedis(port, path.join(tmp, 'redis'));

    expect(await again.exited).toEqual({ code: 0, signal: null });
    // Redis came back with every job: nothing had to be enqueued again.
    expect(again.log).not.toContain('are gone from Redis');
    expect(again.log).toContain(`done: ${artifacts}/report.md (7 runs)`);
    expect(again.log).toMatch(/cells 7\/7 done, 0 running, 0 failed, 0 waiting \| groups 1\/1 \| report completed/);

    // Nothing lost, nothing counted twice: each job completed once, the killed cell after a stall, not a failed attempt.
    const ids = [
      ...local.runs.map((r) => jobIds.cell(runId, r.dataset, r.seed, r.variant)),
      jobIds.group(runId, 'mnist', 1),
      jobIds.report(runId),
    ];
    for (const id of ids) expect([id, await queue.getJobState(id)]).toEqual([id, 'completed']);
    const victimJob = (await queue.getJob(jobIds.cell(runId, 'mnist', 1, victimCell)))!;
    expect(victimJob.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(victimJob.attemptsMade).toBe(1);

    const results = await readResults(artifacts);
    expect(results.runs.map((r) => r.variant)).toEqual(local.runs.map((r) => r.variant));
    expect(results.failures).toEqual([]);
    expect(runDifferences(local.runs, results.runs)).toEqual([]);
    // The comparison has something to compare: every attack, transform and per-image string of the local run.
    expect(results.runs.flatMap((r) => r.attacks.map((a) => a.attack))).toContain('transfer');
    for (const run of results.runs) {
      expect(run.producedBy).toEqual({ host: os.hostname(), backend: 'wasm', pid: expect.any(Number), worker: expect.stringMatching(/\/[0-9]+$/) });
    }
    const victimRun = results.runs.find((r) => r.variant === victimCell)!;
    expect(victimRun.producedBy!.worker).toBe(nameOf(resumer.worker));
    expect(victimRun.producedBy!.worker).not.toBe(nameOf(victim));
    // The resumed run's history says where it resumed.
    const training = JSON.parse(await fs.readFile(path.join(artifacts, 'runs', 'mnist', 'seed-1', victimCell, 'training.json'), 'utf8'));
    expect(training.history.resumedAt).toEqual([Number(resumer.match[1])]);

    // The password never reaches the run's files.
    for (const file of ['results.json', 'report.md', 'queue-run.json']) {
      expect(await fs.readFile(path.join(artifacts, file), 'utf8')).not.toContain(PASSWORD);
    }
    expect(results.command).toBe(`ddar-bench reproduce --profile smoke --queue redis://ddar:***@127.0.0.1:${port} --artifacts ${artifacts}`);
    // A local run does not write into a distributed run's directory.
    const local_ = ddarBench(['reproduce', '--profile', 'smoke', '--out', artifacts, '--resume']);
    expect(await local_.exited).toEqual({ code: 1, signal: null });
    expect(local_.log).toContain(`${artifacts} holds a distributed run (queue-run.json), which its workers write to`);

    // Stopping a worker with SIGTERM lets it close cleanly.
    for (const survivor of survivors) survivor.kill('SIGTERM');
    for (const survivor of survivors) expect(await survivor.exited).toEqual({ code: 0, signal: null });
    expect(survivors[0].log).toContain('worker stopped');
  }, 150_000);

  it('refuses a wrong password, naming where the credentials go', async () => {
    const wrong = ddarBench(['worker', '--queue', url.replace(PASSWORD, 'wrong'), '--connect-timeout', '5']);
    expect(await wrong.exited).toEqual({ code: 1, signal: null });
    expect(wrong.log).toContain(`ddar-bench: Redis at redis://ddar:***@127.0.0.1:${port} refused the credentials (WRONGPASS`);
    expect(wrong.log).not.toContain('wrong');
  });

  it('reports a cell that fails 3 times with its error, and completes the others', async () => {
    // No worker of the test before is left to take this run's jobs before the cell is blocked.
    for (const process_ of started) if (process_.child.spawnargs.includes('worker')) process_.kill('SIGKILL');
    const artifacts = path.join(tmp, 'with-a-failure');
    const run = ddarBench(['reproduce', '--profile', 'smoke', '--queue', url, '--artifacts', artifacts]);
    const runId = (await run.waitFor(/enqueued run ([0-9a-f]+)/))[1];
    // A file where ae-reg's directory goes, before any worker starts: every attempt of that cell fails.
    const blocked = path.join(artifacts, 'runs', 'mnist', 'seed-1', 'ae-reg');
    await fs.mkdir(path.dirname(blocked), { recursive: true });
    await fs.writeFile(blocked, 'in the way');
    const workers = [worker(), worker()];

    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.log).toContain(`1 part of run ${runId} failed for good; the report lists it with the errors`);
    expect(run.log).toMatch(/failed: mnist seed 1 ae-reg: EEXIST/);
    const job = (await queue.getJob(jobIds.cell(runId, 'mnist', 1, 'ae-reg')))!;
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(3);
    expect(workers.map((w) => w.log).join('')).toMatch(/ae-reg failed \(attempt 3 of 3\): EEXIST/);

    const results = await readResults(artifacts);
    expect(results.failures).toEqual([{ dataset: 'mnist', seed: 1, variant: 'ae-reg', error: expect.stringContaining(`EEXIST: file already exists, mkdir '${blocked}'`) }]);
    const others = local.runs.filter((r) => r.variant !== 'ae-reg');
    expect(results.runs.map((r) => r.variant)).toEqual(others.map((r) => r.variant));
    expect(runDifferences(others, results.runs)).toEqual([]);
    const report = await fs.readFile(path.join(artifacts, 'report.md'), 'utf8');
    expect(report).toContain('**1 part of this run failed** after every attempt');
    expect(report).toMatch(/\| mnist \| 1 \| ae-reg \| EEXIST: file already exists, mkdir/);
  }, 300_000);
});
