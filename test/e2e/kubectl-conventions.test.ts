/**
 * kubectl's conventions as a user meets them through bin/kubectl-mtv: help that reads `kubectl mtv ...`, -o yaml and
 * --no-headers, `version` with and without a server, shell completion (bash for real, kubectl's own plugin completion
 * through kubectl_complete-mtv for real, zsh by syntax, fish by syntax and by completing through its script). A test
 * whose shell or kubectl is missing is skipped and says so (test/support/requirements.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { needs, systemTool } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
const COMMANDS = ['clean', 'completion', 'demo', 'migrate', 'sandbox', 'simulate', 'top', 'version'];

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
    expect(mtv('__complete', '--', 'migrate', '--po').stdout).toMatch(/^--policy\t[^\n]+\n:4\n$/);
    expect(mtv('__complete', '--', 'migrate', '--policy', '').stdout).toBe('disk\ngang\nforklift\n:4\n');
    expect(mtv('__complete', '--', 'top', '-o', '').stdout).toBe('table\nwide\njson\nyaml\nname\n:4\n');
    // without --, oclif would take --help for itself; the words are still read raw
    expect(mtv('__complete', 'migrate', '--he').stdout).toBe('--help\n:4\n');
  });

  it("completes a plan argument with the cluster's plans", async () => {
    const cluster = await startSandbox(dir);
    const words = ['migrate', '--kubeconfig', cluster.kubeconfig, '-n', 'openshift-mtv', ''];
    expect(mtv('__complete', '--', ...words).stdout).toBe('plan-a\n:4\n');
    cluster.child.kill('SIGTERM');
  });

  it('completes in bash: commands, flags, values and --flag=value', needs(bash), () => {
    expect(bashComplete('mi')).toEqual(['migrate']);
    expect(bashComplete('migrate', '--po')).toEqual(['--policy']);
    expect(bashComplete('migrate', '--policy', '')).toEqual(['disk', 'gang', 'forklift']);
    expect(bashComplete('top', '-o', '')).toEqual(['table', 'wide', 'json', 'yaml', 'name']);
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
    expect(complete('top', '-o', '')).toBe('table\nwide\njson\nyaml\nname\n:4\n');
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
