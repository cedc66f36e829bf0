import { UserError } from '../../errors.js';

/**
 * Flag values checked at the edge: each parser returns the typed value or throws one UserError (exit 2) that names
 * the flag, the value received and what is accepted, e.g. `--max-inflight: "0" must be a whole number from 1 to
 * 100000`.
 */

/** The verbs a --deny rule may name (kube's, plus `*`). */
const DENY_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', '*'];
/** Fault seeds are 32-bit (mulberry32's state). */
export const MAX_SEED = 2 ** 32 - 1;

/** A closed range of whole numbers. */
export interface WholeRange {
  min: number;
  max: number;
}

/** The ranges of the counting flags; every bound is a value that works, none a JavaScript limit. */
export const RANGES = {
  /** Disks in flight, over the plan or per host: far above any plan's disk count. */
  inFlight: { min: 1, max: 100_000 },
  /** Importer restarts that make a disk stuck. */
  restarts: { min: 1, max: 1_000 },
  port: { min: 0, max: 65_535 },
  seed: { min: 0, max: MAX_SEED },
  /** Events a sandbox watch sends before it is cut. */
  watchEvents: { min: 1, max: 1_000_000 },
  /** Milliseconds of delay the sandbox adds to each request: up to a minute. */
  latencyMs: { min: 0, max: 60_000 },
  /** Inventory requests the sandbox answers 206 before its provider is in sync. */
  syncingRequests: { min: 0, max: 1_000 },
} as const satisfies Record<string, WholeRange>;

/** Parses a flag that counts something: a whole number within `range`. Throws a UserError naming flag and value. */
export function parseWholeNumber(flag: string, raw: string, range: WholeRange): number {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new UserError(`${flag}: "${raw}" must be a whole number from ${range.min} to ${range.max}`);
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
  return parseWholeNumber('--port', raw, RANGES.port);
}

export function parseSeed(raw: string): number {
  return parseWholeNumber('--fault-seed', raw, RANGES.seed);
}

/** Bounds of a decimal number: `from` or `above` below it, `to` above it (a bound of every flag: no Infinity). */
export interface NumberRange {
  above?: number;
  from?: number;
  to: number;
}

/** A decimal number within `range`; `unit` says what it counts, in the message. */
export function parseNumber(flag: string, raw: string, range: NumberRange, unit?: string): number {
  const text = raw.trim();
  const value = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  const fits =
    value <= range.to &&
    (range.above === undefined || value > range.above) &&
    (range.from === undefined || value >= range.from);
  if (!fits) {
    const low = range.above === undefined ? `from ${range.from ?? 0} to` : `above ${range.above} and at most`;
    throw new UserError(`${flag}: "${raw}" must be a number ${low} ${range.to}${unit ? ` (${unit})` : ''}`);
  }
  return value;
}

/** Simulated seconds per real second (sandbox, demo): a million turns a 10-day plan into a second. */
export const SPEED_RANGE: NumberRange = { above: 0, to: 1_000_000 };
export const SPEED_UNIT = 'simulated seconds per real second';

export function parseFailDisk(raw: string): string {
  const value = raw.trim();
  if (!/^.+\/\d+$/.test(value)) throw new UserError(`--fail-disk: "${raw}" is not VM/INDEX (e.g. app-01/0)`);
  return value;
}

/** `VM=MESSAGE` for --fail-conversion. */
export function parseFailConversion(raw: string): { vm: string; message: string } {
  const at = raw.indexOf('=');
  const vm = at > 0 ? raw.slice(0, at).trim() : '';
  const message = at > 0 ? raw.slice(at + 1).trim() : '';
  if (!vm || !message) {
    throw new UserError(`--fail-conversion: "${raw}" is not VM=MESSAGE (e.g. app-01=virt-v2v: inspection failed)`);
  }
  return { vm, message };
}

export function parseDenyRule(raw: string): string {
  const match = /^([^:]+):(.+)$/.exec(raw.trim());
  if (!match)
    throw new UserError(
      `--deny: "${raw}" is not VERB:RESOURCE[@NAMESPACE] (e.g. create:datavolumes, get:secrets@openshift-mtv)`,
    );
  const verb = match[1].toLowerCase();
  if (!DENY_VERBS.includes(verb)) {
    throw new UserError(`--deny: "${raw}": "${match[1]}" is not a verb (choose from ${DENY_VERBS.join(', ')})`);
  }
  return `${verb}:${match[2].toLowerCase()}`;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** The longest duration: Node.js timers fire at once past 2^31-1 ms (24.8 days); 596h stays below that. */
export const MAX_DURATION_HOURS = 596;
const MAX_DURATION_MS = MAX_DURATION_HOURS * 3_600_000;

/**
 * A duration as kubectl writes one: one or more `<number><unit>` parts, units ms, s, m, h (`90m`, `2h`, `1h30m`,
 * `45s`, `1.5h`); a bare `0` is zero. Returns milliseconds, from 1ms to 596h; 0 only where `zero` says what it means
 * (`no limit`), else 0 is refused with the range.
 */
export function parseDuration(flag: string, raw: string, options: { zero?: string } = {}): number {
  const text = raw.trim();
  const parts = text === '0' ? [] : [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const whole = text === '0' || (parts.length > 0 && parts.map((part) => part[0]).join('') === text);
  if (!whole) {
    const zero = options.zero ? `, or 0 for ${options.zero}` : '';
    throw new UserError(`${flag}: "${raw}" is not a duration (e.g. 45s, 90m, 2h, 1h30m${zero})`);
  }
  const exact = parts.reduce((sum, [, value, unit]) => sum + Number(value) * DURATION_UNITS_MS[unit], 0);
  const ms = Math.round(exact);
  if (exact === 0 && options.zero) return 0;
  // a sliver that rounds to 0 ms is not "0": it would silently mean the zero's special sense
  if (ms < 1 || ms > MAX_DURATION_MS) {
    const range = `a duration from 1ms to ${MAX_DURATION_HOURS}h`;
    throw new UserError(`${flag}: "${raw}" must be ${options.zero ? `0 (${options.zero}) or ${range}` : range}`);
  }
  return ms;
}

/**
 * A point in time for --cutover: RFC 3339 (`2026-12-04T22:00:00Z`, an offset allowed), `now`, or a duration from
 * `now` as parseDuration reads it (`2h`). Returns milliseconds since the epoch.
 */
export function parseCutover(flag: string, raw: string, now: number): number {
  const text = raw.trim();
  if (text === 'now') return now;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return at;
  }
  if (/^\d/.test(text) && !text.includes('-')) return now + parseDuration(flag, text);
  throw new UserError(
    `${flag}: "${raw}" is not a time: give RFC 3339 (2026-12-04T22:00:00Z), now, or a duration from now (2h)`,
  );
}

/**
 * A file that receives SVG: its name must end in `.svg`, so that what opens it by name reads it as SVG (a `.png`
 * holding SVG opens as a broken image). The fix names the file with `.svg` in place of its extension.
 */
export function parseSvgPath(flag: string, raw: string): string {
  if (/\.svg$/i.test(raw)) return raw;
  const fixed =
    raw.trim() === '' || /[/\\]$/.test(raw)
      ? `${raw.trim()}schedule.svg`
      : /\.[^./\\]*$/.test(raw)
        ? raw.replace(/\.[^./\\]*$/, '.svg')
        : `${raw}.svg`;
  throw new UserError(`${flag}: "${raw}" must name an .svg file: the chart is written as SVG`, {
    hint: `${flag} ${fixed}`,
  });
}
