import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GanttChart, GanttDisk } from '../../src/ui/gantt-chart.js';
import { renderGanttSvg, vmColour } from '../../src/ui/gantt-svg.js';
import { byClass, parseXml, type XmlElement } from './svg-tree.js';

const Gi = 2 ** 30;
/** Coordinates are written with two decimals; a width is the difference of two rounded-apart values. */
const px = 0.02;

function disk(vm: string, index: number, host: string, startSeconds: number, endSeconds: number): GanttDisk {
  return { vm, index, host, bytes: 10 * Gi, startSeconds, endSeconds };
}

function chart(disks: GanttDisk[], patch: Partial<GanttChart> = {}): GanttChart {
  const makespanSeconds = Math.max(0, ...disks.map((d) => d.endSeconds));
  return { title: 'disk', lowerBoundSeconds: makespanSeconds, makespanSeconds, disks, ...patch };
}

const num = (e: XmlElement, attr: string) => Number(e.attrs[attr]);

/** `1h30m` -> 5400: the inverse of formatDuration for whole seconds, to read the axis back. */
function seconds(label: string): number {
  if (label === '0') return 0;
  const units: Record<string, number> = { d: 86_400, h: 3600, m: 60, s: 1 };
  const parts = [...label.matchAll(/(\d+)([dhms])/g)];
  expect(parts.map((p) => p[0]).join('')).toBe(label);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/** What a reader of the picture sees in one chart: its bars (with the disk each names), host bands, axis, markers. */
function readChart(g: XmlElement) {
  const ticks = byClass(g, 'text', 'tick-label').map((t) => ({
    x: num(t, 'x'),
    label: t.text,
    seconds: seconds(t.text),
  }));
  const last = ticks[ticks.length - 1];
  const xOf = (s: number) => ticks[0].x + (s / last.seconds) * (last.x - ticks[0].x);
  const bars = byClass(g, 'rect', 'disk').map((r) => {
    const title = r.children.find((c) => c.name === 'title')?.text ?? '';
    const match = /^(.*) disk (\d+), /.exec(title);
    if (!match) throw new Error(`bar title ${JSON.stringify(title)}`);
    return { key: `${match[1]}/${match[2]}`, title, x: num(r, 'x'), y: num(r, 'y'), width: num(r, 'width'), rect: r };
  });
  const labels = byClass(g, 'text', 'host');
  const bands = byClass(g, 'rect', 'host-band').map((r, i) => ({
    host: labels[i].children.find((c) => c.name === 'title')?.text ?? labels[i].text,
    top: num(r, 'y'),
    bottom: num(r, 'y') + num(r, 'height'),
  }));
  const line = (kind: string) => byClass(g, 'line', kind)[0];
  const label = (kind: string) => byClass(g, 'text', `${kind}-label`)[0]?.text;
  return { ticks, xOf, bars, bands, line, label };
}

function read(svg: string) {
  const root = parseXml(svg);
  return { root, charts: byClass(root, 'g', 'chart').map(readChart) };
}

/** Most disks of one host in flight at once; a disk ending at t is no longer in flight at t. */
function peak(disks: GanttDisk[]): number {
  return Math.max(
    0,
    ...disks.map((d) => disks.filter((o) => o.startSeconds <= d.startSeconds && d.startSeconds < o.endSeconds).length),
  );
}

const sample = [
  disk('db', 0, 'esx-01', 0, 3600),
  disk('db', 1, 'esx-01', 0, 1200),
  disk('web', 0, 'esx-01', 1200, 2400),
  disk('web', 1, 'esx-01', 2400, 3000),
  disk('files', 0, 'esx-02', 600, 4200),
  disk('files', 1, 'esx-02', 0, 0),
];

describe('renderGanttSvg', () => {
  it('writes one well-formed standalone SVG document, its size in width, height and viewBox', () => {
    const svg = renderGanttSvg([chart(sample)], { width: 800 });
    const { root } = read(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.width).toBe('800');
    expect(root.attrs.viewBox).toBe(`0 0 800 ${root.attrs.height}`);
    expect(Number(root.attrs.height)).toBeGreaterThan(100);
    expect(root.attrs['font-family']).toMatch(/sans-serif$/);
  });

  it('draws one bar per disk, at its start and as long as it ran, on the axis scale', () => {
    const [picture] = read(renderGanttSvg([chart(sample)])).charts;
    expect(picture.bars.map((b) => b.key).sort()).toEqual(sample.map((d) => `${d.vm}/${d.index}`).sort());
    for (const d of sample) {
      const bar = picture.bars.find((b) => b.key === `${d.vm}/${d.index}`);
      expect(bar?.x).toBeCloseTo(picture.xOf(d.startSeconds), 1);
      const width = picture.xOf(d.endSeconds) - picture.xOf(d.startSeconds);
      expect(Math.abs((bar?.width ?? 0) - Math.max(1, width))).toBeLessThan(px);
    }
  });

  it('says what a bar is in its tooltip: VM, disk, size, start-end', () => {
    const [picture] = read(renderGanttSvg([chart(sample)])).charts;
    expect(picture.bars.find((b) => b.key === 'web/0')?.title).toBe('web disk 0, 10 GiB, 20m-40m');
    expect(picture.bars.find((b) => b.key === 'files/1')?.title).toBe('files disk 1, 10 GiB, 0s-0s');
  });

  it('still draws a disk that took no time, one pixel wide', () => {
    const [picture] = read(renderGanttSvg([chart(sample)])).charts;
    expect(picture.bars.find((b) => b.key === 'files/1')?.width).toBe(1);
  });

  it('labels the axis in readable steps: 0, 15m, 30m, .. up to the longest chart', () => {
    const [picture] = read(renderGanttSvg([chart(sample)], { width: 480 })).charts;
    expect(picture.ticks.map((t) => t.label)).toEqual(['0', '15m', '30m', '45m', '1h', '1h15m']);
    const gaps = picture.ticks.slice(1).map((t, i) => t.x - picture.ticks[i].x);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 1);
  });

  it('marks the lower bound with a dashed line and the makespan with a solid one, where the axis puts them', () => {
    const [picture] = read(renderGanttSvg([chart(sample, { lowerBoundSeconds: 3720, makespanSeconds: 4200 })])).charts;
    const bound = picture.line('lower-bound');
    const makespan = picture.line('makespan');
    expect(num(bound, 'x1')).toBeCloseTo(picture.xOf(3720), 1);
    expect(bound.attrs.x2).toBe(bound.attrs.x1);
    expect(bound.attrs['stroke-dasharray']).toBeDefined();
    expect(num(makespan, 'x1')).toBeCloseTo(picture.xOf(4200), 1);
    expect(makespan.attrs['stroke-dasharray']).toBeUndefined();
    expect(picture.label('lower-bound')).toBe('lower bound 1h2m');
    expect(picture.label('makespan')).toBe('makespan 1h10m');
    // The lines run through every lane.
    expect(num(makespan, 'y2')).toBeCloseTo(Math.max(...picture.bands.map((b) => b.bottom)), 1);
  });

  it('draws no lower-bound line when the chart has none', () => {
    const [picture] = read(renderGanttSvg([chart(sample, { lowerBoundSeconds: undefined })])).charts;
    expect(picture.line('lower-bound')).toBeUndefined();
    expect(picture.line('makespan')).toBeDefined();
  });

  it('gives every chart the same scale, so the same seconds are the same pixels', () => {
    const short = chart([disk('web', 0, 'esx-01', 0, 600)]);
    const long = chart([disk('web', 0, 'esx-01', 0, 600), disk('db', 0, 'esx-02', 0, 7200)]);
    const [a, b] = read(renderGanttSvg([short, long])).charts;
    expect(a.ticks.map((t) => [t.label, t.x])).toEqual(b.ticks.map((t) => [t.label, t.x]));
    const web = (c: typeof a) => c.bars.find((bar) => bar.key === 'web/0');
    expect([web(a)?.x, web(a)?.width]).toEqual([web(b)?.x, web(b)?.width]);
    expect(num(a.line('makespan'), 'x1')).toBeCloseTo(a.xOf(600), 1);
  });

  it('stacks the charts in the order given, each with its title and subtitle', () => {
    const svg = renderGanttSvg([
      chart(sample, { title: 'forklift' }),
      chart(sample, { title: 'disk', subtitle: 'why' }),
    ]);
    const { root } = read(svg);
    const titles = byClass(root, 'text', 'title').map((t) => [t.text, num(t, 'y')] as const);
    expect(titles.map(([text]) => text)).toEqual(['forklift', 'disk']);
    expect(titles[1][1]).toBeGreaterThan(titles[0][1]);
    expect(byClass(root, 'text', 'subtitle').map((t) => t.text)).toEqual(['why']);
  });

  it('colours bars by VM: the same VM the same colour in every chart, and a legend swatch per VM', () => {
    const { root, charts } = read(renderGanttSvg([chart(sample), chart(sample)]));
    for (const picture of charts) {
      for (const bar of picture.bars) expect(bar.rect.attrs.fill).toBe(vmColour(bar.key.split('/')[0]));
    }
    expect(new Set(['db', 'web', 'files'].map(vmColour)).size).toBe(3);
    const swatches = byClass(root, 'rect', 'swatch').map((s) => s.attrs.fill);
    expect(swatches).toEqual(['db', 'files', 'web'].map(vmColour));
    expect(vmColour('db')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('names the VM count instead of a legend past 30 VMs', () => {
    const disks = Array.from({ length: 31 }, (_, i) => disk(`vm-${i}`, 0, 'esx-01', 0, 60));
    const { root } = read(renderGanttSvg([chart(disks)]));
    expect(byClass(root, 'rect', 'swatch')).toHaveLength(0);
    expect(byClass(root, 'text', 'legend')[0].text).toMatch(/^31 VMs/);
  });

  it('outlines a failed disk in red and hatches it', () => {
    const failed = [{ ...sample[0], failed: true }, ...sample.slice(1)];
    const { root, charts } = read(renderGanttSvg([chart(failed)]));
    const bar = charts[0].bars.find((b) => b.key === 'db/0');
    expect(bar?.rect.attrs.class).toBe('disk failed');
    expect(bar?.rect.attrs.stroke).toBe('#d32f2f');
    expect(bar?.title).toMatch(/, failed$/);
    expect(byClass(root, 'rect', 'hatch')).toHaveLength(1);
    expect(byClass(root, 'rect', 'hatch')[0].attrs.fill).toBe('url(#gantt-failed)');
    expect(root.children.some((c) => c.name === 'defs' && c.children[0].attrs.id === 'gantt-failed')).toBe(true);
  });

  it('escapes VM, host and title text', () => {
    const name = `a<b&"c"`;
    const svg = renderGanttSvg([chart([disk(name, 0, "h<1>'", 0, 60)], { title: 'x & y <z>', subtitle: `"q"` })]);
    expect(svg).not.toContain(name);
    expect(svg).toContain('a&lt;b&amp;&quot;c&quot;');
    const { root, charts } = read(svg);
    expect(charts[0].bars[0].title).toBe(`${name} disk 0, 10 GiB, 0s-1m`);
    expect(charts[0].bands[0].host).toBe("h<1>'");
    expect(byClass(root, 'text', 'title')[0].text).toBe('x & y <z>');
    expect(byClass(root, 'text', 'subtitle')[0].text).toBe('"q"');
    expect(byClass(root, 'g', 'legend')[0].children.find((c) => c.name === 'text')?.text).toBe(name);
  });

  it('draws a chart without disks: its title, a note and the makespan line', () => {
    const { root, charts } = read(renderGanttSvg([chart([], { title: 'empty' }), chart(sample)]));
    expect(charts[0].bars).toHaveLength(0);
    expect(byClass(root, 'text', 'empty')[0].text).toBe('no disks');
    expect(charts[0].line('makespan')).toBeDefined();
    expect(read(renderGanttSvg([])).charts).toHaveLength(0);
  });

  it('gives the same bytes for the same charts, whatever order the disks come in', () => {
    const svg = renderGanttSvg([chart(sample)]);
    expect(renderGanttSvg([chart(sample)])).toBe(svg);
    expect(renderGanttSvg([chart([...sample].reverse())])).toBe(svg);
  });

  it('keeps 1200 disks on 4 hosts to a reasonable size', () => {
    const disks = Array.from({ length: 1200 }, (_, i) =>
      disk(`vm-${i % 60}`, i, `esx-0${i % 4}`, Math.floor(i / 80) * 600, Math.floor(i / 80) * 600 + 600 + (i % 7)),
    );
    const svg = renderGanttSvg([chart(disks), chart(disks)]);
    const { root, charts } = read(svg);
    expect(charts[1].bars).toHaveLength(1200);
    expect(Number(root.attrs.height)).toBeLessThan(2000);
    expect(svg.length).toBeLessThan(1_000_000);
  });

  it('refuses a width too narrow to draw and a disk that ends before it starts', () => {
    expect(() => renderGanttSvg([], { width: 100 })).toThrow('renderGanttSvg: width 100 must be a number >= 480');
    expect(() => renderGanttSvg([chart([disk('web', 0, 'esx-01', 60, 30)])])).toThrow(
      'renderGanttSvg: web disk 0 runs from 60 to 30 seconds',
    );
  });
});

describe('lanes', () => {
  const disks = fc
    .array(
      fc.record({
        host: fc.constantFrom('esx-01', 'esx-02', 'esx-03'),
        vm: fc.constantFrom('web', 'db', 'files', 'app'),
        start: fc.integer({ min: 0, max: 100 }),
        length: fc.integer({ min: 1, max: 40 }),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((rows) => rows.map((r, i) => disk(r.vm, i, r.host, r.start, r.start + r.length)));

  it('puts each disk in its host band, never two overlapping disks in one lane, and as many lanes as the peak', () => {
    fc.assert(
      fc.property(disks, (input) => {
        const [picture] = read(renderGanttSvg([chart(input)])).charts;
        const byKey = new Map(input.map((d) => [`${d.vm}/${d.index}`, d]));
        expect(picture.bars).toHaveLength(input.length);
        expect(picture.bands.map((b) => b.host)).toEqual([...new Set(input.map((d) => d.host))].sort());
        for (const band of picture.bands) {
          const bars = picture.bars.filter((b) => b.y >= band.top && b.y < band.bottom);
          const hostDisks = input.filter((d) => d.host === band.host);
          expect(bars.map((b) => byKey.get(b.key)?.host)).toEqual(hostDisks.map(() => band.host));
          const lanes = new Map<number, typeof bars>();
          for (const bar of bars) lanes.set(bar.y, [...(lanes.get(bar.y) ?? []), bar]);
          expect(lanes.size).toBe(peak(hostDisks));
          for (const lane of lanes.values()) {
            const runs = lane.map((b) => byKey.get(b.key) as GanttDisk).sort((a, b) => a.startSeconds - b.startSeconds);
            for (let i = 1; i < runs.length; i++) {
              expect(runs[i].startSeconds).toBeGreaterThanOrEqual(runs[i - 1].endSeconds);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
