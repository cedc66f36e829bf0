/**
 * kubectl's conventions as a user meets them through bin/kubectl-mtv: help that reads `kubectl mtv ...`, -o yaml and
 * --no-headers, `version` with and without a server, shell completion (bash for real, kubectl's own plugin completion
 * through kubectl_complete-mtv for real, zsh by syntax, fish by syntax and by completing through its script). A test
 * whose shell or kubectl is missing is skipped and says so (test/support/requirements.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/cluster/kube-client.js';
import { bin, killAll, pluginEnv, repo, requireBuild, startSandbox } from './plugin-fixture.js';

let dir: string;
/** A directory holding only kubectl-mtv and kubectl_complete-mtv, put first on the PATH as an install would. */
let pathDir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-conventions-'));
  pathDir = join(dir, 'path');
  mkdirSync(pathDir);
  symlinkSync(bin, join(pathDir, 'kubectl-mtv'));
  symlinkSync(join(repo, 'bin', 'kubectl_complete-mtv'), join(pathDir, 'kubectl_complete-mtv'));
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...pluginEnv(), PATH: `${pathDir}${delimiter}${process.env.PATH}` });

function mtv(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: env(), timeout: 30_000 });
}

const [bash, kubectl, zsh, fish] = (['bash', 'kubectl', 'zsh', 'fish'] as const).map(systemTool);
const seed = join(repo, 'examples', 'seed-10x10.yaml');
const COMMANDS = ['clean', 'completion', 'cutover', 'demo', 'migrate', 'sandbox', 'simulate', 'top', 'version'];

describe('help', () => {
  it('reads `kubectl mtv <command>` in USAGE and examples', () => {
    const run = mtv('clean', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^USAGE\n {2}\$ kubectl mtv clean PLAN /m);
    expect(run.stdout).toContain('$ kubectl mtv clean plan-a --stuck\n');
    expect(run.stdout).not.toContain('kubectl-mtv clean');
  });

  it('gives every command an example that starts with kubectl mtv', () => {
    for (const command of COMMANDS) {
      const run = mtv(command, '--help');
      expect(run.stdout, command).toMatch(new RegExp(`kubectl mtv ${command}\\b`));
    }
  });
});

describe("kubectl's help habits", () => {
  it('takes -h for --help, for the plugin and for each command, exit 0', () => {
    for (const words of [[], ['migrate'], ['top'], ['simulate']]) {
      const long = mtv(...words, '--help');
      const short = mtv(...words, '-h');
      expect(short.status, words.join(' ')).toBe(0);
      expect(short.stdout, words.join(' ')).toBe(long.stdout);
      expect(short.stdout.length).toBeGreaterThan(100);
    }
  });

  it("prints a command's help for `help COMMAND`, and the plugin's for `help`", () => {
    const help = mtv('help', 'migrate');
    expect(help.status).toBe(0);
    expect(help.stdout).toBe(mtv('migrate', '--help').stdout);
    expect(mtv('help').stdout).toBe(mtv('--help').stdout);
    // help is kubectl's habit, not a command to list
    expect(mtv('--help').stdout).not.toMatch(/^ {2}help /m);
  });

  it('suggests the command meant for a mistyped one, as kubectl does, exit 2', () => {
    for (const words of [['migrat'], ['migrat', 'plan-a', '-n', 'x'], ['help', 'migrat']]) {
      const run = mtv(...words);
      expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }, words.join(' ')).toEqual({
        status: 2,
        stdout: '',
        stderr: 'error: unknown command "migrat" for "kubectl mtv"\n\nDid you mean this?\n\tmigrate\n',
      });
    }
    expect(mtv('simu').stderr).toBe(
      'error: unknown command "simu" for "kubectl mtv"\n\nDid you mean this?\n\tsimulate\n',
    );
    expect(mtv('xyzzy').stderr).toBe('error: unknown command "xyzzy" for "kubectl mtv" (try: kubectl mtv --help)\n');
  });
});

