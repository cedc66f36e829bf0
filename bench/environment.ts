import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Where and on what the benchmark ran. */
export interface BenchEnvironment {
  /** YYYY-MM-DD. */
  date: string;
  /** Short commit hash, with "+ uncommitted changes" when src or bench differ from it. */
  commit: string;
  node: string;
  machine: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function benchEnvironment(): BenchEnvironment {
  const head = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench']).length > 0;
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    commit: dirty ? `${head} + uncommitted changes` : head,
    node: process.version,
    machine: `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores`,
  };
}
