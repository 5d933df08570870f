import { collect, summarize, VARIANTS, type Results, type RunResult, type Summary, type Variant } from './results.js';

const percent = (x: number) => (100 * x).toFixed(1);

function cell(summary: Summary, best: boolean): string {
  if (summary.n === 0) return '–';
  const text = summary.n > 1 ? `${percent(summary.mean)} ± ${percent(summary.std)}` : percent(summary.mean);
  return best ? `**${text}**` : text;
}

interface Column {
  header: string;
  pick: (run: RunResult) => number | undefined;
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
  }));
}

/** One plain sentence per claim: did `challenger` beat `reference`, by how much, over how many seeds. */
function claim(results: Results, dataset: string, label: string, column: Column, challenger: Variant, reference: Variant): string | undefined {
  const a = summarize(collect(results, dataset, challenger, column.pick));
  const b = summarize(collect(results, dataset, reference, column.pick));
  if (a.n === 0 || b.n === 0) return undefined;
  const delta = 100 * (a.mean - b.mean);
  const verdict = delta > 0 ? `${challenger} beat ${reference}` : delta < 0 ? `${challenger} did NOT beat ${reference}` : `${challenger} tied ${reference}`;
  const spread = Math.max(a.std, b.std) * 100;
  const noise = a.n > 1 && delta !== 0 && Math.abs(delta) <= spread ? ` (within one standard deviation, ${spread.toFixed(1)} points: not conclusive)` : '';
  const by = delta === 0 ? '' : ` by ${Math.abs(delta).toFixed(1)} points`;
  return `- ${label} (${column.header}): ${verdict}${by} ` +
    `(${percent(a.mean)}% vs ${percent(b.mean)}%, ${Math.min(a.n, b.n)} seed${Math.min(a.n, b.n) > 1 ? 's' : ''})${noise}.`;
}

export function renderReport(results: Results): string {
  const datasets = [...new Set(results.runs.map((r) => r.dataset))];
  const out: string[] = [
    `# DDAR reproduction — profile \`${results.profile}\``,
    '',
    `- command: \`${results.command}\``,
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
  for (const dataset of datasets) {
    const seeds = new Set(results.runs.filter((r) => r.dataset === dataset).map((r) => r.seed));
    const cleanColumn: Column = { header: 'clean', pick: (run) => run.clean.accuracy };
    const attacks = attackColumns(results, dataset);
    const geometric = geometricColumns(results, dataset);
    out.push('', `## ${dataset} (${seeds.size} seed${seeds.size > 1 ? 's' : ''})`, '');
    out.push('### Adversarial robustness', '', table(results, dataset, [cleanColumn, ...attacks]));
    if (geometric.length > 0) {
      out.push('', '### Geometric generalization (transforms never seen in training)', '', table(results, dataset, [cleanColumn, ...geometric]));
    }
    const claims: string[] = [];
    for (const column of attacks) {
      const c = claim(results, dataset, 'Robustness', column, 'ddar', 'baseline');
      if (c !== undefined) claims.push(c);
    }
    for (const column of geometric) {
      const c = claim(results, dataset, 'Geometric generalization', column, 'ddar', 'baseline');
      if (c !== undefined) claims.push(c);
    }
    for (const column of attacks) {
      const c = claim(results, dataset, 'Complementary to adversarial training', column, 'ddar+pgd-at', 'pgd-at');
      if (c !== undefined) claims.push(c);
    }
    const cleanClaim = claim(results, dataset, 'Clean accuracy', cleanColumn, 'ddar', 'baseline');
    out.push('', '### Claims', '', ...(cleanClaim !== undefined ? [cleanClaim] : []), ...claims);

    const sanity = results.runs.filter((r) => r.dataset === dataset).flatMap((r) => r.sanity.map((s) => ({ ...s, run: r })));
    out.push('', '### Gradient-masking sanity checks', '');
    const failed = sanity.filter((s) => !s.passed);
    out.push(
      sanity.length === 0
        ? 'No sanity checks were run.'
        : failed.length === 0
          ? `All ${sanity.length} checks passed.`
          : `**${failed.length} of ${sanity.length} checks FAILED** — the robust accuracies of these runs may be overestimated:`,
    );
    for (const s of failed) out.push(`- ${s.run.variant} (seed ${s.run.seed}): ${s.name}: ${s.message}`);
  }
  return out.join('\n') + '\n';
}
