import type { DisentanglementReport } from '@ddar/disentangle';
import { decodeCorrectness } from './correctness.js';
import { describeOverrides, overridesAsOptions } from './overrides.js';
import { distributedRunLines } from './queue/report_lines.js';
import { comparePaired, decideFamily, type PairedComparison, type Verdict } from './paired_statistics.js';
import {
  attackKey, collect, geometricKey, summarize, VARIANTS, type Results, type RunResult, type SanityCheck, type Summary, type Variant,
} from './results.js';

const percent = (x: number) => (100 * x).toFixed(1);

function cell(summary: Summary, best: boolean): string {
  if (summary.n === 0) return '–';
  const text = summary.n > 1 ? `${percent(summary.mean)} ± ${percent(summary.std)}` : percent(summary.mean);
  return best ? `**${text}**` : text;
}

interface Column {
  header: string;
  pick: (run: RunResult) => number | undefined;
  /** The run's per-image correctness for this column (correctness.ts), absent in results written before it was kept. */
  perImage: (run: RunResult) => string | undefined;
}

function table(results: Results, dataset: string, columns: Column[]): string {
  const variants = VARIANTS.filter((v) => results.runs.some((r) => r.dataset === dataset && r.variant === v));
  const stats = variants.map((variant) => columns.map((column) => summarize(collect(results, dataset, variant, column.pick))));
  const best = columns.map((_, c) => Math.max(...stats.map((row) => (row[c].n > 0 ? row[c].mean : -Infinity))));
  const lines = [
    `| model | ${columns.map((c) => c.header).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...variants.map(
      (variant, r) =>
        `| ${variant} | ${stats[r].map((s, c) => cell(s, s.n > 0 && s.mean === best[c] && variants.length > 1)).join(' | ')} |`,
    ),
  ];
  return lines.join('\n');
}

function attackColumns(results: Results, dataset: string): Column[] {
  const keys = new Map<string, { attack: string; epsilon: number }>();
  for (const run of results.runs.filter((r) => r.dataset === dataset)) {
    for (const a of run.attacks) keys.set(`${a.attack}@${a.epsilon}`, a);
  }
  return [...keys.values()].map(({ attack, epsilon }) => ({
    header: `${attack} ε=${+epsilon.toFixed(4)}`,
    pick: (run) => run.attacks.find((a) => a.attack === attack && a.epsilon === epsilon)?.accuracy,
    perImage: (run) => run.perImage?.attacks[attackKey(attack, epsilon)],
  }));
}

function geometricColumns(results: Results, dataset: string): Column[] {
  const keys = new Map<string, { transform: string; parameter: number }>();
  for (const run of results.runs.filter((r) => r.dataset === dataset)) {
    for (const g of run.geometric) keys.set(`${g.transform}@${g.parameter}`, g);
  }
  return [...keys.values()].map(({ transform, parameter }) => ({
    header: parameter === 0 ? transform : `${transform} ${parameter}`,
    pick: (run) => run.geometric.find((g) => g.transform === transform && g.parameter === parameter)?.accuracy,
    perImage: (run) => run.perImage?.geometric[geometricKey(transform, parameter)],
  }));
}

interface DisentanglementColumn {
  header: string;
  decimals: number;
  pick: (report: DisentanglementReport) => number | null | undefined;
}

const DISENTANGLEMENT_COLUMNS: DisentanglementColumn[] = [
  { header: 'warp gain', decimals: 2, pick: (d) => d.warpGain },
  { header: 'template invariance', decimals: 2, pick: (d) => d.templateInvariance?.invariance },
  { header: 'rotation R² z_g', decimals: 2, pick: (d) => d.probes.rotation.fromGeometric },
  { header: 'rotation R² z_a', decimals: 2, pick: (d) => d.probes.rotation.fromAppearance },
  // Results written before the paired probe existed have no rotationChange.
  { header: 'rotation-change R² z_g', decimals: 2, pick: (d) => d.probes.rotationChange?.fromGeometric ?? null },
  { header: 'rotation-change R² z_a', decimals: 2, pick: (d) => d.probes.rotationChange?.fromAppearance ?? null },
  { header: 'shift R² z_g', decimals: 2, pick: (d) => d.probes.shift.fromGeometric },
  { header: 'shift R² z_a', decimals: 2, pick: (d) => d.probes.shift.fromAppearance },
  { header: 'scale R² z_g', decimals: 2, pick: (d) => d.probes.scale.fromGeometric },
  { header: 'scale R² z_a', decimals: 2, pick: (d) => d.probes.scale.fromAppearance },
  { header: 'class accuracy z_g', decimals: 2, pick: (d) => d.probes.class.fromGeometric },
  { header: 'class accuracy z_a', decimals: 2, pick: (d) => d.probes.class.fromAppearance },
  { header: 'swap keeps class', decimals: 2, pick: (d) => d.swapKeepsClass },
  { header: 'folding', decimals: 3, pick: (d) => d.folding },
  { header: 'field RMS (px)', decimals: 2, pick: (d) => d.fieldRms },
];

/** The disentanglement reports of the variants that have one: plain numbers (no best in bold: the good direction differs per column). */
function disentanglementTable(results: Results, dataset: string): string | undefined {
  const variants = VARIANTS.filter((v) => results.runs.some((r) => r.dataset === dataset && r.variant === v && r.disentanglement !== undefined));
  if (variants.length === 0) return undefined;
  const format = (summary: Summary, decimals: number) => {
    if (summary.n === 0) return '–';
    return summary.n > 1 ? `${summary.mean.toFixed(decimals)} ± ${summary.std.toFixed(decimals)}` : summary.mean.toFixed(decimals);
  };
  const lines = [
    `| model | ${DISENTANGLEMENT_COLUMNS.map((c) => c.header).join(' | ')} |`,
    `|---|${DISENTANGLEMENT_COLUMNS.map(() => '---:').join('|')}|`,
    ...variants.map((variant) => {
      const cells = DISENTANGLEMENT_COLUMNS.map((column) => {
        const values = collect(results, dataset, variant, (run) => (run.disentanglement === undefined ? undefined : column.pick(run.disentanglement) ?? undefined));
        return format(summarize(values), column.decimals);
      });
      return `| ${variant} | ${cells.join(' | ')} |`;
    }),
  ];
  return lines.join('\n');
}

/** What each column measures and which direction is good, with the image count and transform ranges of the runs. */
function disentanglementExplained(results: Results, dataset: string): string {
  const reports = results.runs.filter((r) => r.dataset === dataset && r.disentanglement !== undefined).map((r) => r.disentanglement!);
  const counts = [...new Set(reports.map((d) => d.images))].join(' or ');
  const { maxRotationDegrees, maxShiftPixels, scaleRange } = reports[0].settings;
  return [
    `Mean ± sample std over seeds; "–" where a number is undefined (no decoder, or nothing to compare). Measured on the first ${counts}`,
    `test images, each also randomly rotated (up to ±${maxRotationDegrees}°), shifted (up to ±${maxShiftPixels} px) and scaled (${scaleRange[0]}–${scaleRange[1]}).`,
    "**Warp gain**: the share of the template's reconstruction error that the warp removes (high is good: the geometry does",
    'real work). **Template invariance**: how much the template moves when the image is transformed, relative to how much',
    'templates differ between images (low is good: the template is canonical). **R² z_g / z_a**: how well a held-out linear',
    'probe reads the rotation, shift or scale from each code — pose should be readable from z_g (high) and not from z_a',
    '(low). **Rotation-change R²**: the rotation probe read from how each image\'s codes moved, z(R x) − z(x), which leaves',
    "out the digits' own slant (a code that measures pose carries it, and the plain probe counts it as error).",
    '**Class accuracy z_g / z_a**: a held-out linear probe of the label from each code (high from z_a; ideally lower',
    'from z_g). **Swap keeps class**: the share of images drawn with the appearance of one image and the geometry of',
    'another that the model classifies as the first (high is good). **Folding**: the share of pixels where the warp folds',
    'over itself (0 is good). **Field RMS**: the size of the displacement field in pixels. AE-reg has a single code and no',
    "template: its row splits that code at DDAR's appearance-code size into a \"z_a\" and a \"z_g\", so it has probes and",
    'the code response but no decoder metrics.',
  ].join('\n');
}

/** One claim of the paper, or of ours, as a family of comparisons: `challenger` against `reference` on every column. */
interface ClaimFamily {
  label: string;
  challenger: Variant;
  reference: Variant;
  columns: Column[];
}

/**
 * Each column of a claim family as a paired comparison (paired_statistics.ts) on the seeds both variants ran, with the
 * family's Holm-adjusted p-values: a column is decided only when its interval excludes 0 and its adjusted p is at most
 * 0.05. Columns whose runs kept no per-image correctness get the difference of the means and no verdict.
 */
function claimLines(results: Results, dataset: string, family: ClaimFamily): { lines: string[]; decided: Map<Verdict, number> } {
  const runsOf = (variant: Variant) => new Map(results.runs.filter((r) => r.dataset === dataset && r.variant === variant).map((r) => [r.seed, r]));
  const challengers = runsOf(family.challenger);
  const references = runsOf(family.reference);
  const seeds = [...challengers.keys()].filter((seed) => references.has(seed)).sort((x, y) => x - y);
  const decided = new Map<Verdict, number>();
  if (seeds.length === 0) return { lines: [], decided };
  const rows: Array<{ column: Column; text: string; comparison?: PairedComparison }> = [];
  for (const column of family.columns) {
    const encoded = seeds.map((seed) => [column.perImage(challengers.get(seed)!), column.perImage(references.get(seed)!)] as const);
    const counts = seeds.map((seed) => [challengers.get(seed)!.perImage?.count, references.get(seed)!.perImage?.count] as const);
    if (encoded.every(([x, y]) => x !== undefined && y !== undefined) && counts.every(([x, y]) => x !== undefined && x === y)) {
      const comparison = comparePaired(
        encoded.map(([x], i) => decodeCorrectness(x!, counts[i][0]!)),
        encoded.map(([, y], i) => decodeCorrectness(y!, counts[i][1]!)),
        { names: { a: family.challenger, b: family.reference } },
      );
      rows.push({ column, text: comparison.summary, comparison });
      continue;
    }
    const a = summarize(collect(results, dataset, family.challenger, column.pick));
    const b = summarize(collect(results, dataset, family.reference, column.pick));
    if (a.n === 0 || b.n === 0) continue;
    const delta = 100 * (a.mean - b.mean);
    rows.push({
      column,
      text: `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points (${percent(a.mean)}% vs ${percent(b.mean)}%, ${Math.min(a.n, b.n)} seed${Math.min(a.n, b.n) > 1 ? 's' : ''}); no per-image data, so no interval and no verdict`,
    });
  }
  const compared = rows.filter((row) => row.comparison !== undefined);
  const decisions = decideFamily(compared.map((row) => row.comparison!));
  const lines = rows.map((row) => {
    const index = compared.indexOf(row);
    if (index < 0) return `- ${row.column.header}: ${row.text}.`;
    const { adjustedPValue, verdict } = decisions[index];
    decided.set(verdict, (decided.get(verdict) ?? 0) + 1);
    const name = verdict === 'A better' ? `${family.challenger} better` : verdict === 'B better' ? `${family.reference} better` : 'not conclusive';
    return `- ${row.column.header}: ${row.text}; Holm-adjusted over the claim's ${compared.length} column${compared.length > 1 ? 's' : ''}, ${formatP(adjustedPValue)}: **${name}**.`;
  });
  return { lines, decided };
}

