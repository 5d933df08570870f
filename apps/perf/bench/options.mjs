// Command-line options shared by the benchmark scripts.
import process from 'node:process';

/** The positive integer after `--name` on the command line, `fallback` without it; anything else is an error naming `script`. */
export function positiveIntegerOption(script, name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${script}: --${name} must be a positive integer, but got '${process.argv[at + 1]}'`);
  }
  return value;
}
