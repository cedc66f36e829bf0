/** cobra's suggestions for a mistyped command: Levenshtein distance 2 or less (case ignored), or a prefix. */
import { describe, expect, it } from 'vitest';
import { suggestionsFor, unknownCommandText } from '../../src/ui/command-suggestions.js';

const COMMANDS = ['clean', 'completion', 'demo', 'migrate', 'sandbox', 'simulate', 'top', 'version'];

describe('suggestionsFor', () => {
  it.each([
    ['migrat', ['migrate']],
    ['MIGRATE', ['migrate']],
    ['migarte', ['migrate']],
    ['sim', ['simulate']],
    ['c', ['clean', 'completion']],
    ['tpo', ['top']],
    ['to', ['top']],
    ['deom', ['demo']],
    ['xyzzy', []],
  ])('suggests for %j: %j', (typed, expected) => {
    expect(suggestionsFor(typed, COMMANDS)).toEqual(expected);
  });
});

describe('unknownCommandText', () => {
  it("writes cobra's lines with the suggestions", () => {
    expect(unknownCommandText('migrat', 'kubectl mtv', COMMANDS)).toBe(
      'error: unknown command "migrat" for "kubectl mtv"\n\nDid you mean this?\n\tmigrate\n',
    );
  });

  it('writes one line with the hint when nothing is near', () => {
    expect(unknownCommandText('xyzzy', 'kubectl mtv', COMMANDS)).toBe(
      'error: unknown command "xyzzy" for "kubectl mtv" (try: kubectl mtv --help)\n',
    );
  });
});
