import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TopEntry } from '../../src/ui/live/top-entry.js';
import { formatTopJson, formatTopTable } from '../../src/ui/live/top-table.js';
import { parseTemplateOutput } from '../../src/ui/template-output.js';
import { formatTopOutput, printsEmptySnapshot } from '../../src/ui/top-output.js';
import { busyRun, fold } from './live/run-events-fixture.js';

function entry(): TopEntry {
  const snapshot = fold(busyRun(), 'alice@ws1/1234').snapshot();
  if (!snapshot) throw new Error('no snapshot');
  return { snapshot };
}

describe('top -o', () => {
  it('prints the same object as YAML that -o json prints', () => {
    const entries = [entry()];
    expect(parse(formatTopOutput(entries, 'yaml', false))).toEqual(JSON.parse(formatTopJson(entries)));
  });

  it('prints plan.forklift.konveyor.io/<plan> lines with -o name, as kubectl get plan -o name', () => {
    const entries = [entry()];
    expect(formatTopOutput(entries, 'name', false)).toBe(`plan.forklift.konveyor.io/${entries[0].snapshot.plan}\n`);
  });

  it('keeps the tables of top-table.ts for table and wide, --no-headers included', () => {
    const entries = [entry()];
    expect(formatTopOutput(entries, 'wide', true)).toBe(formatTopTable(entries, { wide: true, noHeaders: true }));
    expect(formatTopOutput(entries, 'table', false)).toBe(formatTopTable(entries));
  });

  it('runs a jsonpath template on the -o json object, and custom columns on its runs', () => {
    const entries = [entry()];
    const { plan, namespace } = entries[0].snapshot;
    const jsonpath = parseTemplateOutput('--output', 'jsonpath={range .plans[*]}{.namespace}/{.plan}{"\\n"}{end}');
    const columns = parseTemplateOutput('--output', 'custom-columns=PLAN:.plan,NAMESPACE:.namespace');
    if (!jsonpath || !columns) throw new Error('not parsed');
    expect(formatTopOutput(entries, jsonpath, false)).toBe(`${namespace}/${plan}\n`);
    expect(formatTopOutput(entries, columns, true).trimEnd().split(/ {3,}/)).toEqual([plan, namespace]);
    // nothing running: the template still runs, on an object with no plans
    expect(printsEmptySnapshot(columns)).toBe(true);
    expect(formatTopOutput([], columns, false)).toBe('PLAN   NAMESPACE\n');
  });

  it('prints an object with no plans for json and yaml when nothing runs, nothing for name', () => {
    expect(printsEmptySnapshot('json') && printsEmptySnapshot('yaml')).toBe(true);
    expect(printsEmptySnapshot('name') || printsEmptySnapshot('table')).toBe(false);
    expect(parse(formatTopOutput([], 'yaml', false))).toEqual({ plans: [] });
    expect(formatTopOutput([], 'name', false)).toBe('');
  });
});
