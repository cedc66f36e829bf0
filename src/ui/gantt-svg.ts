import type { GanttChart, GanttDisk } from './gantt-chart.js';
import { assignLanes, compareText, type HostLanes } from './gantt-lanes.js';
import { formatBytes, formatDuration } from './simulate-table.js';

const DEFAULT_WIDTH = 1200;
const MIN_WIDTH = 480;
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const PAD = 16;
/** Lane height (px) shrinks from the maximum so all charts' lanes fit about LANES_BUDGET px, never below the minimum. */
const LANE_MAX = 16;
const LANE_MIN = 3;
const LANES_BUDGET = 900;
const HOST_GAP = 6;
/** Narrowest bar (px): a zero-length disk still shows. */
const MIN_BAR = 1;
/**
 * Marker labels sit in two rows of this height above the lanes: the makespan's on top, so the lower bound's line
 * (never right of the makespan's) does not cross it.
 */
const MARKER_ROW = 14;
const AXIS_HEIGHT = 24;
const CHART_GAP = 28;
const MIN_TICK_SPACING = 70;
const LEGEND_MAX_VMS = 30;
const FAILED = '#d32f2f';
/** Tick steps (seconds) the axis chooses from: the smallest that keeps ticks MIN_TICK_SPACING px apart. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** The x axis every chart shares: the same seconds are the same pixels in each chart. */
interface TimeScale {
  left: number;
  plotWidth: number;
  domainSeconds: number;
  step: number;
}

/**
 * Gantt charts of disk transfers as one standalone SVG document: the charts stacked in the given order on one time
 * scale, a lane per concurrent transfer grouped by host, a bar per disk coloured by VM. Pure and deterministic: the
 * same charts give the same bytes.
 */
export function renderGanttSvg(charts: GanttChart[], options: { width?: number } = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  if (!Number.isFinite(width) || width < MIN_WIDTH) {
    throw new RangeError(`renderGanttSvg: width ${width} must be a number >= ${MIN_WIDTH}`);
  }
  for (const chart of charts) checkChart(chart);
  const placed = charts.map((chart) => assignLanes(chart.disks));
  const totalLanes = placed.flat().reduce((sum, host) => sum + host.lanes, 0);
  const laneHeight = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor(LANES_BUDGET / Math.max(1, totalLanes))));
  const hosts = placed.flat().map((host) => host.host);
  const labelWidth = Math.min(200, Math.max(60, textWidth(longest(hosts), 11) + 12));
  const scale = timeScale(charts, PAD + labelWidth, width - (PAD + labelWidth) - PAD - 16);

  const body: string[] = [];
  let y = PAD;
  charts.forEach((chart, i) => {
    const drawn = renderChart(chart, placed[i], scale, laneHeight, y);
    body.push(drawn.svg);
    y += drawn.height + CHART_GAP;
  });
  const legend = renderLegend(charts, width, y);
  body.push(legend.svg);
  const height = Math.ceil(y + legend.height + PAD);
  const failed = charts.some((chart) => chart.disks.some((disk) => disk.failed));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${FONT}" font-size="11" fill="#1f2328">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    failed ? hatchPattern() : '',
    ...body,
    '</svg>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function checkChart(chart: GanttChart): void {
  for (const disk of chart.disks) {
    const { startSeconds: start, endSeconds: end } = disk;
    if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
      throw new RangeError(`renderGanttSvg: ${disk.vm} disk ${disk.index} runs from ${start} to ${end} seconds`);
    }
  }
}

function timeScale(charts: GanttChart[], left: number, plotWidth: number): TimeScale {
  const times = charts.flatMap((c) => [
    c.makespanSeconds,
    c.lowerBoundSeconds ?? 0,
    ...c.disks.map((d) => d.endSeconds),
  ]);
  const span = Math.max(1, ...times.filter(Number.isFinite));
  const maxTicks = Math.max(2, Math.floor(plotWidth / MIN_TICK_SPACING));
  const last = TICK_STEPS[TICK_STEPS.length - 1];
  const step = TICK_STEPS.find((s) => span / s <= maxTicks) ?? last * Math.ceil(span / maxTicks / last);
  return { left, plotWidth, domainSeconds: Math.ceil(span / step) * step, step };
}

function xOf(scale: TimeScale, seconds: number): number {
  return scale.left + (seconds / scale.domainSeconds) * scale.plotWidth;
}

