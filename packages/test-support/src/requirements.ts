/**
 * What some tests need from outside the repository: system tools (kubectl, tmux, zsh, fish, Chromium, curl, bash),
 * Go with govmomi's simulator, and the sibling folder ../shared (the real CRDs, the shared scenarios). Each is looked
 * up here and nowhere else, so that on a machine without it the tests that need it are skipped, each carrying a
 * one-line hint that the summary reporter counts and prints at the end of the run. CI installs everything and sets MTV_TEST_REQUIRE_TOOLS=1: then nothing is
 * skipped, and a test that reaches for a missing requirement fails with the same hint.
 */
import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** On a test skipped for want of a requirement: its note, `<name> missing: <hint>`. */
    [missing: `missing ${string}`]: string;
  }
}

/** The prefix of the TaskMeta keys that say why a test was skipped. */
export const MISSING_META_PREFIX = 'missing ';

/** Set by .ci/run: a missing requirement fails the tests that need it instead of skipping them. */
export const REQUIRE_VARIABLE = 'MTV_TEST_REQUIRE_TOOLS';

/** The repository's root: this file is packages/test-support/src/requirements.ts. */
const repo = fileURLToPath(new URL('../../..', import.meta.url));

/** How to get each tool, on the Debian/Ubuntu machines .ci/run prepares. */
const TOOL_HINTS = {
  kubectl: 'apt-get install kubernetes-client (or put any kubectl on the PATH)',
  tmux: 'apt-get install tmux',
  zsh: 'apt-get install zsh',
  fish: 'apt-get install fish',
  chromium: 'apt-get install chromium (or set CHROMIUM to a Chromium binary)',
  curl: 'apt-get install curl',
  bash: 'apt-get install bash',
} as const;

export type SystemToolName = keyof typeof TOOL_HINTS;

/** Something a test needs from outside the repository, found on this machine or not. */
export interface Requirement {
  /** What it is called in the hint: `kubectl`, `../shared/crds`. */
  name: string;
  /** One line: what is missing and how to get it. */
  note: string;
  /** Whether this machine has it. */
  present: boolean;
  /** Its absolute path; throws the note when it is missing (the test was not skipped: CI, or a test without needs()). */
  path(): string;
}

function requirement(name: string, hint: string, found: string | undefined): Requirement {
  const note = `${name} missing: ${hint}`;
  return {
    name,
    note,
    present: found !== undefined,
    path: () => {
      if (found !== undefined) return found;
      const why = process.env[REQUIRE_VARIABLE] === '1' ? `${REQUIRE_VARIABLE}=1 requires it` : 'the test needs it';
      throw new Error(`${note} (${why})`);
    },
  };
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** `command` as the shell would find it on the PATH, without spawning one (a shell may be what is missing). */
function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const file = join(dir, command);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** A system tool, by its name on the PATH; Chromium may instead be named by the CHROMIUM variable (e.g. on macOS). */
export function systemTool(name: SystemToolName): Requirement {
  const chosen = name === 'chromium' ? process.env.CHROMIUM : undefined;
  const found = chosen === undefined ? onPath(name) : isExecutableFile(chosen) ? chosen : undefined;
  return requirement(name, TOOL_HINTS[name], found);
}

/** Where Debian's golang-*-dev packages put Go sources (GOPATH mode). */
export const GOCODE = '/usr/share/gocode';

/**
 * govmomi's vCenter simulator: the Go toolchain and govmomi's sources with its `simulator` package (vcsim), which
 * packages/test-support/vcsim/main.go is built against.
 */
export function govmomiSimulator(): Requirement {
  const go = onPath('go');
  const simulator = join(GOCODE, 'src', 'github.com', 'vmware', 'govmomi', 'simulator');
  const found = go !== undefined && existsSync(simulator) ? go : undefined;
  return requirement('govmomi simulator', 'apt-get install golang-go golang-github-vmware-govmomi-dev', found);
}

/** A folder of the sibling ../shared (present in the project's workspace, absent from a plain clone). */
export function sharedFolder(name: 'crds' | 'scenarios'): Requirement {
  const folder = join(repo, '..', 'shared', name);
  const hint = "put the project's shared folder (the real CRDs and scenarios) next to this repository";
  return requirement(`../shared/${name}`, hint, existsSync(folder) ? folder : undefined);
}

/**
 * Options for `describe` or `it`: skip, saying why in the test's meta, when a requirement is missing; run as usual
 * when all are present or when MTV_TEST_REQUIRE_TOOLS=1 (then the test fails where it asks for the missing path).
 */
export function needs(...requirements: Requirement[]): TestOptions {
  const missing = requirements.filter((r) => !r.present);
  if (missing.length === 0 || process.env[REQUIRE_VARIABLE] === '1') return {};
  return { skip: true, meta: Object.fromEntries(missing.map((r) => [`${MISSING_META_PREFIX}${r.name}`, r.note])) };
}