describe('simulate -o jsonpath, -o custom-columns and --scenario -', () => {
  it('prints a JSONPath template of the -o json report, and a custom column per result', () => {
    const report = JSON.parse(mtv('simulate', '--scenario', seed, '--policy', 'forklift,disk', '-o', 'json').stdout);
    const jsonpath = mtv(
      'simulate',
      '--scenario',
      seed,
      '--policy',
      'forklift,disk',
      '-o',
      'jsonpath={range .results[*]}{.policy}={.makespanSeconds}{"\\n"}{end}',
    );
    expect(jsonpath.status).toBe(0);
    const expected = report.results.map(
      (r: { policy: string; makespanSeconds: number }) => `${r.policy}=${r.makespanSeconds}\n`,
    );
    expect(jsonpath.stdout).toBe(expected.join(''));
    const columns = mtv(
      'simulate',
      '--scenario',
      seed,
      '--policy',
      'forklift,disk',
      '-o=custom-columns=POLICY:.policy,PEAK:.peakInFlight',
    );
    expect(columns.stdout.split('\n')[0]).toBe('POLICY     PEAK');
    expect(
      columns.stdout
        .split('\n')
        .slice(1, 3)
        .map((line) => line.split(/ +/)),
    ).toEqual(report.results.map((r: { policy: string; peakInFlight: number }) => [r.policy, String(r.peakInFlight)]));
  });

  it('reads the scenario from stdin with --scenario -', () => {
    const fromFile = mtv('simulate', '--scenario', seed, '-o', 'json');
    const fromStdin = spawnSync(process.execPath, [bin, 'simulate', '--scenario', '-', '-o', 'json'], {
      cwd: repo,
      encoding: 'utf8',
      env: env(),
      input: readFileSync(seed, 'utf8'),
      timeout: 30_000,
    });
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });
});