function renderChart(chart: GanttChart, hosts: HostLanes[], scale: TimeScale, laneHeight: number, top: number) {
  const out: string[] = [`<g class="chart">`];
  out.push(
    `<text class="title" x="${PAD}" y="${n(top + 14)}" font-size="14" font-weight="600">${esc(chart.title)}</text>`,
  );
  let y = top + 22;
  if (chart.subtitle !== undefined) {
    out.push(`<text class="subtitle" x="${PAD}" y="${n(y + 12)}" fill="#57606a">${esc(chart.subtitle)}</text>`);
    y += 16;
  }
  const markersTop = y;
  const lanesTop = markersTop + 2 * MARKER_ROW + 4;
  const right = scale.left + scale.plotWidth;
  y = lanesTop;
  const bars: string[] = [];
  hosts.forEach((host, h) => {
    const bandHeight = host.lanes * laneHeight;
    const fill = h % 2 === 0 ? '#f3f4f6' : '#fafbfc';
    out.push(
      `<rect class="host-band" x="${n(scale.left)}" y="${n(y)}" width="${n(scale.plotWidth)}" height="${n(bandHeight)}" fill="${fill}"/>`,
    );
    const name = fitText(host.host, scale.left - PAD - 8, 11);
    out.push(
      `<text class="host" x="${n(scale.left - 8)}" y="${n(y + bandHeight / 2 + 4)}" text-anchor="end">` +
        `<title>${esc(host.host)}</title>${esc(name)}</text>`,
    );
    for (const { disk, lane } of host.placed) bars.push(bar(disk, scale, y + lane * laneHeight, laneHeight));
    y += bandHeight + HOST_GAP;
  });
  if (hosts.length === 0) {
    out.push(`<text class="empty" x="${n(scale.left + 4)}" y="${n(y + 12)}" fill="#57606a">no disks</text>`);
    y += 16 + HOST_GAP;
  }
  const lanesBottom = y - HOST_GAP;
  for (let t = scale.step; t < scale.domainSeconds; t += scale.step) {
    const x = n(xOf(scale, t));
    out.push(
      `<line class="grid" x1="${x}" y1="${n(lanesTop)}" x2="${x}" y2="${n(lanesBottom)}" stroke="#d0d7de" stroke-width="0.5"/>`,
    );
  }
  out.push(...bars);
  if (chart.lowerBoundSeconds !== undefined) {
    const label = `lower bound ${formatDuration(chart.lowerBoundSeconds)}`;
    out.push(
      marker('lower-bound', xOf(scale, chart.lowerBoundSeconds), markersTop + MARKER_ROW, lanesBottom, label, scale),
    );
  }
  const label = `makespan ${formatDuration(chart.makespanSeconds)}`;
  out.push(marker('makespan', xOf(scale, chart.makespanSeconds), markersTop, lanesBottom, label, scale));
  out.push(axis(scale, lanesBottom, right), '</g>');
  return { svg: out.join('\n'), height: lanesBottom + AXIS_HEIGHT - top };
}

function bar(disk: GanttDisk, scale: TimeScale, laneTop: number, laneHeight: number): string {
  const x = xOf(scale, disk.startSeconds);
  const width = Math.max(MIN_BAR, xOf(scale, disk.endSeconds) - x);
  const inset = laneHeight >= 6 ? 1 : 0;
  const box = `x="${n(x)}" y="${n(laneTop + inset)}" width="${n(width)}" height="${n(laneHeight - 2 * inset)}"`;
  const span = `${formatDuration(disk.startSeconds)}-${formatDuration(disk.endSeconds)}`;
  const tip = `${disk.vm} disk ${disk.index}, ${formatBytes(disk.bytes)}, ${span}${disk.failed ? ', failed' : ''}`;
  const colour = vmColour(disk.vm);
  if (!disk.failed) return `<rect class="disk" ${box} fill="${colour}"><title>${esc(tip)}</title></rect>`;
  return (
    `<rect class="disk failed" ${box} fill="${colour}" stroke="${FAILED}" stroke-width="1.5"><title>${esc(tip)}</title></rect>\n` +
    `<rect class="hatch" ${box} fill="url(#gantt-failed)" pointer-events="none"/>`
  );
}