function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** The claim's verdict over its columns, in one cell: how many columns each way. */
function tally(family: ClaimFamily, decided: Map<Verdict, number>): string {
  const total = [...decided.values()].reduce((x, y) => x + y, 0);
  if (total === 0) return 'no per-image data';
  const better = decided.get('A better') ?? 0;
  const worse = decided.get('B better') ?? 0;
  const open = decided.get('not conclusive') ?? 0;
  return [
    better > 0 ? `${family.challenger} better in ${better}` : '',
    worse > 0 ? `${family.reference} better in ${worse}` : '',
    open > 0 ? `not conclusive in ${open}` : '',
  ].filter((part) => part !== '').join(', ') + ` of ${total}`;
}

/**
 * The checks per radius, with PGD's accuracy range over the checked models there: a check at a radius where PGD already
 * scores 0% (or 100%) passes whatever the gradients do, so the summary says where the checks could fail at all.
 */
function sanitySummary(sanity: Array<SanityCheck & { run: RunResult }>): string[] {
  if (sanity.length === 0) return ['No sanity checks were run.'];
  const lines: string[] = [];
  const radii = [...new Set(sanity.map((s) => s.epsilon))];
  let informative = 0;
  for (const epsilon of radii) {
    const checks = sanity.filter((s) => s.epsilon === epsilon);
    const failed = checks.filter((s) => !s.passed);
    const pgd = checks.map((s) => s.pgdAccuracy).filter((a): a is number => a !== undefined);
    const low = Math.min(...pgd);
    const high = Math.max(...pgd);
    const isInformative = pgd.length > 0 && pgd.some((a) => a > 0 && a < 1);
    if (isInformative) informative++;
    const where = epsilon === undefined ? 'at one radius' : `at ε=${+epsilon.toFixed(4)}`;
    const range = pgd.length === 0 ? '' : ` (PGD accuracy ${percent(low)}–${percent(high)}%${isInformative ? '' : ': the checks cannot fail here'})`;
    lines.push(
      failed.length === 0
        ? `- ${where}${range}: all ${checks.length} checks passed.`
        : `- ${where}${range}: **${failed.length} of ${checks.length} checks FAILED** — the robust accuracies of these runs may be overestimated:`,
    );
    for (const s of failed) lines.push(`  - ${s.run.variant} (seed ${s.run.seed}): ${s.name}: ${s.message}`);
  }
  if (radii.some((e) => e !== undefined) && informative === 0) {
    lines.push('', '**At no checked radius did PGD leave the models between 0% and 100%: these checks say nothing.**');
  }
  return lines;
}

