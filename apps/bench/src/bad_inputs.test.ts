/**
 * The bad inputs of docs/reliability.md, tried: every row of its table is a case here. A `ddar-bench` row runs the
 * built CLI on a real (smoke-trained) model and checks the exit status and the message; a library row names the test
 * that asserts its message, and that test must contain it verbatim. The table in the document is rendered from these
 * cases and must equal it; `DDAR_WRITE_RELIABILITY_TABLE=1 npx jest src/bad_inputs.test.ts` rewrites it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { idxFile } from './test-utils/idx_file.js';

const repository = path.join(__dirname, '..', '..', '..');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const document = path.join(repository, 'docs', 'reliability.md');
const TABLE_START = '<!-- bad-inputs:start (rendered by apps/bench/src/bad_inputs.test.ts) -->';
const TABLE_END = '<!-- bad-inputs:end -->';

/** A run directory of the fixture, by name, for a case to copy and damage. */
interface Fixture {
  /** The working directory of every CLI call; paths in messages are relative to it. */
  root: string;
  /** A copy of the finished smoke baseline run (`run/`) under `name`, returned as that name. */
  copyRun(name: string): Promise<string>;
  /** Rewrites `<dir>/model/model.json`'s ddar metadata. */
  editMetadata(dir: string, edit: (metadata: Record<string, unknown>) => void): Promise<void>;
  /** Writes an IDX file (uint8 or int32) under `name`. */
  idx(name: string, dims: number[], data: Uint8Array | Int32Array): Promise<string>;
}

interface CliCase {
  /** What the user gives, as the table shows it. */
  input: string;
  /** The message the user reads (a fragment of it, as it appears). */
  gets: string;
  /** Exit status: 1 for a refusal, 0 where the input is legitimate and only said something about. */
  exit: 0 | 1;
  /** Prepares the files the case needs and returns the CLI arguments. */
  args: (fixture: Fixture) => Promise<string[]> | string[];
}

interface LibraryCase {
  input: string;
  gets: string;
  /** Whether the call throws that message, or logs it and goes on. */
  outcome: 'throws' | 'logs';
  /** The test file (from the repository root) whose expectations contain `gets` verbatim. */
  checkedBy: string;
}

const SMOKE = ['--profile', 'smoke', '--dataset', 'mnist'];

/** The finished run, turned into a half-trained one: its checkpoint stays, its model and training record go. */
async function halfTrained(fixture: Fixture, name: string): Promise<string> {
  const dir = await fixture.copyRun(name);
  await fs.rm(path.join(fixture.root, dir, 'model'), { recursive: true });
  await fs.rm(path.join(fixture.root, dir, 'training.json'));
  return dir;
}

async function onlyStep(fixture: Fixture, dir: string): Promise<string> {
  const checkpoint = path.join(fixture.root, dir, 'checkpoint');
  return path.join(checkpoint, (await fs.readdir(checkpoint)).find((entry) => entry.startsWith('step-'))!);
}

async function weightsFile(directory: string): Promise<string> {
  return path.join(directory, (await fs.readdir(directory)).find((entry) => entry.startsWith('weights-'))!);
}

async function writeNaN(file: string): Promise<Buffer> {
  const bytes = await fs.readFile(file);
  bytes.writeFloatLE(NaN, 4);
  await fs.writeFile(file, bytes);
  return bytes;
}

