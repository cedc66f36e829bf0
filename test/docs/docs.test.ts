/**
 * README and docs/ stay true: every relative link and anchor lands, and every exit code the code can return has a
 * row in the exit-code table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { headingAnchor, markdownLinks, pageAnchors } from './markdown-links.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const pages = [
  join(repo, 'README.md'),
  ...readdirSync(join(repo, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join(repo, 'docs', file)),
];
const read = (path: string) => readFileSync(path, 'utf8');

describe('the docs', () => {
  it('number headings as GitHub does (the check itself)', () => {
    expect(headingAnchor('Exit codes')).toBe('exit-codes');
    expect(headingAnchor('kubectl mtv migrate')).toBe('kubectl-mtv-migrate');
    expect(headingAnchor('How `disk` plans')).toBe('how-disk-plans');
    expect([...pageAnchors('# A\n```\n# not\n```\n## A\n')]).toEqual(['a', 'a-1']);
    expect(markdownLinks('see [x](docs/a.md#b) and `[y](z)`')).toEqual(['docs/a.md#b']);
  });

  it.each(pages.map((page) => [page.slice(repo.length)]))('%s: every relative link and anchor lands', (page) => {
    const path = join(repo, page);
    const broken: string[] = [];
    for (const link of markdownLinks(read(path))) {
      if (/^[a-z]+:/i.test(link)) continue;
      const [file, anchor] = link.split('#');
      const target = file === '' ? path : resolve(dirname(path), file);
      if (!existsSync(target)) {
        broken.push(`${link}: no file ${target.slice(repo.length)}`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !pageAnchors(read(target)).has(anchor)) {
        broken.push(`${link}: no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('list every exit code in the exit-code table', () => {
    const text = pages.map(read).join('\n');
    const rows = new Set([...text.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((match) => Number(match[1])));
    const missing = Object.entries(ExitCode).filter(([, code]) => !rows.has(code));
    expect(missing).toEqual([]);
  });
});
