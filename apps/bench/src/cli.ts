#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { attackCommand, evaluateCommand, parsePositiveInteger, parseWorkers, showCommand, trainCommand } from './commands.js';
import { applyOverrides, MAX_LEARNING_RATE, OVERRIDE_MAXIMA, parseOverrides, type OverrideOptionTexts } from './overrides.js';
import { PROFILES, profileNamed } from './profiles.js';
import { reproduce } from './reproduce.js';
import { addQueueOptions, addWorkerCommand, reproduceOnQueueCommand, wantsQueue } from './queue/cli.js';
import { VARIANTS } from './results.js';

const workersOption = () =>
  new Option(
    '--workers <n>',
    'worker threads that share each training step (data-parallel) and evaluate models side by side; ' +
      'default: one per spare core while every thread keeps >= 32 images of a batch',
  );

// Read at run time rather than compiled in, so that it is always the version of the package that is installed;
// src/ and dist/ both sit beside package.json.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('ddar-bench')
  .description('Reproduces the experiments of "Disentangled Deep Autoencoding Regularization for Robust Image Classification"')
  .version(version, '-V, --version', 'print the version of ddar-bench')
  .showHelpAfterError();

const profileOption = () =>
  new Option('--profile <name>', `experiment size: ${Object.entries(PROFILES).map(([k, p]) => `${k} (${p.description})`).join('; ')}`)
    .choices(Object.keys(PROFILES))
    .default('quick');

/** The options that override one training's budget; `reproduce` adds the test limit, the seeds and the datasets. */
const trainingOverrideOptions = (command: Command) =>
  command
    .option('--epochs <n>', `training epochs (1 to ${OVERRIDE_MAXIMA.epochs}); default: the profile's`)
    .option('--batch-size <n>', `training batch size (1 to ${OVERRIDE_MAXIMA.batchSize}, at most the training images); default: the profile's`)
    .option('--learning-rate <x>', `Adam's learning rate (above 0, at most ${MAX_LEARNING_RATE}); default: the profile's`)
    .option('--train-limit <n>', `train on the first n training images (1 to ${OVERRIDE_MAXIMA.trainLimit}); default: the profile's`);

const reproduceCommand = program
  .command('reproduce')
  .description(
    'train the profile\'s variants (baseline, AE-reg, DDAR and its displacement-field ablation, PGD-AT, DDAR+PGD-AT, FGSM-AT, DDAR+FGSM-AT, a baseline ' +
      'with geometric augmentation, DDAR with geometric consistency) per dataset and seed, evaluate them (attacks, transformed ' +
      'test sets, the disentanglement report), and write results.json, report.md, plots and grids',
  )
  .addOption(profileOption())
  .option('--datasets <list>', 'comma-separated datasets (mnist, fashion-mnist, cifar10); default: the profile\'s')
  .option('--seeds <n>', `number of seeds (1 to ${OVERRIDE_MAXIMA.seeds}); default: the profile's`);
trainingOverrideOptions(reproduceCommand)
  .option('--test-limit <n>', `evaluate on the first n test images (1 to ${OVERRIDE_MAXIMA.testLimit}); default: the profile's`)
  .option('--out <dir>', 'output directory (default: results/<profile>-<date>-<time>)')
  .option('--resume', 'continue a run in --out, with the same overrides: skip finished models, continue half-trained ones from their checkpoints', false)
  .addOption(workersOption());
addQueueOptions(reproduceCommand)
  .action(async (options: OverrideOptionTexts & { profile: string; out?: string; resume: boolean; workers?: string; queue?: string; artifacts?: string }) => {
    const { profile, overrides } = applyOverrides(profileNamed(options.profile), parseOverrides(options));
    // A distributed run: docs/distributed.md.
    if (wantsQueue(options)) return reproduceOnQueueCommand(profile, overrides, options, `ddar-bench ${process.argv.slice(2).join(' ')}`);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const out = options.out ?? path.join('results', `${profile.name}-${stamp}`);
    const workers = options.workers !== undefined ? parseWorkers(options.workers) : undefined;
    await reproduce({ profile, overrides, out, resume: options.resume, workers, command: `ddar-bench ${process.argv.slice(2).join(' ')}` });
  });

