import { UserError } from '../../errors.js';

/**
 * Flag values checked at the edge: each parser returns the typed value or throws one UserError (exit 2) that names
 * the flag and the value received, e.g. `--max-inflight: "0" must be a whole number >= 1`.
 */

/** The verbs a --deny rule may name (kube's, plus `*`). */
const DENY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'];
const MAX_PORT = 65_535;
/** Fault seeds are 32-bit (mulberry32's state). */
export const MAX_SEED = 2 ** 32 - 1;

/** Parses a flag that counts something: a whole number >= min. Throws a UserError naming the flag and the value. */
export function parseWholeNumber(flag: string, raw: string, min = 1): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UserError(`${flag}: "${raw}" must be a whole number >= ${min}`);
  }
  return value;
}

/** Parses a flag that names one of a fixed set, e.g. `--order largest`. */
export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[], noun: string): T {
  const value = raw.trim();
  if (!(choices as readonly string[]).includes(value)) {
    const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
    throw new UserError(`${flag}: "${raw}" is not ${article} ${noun} (choose from ${choices.join(', ')})`);
  }
  return value as T;
}

/** Parses a comma-separated list of choices, e.g. `--policy gang,disk`; keeps the given order, drops repeats. */
export function parseChoiceList<T extends string>(flag: string, raw: string, choices: readonly T[], noun: string): T[] {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new UserError(`${flag}: "${raw}" names no ${noun} (choose from ${choices.join(', ')})`);
  }
  return [...new Set(names.map((name) => parseChoice(flag, name, choices, noun)))];
}

export function parsePort(raw: string): number {
  const port = parseWholeNumber('--port', raw, 0);
  if (port > MAX_PORT) throw new UserError(`--port: "${raw}" must be a whole number from 0 to ${MAX_PORT}`);
  return port;
}

export function parseSeed(raw: string): number {
  const seed = parseWholeNumber('--fault-seed', raw, 0);
  if (seed > MAX_SEED) throw new UserError(`--fault-seed: "${raw}" must be a whole number from 0 to ${MAX_SEED}`);
  return seed;
}

/** A decimal number within bounds; `wanted` is how the message describes a good value. */
export function parseNumber(
  flag: string,
  raw: string,
  bounds: { above?: number; from?: number; to?: number },
  wanted: string,
) {
  const text = raw.trim();
  const value = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  const fits =
    Number.isFinite(value) &&
    (bounds.above === undefined || value > bounds.above) &&
    (bounds.from === undefined || value >= bounds.from) &&
    (bounds.to === undefined || value <= bounds.to);
  if (!fits) throw new UserError(`${flag}: "${raw}" must be ${wanted}`);
  return value;
}

export function parseFailDisk(raw: string): string {
  const value = raw.trim();
  if (!/^.+\/\d+$/.test(value)) throw new UserError(`--fail-disk: "${raw}" is not VM/INDEX (e.g. app-01/0)`);
  return value;
}

export function parseDenyRule(raw: string): string {
  const match = /^([^:]+):(.+)$/.exec(raw.trim());
  if (!match) throw new UserError(`--deny: "${raw}" is not VERB:RESOURCE (e.g. create:datavolumes)`);
  const verb = match[1].toLowerCase();
  if (!DENY_VERBS.includes(verb)) {
    throw new UserError(`--deny: "${raw}": "${match[1]}" is not a verb (choose from ${DENY_VERBS.join(', ')})`);
  }
  return `${verb}:${match[2].toLowerCase()}`;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration as kubectl writes one: one or more `<number><unit>` parts, units ms, s, m, h (`90m`, `2h`, `1h30m`,
 * `45s`, `1.5h`); a bare `0` is zero. Returns milliseconds, > 0 unless `allowZero`.
 */
export function parseDuration(flag: string, raw: string, options: { allowZero?: boolean } = {}): number {
  const text = raw.trim();
  const parts = text === '0' ? [] : [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const whole = text === '0' || (parts.length > 0 && parts.map((part) => part[0]).join('') === text);
  const ms = Math.round(parts.reduce((sum, [, value, unit]) => sum + Number(value) * DURATION_UNITS_MS[unit], 0));
  if (!whole || !Number.isSafeInteger(ms) || (ms === 0 && !options.allowZero)) {
    const zero = options.allowZero ? ' or 0' : '';
    throw new UserError(`${flag}: "${raw}" is not a duration (e.g. 45s, 90m, 2h, 1h30m${zero})`);
  }
  return ms;
}
