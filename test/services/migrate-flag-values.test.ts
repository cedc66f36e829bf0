import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/commands/support/flag-values.js';
import { ExitCode, UserError } from '../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    [' 10m ', 600_000],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(parseDuration('--timeout', raw)).toBe(ms);
  });

  it.each(['', '90', '5x', 'm', '1h 30m', '-1m', '0s', '0'])(
    'refuses %j with one line naming the flag, exit 2',
    (raw) => {
      const error = (() => {
        try {
          parseDuration('--timeout', raw);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.usage);
      expect((error as UserError).message).toBe(`--timeout: "${raw}" is not a duration (e.g. 45s, 90m, 2h, 1h30m)`);
    },
  );

  it('takes 0 (and 0s) where zero means "no limit"', () => {
    expect(parseDuration('--request-timeout', '0', { allowZero: true })).toBe(0);
    expect(parseDuration('--request-timeout', '0s', { allowZero: true })).toBe(0);
    expect(() => parseDuration('--request-timeout', 'soon', { allowZero: true })).toThrow(
      '--request-timeout: "soon" is not a duration (e.g. 45s, 90m, 2h, 1h30m or 0)',
    );
  });
});