/** Files a run wrote beside report.md, relative to it, which the report embeds: `plots/<name>.png`, `grids/<name>.png`. */
export interface ReportArtifacts {
  plots: string[];
  grids: string[];
}

/** The plots and grids of one dataset, embedded, each with a caption saying what it shows. */
function figures(dataset: string, artifacts: ReportArtifacts): string[] {
  const plots = artifacts.plots.filter((file) => file.startsWith(`plots/${dataset}-`) && file.endsWith('.png')).sort();
  const grids = artifacts.grids.filter((file) => file.startsWith(`grids/${dataset}-`) && file.endsWith('.png')).sort();
  const out: string[] = [];
  if (plots.length > 0) {
    out.push('', '### Plots', '');
    for (const file of plots) out.push(`![${file.slice(`plots/${dataset}-`.length, -'.png'.length)}](${file})`, '');
  }
  if (grids.length > 0) {
    out.push(
      '### Grids',
      '',
      'Seed 1, the first test images; every row is labeled at its left. Reconstruction grids: inputs, templates, displacement',
      'fields, reconstructions, geometry donors, and swaps (appearance of the input, geometry of the donor). Template grids:',
      'per class, its first test images and their templates.',
      '',
    );
    for (const file of grids) {
      const name = file.slice(`grids/${dataset}-`.length, -'.png'.length);
      const caption = name.endsWith('-templates') ? `${name.slice(0, -'-templates'.length)}: per-class templates` : `${name}: reconstructions and code swaps`;
      out.push(`**${caption}**`, '', `![${caption}](${file})`, '');
    }
  }
  return out;
}