const CLI_CASES: CliCase[] = [
  {
    input: '`train --variant ddar --seed 7 --out run`, where `run` holds a finished baseline of seed 1',
    gets: 'run holds a finished run that is not the one asked for: variant "baseline" (asked: "ddar"), seed 1 (asked: 7)',
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'ddar', '--seed', '7', '--out', 'run'],
  },
  {
    input: '`reproduce --profile smoke --resume --out rq`, where `rq` holds a run of the quick profile',
    gets: "rq holds a run of the 'quick' profile; --resume continues only that same profile",
    exit: 1,
    args: async (fixture) => {
      await fs.mkdir(path.join(fixture.root, 'rq'));
      await fs.writeFile(path.join(fixture.root, 'rq', 'results.json'), JSON.stringify({ profile: 'quick', config: {} }));
      return ['reproduce', '--profile', 'smoke', '--resume', '--out', 'rq'];
    },
  },
  {
    input: '`reproduce --out rq` (no `--resume`) into a directory that holds files',
    gets: 'output directory rq is not empty; pass --resume to continue that run, or choose another --out',
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--out', 'rq'],
  },
  {
    input: '`train --out run` while another live process holds `run/.ddar-bench.lock`',
    gets: 'is in use by process',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('locked');
      // This test's own process: alive, and not the CLI's.
      await fs.writeFile(path.join(fixture.root, dir, '.ddar-bench.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', dir];
    },
  },
  {
    input: '`train --out run` where the lock file is left by a killed process of this host',
    gets: 'taking over stale/.ddar-bench.lock from process 2147483646, which is no longer running',
    exit: 0,
    args: async (fixture) => {
      const dir = await fixture.copyRun('stale');
      await fs.writeFile(path.join(fixture.root, dir, '.ddar-bench.lock'), JSON.stringify({ pid: 2147483646, host: os.hostname(), startedAt: new Date().toISOString() }));
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', dir];
    },
  },
  {
    input: '`train --out f`, where `f` is a file',
    gets: '--out f is a file, not a directory; choose another --out',
    exit: 1,
    args: async (fixture) => {
      await fs.writeFile(path.join(fixture.root, 'f'), 'x');
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', 'f'];
    },
  },
  {
    input: '`train --out /proc/ddar` (a place where nothing can be made)',
    gets: '--out /proc/ddar cannot be written',
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'baseline', '--out', '/proc/ddar'],
  },
  {
    input: "A half-trained run whose checkpoint's `latest.json` was deleted",
    gets: 'half/checkpoint/latest.json is missing',
    exit: 0,
    args: async (fixture) => {
      const dir = await halfTrained(fixture, 'half');
      await fs.rm(path.join(fixture.root, dir, 'checkpoint', 'latest.json'));
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', dir];
    },
  },
  {
    input: "A half-trained run whose only checkpoint's `optimizer.bin` is truncated",
    gets: 'optimizer.bin does not match the sha256 recorded in its state.json',
    exit: 1,
    args: async (fixture) => {
      const dir = await halfTrained(fixture, 'truncated');
      const file = path.join(await onlyStep(fixture, dir), 'optimizer.bin');
      await fs.truncate(file, 100);
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', dir];
    },
  },
  {
    input: "A half-trained run with a NaN written into its only checkpoint's weights",
    gets: 'train: no checkpoint in nan-checkpoint/checkpoint can be resumed:',
    exit: 1,
    args: async (fixture) => {
      const dir = await halfTrained(fixture, 'nan-checkpoint');
      await writeNaN(await weightsFile(path.join(await onlyStep(fixture, dir), 'model')));
      return ['train', ...SMOKE, '--variant', 'baseline', '--out', dir];
    },
  },
  {
    input: '`evaluate` of a model whose weights file was edited',
    gets: 'does not match the checksum in its name',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('edited');
      await writeNaN(await weightsFile(path.join(fixture.root, dir, 'model')));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: '`evaluate` of a model with a NaN weight whose file name matches its new checksum',
    gets: 'holds NaN at index 1; a model with non-finite weights cannot be used',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('nan-model');
      const modelDir = path.join(fixture.root, dir, 'model');
      const file = await weightsFile(modelDir);
      const bytes = await writeNaN(file);
      const renamed = `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
      await fs.rename(file, path.join(modelDir, renamed));
      const json = path.join(modelDir, 'model.json');
      await fs.writeFile(json, (await fs.readFile(json, 'utf8')).replace(path.basename(file), renamed));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: '`evaluate` of a `model.json` without its `weightsManifest`',
    gets: "has no weightsManifest, so the model's weights are missing",
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('no-manifest');
      const json = path.join(fixture.root, dir, 'model', 'model.json');
      const { weightsManifest: _dropped, ...rest } = JSON.parse(await fs.readFile(json, 'utf8'));
      await fs.writeFile(json, JSON.stringify(rest));
      return ['evaluate', '--model', `${dir}/model`];
    },
  },
  {
    input: '`evaluate` of a `model.json` that is not JSON',
    gets: 'model.json is not valid JSON',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('not-json');
      await fs.writeFile(path.join(fixture.root, dir, 'model', 'model.json'), 'not json');
      return ['evaluate', '--model', `${dir}/model`];
    },
  },
  {
    input: '`evaluate --model nowhere`',
    gets: 'no model at nowhere: nowhere/model.json does not exist',
    exit: 1,
    args: () => ['evaluate', '--model', 'nowhere'],
  },
  {
    input: 'Model metadata edited: `numClasses` 10 → 12',
    gets: 'the metadata says numClasses 12 but the logits layer has 10 units; the model.json was edited',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('classes');
      await fixture.editMetadata(dir, (metadata) => (metadata.numClasses = 12));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: 'Model metadata edited: `kind` baseline → ddar',
    gets: "the metadata of this 'ddar' model does not name layers.appearanceCode, which a 'ddar' model needs",
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('kind');
      await fixture.editMetadata(dir, (metadata) => (metadata.kind = 'ddar'));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: 'Model metadata edited: `inputShape` [28,28,1] → [32,32,3]',
    gets: 'the metadata says inputShape [32,32,3] but the network takes [28,28,1]',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('shape');
      await fixture.editMetadata(dir, (metadata) => (metadata.inputShape = [32, 32, 3]));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: 'Model metadata edited: `formatVersion` 1 → 9',
    gets: 'unsupported formatVersion 9 (this version reads 1)',
    exit: 1,
    args: async (fixture) => {
      const dir = await fixture.copyRun('version');
      await fixture.editMetadata(dir, (metadata) => (metadata.formatVersion = 9));
      return ['evaluate', '--model', `${dir}/model`, '--limit', '10'];
    },
  },
  {
    input: '`evaluate --test-images … --test-labels …` with labels 10 and 255 on a 10-class model',
    gets: 'labels-255: label 10 at index 1 is outside [0, 10)',
    exit: 1,
    args: async (fixture) => [
      'evaluate', '--model', 'run/model',
      '--test-images', await fixture.idx('images', [3, 28, 28], new Uint8Array(3 * 784).fill(128)),
      '--test-labels', await fixture.idx('labels-255', [3], Uint8Array.from([1, 10, 255])),
    ],
  },
  {
    input: 'An int32 labels file with a label of 2147483647',
    gets: 'label 2147483647 at index 1 is outside [0, 10)',
    exit: 1,
    args: async (fixture) => [
      'evaluate', '--model', 'run/model', '--test-images', 'images',
      '--test-labels', await fixture.idx('labels-huge', [3], Int32Array.from([1, 2147483647, 2])),
    ],
  },
  {
    input: '`--test-images` with `--dataset mnist`',
    gets: '--dataset and --test-images name two test sets',
    exit: 1,
    args: async (fixture) => [
      'evaluate', '--model', 'run/model', '--dataset', 'mnist', '--test-images', 'images',
      '--test-labels', await fixture.idx('labels', [3], Uint8Array.from([1, 2, 3])),
    ],
  },
  {
    input: '`--test-images` with `--limit 2` (used to be ignored)',
    gets: '"examples": 2',
    exit: 0,
    args: () => ['evaluate', '--model', 'run/model', '--test-images', 'images', '--test-labels', 'labels', '--limit', '2'],
  },
  {
    input: '`--test-images` holding 0 images',
    gets: 'no-images: holds no images',
    exit: 1,
    args: async (fixture) => [
      'evaluate', '--model', 'run/model',
      '--test-images', await fixture.idx('no-images', [0, 28, 28], new Uint8Array(0)),
      '--test-labels', await fixture.idx('no-labels', [0], new Uint8Array(0)),
    ],
  },
  {
    input: '`--test-images` that is not an IDX file',
    gets: 'junk: not an IDX file: magic number 6a 75 6e 6b does not start with 00 00',
    exit: 1,
    args: async (fixture) => {
      await fs.writeFile(path.join(fixture.root, 'junk'), 'junk');
      return ['evaluate', '--model', 'run/model', '--test-images', 'junk', '--test-labels', 'labels'];
    },
  },
  {
    input: '`attack --epsilons ""`',
    gets: "--epsilons must be a comma-separated list of non-negative numbers, but got ''",
    exit: 1,
    args: () => ['attack', '--model', 'run/model', '--epsilons', ''],
  },
  {
    input: '`attack --epsilons 0.1,,0.2`',
    gets: "--epsilons must be a comma-separated list of non-negative numbers, but got '0.1,,0.2'",
    exit: 1,
    args: () => ['attack', '--model', 'run/model', '--epsilons', '0.1,,0.2'],
  },
  {
    input: '`attack --attack pgd --epsilons 8` (a budget meant as 8/255)',
    gets: '--epsilons 8 is larger than the whole input range [0, 1], so pgd could replace any image by any other. Budgets are in pixel units of [0, 1]: for 8/255 write 0.03137',
    exit: 1,
    args: () => ['attack', '--model', 'run/model', '--attack', 'pgd', '--epsilons', '8'],
  },
  {
    input: '`attack --attack foo`',
    gets: "unknown attack 'foo'; known attacks: fgsm, pgd, pgd-l2, mifgsm, apgd, cw, square",
    exit: 1,
    args: () => ['attack', '--model', 'run/model', '--attack', 'foo'],
  },
  {
    input: '`train --dataset imagenet`',
    gets: "unknown dataset 'imagenet'; known datasets: mnist, fashion-mnist, cifar10",
    exit: 1,
    args: () => ['train', '--profile', 'smoke', '--dataset', 'imagenet', '--variant', 'ddar', '--out', 'x'],
  },
  {
    input: '`reproduce --profile huge`',
    gets: 'Allowed choices are smoke, quick, paper, disentanglement',
    exit: 1,
    args: () => ['reproduce', '--profile', 'huge'],
  },
  {
    input: '`train --workers 64` on a machine with fewer cores',
    gets: 'warning: --workers 64 on',
    exit: 0,
    args: async (fixture) => ['train', ...SMOKE, '--variant', 'baseline', '--out', await fixture.copyRun('workers'), '--workers', '64'],
  },
  {
    input: '`train --workers 65`',
    gets: "--workers must be an integer from 0 to 64, but got '65'",
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'baseline', '--out', 'run', '--workers', '65'],
  },
  {
    input: '`show --images 100000`',
    gets: '--images 100000: a grid shows at most 64 images per row; draw several grids for more',
    exit: 1,
    args: () => ['show', '--model', 'run/model', '--images', '100000'],
  },
  {
    input: '`train --epochs 2 --out run`, where `run` holds a baseline trained with the profile\'s values',
    gets:
      'run holds a finished run that is not the one asked for: the training configuration: epochs 1 (asked: 2). It was trained with ' +
      "the profile's own values (no overrides), and this command asks for --epochs 2. Give the same overrides to reuse it",
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'baseline', '--epochs', '2', '--out', 'run'],
  },
  {
    input: '`train --epochs 0`',
    gets: "--epochs must be a whole number from 1 to 1000, but got '0' (less than 1)",
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'baseline', '--epochs', '0', '--out', 'run'],
  },
  {
    input: '`reproduce --batch-size 1e9`',
    gets: "--batch-size must be a whole number from 1 to 8192, but got '1e9' (more than 8192)",
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--batch-size', '1e9'],
  },
  {
    input: '`reproduce --learning-rate abc`',
    gets: "--learning-rate must be a number above 0 and at most 1 (e.g. 1e-3), but got 'abc' (not a number)",
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--learning-rate', 'abc'],
  },
  {
    input: '`train --profile smoke --batch-size 512` (the profile trains on 256 images)',
    gets: "--batch-size 512 is larger than the training set (256 images, the smoke profile's train limit); give a batch size of at most 256",
    exit: 1,
    args: () => ['train', ...SMOKE, '--variant', 'baseline', '--batch-size', '512', '--out', 'big-batch'],
  },
  {
    input: '`reproduce --queue ftp://x --artifacts a`',
    gets: "--queue must start with redis:// or rediss:// (TLS), but got 'ftp://' in 'ftp://x'",
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--queue', 'ftp://x', '--artifacts', 'queue-a'],
  },
  {
    input: '`reproduce --queue redis://127.0.0.1:1` without `--artifacts`',
    gets: 'reproduce --queue needs --artifacts <dir>: the run\'s directory, on a filesystem every worker shares',
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--queue', 'redis://127.0.0.1:1'],
  },
  {
    input: '`reproduce --queue redis://127.0.0.1:1 --artifacts a`, where no Redis listens',
    gets: 'cannot reach Redis at redis://127.0.0.1:1: nothing is listening there (is redis-server running, on that port?)',
    exit: 1,
    args: () => ['reproduce', '--profile', 'smoke', '--queue', 'redis://127.0.0.1:1', '--artifacts', 'queue-b'],
  },
  {
    input: '`worker --queue redis://127.0.0.1:1`, where no Redis listens',
    gets: 'cannot reach Redis at redis://127.0.0.1:1: nothing is listening there',
    exit: 1,
    args: () => ['worker', '--queue', 'redis://127.0.0.1:1'],
  },
];

