/**
 * The chaos run as functions: each part starts its own sandbox, runs the built plugin against it, and returns its
 * figures and checks. The secrets part runs last: it greps what every part's processes wrote.
 */
import { benchEnvironment } from '../bench/environment.js';
import { adaptiveKills } from './adaptive-kills.js';
import { apiFaults } from './api-faults.js';
import { type PartResult, partLines, passed } from './checks.js';
import type { ChaosContext } from './context.js';
import { crashAndResume } from './crash-resume.js';
import { exclusivity } from './exclusivity.js';
import { requireBuild, runPluginCopy, Transcript } from './plugin.js';
import { renderReport } from './report.js';
import { scale } from './scale.js';
import { secretsAndTls } from './secrets.js';
import { stuckTransfers } from './stuck-transfers.js';
import { warmKills } from './warm-kills.js';

export interface ChaosOptions {
  short: boolean;
  seed: number;
  /** Items to run (1, 2, 3, 4, 6, 7, 8, 9); all when absent. 6 greps only what the parts run before it wrote. */
  only?: number[];
  /** Run a copy of the build made at the start, in this directory, rather than the repository's bin/ and dist/. */
  copyBuildTo?: string;
  log(line: string): void;
}

export interface ChaosRun {
  parts: PartResult[];
  ok: boolean;
  seconds: number;
  /** docs/RELIABILITY.md as this run would write it. */
  report: string;
}

export const ITEMS = [1, 2, 3, 4, 7, 8, 9, 6] as const;

const PARTS: Record<number, (ctx: ChaosContext, report: () => string) => Promise<PartResult>> = {
  1: crashAndResume,
  2: apiFaults,
  3: stuckTransfers,
  4: exclusivity,
  7: scale,
  8: warmKills,
  9: adaptiveKills,
  6: secretsAndTls,
};

export async function runChaos(options: ChaosOptions): Promise<ChaosRun> {
  requireBuild();
  if (options.copyBuildTo !== undefined)
    options.log(`chaos: running a copy of the build: ${runPluginCopy(options.copyBuildTo)}`);
  const started = performance.now();
  const env = benchEnvironment();
  const ctx: ChaosContext = {
    short: options.short,
    seed: options.seed,
    transcript: new Transcript(),
    secrets: new Set(),
    log: options.log,
  };
  const parts: PartResult[] = [];
  const render = () =>
    renderReport(parts, env, {
      seed: options.seed,
      short: options.short,
      seconds: (performance.now() - started) / 1000,
    });
  for (const item of ITEMS) {
    if (options.only && !options.only.includes(item)) continue;
    options.log(`chaos: part ${item} ...`);
    let part: PartResult;
    const partStart = performance.now();
    try {
      part = await PARTS[item](ctx, render);
    } catch (error) {
      // a harness failure is a failed part, with the reason; the other parts still run
      part = {
        item,
        title: `part ${item}`,
        figures: [],
        checks: [{ name: 'the part ran', pass: false, detail: (error as Error).stack ?? String(error) }],
        seconds: (performance.now() - partStart) / 1000,
      };
    }
    parts.push(part);
    for (const line of partLines(part)) options.log(line);
  }
  const ok = parts.length > 0 && parts.every(passed);
  return { parts, ok, seconds: (performance.now() - started) / 1000, report: render() };
}
