/**
 * `npm run chaos`: tries hard to break kubectl-mtv (kills, API faults, stuck importers, competing runners, secrets,
 * scale, kills in every phase of a warm migration) against the sandbox, prints each part's figures and a PASS/FAIL
 * line, writes docs/RELIABILITY.md after a full run, and exits 1 when any check failed.
 *
 *   npm run chaos                    the full run (about 5-8 minutes), rewrites docs/RELIABILITY.md
 *   npm run chaos -- --short         scaled down (under 2 minutes), as CI runs it; writes nothing
 *   npm run chaos -- --seed N        the same draws as the run that printed seed N
 *   npm run chaos -- --only 1,4      those items only; writes nothing
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ITEMS, runChaos } from './harness.js';
import { repo } from './plugin.js';

function options() {
  const { values } = parseArgs({
    options: { short: { type: 'boolean', default: false }, seed: { type: 'string' }, only: { type: 'string' } },
  });
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed: "${values.seed}" must be a whole number >= 0`);
  const only = values.only?.split(',').map((item) => Number(item.trim()));
  const unknown = only?.filter((item) => !(ITEMS as readonly number[]).includes(item)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: "${values.only}" names no part; parts are ${ITEMS.join(', ')}`);
  return { short: values.short, seed, only };
}

const { short, seed, only } = options();
const log = (line: string) => process.stdout.write(`${line}\n`);
log(`chaos: ${short ? 'short' : 'full'} run, seed ${seed}`);
// a copy of the build, so that an `npm run build` meanwhile (it empties dist/ first) cannot break the run
const copy = await mkdtemp(join(tmpdir(), 'kubectl-mtv-chaos-build-'));
const run = await runChaos({ short, seed, only, log, copyBuildTo: copy }).finally(() =>
  rm(copy, { recursive: true, force: true }),
);
log(
  `chaos: ${run.ok ? 'PASS' : 'FAIL'}: ${run.parts.filter((p) => p.checks.every((c) => c.pass)).length}/${run.parts.length} parts passed in ${run.seconds.toFixed(1)} s (seed ${seed})`,
);
if (!short && only === undefined) {
  const file = join(repo, 'docs', 'RELIABILITY.md');
  await writeFile(file, run.report);
  log(`chaos: wrote ${file}`);
}
process.exitCode = run.ok ? 0 : 1;