/** A vertical line through the chart's lanes, its label in its own row above them, kept inside the plot. */
function marker(kind: string, x: number, rowTop: number, bottom: number, label: string, scale: TimeScale): string {
  const style = kind === 'makespan' ? 'stroke="#1f2328" stroke-width="1.5"' : 'stroke="#57606a" stroke-dasharray="5 4"';
  const fits = x - scale.left >= textWidth(label, 11) + 4;
  const text = fits ? `x="${n(x - 4)}" text-anchor="end"` : `x="${n(x + 4)}"`;
  return (
    `<line class="${kind}" x1="${n(x)}" y1="${n(rowTop + 2)}" x2="${n(x)}" y2="${n(bottom)}" ${style}/>\n` +
    `<text class="${kind}-label" ${text} y="${n(rowTop + 11)}">${esc(label)}</text>`
  );
}

function axis(scale: TimeScale, y: number, right: number): string {
  const out = [
    `<line class="axis" x1="${n(scale.left)}" y1="${n(y)}" x2="${n(right)}" y2="${n(y)}" stroke="#57606a"/>`,
  ];
  for (let i = 0; i * scale.step <= scale.domainSeconds; i++) {
    const t = i * scale.step;
    const x = n(xOf(scale, t));
    out.push(
      `<line class="tick" x1="${x}" y1="${n(y)}" x2="${x}" y2="${n(y + 4)}" stroke="#57606a"/>`,
      `<text class="tick-label" x="${x}" y="${n(y + 16)}" text-anchor="middle">${t === 0 ? '0' : formatDuration(t)}</text>`,
    );
  }
  return out.join('\n');
}

/** One legend for all charts (a VM has the same colour in each); past LEGEND_MAX_VMS only the count. */
function renderLegend(charts: GanttChart[], width: number, top: number) {
  const vms = [...new Set(charts.flatMap((chart) => chart.disks.map((disk) => disk.vm)))].sort(compareText);
  if (vms.length === 0) return { svg: '', height: 0 };
  if (vms.length > LEGEND_MAX_VMS) {
    const text = `${vms.length} VMs, one colour each (hover a bar for its VM and disk)`;
    return { svg: `<text class="legend" x="${PAD}" y="${n(top + 11)}" fill="#57606a">${text}</text>`, height: 16 };
  }
  const out = ['<g class="legend">'];
  let x = PAD;
  let y = top;
  for (const vm of vms) {
    const itemWidth = 14 + textWidth(vm, 11) + 14;
    if (x > PAD && x + itemWidth > width - PAD) {
      x = PAD;
      y += 16;
    }
    out.push(
      `<rect class="swatch" x="${n(x)}" y="${n(y + 2)}" width="10" height="10" fill="${vmColour(vm)}"/>`,
      `<text x="${n(x + 14)}" y="${n(y + 11)}">${esc(vm)}</text>`,
    );
    x += itemWidth;
  }
  out.push('</g>');
  return { svg: out.join('\n'), height: y - top + 16 };
}

function hatchPattern(): string {
  return (
    '<defs><pattern id="gantt-failed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
    `<line x1="0" y1="0" x2="0" y2="6" stroke="${FAILED}" stroke-width="2"/></pattern></defs>`
  );
}

/** A VM's colour: its name hashed (FNV-1a) to a hue, with saturation and lightness kept readable; as #rrggbb. */
export function vmColour(vm: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < vm.length; i++) hash = Math.imul(hash ^ vm.charCodeAt(i), 0x01000193) >>> 0;
  const hue = hash % 360;
  const saturation = 0.5 + ((hash >>> 9) % 25) / 100;
  const lightness = 0.45 + ((hash >>> 17) % 15) / 100;
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (k: number) => {
    const at = (k + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(at - 3, 9 - at, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** Text for XML content and attribute values. */
export function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A coordinate with at most two decimals, so output is compact and the same on every run. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A rough width (px) of text in a sans font: enough to keep labels apart, not to typeset. */
function textWidth(text: string, fontSize: number): number {
  return Math.ceil(text.length * fontSize * 0.6);
}

/** The text cut with an ellipsis to about `width` px. */
function fitText(text: string, width: number, fontSize: number): string {
  const chars = Math.max(2, Math.floor(width / (fontSize * 0.6)));
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

function longest(texts: string[]): string {
  return texts.reduce((a, b) => (b.length > a.length ? b : a), '');
}
