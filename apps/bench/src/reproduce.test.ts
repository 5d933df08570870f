import { spawn } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { decodeCorrectness, meanOf } from './correctness.js';
import { applyOverrides } from './overrides.js';
import { PROFILES } from './profiles.js';
import { assertResumable } from './reproduce.js';
import { attackKey, geometricKey, type Results } from './results.js';
import { idxFile } from './test-utils/idx_file.js';

// The CLI runs from its build (turbo builds @ddar/bench and its dependencies before this test), in child processes,
// so that the kill below is a real SIGKILL of a real run.
const cli = path.join(__dirname, '..', 'dist', 'cli.js');

function runCli(args: string[], killWhen?: (log: string) => boolean): Promise<{ code: number | null; signal: string | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DDAR_BACKEND: 'wasm' } });
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (killWhen !== undefined && killWhen(log)) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => resolve({ code, signal, log }));
  });
}

describe('ddar-bench reproduce --profile smoke', () => {
  let out: string;
  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the app first (pnpm turbo run build --filter=@ddar/bench...)`);
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-bench-'));
  });
  afterAll(async () => {
    await fs.rm(out, { recursive: true, force: true });
  });

  it('resumes after a SIGKILL without redoing finished work, with the same overrides only, and writes every artifact', async () => {
    const target = path.join(out, 'smoke');
    // Overrides of training values only, so that the evaluation below is the profile's.
    const overrides = ['--train-limit', '192', '--learning-rate', '0.002'];
    // Kill once the first model is evaluated and the second is training.
    const killed = await runCli(['reproduce', '--profile', 'smoke', ...overrides, '--out', target], (log) => /ae-reg\] evaluating/.test(log) || /ddar\] training[^\n]*\n[\s\S]*step/.test(log));
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.log).toContain('overriding the smoke profile: learning rate 0.001 → 0.002, training images 256 → 192');
    // Run-level progress: which model of how many, the stage, and no ETA before anything was timed.
    expect(killed.log).toContain('[model 1/7: mnist seed 1 baseline] training; run ETA unknown');
    const finishedBefore = (await fs.readdir(path.join(target, 'runs', 'mnist', 'seed-1'))).filter((variant) =>
      existsSync(path.join(target, 'runs', 'mnist', 'seed-1', variant, 'training.json')),
    );
    expect(finishedBefore.length).toBeGreaterThan(0);
    const trainedAt = new Map(finishedBefore.map((v) => [v, statSync(path.join(target, 'runs', 'mnist', 'seed-1', v, 'training.json')).mtimeMs]));

    const refused = await runCli(['reproduce', '--profile', 'smoke', ...overrides, '--out', target]);
    expect(refused.code).toBe(1);
    expect(refused.log).toMatch(/is not empty; pass --resume/);
    // results.json is written before the first model, so a run killed in its first seed is on record already.
    const otherOverrides = await runCli(['reproduce', '--profile', 'smoke', '--train-limit', '192', '--out', target, '--resume']);
    expect(otherOverrides.code).toBe(1);
    expect(otherOverrides.log).toContain(
      `${target} holds a run of the 'smoke' profile with --learning-rate 0.002 --train-limit 192, but this --resume gives --train-limit 192; ` +
        '--resume continues a run only with the overrides it was started with',
    );

    const resumed = await runCli(['reproduce', '--profile', 'smoke', ...overrides, '--out', target, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.log).toMatch(/\[model 1\/7: mnist seed 1 baseline\] attacks; run ETA /);
    // Every later model is numbered in the whole run, and the ETA is known once training and evaluation were timed.
    expect(resumed.log).toMatch(/\[model 7\/7: mnist seed 1 ddar\+consistency\] evaluating; run ETA (under 1 min|\d+ min)/);
    expect(resumed.log).toContain('[run: 7/7 models done] writing results.json, report.md and plots; run ETA under 1 min');
    for (const variant of finishedBefore) {
      expect(resumed.log).toContain(`${variant}: already trained, loading`);
      expect(statSync(path.join(target, 'runs', 'mnist', 'seed-1', variant, 'training.json')).mtimeMs).toBe(trainedAt.get(variant));
    }

    const results = JSON.parse(await fs.readFile(path.join(target, 'results.json'), 'utf8')) as Results;
    expect(results.runs.map((r) => r.variant).sort()).toEqual(['ae-reg', 'baseline', 'ddar', 'ddar+consistency', 'ddar+pgd-at', 'ddar-displacement', 'pgd-at']);
    expect(results.backend).toBe('wasm');
    expect(results.overrides).toEqual({ learningRate: { profile: 0.001, value: 0.002 }, trainLimit: { profile: 256, value: 192 } });
    expect(results.config).toMatchObject({ name: 'smoke', learningRate: 0.002, trainLimit: 192, epochs: 1 });
    const training = JSON.parse(await fs.readFile(path.join(target, 'runs', 'mnist', 'seed-1', 'ddar', 'training.json'), 'utf8'));
    expect(training.identity.data).toBe('mnist/train (192 images)');
    expect(training.overrides).toEqual(results.overrides);
    expect(results.finishedAt).toBeDefined();
    for (const run of results.runs) {
      expect(run.clean.accuracy).toBeGreaterThanOrEqual(0);
      expect(run.clean.accuracy).toBeLessThanOrEqual(1);
      expect(run.attacks.map((a) => a.attack)).toEqual(expect.arrayContaining(['FGSM', 'PGD-3', 'APGD-CE', 'AutoAttack', 'CW-L2']));
      expect(run.geometric.map((g) => g.transform)).toEqual(expect.arrayContaining(['rotated', 'translated', 'scaled', 'affnist40']));
      // The checks run at every radius of the profile's list, and say how strong PGD was there.
      expect([...new Set(run.sanity.map((check) => check.epsilon))]).toEqual([0.1, 0.3]);
      expect(run.sanity.every((check) => check.pgdAccuracy! >= 0 && check.pgdAccuracy! <= 1)).toBe(true);
      // Every measurement keeps its per-image correctness, whose mean is the accuracy reported.
      const perImage = run.perImage!;
      expect(perImage.count).toBe(32);
      expect(meanOf(decodeCorrectness(perImage.clean, 32))).toBeCloseTo(run.clean.accuracy, 12);
      for (const a of run.attacks) expect(meanOf(decodeCorrectness(perImage.attacks[attackKey(a.attack, a.epsilon)], 32))).toBeCloseTo(a.accuracy, 12);
      for (const g of run.geometric) {
        expect(meanOf(decodeCorrectness(perImage.geometric[geometricKey(g.transform, g.parameter)], 32))).toBeCloseTo(g.accuracy, 12);
      }
      // Models with codes get the disentanglement report, whichever thread evaluated them; the baselines have none.
      const hasCodes = run.variant === 'ae-reg' || run.variant.startsWith('ddar');
      expect(run.disentanglement !== undefined).toBe(hasCodes);
      if (run.disentanglement !== undefined) {
        expect(run.disentanglement.images).toBe(32);
        expect(run.disentanglement.settings.seed).toBe(1);
        expect(run.disentanglement.codeResponse.angles.length).toBeGreaterThan(1);
        expect(run.disentanglement.warpGain === null).toBe(run.variant === 'ae-reg');
      }
    }
    const report = await fs.readFile(path.join(target, 'report.md'), 'utf8');
    expect(report).toContain(
      '- overridden profile values: learning rate 0.001 → 0.002, training images 256 → 192 (`--learning-rate 0.002 --train-limit 192`); ' +
        'the rest as the profile defines them',
    );
    expect(report).toContain('### Adversarial robustness');
    expect(report).toContain('| ddar |');
    expect(report).toMatch(/- FGSM ε=0.1: [+-]?[0-9.]+ points \[.*\] \(95% CI, paired bootstrap over 1 seeds? × 32 images\).*\*\*(ddar better|baseline better|not conclusive)\*\*/);
    expect(report).toContain('### Gradient-masking sanity checks');
    expect(report).toContain('### Disentanglement');
    expect(report).toMatch(/^\| ddar \| (-?[0-9.]+|–)/m);

    const plots = await fs.readdir(path.join(target, 'plots'));
    expect(plots).toEqual(
      expect.arrayContaining([
        'mnist-FGSM-vs-epsilon.svg', 'mnist-FGSM-vs-epsilon.png', 'mnist-rotation.svg', 'mnist-rotation.png', 'mnist-code-response.svg', 'mnist-code-response.png',
      ]),
    );
    const ddarVariants = results.runs.map((r) => r.variant).filter((v) => v.startsWith('ddar'));
    const grids = ddarVariants.flatMap((v) => [`grids/mnist-${v}.png`, `grids/mnist-${v}-templates.png`]);
    expect((await fs.readdir(path.join(target, 'grids'))).sort()).toEqual(grids.flatMap((g) => [g, g.replace(/\.png$/, '.svg')]).map((g) => path.basename(g)).sort());
    for (const file of [...grids, 'plots/mnist-rotation.png', 'plots/mnist-code-response.png']) {
      const png = PNG.sync.read(await fs.readFile(path.join(target, file)));
      expect(png.width).toBeGreaterThan(50);
    }
    expect(await fs.readFile(path.join(target, 'grids', 'mnist-ddar.svg'), 'utf8')).toContain('>displacement fields</text>');
  });

  it('resumes only the profile an output directory holds', async () => {
    const other = await runCli(['reproduce', '--profile', 'quick', '--out', path.join(out, 'smoke'), '--resume']);
    expect(other.code).toBe(1);
    expect(other.log).toContain("holds a run of the 'smoke' profile; --resume continues only that same profile");
  });

  it('prints the progress of an attack as plain lines, without carriage returns, when stderr is not a terminal', async () => {
    const model = path.join(out, 'smoke', 'runs', 'mnist', 'seed-1', 'baseline', 'model');
    const attack = await runCli(['attack', '--model', model, '--attack', 'fgsm', '--epsilons', '0.1', '--limit', '300']);
    expect(attack.code).toBe(0);
    expect(attack.log).not.toContain('\r');
    expect(attack.log).toContain('100/300 images\n200/300 images\n300/300 images\n');
  });

  it('checks an external test set against the model: its labels, its size, and no second test set', async () => {
    // The smoke run above saved this model (10 classes, 28x28x1).
    const model = path.join(out, 'smoke', 'runs', 'mnist', 'seed-1', 'baseline', 'model');
    const file = async (name: string, bytes: Uint8Array) => {
      await fs.writeFile(path.join(out, name), bytes);
      return path.join(out, name);
    };
    const images = await file('ext-images', idxFile([3, 28, 28], new Uint8Array(3 * 784).fill(128)));
    const evaluate = (labels: string, ...extra: string[]) => runCli(['evaluate', '--model', model, '--test-images', images, '--test-labels', labels, ...extra]);

    const outOfRange = await evaluate(await file('ext-labels-255', idxFile([3], Uint8Array.from([1, 10, 255]))));
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.log).toContain('ext-labels-255: label 10 at index 1 is outside [0, 10)');
    // Before: one class name per label up to 2^31 - 1, and an out-of-memory abort after half a minute.
    const huge = await evaluate(await file('ext-labels-huge', idxFile([3], Int32Array.from([1, 2147483647, 2]))));
    expect(huge.code).toBe(1);
    expect(huge.log).toContain('label 2147483647 at index 1 is outside [0, 10)');

    const labels = await file('ext-labels', idxFile([3], Uint8Array.from([1, 2, 3])));
    const limited = await evaluate(labels, '--limit', '2');
    expect(limited.code).toBe(0);
    expect(JSON.parse(limited.log.slice(limited.log.indexOf('{'))).examples).toBe(2);
    const twoSets = await evaluate(labels, '--dataset', 'mnist');
    expect(twoSets.code).toBe(1);
    expect(twoSets.log).toContain('--dataset and --test-images name two test sets');
    const empty = await runCli(['evaluate', '--model', model, '--test-images', await file('ext-none', idxFile([0, 28, 28], new Uint8Array(0))), '--test-labels', await file('ext-labels-none', idxFile([0], new Uint8Array(0)))]);
    expect(empty.code).toBe(1);
    expect(empty.log).toContain('ext-none: holds no images');
  });

  it('explains bad arguments', async () => {
    const unknown = await runCli(['reproduce', '--profile', 'huge']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.log).toMatch(/Allowed choices are smoke, quick, paper, disentanglement/);
    const badDataset = await runCli(['train', '--dataset', 'imagenet', '--variant', 'ddar', '--out', path.join(out, 'x')]);
    expect(badDataset.log).toContain("unknown dataset 'imagenet'; known datasets: mnist, fashion-mnist, cifar10");
    const help = await runCli(['evaluate', '--help']);
    expect(help.log).toContain('--test-images <file>');
  });
});

describe('assertResumable', () => {
  const smoke = PROFILES.smoke;
  const withEpochs = applyOverrides(smoke, { epochs: 3 });

  it('accepts the run the directory holds: same profile, same overrides', () => {
    expect(() => assertResumable('out', { profile: 'smoke', config: smoke, overrides: {} }, smoke, {})).not.toThrow();
    expect(() => assertResumable('out', { profile: 'smoke', config: withEpochs.profile, overrides: withEpochs.overrides }, withEpochs.profile, withEpochs.overrides)).not.toThrow();
    // Written before overrides were recorded: the profile as run decides.
    expect(() => assertResumable('out', { profile: 'smoke', config: smoke }, smoke, {})).not.toThrow();
  });

  it('refuses other overrides, saying which were given and which to give', () => {
    expect(() => assertResumable('out', { profile: 'smoke', config: withEpochs.profile, overrides: withEpochs.overrides }, smoke, {})).toThrow(
      "out holds a run of the 'smoke' profile with --epochs 3, but this --resume gives no overrides; --resume continues a run only with the " +
        'overrides it was started with, and would otherwise mix two runs in one report. Resume with --epochs 3, or choose another --out',
    );
    const seeds = applyOverrides(smoke, { seeds: 2 });
    expect(() => assertResumable('out', { profile: 'smoke', config: smoke, overrides: {} }, seeds.profile, seeds.overrides)).toThrow(
      "out holds a run of the 'smoke' profile with the profile's own values (no overrides), but this --resume gives --seeds 2; " +
        '--resume continues a run only with the overrides it was started with, and would otherwise mix two runs in one report. Resume with no overrides',
    );
  });

  it('refuses another profile, or the same one changed since', () => {
    expect(() => assertResumable('out', { profile: 'quick', config: PROFILES.quick, overrides: {} }, smoke, {})).toThrow(
      "out holds a run of the 'quick' profile; --resume continues only that same profile, unchanged",
    );
    expect(() => assertResumable('out', { profile: 'smoke', config: { ...smoke, width: 0.5 }, overrides: {} }, smoke, {})).toThrow(
      "out holds a run of the 'smoke' profile as it was then; --resume continues only that same profile, unchanged",
    );
  });
});
