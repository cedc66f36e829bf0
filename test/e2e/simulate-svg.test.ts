import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulateReport } from '@kubectl-mtv/engine';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { vmColour } from '../../src/ui/gantt-svg.js';
import { formatDuration } from '../../src/ui/simulate-table.js';
import { byClass, parseXml } from '../ui/svg-tree.js';
import { kubectlMtv, repo } from './plugin-fixture.js';
import { colourCounts, decodePng, pngSize } from './png-pixels.js';

const scenario = 'examples/datacenter.yaml';
/** Skipped on a machine without it; .ci/run installs it and makes its absence a failure. */
const chromium = systemTool('chromium');

/** Simulates forklift and disk on the datacenter scenario, writing the SVG into a fresh directory. */
function simulateSvg(...args: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'kubectl-mtv-svg-')), 'schedule.svg');
  const run = kubectlMtv('simulate', '--scenario', scenario, '--policy', 'forklift,disk', '--svg', file, ...args);
  return { ...run, file };
}

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'commands', 'simulate.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
});

describe('kubectl mtv simulate --svg', () => {
  it('lists --svg in the help with its example', () => {
    const run = kubectlMtv('simulate', '--help');
    expect(run.stdout).toContain('--svg=FILE');
    expect(run.stdout).toContain(
      `kubectl mtv simulate --scenario ${scenario} --policy forklift,disk --svg schedule.svg`,
    );
  });

  it('writes the file, leaves the table on stdout as it was, and says so on stderr', () => {
    const plain = kubectlMtv('simulate', '--scenario', scenario, '--policy', 'forklift,disk');
    const run = simulateSvg();
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr).toBe(`${plain.stderr}wrote ${run.file} (2 charts)\n`);
    expect(existsSync(run.file)).toBe(true);
  });

  it('leaves -o json as it was too', () => {
    const plain = kubectlMtv('simulate', '--scenario', scenario, '--policy', 'forklift,disk', '-o', 'json');
    const run = simulateSvg('-o', 'json');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr).toBe(`wrote ${run.file} (2 charts)\n`);
  });

  it('draws one chart per policy in the order asked, titled with the makespan and ratio, every disk a bar', () => {
    const run = simulateSvg('-o', 'json');
    const report = JSON.parse(run.stdout) as SimulateReport;
    const root = parseXml(readFileSync(run.file, 'utf8'));
    const charts = byClass(root, 'g', 'chart');
    expect(charts).toHaveLength(2);
    report.results.forEach((result, i) => {
      const [title] = byClass(charts[i], 'text', 'title');
      const ratio = result.ratioToLowerBound.toFixed(2);
      expect(title.text).toBe(
        `${result.policy} — makespan ${formatDuration(result.makespanSeconds)} (${ratio}x lower bound)`,
      );
      expect(byClass(charts[i], 'rect', 'disk')).toHaveLength(report.scenario.disks);
      expect(byClass(charts[i], 'text', 'subtitle').map((t) => t.text)).toEqual(
        result.strategy ? [result.strategy] : [],
      );
    });
    expect(report.results.map((r) => r.policy)).toEqual(['forklift', 'disk']);
  });

  it('writes the same bytes on every run', () => {
    expect(readFileSync(simulateSvg().file, 'utf8')).toBe(readFileSync(simulateSvg().file, 'utf8'));
  });

  it('refuses a file it cannot write in one line with exit 2, printing no report', () => {
    const missing = join(tmpdir(), 'kubectl-mtv-no-such-dir', 'schedule.svg');
    const run = kubectlMtv('simulate', '--scenario', scenario, '--svg', missing);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: cannot write the schedule picture "${missing}": its directory does not exist ` +
        '(try: pass a file in a writable directory, e.g. --svg schedule.svg)\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-svg-'));
    mkdirSync(join(dir, 'taken.svg'));
    const directory = kubectlMtv('simulate', '--scenario', scenario, '--svg', join(dir, 'taken.svg'));
    expect(directory.status).toBe(2);
    expect(directory.stderr).toContain(`"${join(dir, 'taken.svg')}": it is a directory`);
  });
});

describe('the picture in a browser', needs(chromium), () => {
  it('renders in headless Chromium at its size, with the bars in their VM colours', () => {
    const run = simulateSvg('-o', 'json');
    const report = JSON.parse(run.stdout) as SimulateReport;
    const root = parseXml(readFileSync(run.file, 'utf8'));
    const [width, height] = [Number(root.attrs.width), Number(root.attrs.height)];
    const png = join(mkdtempSync(join(tmpdir(), 'kubectl-mtv-png-')), 'schedule.png');
    const shot = spawnSync(
      chromium.path(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        '--force-device-scale-factor=1',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'kubectl-mtv-chromium-'))}`,
        `--screenshot=${png}`,
        `--window-size=${width},${height}`,
        `file://${run.file}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(shot.status, shot.stderr).toBe(0);
    const file = readFileSync(png);
    expect(pngSize(file)).toEqual({ width, height });

    const counts = colourCounts(decodePng(file));
    const pixels = width * height;
    const notWhite = pixels - (counts.get('#ffffff') ?? 0);
    expect(notWhite / pixels).toBeGreaterThan(0.2);
    expect(counts.size).toBeGreaterThan(50);
    // The longest transfer is a wide bar: its VM's colour must cover many pixels (an error page would not).
    const longest = report.results[1].disks.reduce((a, b) =>
      b.endSeconds - b.startSeconds > a.endSeconds - a.startSeconds ? b : a,
    );
    expect(counts.get(vmColour(longest.vm)) ?? 0).toBeGreaterThan(2000);
  });
});