const trainCommandLine = program
  .command('train')
  .description('train one model variant with a profile\'s budget; resumes from its checkpoint when --out holds one')
  .addOption(profileOption())
  .requiredOption('--dataset <name>', 'mnist, fashion-mnist or cifar10')
  .requiredOption('--variant <name>', VARIANTS.join(', '))
  .option('--seed <n>', 'seed', '1');
trainingOverrideOptions(trainCommandLine)
  .requiredOption('--out <dir>', 'directory for checkpoint/, model/ and training.json')
  .addOption(workersOption())
  .action(async (options: { profile: string; dataset: string; variant: string; seed: string; out: string; workers?: string } & TrainingOverrideTexts) => {
    const profile = profileNamed(options.profile);
    const overrides = parseOverrides({ epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, trainLimit: options.trainLimit });
    const workers = options.workers !== undefined ? parseWorkers(options.workers) : undefined;
    await trainCommand(profile, { ...options, seed: parsePositiveInteger('--seed', options.seed), workers, overrides });
  });

type TrainingOverrideTexts = Pick<OverrideOptionTexts, 'epochs' | 'batchSize' | 'learningRate' | 'trainLimit'>;

const testDataOptions = (command: Command) =>
  command
    .option('--dataset <name>', 'test split to use (default: the dataset matching the model\'s input shape)')
    .option('--test-images <file>', 'your own IDX images file (raw or .gz), instead of --dataset')
    .option('--test-labels <file>', 'the IDX labels file that goes with --test-images')
    .option('--limit <n>', 'evaluate only the first n test images');

testDataOptions(
  program
    .command('evaluate')
    .description('clean accuracy of a saved model on a test split or on any IDX image/label pair')
    .requiredOption('--model <dir>', 'directory holding model.json'),
).action(async (options: { model: string; dataset?: string; testImages?: string; testLabels?: string; limit?: string }) => {
  await evaluateCommand({ ...options, limit: options.limit !== undefined ? parsePositiveInteger('--limit', options.limit) : undefined });
});

testDataOptions(
  program
    .command('attack')
    .description('robust accuracy of a saved model under one attack at several epsilons')
    .requiredOption('--model <dir>', 'directory holding model.json')
    .option('--attack <name>', 'fgsm, pgd, pgd-l2, mifgsm, apgd, cw or square', 'pgd')
    .option('--epsilons <list>', 'comma-separated budgets', '0.1,0.3')
    .option('--seed <n>', 'seed of random starts', '1'),
).action(async (options: { model: string; attack: string; epsilons: string; seed: string; dataset?: string; testImages?: string; testLabels?: string; limit?: string }) => {
  await attackCommand({
    ...options,
    seed: parsePositiveInteger('--seed', options.seed),
    limit: options.limit !== undefined ? parsePositiveInteger('--limit', options.limit) : 1000,
  });
});

program
  .command('show')
  .description('labeled PNG grid (and an SVG beside it) of a DDAR model\'s inputs, templates, displacement fields, reconstructions and code swaps')
  .requiredOption('--model <dir>', 'directory holding model.json')
  .option('--dataset <name>', 'test split to draw images from (default: matches the model)')
  .option('--images <n>', 'images per row (at most 64)', '8')
  .option('--out <file>', 'PNG to write; the SVG goes beside it', 'ddar-grid.png')
  .action(async (options: { model: string; dataset?: string; images: string; out: string }) => {
    await showCommand({ ...options, images: parsePositiveInteger('--images', options.images) });
  });

addWorkerCommand(program);

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`ddar-bench: ${error.message}`);
  process.exitCode = 1;
});
