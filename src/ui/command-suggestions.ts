/**
 * kubectl's answer to a mistyped command (cobra command.go findSuggestions/SuggestionsFor): the commands within a
 * Levenshtein distance of 2 of the word, case ignored, or that start with it, listed under `Did you mean this?`.
 */

/** cobra's SuggestionsMinimumDistance default. */
const MAX_DISTANCE = 2;

/** The names of `commands` (in their order) that `typed` may have meant. */
export function suggestionsFor(typed: string, commands: readonly string[]): string[] {
  const word = typed.toLowerCase();
  return commands.filter(
    (name) => distance(word, name.toLowerCase()) <= MAX_DISTANCE || name.toLowerCase().startsWith(word),
  );
}

/**
 * The error for an unknown command word under `path` (`kubectl mtv`), ending with a newline: cobra's lines with the
 * suggestions when there are some, else one line with the usual hint.
 */
export function unknownCommandText(word: string, path: string, commands: readonly string[]): string {
  const first = `error: unknown command "${word}" for "${path}"`;
  const suggestions = suggestionsFor(word, commands);
  if (suggestions.length === 0) return `${first} (try: ${path} --help)\n`;
  return `${first}\n\nDid you mean this?\n${suggestions.map((name) => `\t${name}\n`).join('')}`;
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions that turn `a` into `b`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
