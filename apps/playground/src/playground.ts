import * as tf from '@tensorflow/tfjs-core';
import { asModel, disposeResults } from '@ddar/attacks';
import { affineTransform } from '@ddar/datasets';
import { swapCodes, type ClassifierModel } from '@ddar/disentangle';
import { summarizeAffine } from './affine_summary.js';
import { digitTensor, type Digits, type PlaygroundModels } from './assets.js';
import { attackOf, CURVE_EPSILONS, describeAttack, type AttackName, type AttackSettings } from './attack_settings.js';
import { geometryMatrix, isIdentity, NO_GEOMETRY, type GeometrySettings } from './geometry.js';
import { motionField } from './field_view.js';
import { preprocessDrawing } from './preprocess.js';
import { robustnessCurve, type RobustnessCurve } from './robustness_curve.js';
import { formatPercent, renderCode, renderProbabilities } from './ui/bars.js';
import { drawGrey, drawPerturbation, drawWarp, drawWarpKey } from './ui/canvas.js';
import { DrawingPad } from './ui/drawing_pad.js';
import { renderCurve } from './ui/plot.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const MODEL_NAMES = ['baseline', 'ddar'] as const;
type ModelName = (typeof MODEL_NAMES)[number];
/** How long the attack waits after the last change to its input or settings, so that dragging a slider stays smooth. */
const ATTACK_DELAY_MS = 200;

function byId<T extends HTMLElement | SVGSVGElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no element #${id}`);
  return element as T;
}

/**
 * Resolves once the browser has had the chance to paint and handle input: after the next animation frame and a task
 * after it, or after 50 ms where frames do not come (a hidden tab).
 */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve();
    };
    requestAnimationFrame(() => setTimeout(finish, 0));
    setTimeout(finish, 50);
  });
}

/** Where the input came from: a bundled test digit (whose label the attacks use), the user's drawing, or nothing yet. */
type Source = { kind: 'test'; index: number } | { kind: 'drawing' } | { kind: 'blank' };

/** The page's state and the code that keeps the views in step with it. */
export class Playground {
  private base: Float32Array = new Float32Array(PIXELS);
  private source: Source = { kind: 'blank' };
  private geometry: GeometrySettings = { ...NO_GEOMETRY };
  private partner = 1;
  private renderQueued = false;
  private attackTimer: ReturnType<typeof setTimeout> | undefined;
  private attackGeneration = 0;
  private curveController: AbortController | undefined;
  private readonly pad: DrawingPad;
  /** The largest magnitude of each code over the bundled digits: the fixed scale of the code bars. */
  private readonly codeRange: { appearance: number; geometric: number };
  private lastPredictions: Record<ModelName, number> = { baseline: -1, ddar: -1 };
  private curve: RobustnessCurve | undefined;

  constructor(
    private readonly models: PlaygroundModels,
    private readonly digits: Digits,
  ) {
    this.codeRange = tf.tidy(() => {
      const codes = models.ddar.encode(digitTensor(digits, 0, digits.count));
      return { appearance: tf.max(tf.abs(codes.appearance)).dataSync()[0], geometric: tf.max(tf.abs(codes.geometric)).dataSync()[0] };
    });
    this.pad = new DrawingPad(byId<HTMLCanvasElement>('pad'), (final) => this.onDrawing(final));
    this.fillDigitPickers();
    this.wireInputs();
    this.wireAttack();
    drawWarpKey(byId<HTMLCanvasElement>('warp-key'));
    const plot = byId<SVGSVGElement>('curve-plot');
    renderCurve(plot, undefined);
    new ResizeObserver(() => renderCurve(plot, this.curve)).observe(plot.parentElement!);
    byId('da').textContent = String(models.ddar.config.dA);
    byId('dg').textContent = String(models.ddar.config.dG);
    const { baseline, ddar } = models.record.models;
    byId('models-note').textContent =
      `Clean accuracy on the ${ddar.testExamples.toLocaleString('en')} MNIST test digits: baseline ${(100 * baseline.cleanAccuracy).toFixed(2)} %, ` +
      `DDAR ${(100 * ddar.cleanAccuracy).toFixed(2)} % (${ddar.trainCommand.replace(/ --variant \S+/, '').replace(/ --out \S+/, '')}, ` +
      `commit ${models.record.commit.slice(0, 7)}).`;
    this.pickDigit(0);
  }

  private fillDigitPickers(): void {
    const options = (selected: number) =>
      Array.from({ length: this.digits.count }, (_, i) => {
        const option = document.createElement('option');
        option.value = String(i);
        option.textContent = `#${i}: a ${this.digits.labels[i]}`;
        option.selected = i === selected;
        return option;
      });
    const drawn = document.createElement('option');
    drawn.value = 'drawing';
    drawn.textContent = 'your drawing';
    drawn.disabled = true;
    byId<HTMLSelectElement>('digit').replaceChildren(drawn, ...options(0));
    byId<HTMLSelectElement>('partner').replaceChildren(...options(this.partner));
  }

