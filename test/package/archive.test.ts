import { describe, expect, it } from 'vitest';
import { type ArchiveEntry, tarGz, untarGz, unzip, zip } from '../../scripts/archive.js';

const entries: ArchiveEntry[] = [
  { name: 'kubectl-mtv', data: new Uint8Array(1500).fill(7), executable: true },
  { name: 'LICENSE', data: new TextEncoder().encode('Apache License\n'), executable: false },
];

/** Runs `make` with the process's time zone set to `tz`, then restores it (Node.js reads TZ on every change). */
function inTimeZone<T>(tz: string, make: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

describe('reproducible archives', () => {
  it('reads back a tar.gz as written: names in order, modes, owner 0, mtime 0', () => {
    const files = untarGz(tarGz(entries));
    expect(files.map((f) => [f.name, f.mode, f.uid, f.gid, f.mtime])).toEqual([
      ['kubectl-mtv', 0o755, 0, 0, 0],
      ['LICENSE', 0o644, 0, 0, 0],
    ]);
    expect(files.map((f) => Buffer.from(f.data))).toEqual(entries.map((e) => Buffer.from(e.data)));
  });

  it('gives the same tar.gz bytes twice', () => {
    expect(Buffer.from(tarGz(entries))).toEqual(Buffer.from(tarGz(entries)));
  });

  it('gives the same zip bytes in every time zone', () => {
    const utc = inTimeZone('UTC', () => zip(entries));
    const auckland = inTimeZone('Pacific/Auckland', () => zip(entries));
    const honolulu = inTimeZone('Pacific/Honolulu', () => zip(entries));
    expect(Buffer.from(auckland)).toEqual(Buffer.from(utc));
    expect(Buffer.from(honolulu)).toEqual(Buffer.from(utc));
    expect(Object.keys(unzip(utc))).toEqual(['kubectl-mtv', 'LICENSE']);
  });
});
