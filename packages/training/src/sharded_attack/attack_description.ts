import {
  APGD,
  APGDT,
  AutoAttack,
  BIM,
  CarliniWagnerL2,
  FGSM,
  MIFGSM,
  PGD,
  SquareAttack,
  type ApgdConfig,
  type ApgdTConfig,
  type Attack,
  type AutoAttackConfig,
  type BimConfig,
  type CwConfig,
  type MiFgsmConfig,
  type PgdConfig,
  type SquareConfig,
} from '@ddar/attacks';
import { SeededRandom } from '@ddar/random';

/**
 * The options of each attack of @ddar/attacks as plain data: its config without the progress hooks, since a function
 * cannot be sent to a worker thread.
 */
export interface AttackOptionsByName {
  pgd: Omit<PgdConfig, 'onStep'>;
  fgsm: Record<string, never>;
  bim: Omit<BimConfig, 'onStep'>;
  mifgsm: MiFgsmConfig;
  apgd: Omit<ApgdConfig, 'onCheckpoint'>;
  apgdt: Omit<ApgdTConfig, 'onCheckpoint'>;
  cw: Omit<CwConfig, 'onBinarySearchStep'>;
  square: SquareConfig;
  autoattack: AutoAttackConfig;
}

/** The attacks a sharded attack runs, by the names {@link AttackDescription} uses. */
export type ShardedAttackName = keyof AttackOptionsByName;

/**
 * An attack of @ddar/attacks described by data, so that a worker thread can build it: e.g.
 * `{ attack: 'pgd', options: { norm: 'l2', steps: 40, seed: 1 } }` is `new PGD({ norm: 'l2', steps: 40, seed: 1 })`.
 */
export type AttackDescription = { [K in ShardedAttackName]: { attack: K; options?: AttackOptionsByName[K] } }[ShardedAttackName];

/** Each attack's options, by name: a misspelt option is an error rather than a silently ignored key. */
const OPTION_NAMES: { [K in ShardedAttackName]: ReadonlyArray<keyof AttackOptionsByName[K]> } = {
  pgd: ['norm', 'steps', 'relStepSize', 'stepSize', 'randomStart', 'restarts', 'seed'],
  fgsm: [],
  bim: ['norm', 'steps', 'relStepSize', 'stepSize'],
  mifgsm: ['steps', 'decay'],
  apgd: ['loss', 'norm', 'steps', 'restarts', 'momentum', 'rho', 'randomStart', 'seed'],
  apgdt: ['norm', 'steps', 'restarts', 'momentum', 'rho', 'randomStart', 'seed', 'targetClasses'],
  cw: ['binarySearchSteps', 'steps', 'stepSize', 'confidence', 'initialConst', 'abortEarly'],
  square: ['queries', 'pInit', 'seed'],
  autoattack: ['norm', 'attacks', 'apgdSteps', 'targetClasses', 'squareQueries', 'squarePInit', 'seed'],
};

/** Every {@link ShardedAttackName}, in the order of @ddar/attacks' index. */
export const SHARDED_ATTACKS = Object.keys(OPTION_NAMES) as ShardedAttackName[];

const BUILD: { [K in ShardedAttackName]: (options: AttackOptionsByName[K]) => Attack } = {
  pgd: (options) => new PGD(options),
  fgsm: () => new FGSM(),
  bim: (options) => new BIM(options),
  mifgsm: (options) => new MIFGSM(options),
  apgd: (options) => new APGD(options),
  apgdt: (options) => new APGDT(options),
  cw: (options) => new CarliniWagnerL2(options),
  square: (options) => new SquareAttack(options),
  autoattack: (options) => new AutoAttack(options),
};

/**
 * The seed chunk number `chunk` of a batch is attacked with: stream `chunk` of the attack's seed. It depends on the
 * chunk alone, never on the thread that attacks it, so every image gets the same random start on any number of threads.
 */
export function chunkSeed(seed: number, chunk: number): number {
  return SeededRandom.stream(seed, chunk).nextUint32();
}

/** The attack that chunk number `chunk` runs: the described one, its seed (if it draws random numbers) made the chunk's. */
export function chunkAttack(description: AttackDescription, chunk: number): Attack {
  const options: Record<string, unknown> = { ...(description.options ?? {}) };
  if ((OPTION_NAMES[description.attack] as readonly string[]).includes('seed')) {
    options.seed = chunkSeed((options.seed as number | undefined) ?? 0, chunk);
  }
  return (BUILD[description.attack] as (options: unknown) => Attack)(options);
}

/**
 * Validates `description` on the main thread, before any worker sees it: a known attack, options that are plain data
 * and known to that attack, accepted by its constructor. Returns a copy and the attack as chunk 0 builds it (for its
 * display name and norm). `where` names the caller in errors.
 */
export function checkAttackDescription(where: string, description: unknown): { description: AttackDescription; attack: Attack } {
  const example = `{ attack: 'pgd', options: { steps: 40 } }`;
  if (description === null || typeof description !== 'object' || Array.isArray(description)) {
    throw new Error(`${where}: attack must be an object like ${example}, but got ${description === null ? 'null' : typeof description}`);
  }
  const { attack: name, options } = description as { attack?: unknown; options?: unknown };
  if (typeof name !== 'string' || !(SHARDED_ATTACKS as string[]).includes(name)) {
    throw new Error(`${where}: attack.attack must be one of ${SHARDED_ATTACKS.map((a) => `'${a}'`).join(', ')}, but got ${JSON.stringify(name) ?? 'undefined'}`);
  }
  const known = OPTION_NAMES[name as ShardedAttackName] as readonly string[];
  if (options !== undefined) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new Error(`${where}: attack.options must be an object, but got ${options === null ? 'null' : typeof options}`);
    }
    for (const [key, value] of Object.entries(options)) {
      if (typeof value === 'function') {
        throw new Error(`${where}: attack.options.${key} is a function, which cannot be sent to a worker thread; a sharded attack takes its options as plain data`);
      }
      if (!known.includes(key)) {
        throw new Error(`${where}: attack.options.${key} is not an option of '${name}' (${known.length > 0 ? `its options: ${known.join(', ')}` : 'it has none'})`);
      }
    }
  }
  let copy: AttackDescription;
  try {
    copy = structuredClone({ attack: name, ...(options === undefined ? {} : { options }) }) as AttackDescription;
  } catch (error) {
    throw new Error(`${where}: attack.options must be plain data a worker can receive (${(error as Error).message})`);
  }
  let attack: Attack;
  try {
    attack = chunkAttack(copy, 0);
  } catch (error) {
    throw new Error(`${where}: attack.options: ${(error as Error).message}`);
  }
  return { description: copy, attack };
}
