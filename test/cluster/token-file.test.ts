import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxTls } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { readCaFile } from '../../src/cluster/inventory-client.js';
import { TokenFile } from '../../src/cluster/token-file.js';
import { ExitCode } from '../../src/errors.js';

const dirs: string[] = [];
const file = (name: string, text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'token-file-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a token file', () => {
  it('is trimmed, kept for a minute, then read again (a rotated token is picked up)', () => {
    const path = file('token', 'first\n');
    let now = 0;
    const token = new TokenFile(path, () => now);
    expect(token.current()).toBe('first');
    writeFileSync(path, '  second \n');
    now = 59_999;
    expect(token.current()).toBe('first');
    now = 60_000;
    expect(token.current()).toBe('second');
  });

  it('throws the file error, which names the file', () => {
    expect(() => new TokenFile('/nonexistent/token').current()).toThrow(/ENOENT.*\/nonexistent\/token/);
  });
});

describe('--inventory-ca', () => {
  it('takes a PEM file of certificates', () => {
    const pem = createSandboxTls().caCert;
    expect(readCaFile(file('ca.pem', pem))).toBe(pem);
  });

  it.each([
    ['a file that holds no PEM certificate', 'not a certificate\n', 'holds no PEM certificate'],
    [
      'a PEM block that is not a certificate',
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      'holds a PEM block that is not a valid certificate',
    ],
  ])('refuses %s in one line naming it (exit 2)', (_, text, problem) => {
    const path = file('ca.pem', text);
    expect(() => readCaFile(path)).toThrow(
      expect.objectContaining({ exitCode: ExitCode.usage, message: `--inventory-ca "${path}" ${problem}` }),
    );
  });
});
