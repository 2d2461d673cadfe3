/** Option parsing shared by the CLI commands. */
import { CliError } from './errors.js';

/** An integer option of at least `min`, or a one-line CliError naming the flag. */
export function intOption(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name}: expected an integer >= ${min}, got "${value}"`);
  return n;
}