export function renderReport(results: Results, artifacts?: ReportArtifacts): string {
  const datasets = [...new Set(results.runs.map((r) => r.dataset))];
  const out: string[] = [
    `# DDAR reproduction — profile \`${results.profile}\``,
    '',
    `- command: \`${results.command}\``,
    ...(describeOverrides(results.overrides) !== ''
      ? [`- overridden profile values: ${describeOverrides(results.overrides)} (\`${overridesAsOptions(results.overrides)}\`); the rest as the profile defines them`]
      : []),
    `- backend: ${results.backend}${results.trainingThreads !== undefined ? `, training on ${results.trainingThreads} thread${results.trainingThreads > 1 ? 's' : ''}` : ''}; machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ` +
      `${results.machine.memoryGiB} GiB, ${results.machine.platform}, Node ${results.machine.node}`,
    `- started ${results.startedAt}${results.wallSeconds !== undefined ? `, wall time ${(results.wallSeconds / 60).toFixed(1)} min` : ''}`,
    `- versions: ${Object.entries(results.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '',
    'Accuracy in % (mean ± sample std over seeds; best per column in bold). Every number comes from `results.json`.',
    'Attacks are white-box on the inference path (backbone → appearance code → classifier), images in [0, 1]. PGD uses',
    'Madry et al.\'s step size 2.5ε/steps from a random start; "transfer" scores PGD adversarials crafted on the baseline',
    '(on DDAR for the baseline itself) of the same seed.',
  ];
  out.push(...distributedRunLines(results));
  for (const dataset of datasets) {
    const seeds = new Set(results.runs.filter((r) => r.dataset === dataset).map((r) => r.seed));
    const cleanColumn: Column = { header: 'clean', pick: (run) => run.clean.accuracy, perImage: (run) => run.perImage?.clean };
    const attacks = attackColumns(results, dataset);
    const geometric = geometricColumns(results, dataset);
    const images = [...new Set(results.runs.filter((r) => r.dataset === dataset).map((r) => r.clean.count))].join(' or ');
    const scope = `${seeds.size} seed${seeds.size > 1 ? 's' : ''}, the first ${images} test images`;
    out.push('', `## ${dataset} (${scope})`, '');
    out.push('### Adversarial robustness', '', `Accuracy in %, mean ± sample std over ${scope}.`, '', table(results, dataset, [cleanColumn, ...attacks]));
    if (geometric.length > 0) {
      out.push('', '### Geometric generalization (transforms never seen in training)', '', `Accuracy in %, mean ± sample std over ${scope}.`, '', table(results, dataset, [cleanColumn, ...geometric]));
      const augmented = (['baseline+aug', 'ddar+consistency'] as const).filter((v) => results.runs.some((r) => r.dataset === dataset && r.variant === v));
      if (augmented.length > 0) {
        out.push('', `${augmented.join(' and ')} saw small random rotations, shifts and scalings in training (the profile's \`consistency.augmentation\`): for ${augmented.length > 1 ? 'them' : 'it'} only the transforms beyond those ranges are unseen.`);
      }
    }
    const disentanglement = disentanglementTable(results, dataset);
    if (disentanglement !== undefined) out.push('', '### Disentanglement', '', disentanglement, '', disentanglementExplained(results, dataset));
    const has = (variant: Variant) => results.runs.some((r) => r.dataset === dataset && r.variant === variant);
    const candidates: ClaimFamily[] = [
      { label: 'Clean accuracy', challenger: 'ddar', reference: 'baseline', columns: [cleanColumn] },
      { label: 'Robustness to adversarial attacks', challenger: 'ddar', reference: 'baseline', columns: attacks },
      { label: 'Robustness: disentangled vs plain autoencoding', challenger: 'ddar', reference: 'ae-reg', columns: attacks },
      { label: 'Generalization to geometric transforms', challenger: 'ddar', reference: 'baseline', columns: geometric },
      { label: 'Geometric generalization: disentangled vs plain autoencoding', challenger: 'ddar', reference: 'ae-reg', columns: geometric },
      { label: 'Complementary to PGD adversarial training', challenger: 'ddar+pgd-at', reference: 'pgd-at', columns: attacks },
      { label: 'Complementary to fast adversarial training', challenger: 'ddar+fgsm-at', reference: 'fgsm-at', columns: attacks },
      { label: 'Robustness, both with geometric augmentation', challenger: 'ddar+consistency', reference: 'baseline+aug', columns: attacks },
      { label: 'Geometric generalization, both with geometric augmentation', challenger: 'ddar+consistency', reference: 'baseline+aug', columns: geometric },
    ];
    const families = candidates.filter((family) => family.columns.length > 0 && has(family.challenger) && has(family.reference));
    const claimSections: string[] = [];
    const verdictRows: string[] = [];
    for (const family of families) {
      const { lines, decided } = claimLines(results, dataset, family);
      if (lines.length === 0) continue;
      claimSections.push('', `**${family.label}** (${family.challenger} vs ${family.reference}):`, '', ...lines);
      verdictRows.push(`| ${family.label} | ${family.challenger} vs ${family.reference} | ${tally(family, decided)} |`);
    }
    out.push(
      '',
      '### Claims',
      '',
      'Each line compares two models on the same test images and seeds: the mean difference in accuracy, its 95% interval',
      '(paired bootstrap over seeds and images), an exact paired sign-flip test, and the Holm-adjusted p over the columns of',
      'the same claim. A column is decided only when the interval excludes 0 and the adjusted p is at most 0.05; otherwise it',
      'is not conclusive. docs/reproduction.md ("How the report decides a claim") explains the method.',
      '',
      '| claim | comparison | verdict, by column |',
      '|---|---|---|',
      ...verdictRows,
      ...claimSections,
    );

    const sanity = results.runs.filter((r) => r.dataset === dataset).flatMap((r) => r.sanity.map((s) => ({ ...s, run: r })));
    out.push('', '### Gradient-masking sanity checks', '', ...sanitySummary(sanity));
    if (artifacts !== undefined) out.push(...figures(dataset, artifacts));
  }
  return out.join('\n') + '\n';
}
