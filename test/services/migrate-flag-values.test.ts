import { describe, expect, it } from 'vitest';
import {
  parseDuration,
  parseNumber,
  parseSvgPath,
  parseWholeNumber,
  RANGES,
  SPEED_RANGE,
  SPEED_UNIT,
} from '../../src/commands/support/flag-values.js';
import { ExitCode, UserError } from '../../src/errors.js';

/** The UserError `parse` throws (exit 2), or a failure when it throws none. */
function refusal(parse: () => unknown): UserError {
  try {
    parse();
  } catch (caught) {
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).exitCode).toBe(ExitCode.usage);
    return caught as UserError;
  }
  throw new Error('no UserError thrown');
}

describe('parseDuration', () => {
  it.each([
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    [' 10m ', 600_000],
    ['596h', 596 * 3_600_000],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(parseDuration('--timeout', raw)).toBe(ms);
  });

  it.each(['', '90', '5x', 'm', '1h 30m', '-1m'])('refuses %j as no duration, naming the flag', (raw) => {
    expect(refusal(() => parseDuration('--stuck-after', raw)).message).toBe(
      `--stuck-after: "${raw}" is not a duration (e.g. 45s, 90m, 2h, 1h30m)`,
    );
  });

  it.each(['0', '0s', '0.1ms', '597h', '100000h'])('refuses %j with the range where 0 means nothing', (raw) => {
    expect(refusal(() => parseDuration('--stuck-after', raw)).message).toBe(
      `--stuck-after: "${raw}" must be a duration from 1ms to 596h`,
    );
  });

  it('takes 0 (and 0s) where zero has a meaning, and says so when refusing', () => {
    expect(parseDuration('--timeout', '0', { zero: 'no timeout' })).toBe(0);
    expect(parseDuration('--request-timeout', '0s', { zero: 'no limit' })).toBe(0);
    expect(refusal(() => parseDuration('--request-timeout', 'soon', { zero: 'no limit' })).message).toBe(
      '--request-timeout: "soon" is not a duration (e.g. 45s, 90m, 2h, 1h30m, or 0 for no limit)',
    );
    // a sliver is not zero: it would silently mean "no timeout"
    expect(refusal(() => parseDuration('--timeout', '0.4ms', { zero: 'no timeout' })).message).toBe(
      '--timeout: "0.4ms" must be 0 (no timeout) or a duration from 1ms to 596h',
    );
  });
});

describe('parseWholeNumber', () => {
  it('takes the bounds of its range', () => {
    expect(parseWholeNumber('--max-inflight', '1', RANGES.inFlight)).toBe(1);
    expect(parseWholeNumber('--max-inflight', '100000', RANGES.inFlight)).toBe(100_000);
    expect(parseWholeNumber('--port', '0', RANGES.port)).toBe(0);
  });

  it.each(['0', '100001', '99999999999999999999', '-3', '2.5', 'abc', '1e3', ''])(
    'refuses %j giving the accepted range and the value received',
    (raw) => {
      expect(refusal(() => parseWholeNumber('--max-inflight', raw, RANGES.inFlight)).message).toBe(
        `--max-inflight: "${raw}" must be a whole number from 1 to 100000`,
      );
    },
  );
});

describe('parseNumber', () => {
  it('takes decimals within the range', () => {
    expect(parseNumber('--speed', '0.5', SPEED_RANGE, SPEED_UNIT)).toBe(0.5);
    expect(parseNumber('--fault-rate', '1', { from: 0, to: 1 })).toBe(1);
  });

  it.each(['0', '1e400', '1000001', 'fast', '-1'])('refuses --speed %j with its range', (raw) => {
    expect(refusal(() => parseNumber('--speed', raw, SPEED_RANGE, SPEED_UNIT)).message).toBe(
      `--speed: "${raw}" must be a number above 0 and at most 1000000 (simulated seconds per real second)`,
    );
  });

  it('says "from ... to" for a closed range', () => {
    expect(refusal(() => parseNumber('--fault-rate', '2', { from: 0, to: 1 })).message).toBe(
      '--fault-rate: "2" must be a number from 0 to 1',
    );
  });
});

describe('parseSvgPath', () => {
  it('takes a name ending in .svg, in any case', () => {
    expect(parseSvgPath('--report', 'out/run.svg')).toBe('out/run.svg');
    expect(parseSvgPath('--svg', 'RUN.SVG')).toBe('RUN.SVG');
  });

  it.each([
    [
      'out.png',
      'error: --report: "out.png" must name an .svg file: the chart is written as SVG (try: --report out.svg)',
    ],
    [
      'dir/report',
      'error: --report: "dir/report" must name an .svg file: the chart is written as SVG (try: --report dir/report.svg)',
    ],
    [
      'dir/',
      'error: --report: "dir/" must name an .svg file: the chart is written as SVG (try: --report dir/schedule.svg)',
    ],
  ])('refuses %j naming the value and the fix', (raw, line) => {
    expect(`error: ${refusal(() => parseSvgPath('--report', raw)).line}`).toBe(line);
  });
});