describe('simulate -o yaml and --no-headers', () => {
  it('prints the JSON report as YAML', () => {
    const json = mtv('simulate', '--scenario', seed, '--policy', 'disk', '-o', 'json');
    const yaml = mtv('simulate', '--scenario', seed, '--policy', 'disk', '-o', 'yaml');
    expect(yaml.status).toBe(0);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it('drops the header line with --no-headers', () => {
    const run = mtv('simulate', '--scenario', seed, '--policy', 'forklift,disk', '--no-headers');
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(['forklift', 'disk']);
  });
});

describe('migrate --dry-run -o and clean -o, against the sandbox', () => {
  let kubeconfig: string;
  let client: KubeClient;
  const migrate = (...args: string[]) =>
    mtv('migrate', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', kubeconfig, '--allow-powered-on', ...args);
  const dataVolumes = async () =>
    client.list({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', namespace: 'demo' });

  beforeAll(async () => {
    const cluster = await startSandbox(dir);
    kubeconfig = cluster.kubeconfig;
    client = cluster.client;
  }, 30_000);

  it('prints the DataVolumes as a v1 List with -o json and -o yaml, for both dry runs, and creates none', async () => {
    const client = JSON.parse(migrate('--dry-run=client', '-o', 'json').stdout);
    expect([client.apiVersion, client.kind, client.items.length]).toEqual(['v1', 'List', 92]);
    const server = parse(migrate('--dry-run=server', '-o', 'yaml').stdout);
    expect([server.kind, server.items.length]).toEqual(['List', 92]);
    // the same DataVolumes in the same order; the server's carry what it fills in
    const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((dv) => dv.metadata.name);
    expect(names(server)).toEqual(names(client));
    expect(server.items[0].metadata.uid).toEqual(expect.any(String));
    expect(migrate('--dry-run=server', '-o', 'name').status).toBe(2);
    // a duration flag takes 0 where it means none
    expect(migrate('--dry-run=client', '--timeout', '0', '-o', 'jsonpath={.kind}').stdout).toBe('List');
    expect(await dataVolumes()).toEqual([]);
  });

  it(
    'prints -o jsonpath and -o custom-columns as the real kubectl prints them from the same List',
    needs(kubectl),
    async () => {
      // three of the plan's DataVolumes, created the way a run creates them
      const manifests = JSON.parse(migrate('--dry-run=client', '-o', 'json').stdout).items.slice(0, 3);
      for (const manifest of manifests) {
        await client.transport.request('POST', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
          body: manifest,
        });
      }
      const get = (output: string) =>
        spawnSync(kubectl.path(), ['get', 'datavolumes', '-n', 'demo', '--kubeconfig', kubeconfig, '-o', output], {
          encoding: 'utf8',
          env: env(),
          timeout: 30_000,
        });
      const clean = (output: string) =>
        mtv('clean', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', kubeconfig, '-o', output);
      // fields the simulated importer does not change while the two commands run
      const outputs = [
        'jsonpath={.items[*].metadata.name}',
        'jsonpath={.kind} {.items[0].apiVersion}',
        'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.storage.resources.requests.storage}{"\\n"}{end}',
        'jsonpath={.items[?(@.metadata.annotations.forklift\\.konveyor\\.io/disk-index=="0")].metadata.name}',
        'jsonpath={.items[0].metadata.labels}',
        "jsonpath={.items[*]['metadata.name', 'spec.storage.storageClassName']}",
        'jsonpath={.items[-1:].spec.source}',
        'jsonpath={..storageClassName}',
        'jsonpath={.items[1:3].metadata.labels.kubectl-mtv\\.konveyor\\.io/plan-name}',
        'jsonpath=names: {.items[*].metadata.nothing}.',
        'custom-columns=NAME:.metadata.name,CLASS:.spec.storage.storageClassName,NONE:.status.nothing,VM:metadata.labels.kubectl-mtv\\.konveyor\\.io/vm-id',
        'custom-columns=NAME:{.metadata.name},LABELS:.metadata.labels',
      ];
      for (const output of outputs) {
        const ours = clean(output);
        const theirs = get(output);
        expect(theirs.status, `kubectl -o ${output}: ${theirs.stderr}`).toBe(0);
        expect({ status: ours.status, stdout: ours.stdout }, output).toEqual({ status: 0, stdout: theirs.stdout });
      }
    },
  );
});

describe('kubectl mtv version', () => {
  it("prints the server's version from the kubeconfig's cluster", async () => {
    const cluster = await startSandbox(dir);
    const text = mtv('version', '--kubeconfig', cluster.kubeconfig);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Plugin Version: v\S+\nNode Version: v\S+\nServer Version: v\d+\.\d+\.\d+\S*\n$/);
    const json = JSON.parse(mtv('version', '--kubeconfig', cluster.kubeconfig, '-o', 'json').stdout);
    expect(json.serverVersion.gitVersion).toMatch(/^v\d+/);
    const yaml = parse(mtv('version', '--kubeconfig', cluster.kubeconfig, '-o', 'yaml').stdout);
    expect(yaml.serverVersion).toEqual(json.serverVersion);
    cluster.child.kill('SIGTERM');
  });

  it('says the server is unreachable, and why, and still exits 0', () => {
    const kubeconfig = join(dir, 'refused.kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\n' +
        'contexts: [{name: x, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: s3cret}}]\n' +
        'current-context: x\n',
    );
    const run = mtv('version', '--kubeconfig', kubeconfig);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\nServer Version: unreachable \(connection refused\)\n$/);
    expect(run.stdout + run.stderr).not.toContain('s3cret');
  });

  it('contacts no server and prints no server line with --client', () => {
    const run = mtv('version', '--client', '--kubeconfig', '/nonexistent');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('Server');
  });
});

describe('completion', () => {
  /** Sources the bash script and runs its function the way bash's programmable completion does. */
  function bashComplete(...words: string[]): string[] {
    const script = mtv('completion', 'bash').stdout;
    const file = join(dir, 'completion.bash');
    writeFileSync(file, script);
    const quoted = words.map((word) => `'${word}'`).join(' ');
    const run = spawnSync(
      bash.path(),
      [
        '-c',
        `source '${file}'; COMP_WORDS=(kubectl-mtv ${quoted}); COMP_CWORD=${words.length}; _kubectl_mtv; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8', env: env() },
    );
    expect(run.stderr).toBe('');
    return run.stdout.split('\n').filter((line) => line !== '');
  }

  it('generates scripts that call kubectl-mtv __complete and register for kubectl-mtv', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const run = mtv('completion', shell);
      expect(run.status, shell).toBe(0);
      expect(run.stdout, shell).toContain('kubectl-mtv __complete --');
    }
    expect(mtv('completion', 'bash').stdout).toContain('complete -o default -F _kubectl_mtv kubectl-mtv\n');
    expect(mtv('completion', 'zsh').stdout).toMatch(/^#compdef kubectl-mtv\n/);
    expect(mtv('completion', 'fish').stdout).toContain("complete -c kubectl-mtv -f -a '(__kubectl_mtv_complete)'\n");
    expect(mtv('completion', 'tcsh').status).toBe(2);
  });

  it('answers __complete for commands, flags and their values, listing them all', () => {
    const commands = mtv('__complete', '--', '').stdout.split('\n');
    expect(commands.at(-2)).toBe(':4');
    expect(commands.slice(0, -2).map((line) => line.split('\t')[0])).toEqual(COMMANDS);
    expect(mtv('__complete', '--', 'mi').stdout).toMatch(/^migrate\t[^\n]+\n:4\n$/);
    expect(mtv('__complete', '--', 'migrate', '--pol').stdout).toMatch(/^--policy\t[^\n]+\n:4\n$/);
    expect(mtv('__complete', '--', 'migrate', '--policy', '').stdout).toBe('disk\ngang\nforklift\n:4\n');
    expect(mtv('__complete', '--', 'top', '-o', '').stdout).toBe(
      'table\nwide\njson\nyaml\nname\njsonpath\ncustom-columns\n:4\n',
    );
    // without --, oclif would take --help for itself; the words are still read raw
    expect(mtv('__complete', 'migrate', '--he').stdout).toBe('--help\n:4\n');
  });

  it("completes a plan argument with the cluster's plans", async () => {
    const cluster = await startSandbox(dir);
    const words = ['migrate', '--kubeconfig', cluster.kubeconfig, '-n', 'openshift-mtv', ''];
    expect(mtv('__complete', '--', ...words).stdout).toBe('plan-a\nplan-remote\n:4\n');
    cluster.child.kill('SIGTERM');
  });

  it('completes in bash: commands, flags, values and --flag=value', needs(bash), () => {
    expect(bashComplete('mi')).toEqual(['migrate']);
    expect(bashComplete('migrate', '--pol')).toEqual(['--policy']);
    expect(bashComplete('migrate', '--policy', '')).toEqual(['disk', 'gang', 'forklift']);
    expect(bashComplete('top', '-o', '')).toEqual([
      'table',
      'wide',
      'json',
      'yaml',
      'name',
      'jsonpath',
      'custom-columns',
    ]);
    // bash splits --policy=g into --policy, =, g; what follows = is replaced
    expect(bashComplete('migrate', '--policy', '=', 'g')).toEqual(['gang']);
    expect(bashComplete('migrate', '--policy', '=')).toEqual(['disk', 'gang', 'forklift']);
  });

  it("completes `kubectl mtv` through kubectl's own completion and kubectl_complete-mtv", needs(kubectl), () => {
    const complete = (...words: string[]) =>
      spawnSync(kubectl.path(), ['__complete', 'mtv', ...words], { encoding: 'utf8', env: env(), timeout: 30_000 })
        .stdout;
    expect(complete('mi')).toMatch(/^migrate\t[^\n]+\n:4\n$/);
    expect(complete('migrate', '--policy', '')).toBe('disk\ngang\nforklift\n:4\n');
    expect(complete('top', '-o', '')).toBe('table\nwide\njson\nyaml\nname\njsonpath\ncustom-columns\n:4\n');
  });

  it('writes a zsh script that zsh parses', needs(zsh), () => {
    const file = join(dir, '_kubectl-mtv');
    writeFileSync(file, mtv('completion', 'zsh').stdout);
    expect(spawnSync(zsh.path(), ['-n', file], { encoding: 'utf8' }).status).toBe(0);
  });

  it('writes a fish script that fish parses and completes through', needs(fish), () => {
    const file = join(dir, 'kubectl-mtv.fish');
    writeFileSync(file, mtv('completion', 'fish').stdout);
    expect(spawnSync(fish.path(), ['--no-execute', file], { encoding: 'utf8' }).status).toBe(0);
    // fish's own completion engine, through the script, asks kubectl-mtv __complete on the PATH
    const complete = (line: string) =>
      spawnSync(fish.path(), ['--no-config', '-c', `source ${file}; complete -C '${line}'`], {
        encoding: 'utf8',
        env: env(),
        timeout: 30_000,
      }).stdout;
    expect(complete('kubectl-mtv mi').split('\n')[0]).toMatch(/^migrate\b/);
    expect(
      complete('kubectl-mtv migrate --policy ')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[0])
        .sort(),
    ).toEqual(['disk', 'forklift', 'gang']); // fish sorts the candidates
  });
});
