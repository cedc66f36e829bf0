/**
 * `__complete`'s answers, from the commands as oclif's manifest describes them (the build writes it), so these
 * cases break when a command, flag or choice changes without its completion.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { Config } from '@oclif/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { completionModel } from '../../src/commands/support/completion-model.js';
import {
  type CompletionCommand,
  complete,
  Directive,
  formatCompletion,
  planNames,
} from '../../src/services/completion.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let commands: CompletionCommand[];

beforeAll(async () => {
  const config = await Config.load(repo);
  commands = completionModel(config.commands);
});

/** The candidates without their summaries. */
function answer(...words: string[]) {
  const { candidates, directive } = complete(commands, words);
  return { values: candidates.map((line) => line.split('\t')[0]), directive };
}

describe('__complete', () => {
  it('offers every visible command, with its summary, for an empty word', () => {
    const { candidates, directive } = complete(commands, ['']);
    expect(candidates.map((line) => line.split('\t')[0])).toEqual([
      'clean',
      'completion',
      'cutover',
      'demo',
      'migrate',
      'sandbox',
      'simulate',
      'top',
      'version',
    ]);
    expect(candidates).toContain(
      "migrate\tCopy a plan's disks with CDI DataVolumes, scheduled by cost, from this workstation",
    );
    expect(directive).toBe(Directive.noFileComp);
  });

  it.each([
    [['mi'], ['migrate']],
    [
      ['migrate', '--po'],
      ['--policy', '--power-off-source'],
    ],
    [
      ['migrate', '--policy', ''],
      ['disk', 'gang', 'forklift'],
    ],
    [['migrate', '--policy', 'g'], ['gang']],
    [['migrate', '--policy=f'], ['--policy=forklift']],
    [
      ['migrate', '--order', ''],
      ['largest', 'smallest', 'plan'],
    ],
    [
      ['migrate', '--dry-run', ''],
      ['client', 'server'],
    ],
    [
      ['migrate', '-o', ''],
      ['table', 'ndjson', 'json', 'yaml', 'jsonpath', 'custom-columns'],
    ],
    [
      ['top', '-o', ''],
      ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath', 'custom-columns'],
    ],
    [['top', '--output', 'y'], ['yaml']],
    [
      ['clean', 'plan-a', '-o', ''],
      ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath', 'custom-columns'],
    ],
    [
      ['simulate', '-o', ''],
      ['table', 'json', 'yaml', 'jsonpath', 'custom-columns'],
    ],
    [
      ['version', '-o', ''],
      ['json', 'yaml'],
    ],
    [
      ['completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [['completion', 'z'], ['zsh']],
    [['demo', '--t'], ['--tui']],
    [['demo', '--no'], ['--no-tui']],
    [['--he'], ['--help']],
    [['nosuch', ''], []],
  ])('%j -> %j', (words, values) => {
    expect(answer(...words)).toEqual({ values, directive: Directive.noFileComp });
  });

  it('offers each flag once, a repeatable one again, and --help', () => {
    const first = answer('top', '--').values;
    expect(first).toContain('--all-namespaces');
    expect(first).toContain('--no-headers');
    expect(first.at(-1)).toBe('--help');
    expect(answer('top', '-A', '--').values).not.toContain('--all-namespaces');
    expect(answer('top', '--output', 'json', '--').values).not.toContain('--output');
    expect(answer('sandbox', '--deny', 'x:y', '--de').values).toEqual(['--debug', '--deny']);
  });

  it('leaves file names to the shell for a FILE flag, and offers nothing for a free value but its literal ones', () => {
    expect(answer('simulate', '--scenario', '')).toEqual({ values: [], directive: Directive.default });
    expect(answer('migrate', '--report', '')).toEqual({ values: [], directive: Directive.default });
    expect(answer('migrate', '--timeout', '')).toEqual({ values: [], directive: Directive.noFileComp });
    // N|auto: a number, or auto
    expect(answer('migrate', '--max-inflight', '')).toEqual({ values: ['auto'], directive: Directive.noFileComp });
    expect(answer('migrate', '--max-inflight', '5', '')).toEqual({ values: [], directive: Directive.noFileComp });
  });

  it("answers in cobra's form: one candidate a line, then :directive", () => {
    expect(formatCompletion({ candidates: ['a\tthe a', 'b'], directive: 4 })).toBe('a\tthe a\nb\n:4\n');
    expect(formatCompletion({ candidates: [], directive: 0 })).toBe(':0\n');
  });
});

describe('__complete for a plan argument', () => {
  let cluster: ClusterFixture | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('asks for the plans with the namespace, kubeconfig and context typed so far', () => {
    expect(complete(commands, ['migrate', '']).plans).toEqual({ typed: '', allNamespaces: false });
    expect(
      complete(commands, ['clean', '-n', 'mtv', '--kubeconfig', 'k.yaml', '--context=prod', '--stuck', 'pl']).plans,
    ).toEqual({ typed: 'pl', namespace: 'mtv', kubeconfig: 'k.yaml', context: 'prod', allNamespaces: false });
    expect(complete(commands, ['top', '-A', '']).plans).toEqual({ typed: '', allNamespaces: true });
    expect(complete(commands, ['migrate', 'plan-a', '']).plans).toBeUndefined();
    expect(complete(commands, ['simulate', '']).plans).toBeUndefined();
  });

  it("answers with the cluster's plans, and with none when the cluster cannot say", async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const kubeconfig = cluster.kubeconfigPath;
    expect(await planNames({ typed: '', allNamespaces: false, kubeconfig, namespace: 'openshift-mtv' })).toEqual([
      'plan-a',
      'plan-remote',
    ]);
    expect(await planNames({ typed: 'x', allNamespaces: true, kubeconfig })).toEqual([]);
    expect(await planNames({ typed: 'plan-r', allNamespaces: true, kubeconfig })).toEqual(['plan-remote']);
    expect(await planNames({ typed: '', allNamespaces: true, kubeconfig })).toEqual(['plan-a', 'plan-remote']);
    expect(await planNames({ typed: '', allNamespaces: false, kubeconfig: '/nonexistent' })).toEqual([]);
  });
});