  private wireInputs(): void {
    byId<HTMLSelectElement>('digit').addEventListener('change', (event) => this.pickDigit(Number((event.target as HTMLSelectElement).value)));
    byId<HTMLSelectElement>('partner').addEventListener('change', (event) => {
      this.partner = Number((event.target as HTMLSelectElement).value);
      this.scheduleRender();
    });
    byId('clear').addEventListener('click', () => {
      this.pad.clear();
      this.base = new Float32Array(PIXELS);
      this.source = { kind: 'blank' };
      byId<HTMLSelectElement>('digit').value = 'drawing';
      this.changed();
    });
    const sliders: Array<[keyof GeometrySettings, string, (v: number) => string]> = [
      ['rotation', 'rotation', (v) => `${v}°`],
      ['shiftX', 'shift-x', (v) => `${v} px`],
      ['shiftY', 'shift-y', (v) => `${v} px`],
      ['scale', 'scale', (v) => `×${v.toFixed(2)}`],
    ];
    for (const [key, id, show] of sliders) {
      const input = byId<HTMLInputElement>(id);
      input.addEventListener('input', () => {
        this.geometry[key] = Number(input.value);
        byId(`${id}-value`).textContent = show(this.geometry[key]);
        this.changed();
      });
    }
    byId('reset-geometry').addEventListener('click', () => {
      this.geometry = { ...NO_GEOMETRY };
      for (const [key, id, show] of sliders) {
        byId<HTMLInputElement>(id).value = String(NO_GEOMETRY[key]);
        byId(`${id}-value`).textContent = show(NO_GEOMETRY[key]);
      }
      this.changed();
    });
  }