const LIBRARY_CASES: LibraryCase[] = [
  {
    input: "`train` resuming where the newest of two checkpoints is damaged",
    gets: 'passed over step-000000004: ${optimizerFile} does not match the sha256 recorded in its state.json',
    outcome: 'logs',
    checkedBy: 'packages/training/src/checkpoint.test.ts',
  },
  {
    input: '`train` resuming where every checkpoint is damaged',
    gets: 'Restore a checkpoint from a copy, or delete ${directory} to train from the start',
    outcome: 'throws',
    checkedBy: 'packages/training/src/checkpoint.test.ts',
  },
  {
    input: '`train` with `checkpoint.keep: 1`',
    gets: 'config.checkpoint.keep must be an integer of at least 2 (the newest checkpoint and one to fall back to), but got 1',
    outcome: 'throws',
    checkedBy: 'packages/training/src/checkpoint.test.ts',
  },
  {
    input: '`train` resuming with another batch size or seed',
    gets: "the config differs from the checkpoint's \\(batchSize: checkpoint has 16, now 8; seed: checkpoint has 9, now 10\\)",
    outcome: 'throws',
    checkedBy: 'packages/training/src/checkpoint.test.ts',
  },
  {
    input: 'A loss that becomes NaN during `train`',
    gets: 'The update was not applied; the last good checkpoint is',
    outcome: 'throws',
    checkedBy: 'packages/training/src/checkpoint.test.ts',
  },
  {
    input: '`evaluateAccuracy` on a dataset whose labels do not match its images',
    gets: 'evaluateAccuracy: dataset hand-made holds 10 images and labels of shape [8] (size 10); it needs one label per image',
    outcome: 'throws',
    checkedBy: 'packages/training/src/evaluate_accuracy.test.ts',
  },
  {
    input: '`model.classify` of a disposed tensor',
    gets: 'Error in DDARModel.classify: images has been disposed',
    outcome: 'throws',
    checkedBy: 'packages/disentangle/src/ddar_model.test.ts',
  },
  {
    input: 'An attack with `epsilons: [NaN]`',
    gets: 'PGD: epsilons[0] must be a finite number >= 0, but got NaN',
    outcome: 'throws',
    checkedBy: 'packages/attacks/src/validation.test.ts',
  },
  {
    input: 'An attack on inputs that contain NaN',
    gets: 'FGSM: inputs contain 1 NaN value(s)',
    outcome: 'throws',
    checkedBy: 'packages/attacks/src/validation.test.ts',
  },
];

