import { describe, expect, it } from 'vitest';
import { MTV_RELEASES } from '../../src/cluster/mtv-release.js';
import { cleanVmName, defaultTargetName, isDns1123Subdomain } from '../../src/cluster/vm-name.js';

describe('isDns1123Subdomain', () => {
  it.each([
    ['web-01', true],
    ['web.01.example', true],
    ['a', true],
    ['Web-01', false],
    ['web_01', false],
    ['-web', false],
    ['web-', false],
    ['web..01', false],
    ['', false],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
  ])('%j is %s', (name, valid) => {
    expect(isDns1123Subdomain(name)).toBe(valid);
  });
});

describe('cleanVmName, as changeVmName of each release', () => {
  it.each([
    // every release: lowercase, trim `.-`, `_` to `-`, drop the rest, trim each part
    ['My_VM', 'my-vm', 'my-vm'],
    ['.-Web.01-.', 'web.01', 'web.01'],
    ['db(1)', 'db1', 'db1'],
    ['a..b', 'a.b', 'a.b'],
    // 2.10+ also maps + * space / \ to `-` and collapses runs of `-`
    ['SQL Server 2019', 'sqlserver2019', 'sql-server-2019'],
    ['a+b*c/d\\e', 'abcde', 'a-b-c-d-e'],
    ['a__b', 'a--b', 'a-b'],
  ])('%j becomes %j up to 2.9 and %j from 2.10', (source, old, modern) => {
    expect(cleanVmName(source, '2.8', 'vm-1')).toBe(old);
    expect(cleanVmName(source, '2.9', 'vm-1')).toBe(old);
    expect(cleanVmName(source, '2.10', 'vm-1')).toBe(modern);
    expect(cleanVmName(source, '2.12', 'vm-1')).toBe(modern);
  });

  it('caps the name at 63 characters; from 2.10 each part too, trimming what the cut leaves at the end', () => {
    const long = `${'a'.repeat(62)}_b_c`;
    expect(cleanVmName(long, '2.9', 'vm-1')).toBe(`${'a'.repeat(62)}-`);
    expect(cleanVmName(long, '2.10', 'vm-1')).toBe('a'.repeat(62));
    const parts = `${'x'.repeat(40)}.${'y'.repeat(40)}`;
    expect(cleanVmName(parts, '2.9', 'vm-1')).toBe(`${'x'.repeat(40)}.${'y'.repeat(22)}`);
    expect(cleanVmName(`${'x'.repeat(62)}.y`, '2.12', 'vm-1')).toBe('x'.repeat(62));
  });

  it('names a VM whose name cleans to nothing vm-<4 characters> from its id, the same every time', () => {
    for (const release of MTV_RELEASES) {
      const name = cleanVmName('___', release, 'vm-42');
      expect(name).toMatch(/^vm-[a-z0-9]{4}$/);
      expect(cleanVmName('!!!', release, 'vm-42')).toBe(name);
      expect(cleanVmName('!!!', release, 'vm-43')).not.toBe(name);
    }
  });

  it('keeps a valid source name as it is, whatever the release', () => {
    for (const release of MTV_RELEASES) {
      expect(defaultTargetName('web.01', release, 'vm-1')).toBe('web.01');
      expect(defaultTargetName('Web_01', release, 'vm-1')).toBe('web-01');
    }
  });
});