  private wireAttack(): void {
    for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="attack"]')) {
      radio.addEventListener('change', () => this.attackSettingsChanged());
    }
    for (const id of ['epsilon', 'steps']) {
      byId<HTMLInputElement>(id).addEventListener('input', () => this.attackSettingsChanged());
    }
    this.attackSettingsChanged(false);
    byId('curve-run').addEventListener('click', () => void this.runCurve());
    byId('curve-cancel').addEventListener('click', () => this.curveController?.abort(new Error('cancelled')));
  }

  private attackSettings(): AttackSettings {
    const checked = document.querySelector<HTMLInputElement>('input[name="attack"]:checked');
    return {
      attack: (checked?.value ?? 'pgd') as AttackName,
      epsilon: Number(byId<HTMLInputElement>('epsilon').value),
      steps: Number(byId<HTMLInputElement>('steps').value),
    };
  }

  private attackSettingsChanged(run = true): void {
    const settings = this.attackSettings();
    byId('epsilon-value').textContent = settings.epsilon.toFixed(2);
    byId('steps-value').textContent = String(settings.steps);
    const steps = byId<HTMLInputElement>('steps');
    steps.disabled = settings.attack === 'fgsm';
    steps.closest('.slider')?.classList.toggle('disabled', steps.disabled);
    byId('curve-run').textContent = `Run ${describeAttack(settings)} robustness curve`;
    if (run) this.scheduleAttack();
  }

  pickDigit(index: number): void {
    this.base = this.digits.pixels.slice(index * PIXELS, (index + 1) * PIXELS);
    this.source = { kind: 'test', index };
    byId<HTMLSelectElement>('digit').value = String(index);
    this.pad.showDigit(this.base);
    this.changed();
  }

  private onDrawing(final: boolean): void {
    const processed = preprocessDrawing(this.pad.ink());
    this.base = processed ?? new Float32Array(PIXELS);
    this.source = processed === undefined ? { kind: 'blank' } : { kind: 'drawing' };
    byId<HTMLSelectElement>('digit').value = 'drawing';
    this.scheduleRender();
    if (final) this.scheduleAttack();
  }

  /** The input changed: redraw now, attack once the user pauses. */
  private changed(): void {
    this.scheduleRender();
    this.scheduleAttack();
  }

  /** The input after the geometry sliders: the image both models see. */
  input(): Float32Array {
    if (isIdentity(this.geometry)) return this.base;
    const moved = tf.tidy(() => affineTransform(tf.tensor4d(this.base, [1, SIDE, SIDE, 1]), geometryMatrix(this.geometry, SIDE, SIDE)));
    const pixels = moved.dataSync() as Float32Array;
    moved.dispose();
    return pixels;
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  /** Both models' predictions, and DDAR's template, warp, reconstruction, codes and swaps, for the current input. */
  render(): void {
    const x = this.input();
    const { baseline, ddar } = this.models;
    const views = tf.tidy(() => {
      const image = tf.tensor4d(x, [1, SIDE, SIDE, 1]);
      const partner = digitTensor(this.digits, this.partner, 1);
      const decoded = ddar.reconstruct(image);
      const codes = ddar.encode(image);
      return {
        baseline: tf.softmax(baseline.classify(image)),
        ddar: tf.softmax(decoded.logits),
        template: decoded.template,
        displacement: decoded.displacement,
        reconstruction: decoded.reconstruction,
        affine: decoded.affineResidual ?? tf.zeros([1, 6]),
        appearance: codes.appearance,
        geometric: codes.geometric,
        partner,
        swapA: swapCodes(ddar, image, partner).reconstruction,
        swapB: swapCodes(ddar, partner, image).reconstruction,
      };
    });
    const data = Object.fromEntries(Object.entries(views).map(([key, tensor]) => [key, tensor.dataSync() as Float32Array]));
    tf.dispose(Object.values(views));

    drawGrey(byId<HTMLCanvasElement>('input-view'), x);
    drawGrey(byId<HTMLCanvasElement>('ddar-input'), x);
    for (const name of MODEL_NAMES) {
      const probabilities = data[name];
      const panel = byId(`pred-${name}`);
      const top = probabilities.indexOf(Math.max(...probabilities));
      renderProbabilities(panel.querySelector('ol')!, probabilities);
      panel.querySelector('.verdict .class')!.textContent = String(top);
      panel.querySelector('.verdict .confidence')!.textContent = formatPercent(probabilities[top]);
      panel.dataset.prediction = String(top);
      this.lastPredictions[name] = top;
    }
    drawGrey(byId<HTMLCanvasElement>('template'), data.template);
    const { longest } = motionField(data.displacement, SIDE, SIDE);
    const fullBrightness = Math.max(1, longest);
    drawWarp(byId<HTMLCanvasElement>('warp'), data.displacement, fullBrightness);
    byId('warp-scale').textContent = fullBrightness.toFixed(1);
    drawGrey(byId<HTMLCanvasElement>('reconstruction'), data.reconstruction);
    byId('affine').textContent = describeAffine(data.affine);
    renderCode(byId<SVGSVGElement>('code-appearance'), data.appearance, this.codeRange.appearance);
    renderCode(byId<SVGSVGElement>('code-geometric'), data.geometric, this.codeRange.geometric);
    drawGrey(byId<HTMLCanvasElement>('partner-view'), data.partner);
    drawGrey(byId<HTMLCanvasElement>('swap-a'), data.swapA);
    drawGrey(byId<HTMLCanvasElement>('swap-b'), data.swapB);
    const app = byId('app');
    app.dataset.renders = String(Number(app.dataset.renders ?? 0) + 1);
  }

  private scheduleAttack(): void {
    clearTimeout(this.attackTimer);
    // Any result on screen belongs to an older input or setting from now on.
    this.attackGeneration++;
    byId('attack-card').dataset.state = 'waiting';
    this.attackTimer = setTimeout(() => void this.runAttack(), ATTACK_DELAY_MS);
  }

  /** The attack on the current input, for each model; a newer change abandons it between models. */
  async runAttack(): Promise<void> {
    const generation = this.attackGeneration;
    const settings = this.attackSettings();
    const card = byId('attack-card');
    card.dataset.state = 'running';
    const x = this.input();
    const testLabel = this.source.kind === 'test' ? this.digits.labels[this.source.index] : undefined;
    byId('attack-label-note').textContent =
      testLabel !== undefined
        ? `Each model is pushed away from the test label, ${testLabel}, within ε of the input in every pixel.`
        : "A drawing has no label: each model is pushed away from its own prediction, within ε of the input in every pixel.";
    const outcomes: Array<{ name: ModelName; label: number; adversarial: Float32Array; probabilities: Float32Array }> = [];
    for (const name of MODEL_NAMES) {
      await nextPaint();
      if (generation !== this.attackGeneration) return;
      const model: ClassifierModel = this.models[name];
      const label = testLabel ?? this.lastPredictions[name];
      const image = tf.tensor4d(x, [1, SIDE, SIDE, 1]);
      try {
        const [result] = await attackOf(settings).run(asModel((t: tf.Tensor4D) => model.classify(t), { bounds: [0, 1] }), image, [Math.max(0, label)], {
          epsilons: [settings.epsilon],
        });
        const probabilities = tf.tidy(() => tf.softmax(model.classify(result.clipped)));
        outcomes.push({ name, label, adversarial: result.clipped.dataSync() as Float32Array, probabilities: probabilities.dataSync() as Float32Array });
        probabilities.dispose();
        disposeResults([result]);
      } finally {
        image.dispose();
      }
    }
    if (generation !== this.attackGeneration) return;
    for (const { name, adversarial, probabilities } of outcomes) {
      const panel = byId(`attack-${name}`);
      drawGrey(panel.querySelector<HTMLCanvasElement>('.adversarial')!, adversarial);
      drawPerturbation(panel.querySelector<HTMLCanvasElement>('.perturbation')!, adversarial.map((v, i) => v - x[i]), settings.epsilon);
      const clean = this.lastPredictions[name];
      const top = probabilities.indexOf(Math.max(...probabilities));
      const outcome = panel.querySelector('.outcome')!;
      outcome.textContent = `${clean} → ${top} (${formatPercent(probabilities[top])})${top === clean ? ', not fooled' : ', fooled'}`;
      outcome.classList.toggle('fooled', top !== clean);
      panel.dataset.clean = String(clean);
      panel.dataset.adversarial = String(top);
    }
    Object.assign(card.dataset, { state: 'done', attack: settings.attack, epsilon: String(settings.epsilon), steps: String(settings.steps) });
  }

  /** The robustness curve of the current attack on the first n bundled digits, for both models; cancellable. */
  async runCurve(): Promise<void> {
    if (this.curveController !== undefined) return;
    const count = Number(byId<HTMLSelectElement>('curve-digits').value);
    const settings = this.attackSettings();
    const controller = new AbortController();
    this.curveController = controller;
    const [run, cancel, progress, status, card] = [byId<HTMLButtonElement>('curve-run'), byId<HTMLButtonElement>('curve-cancel'), byId<HTMLProgressElement>('curve-progress'), byId('curve-status'), byId('attack-card')];
    run.disabled = true;
    cancel.disabled = false;
    progress.value = 0;
    card.dataset.curve = 'running';
    status.textContent = `${describeAttack(settings)} on ${count} digits at ε = ${CURVE_EPSILONS.join(', ')}…`;
    const watch = watchFrames();
    const images = digitTensor(this.digits, 0, count);
    const started = performance.now();
    try {
      const curve: RobustnessCurve = await robustnessCurve(
        { baseline: this.models.baseline, ddar: this.models.ddar },
        images,
        this.digits.labels.slice(0, count),
        settings,
        {
          signal: controller.signal,
          yieldToPage: nextPaint,
          onProgress: (p) => {
            progress.value = p.done / p.total;
            status.textContent = `${describeAttack(settings)}: ${p.model === 'ddar' ? 'DDAR' : 'baseline'}, ${p.digitsDone} of ${count} digits`;
          },
        },
      );
      this.curve = curve;
      renderCurve(byId<SVGSVGElement>('curve-plot'), curve);
      const seconds = (performance.now() - started) / 1000;
      const last = curve.epsilons.length - 1;
      status.textContent =
        `${curve.attack === 'FGSM' ? 'FGSM' : describeAttack(settings)} on ${count} digits, ${seconds.toFixed(1)} s. At ε = ${curve.epsilons[last]}: ` +
        `baseline ${(100 * curve.accuracy.baseline[last]).toFixed(0)} %, DDAR ${(100 * curve.accuracy.ddar[last]).toFixed(0)} %.`;
      Object.assign(card.dataset, { curve: 'done', curveAttack: settings.attack, curveSteps: String(settings.steps), curveDigits: String(count) });
    } catch (error) {
      const cancelled = controller.signal.aborted;
      status.textContent = cancelled ? 'Cancelled.' : `The robustness curve failed: ${(error as Error).message}`;
      card.dataset.curve = cancelled ? 'cancelled' : 'failed';
      if (!cancelled) console.error(error);
    } finally {
      images.dispose();
      card.dataset.longestFrameMs = String(Math.round(watch.stop()));
      this.curveController = undefined;
      run.disabled = false;
      cancel.disabled = true;
    }
  }
}

/** The affine part of DDAR's warp, in words. */
function describeAffine(residual: Float32Array): string {
  const a = summarizeAffine(residual, SIDE, SIDE);
  const sign = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
  const parts = [`rotation ${sign(a.rotation, 0)}°`, `scale ×${a.scale.toFixed(2)}`, `shift ${sign(a.shiftX, 1)}, ${sign(a.shiftY, 1)} px`];
  if (a.anisotropy > 1.05) parts.push(`stretch ×${a.anisotropy.toFixed(2)}`);
  return `Affine part of the warp: ${parts.join(', ')}.`;
}

/** The longest gap between animation frames while it runs: how long the page was unresponsive at most. */
function watchFrames(): { stop(): number } {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = (now: number) => {
    longest = Math.max(longest, now - last);
    last = now;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return {
    stop: () => {
      running = false;
      return longest;
    },
  };
}