function cell(text: string): string {
  // Placeholders and regular-expression escapes of the test files are not for readers.
  return text.replace(/\$\{[a-zA-Z]+\}/g, '…').replace(/\\([()])/g, '$1').replace(/\|/g, '\\|');
}

function renderTable(): string {
  const rows = [
    '| # | input | what it gets | exit status, or what the library does | checked by |',
    '|---|---|---|---|---|',
    ...CLI_CASES.map((c, i) => `| ${i + 1} | ${cell(c.input)} | \`${cell(c.gets)}\` | ${c.exit} | ddar-bench, \`bad_inputs.test.ts\` |`),
    ...LIBRARY_CASES.map(
      (c, i) => `| ${CLI_CASES.length + i + 1} | ${cell(c.input)} | \`${cell(c.gets)}\` | ${c.outcome} | library, \`${path.basename(c.checkedBy)}\` |`,
    ),
  ];
  return rows.join('\n');
}

function runCli(cwd: string, args: string[]): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DDAR_BACKEND: 'wasm' } });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('exit', (code) => resolve({ code, log }));
  });
}

describe('bad inputs (docs/reliability.md)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the app first (pnpm turbo run build --filter=@ddar/bench...)`);
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ddar-bad-inputs-'));
    const trained = await runCli(root, ['train', ...SMOKE, '--variant', 'baseline', '--out', 'run']);
    if (trained.code !== 0) throw new Error(`the smoke baseline did not train:\n${trained.log}`);
    fixture = {
      root,
      async copyRun(name) {
        await fs.cp(path.join(root, 'run'), path.join(root, name), { recursive: true });
        return name;
      },
      async editMetadata(dir, edit) {
        const json = path.join(root, dir, 'model', 'model.json');
        const model = JSON.parse(await fs.readFile(json, 'utf8'));
        edit(model.userDefinedMetadata.ddar);
        await fs.writeFile(json, JSON.stringify(model));
      },
      async idx(name, dims, data) {
        const bytes = idxFile(dims, data);
        await fs.writeFile(path.join(root, name), bytes);
        return name;
      },
    };
  }, 120_000);
  afterAll(async () => {
    if (fixture !== undefined) await fs.rm(fixture.root, { recursive: true, force: true });
  });

  // In order: later cases reuse files that earlier ones made (the test images, the quick-profile directory).
  it.each(CLI_CASES.map((c, i) => [i + 1, c.input, c] as const))('%i. %s', async (_number, _input, badInput) => {
    const { code, log } = await runCli(fixture.root, await badInput.args(fixture));
    expect({ code, log }).toEqual({ code: badInput.exit, log: expect.stringContaining(badInput.gets) });
  });

  it.each(LIBRARY_CASES.map((c) => [c.input, c] as const))('%s: the named test asserts the message', async (_input, badInput) => {
    expect(await fs.readFile(path.join(repository, badInput.checkedBy), 'utf8')).toContain(badInput.gets);
  });

  it('docs/reliability.md shows exactly these cases', async () => {
    const text = await fs.readFile(document, 'utf8');
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const current = text.slice(start + TABLE_START.length, end).trim();
    const rendered = renderTable();
    if (process.env.DDAR_WRITE_RELIABILITY_TABLE === '1' && current !== rendered) {
      await fs.writeFile(document, `${text.slice(0, start + TABLE_START.length)}\n${rendered}\n${text.slice(end)}`);
      return;
    }
    expect(current).toBe(rendered);
  });
});
