/**
 * Bad input, as a user meets it: the built plugin against `kubectl mtv sandbox` in another process. Every case
 * checks the exact line on stderr, the exit code, an empty stdout, that nothing was written to the cluster (no
 * create, update, patch or delete reached the API server but SelfSubjectAccessReviews, and no DataVolume exists),
 * and that neither the sandbox's bearer token nor the Provider Secret's values appear in the output.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import { createSandboxTls } from '@kubectl-mtv/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeClient } from '../../src/cluster/kube-client.js';
import {
  type Finished,
  killAll,
  repo,
  requireBuild,
  type SandboxProcess,
  start,
  startSandbox,
} from './plugin-fixture.js';

const NS = 'openshift-mtv';
const FORKLIFT = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}`;
const PLAN = `${FORKLIFT}/plans/plan-a`;
const STORAGE_MAP = `${FORKLIFT}/storagemaps/storage-a`;
const NETWORK_MAP = `${FORKLIFT}/networkmaps/network-a`;
const SSAR = 'selfsubjectaccessreviews.authorization.k8s.io';
const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

let dir: string;

/** Runs the plugin to the end, in `dir`. */
const plugin = (...args: string[]): Promise<Finished> => start(args, dir).done;

/** Writes a file in `dir` and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Writes a file in `dir` and returns its name, as the plugin (run in `dir`) sees it. */
function relative(name: string, text: string): string {
  file(name, text);
  return name;
}

/** The kubeconfig of `cluster` with `edit` applied, written to `name`. */
function kubeconfigVariant(cluster: SandboxProcess, name: string, edit: (config: KubeconfigDoc) => void): string {
  const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as KubeconfigDoc;
  edit(config);
  return file(name, stringify(config));
}

interface KubeconfigDoc {
  clusters: { cluster: Record<string, unknown> }[];
  users: { user: Record<string, unknown> }[];
}

const stats = (client: KubeClient) => client.transport.request<SandboxStats>('GET', '/sandbox/v1/stats');

/** Writes that reached the API server: every create, update, patch and delete but SelfSubjectAccessReviews. */
async function writes(client: KubeClient): Promise<number> {
  const { byVerb, byResource } = (await stats(client)).requests;
  return WRITES.reduce((sum, verb) => sum + (byVerb[verb] ?? 0), 0) - (byResource[SSAR] ?? 0);
}

async function dataVolumeCount(client: KubeClient): Promise<number> {
  const list = await client.list({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes' });
  return list.length;
}

/** What must never be printed: the bearer token and the Provider and VDDK Secrets' values (plain and base64). */
async function secretsOf(cluster: SandboxProcess): Promise<string[]> {
  const token = await cluster.client.bearerToken();
  const values: string[] = token ? [token] : [];
  // the VDDK Secret migrate makes carries the same values (accessKeyId <- user, secretKey <- password, cacert)
  for (const [namespace, name] of [[NS, 'vsphere-a-secret']]) {
    const secret = await cluster.client.get<{ data?: Record<string, string> }>(
      { version: 'v1', plural: 'secrets', namespace },
      name,
    );
    for (const encoded of Object.values(secret?.data ?? {})) {
      values.push(encoded, Buffer.from(encoded, 'base64').toString('utf8'));
    }
  }
  expect(values.length).toBeGreaterThanOrEqual(7);
  return values;
}

/** A change to the sandbox's objects for one case, and how to put them back. */
type Setup = (client: KubeClient) => Promise<() => Promise<void>>;

const mergePatch = (client: KubeClient, path: string, body: unknown) =>
  client.transport.request('PATCH', path, { body, contentType: 'application/merge-patch+json' });

/** Merge-patches `path` with `change`, and back with the object's `restore(before)`. */
function patched(path: string, change: unknown, restore: (before: Record<string, never>) => unknown): Setup {
  return async (client) => {
    const before = await client.transport.request<Record<string, never>>('GET', path);
    await mergePatch(client, path, change);
    return async () => {
      await mergePatch(client, path, restore(before));
    };
  };
}

interface Case {
  title: string;
  args: string[];
  line: string;
  code: number;
  setup?: Setup;
}

/**
 * Runs one case against `cluster`: the exact stderr line, the exit code, empty stdout, no secret printed, no write
 * reached the API server while the plugin ran, and no DataVolume exists.
 */
async function expectRefused(cluster: SandboxProcess | undefined, secrets: string[], c: Case): Promise<void> {
  const undo = cluster && c.setup ? await c.setup(cluster.client) : undefined;
  try {
    const before = cluster ? await writes(cluster.client) : 0;
    const run = await plugin(...c.args);
    expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
      code: c.code,
      stderr: `${c.line}\n`,
      stdout: '',
    });
    for (const secret of secrets) expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    if (cluster) {
      expect(await writes(cluster.client)).toBe(before);
      expect(await dataVolumeCount(cluster.client)).toBe(0);
    }
  } finally {
    await undo?.();
  }
}

/** Runs every case in order; a failure names its case. */
async function expectAllRefused(cluster: SandboxProcess | undefined, secrets: string[], cases: Case[]): Promise<void> {
  for (const c of cases) {
    try {
      await expectRefused(cluster, secrets, c);
    } catch (error) {
      (error as Error).message = `${c.title}: ${(error as Error).message}`;
      throw error;
    }
  }
}

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-bad-input-e2e-'));
});

afterEach(() => killAll());

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl mtv migrate and top refuse bad input against a TLS sandbox', () => {
  let cluster: SandboxProcess;
  let secrets: string[];
  let server: string;
  let kube: string[];

  beforeAll(async () => {
    cluster = await startSandbox(dir);
    secrets = await secretsOf(cluster);
    server = cluster.client.server;
    kube = ['--kubeconfig', cluster.kubeconfig];
  }, 30_000);

  const migrate = (...args: string[]) => ['migrate', 'plan-a', '-n', NS, ...kube, ...args];
  const poweredOff = (...args: string[]) => migrate('--allow-powered-on', ...args);

  /** The cases; a function so that they can name the sandbox's kubeconfig and server. */
  const cases = (): Case[] => [
    {
      title: 'an unknown plan',
      args: ['migrate', 'plan-z', '-n', NS, ...kube],
      line: 'error: plan "plan-z" not found in namespace "openshift-mtv" (try: kubectl get plans -A)',
      code: 2,
    },
    {
      title: 'an archived plan',
      args: poweredOff(),
      setup: patched(PLAN, { spec: { archived: true } }, () => ({ spec: { archived: null } })),
      line: 'error: plan "plan-a" is archived (try: an archived plan never runs again: create a new plan)',
      code: 2,
    },
    {
      title: 'a plan that is not Ready',
      args: poweredOff(),
      setup: patched(
        `${PLAN}/status`,
        {
          status: {
            conditions: [
              condition('Ready', 'False', 'Required', 'The migration plan is not ready.'),
              condition('VMNotFound', 'True', 'Critical', 'VM not found.'),
            ],
          },
        },
        (before) => ({ status: { conditions: (before.status as { conditions: unknown }).conditions } }),
      ),
      line: 'error: plan "plan-a" is not Ready: "VM not found." (try: kubectl describe plan plan-a -n openshift-mtv)',
      code: 2,
    },
    {
      title: 'a plan the MTV controller is running',
      args: poweredOff(),
      setup: async (client) => {
        const plan = await client.transport.request<{ metadata: { uid: string } }>('GET', PLAN);
        await client.transport.request('POST', `${FORKLIFT}/migrations`, {
          body: {
            apiVersion: 'forklift.konveyor.io/v1beta1',
            kind: 'Migration',
            metadata: { name: 'plan-a-run', namespace: NS },
            spec: { plan: { name: 'plan-a', namespace: NS, uid: plan.metadata.uid } },
          },
        });
        return async () => {
          await client.transport.request('DELETE', `${FORKLIFT}/migrations/plan-a-run`);
        };
      },
      line:
        'error: plan "plan-a" is being run by the MTV controller (Migration "plan-a-run" has not completed) ' +
        '(try: wait for it, or cancel it: kubectl delete migration plan-a-run -n openshift-mtv)',
      code: 2,
    },
    {
      title: 'a warm plan whose VMs have change block tracking off',
      args: poweredOff(),
      setup: patched(PLAN, { spec: { type: 'warm' } }, () => ({ spec: { type: 'cold' } })),
      line:
        'error: plan "plan-a" is warm and has 15 VMs with change block tracking off: app-01, app-02, app-03, app-04, app-05, app-06, web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08, archive-01 ' +
        '(try: turn on change block tracking (ctkEnabled) on them in vCenter while they are off, as MTV warm migration ' +
        'requires, or make the plan cold)',
      code: 2,
    },
    {
      title: 'a cutover for a cold plan',
      args: [...poweredOff(), '--cutover', 'now'],
      line:
        'error: plan "plan-a" is cold: --precopy-interval and --cutover apply to warm plans (try: leave them out, or ' +
        'set spec.warm: true on a plan whose VMs have change block tracking on)',
      code: 2,
    },
    {
      title: 'a cutover that is not a time',
      args: [...poweredOff(), '--cutover', 'tomorrow'],
      line: 'error: --cutover: "tomorrow" is not a time: give RFC 3339 (2026-12-04T22:00:00Z), now, or a duration from now (2h)',
      code: 2,
    },
    {
      title: 'a plan whose source provider does not exist',
      args: poweredOff(),
      setup: patched(PLAN, { spec: { provider: { source: { name: 'vsphere-z' } } } }, () => ({
        spec: { provider: { source: { name: 'vsphere-a' } } },
      })),
      line:
        'error: plan "plan-a" names source provider "vsphere-z" in namespace "openshift-mtv", which does not exist ' +
        '(try: kubectl get providers -n openshift-mtv)',
      code: 2,
    },
    {
      title: 'a datastore the storage map does not map',
      args: poweredOff(),
      setup: patched(
        STORAGE_MAP,
        { spec: { map: [{ source: { id: 'datastore-1', name: 'ds-1' }, destination: { storageClass: 'standard' } }] } },
        (before) => ({ spec: { map: (before.spec as { map: unknown }).map } }),
      ),
      line:
        'error: plan "plan-a" has disks on datastores storage map "storage-a" does not map: ds-2 (datastore-2) ' +
        '(try: add them to the StorageMap: kubectl edit storagemap storage-a -n openshift-mtv)',
      code: 2,
    },
    {
      title: 'a NIC on a network the network map does not map',
      args: poweredOff(),
      setup: patched(
        NETWORK_MAP,
        { spec: { map: [{ source: { id: 'network-1', name: 'VM Network' }, destination: { type: 'pod' } }] } },
        (before) => ({ spec: { map: (before.spec as { map: unknown }).map } }),
      ),
      line:
        'error: plan "plan-a" has VMs with NICs on networks network map "network-a" does not map: ' +
        'web-01 (App Network (network-2)), web-02 (App Network (network-2)), web-03 (App Network (network-2)), ' +
        'web-04 (App Network (network-2)), web-05 (App Network (network-2)), web-06 (App Network (network-2)), ' +
        'web-07 (App Network (network-2)), web-08 (App Network (network-2)), archive-01 (App Network (network-2)) ' +
        '(try: map those networks (to the pod network, a Multus network, or ignored): kubectl edit networkmap network-a -n openshift-mtv)',
      code: 2,
    },
    {
      title: 'a VM the inventory does not have',
      args: poweredOff(),
      setup: async (client) => {
        const before = await client.transport.request<{ spec: { vms: unknown[] } }>('GET', PLAN);
        const vms = before.spec.vms;
        await mergePatch(client, PLAN, { spec: { vms: [...vms, { id: 'vm-404', name: 'ghost-01' }] } });
        return async () => {
          await mergePatch(client, PLAN, { spec: { vms } });
        };
      },
      line:
        'error: plan "plan-a" names 1 VM the inventory does not have: ghost-01 (vm-404) (try: check the plan VMs ' +
        'against the provider (kubectl describe plan), or wait for the inventory to refresh)',
      code: 2,
    },
    {
      title: 'powered-on VMs',
      args: migrate(),
      line:
        'error: plan "plan-a" has 8 VMs powered on: web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08 ' +
        '(try: pass --power-off-source to shut them down through vCenter before their disks copy (as MTV does), power them off, or pass --allow-powered-on to copy them crash-consistently)',
      code: 2,
    },
    {
      title: 'a VDDK Secret that does not exist',
      args: poweredOff('--vddk-secret', 'my-vddk'),
      line:
        'error: plan "plan-a": the VDDK Secret "my-vddk" (--vddk-secret) does not exist in namespace "demo" ' +
        '(try: create it with the keys accessKeyId and secretKey (and cacert), or leave --vddk-secret out)',
      code: 2,
    },
    {
      title: 'an unreachable inventory',
      args: poweredOff('--inventory-url', 'https://127.0.0.1:1'),
      line:
        'error: the Forklift inventory https://127.0.0.1:1 is unreachable: connection refused (ECONNREFUSED) ' +
        '(try: check --inventory-url (or MTV_INVENTORY_URL); without either, the forklift-inventory Route names it)',
      code: 3,
    },
    {
      title: 'an unreachable API server',
      args: [
        'migrate',
        'plan-a',
        '--kubeconfig',
        kubeconfigVariant(cluster, 'closed-port.kubeconfig', (config) => {
          config.clusters[0].cluster.server = 'https://127.0.0.1:1';
        }),
      ],
      line:
        'error: the API server https://127.0.0.1:1 is unreachable: connection refused (ECONNREFUSED) ' +
        '(try: check that context "mtv-sandbox" names a running cluster (kubectl --context mtv-sandbox version))',
      code: 3,
    },
    {
      title: 'a kubeconfig that is not YAML',
      args: ['migrate', 'plan-a', '--kubeconfig', file('broken.kubeconfig', 'apiVersion: v1\nclusters: [\n  - a: {\n')],
      line:
        `error: kubeconfig "${dir}/broken.kubeconfig" cannot be read: missed comma between flow collection entries ` +
        `(3:3) (try: fix the file; kubectl config view --kubeconfig ${dir}/broken.kubeconfig shows what kubectl ` +
        'makes of it)',
      code: 2,
    },
    {
      title: 'a kubeconfig that does not exist',
      args: ['migrate', 'plan-a', '--kubeconfig', join(dir, 'absent.kubeconfig')],
      line: `error: kubeconfig "${dir}/absent.kubeconfig" does not exist (try: pass the path of a kubeconfig file)`,
      code: 2,
    },
    {
      title: 'an unknown context',
      args: poweredOff('--context', 'nope'),
      line: 'error: context "nope" is not in the kubeconfig (try: --context with one of: mtv-sandbox, mtv-sandbox-remote)',
      code: 2,
    },
    {
      title: 'an expired token (401)',
      args: [
        'migrate',
        'plan-a',
        '--kubeconfig',
        kubeconfigVariant(cluster, 'expired.kubeconfig', (config) => {
          config.users[0].user.token = 'expired-token-0000';
        }),
      ],
      line:
        `error: the API server ${server} rejects the credentials of context "mtv-sandbox" (401 Unauthorized) ` +
        '(try: log in again or refresh the kubeconfig token)',
      code: 3,
    },
    {
      title: 'an expired token (401) for top',
      args: ['top', '--once', '--kubeconfig', join(dir, 'expired.kubeconfig')],
      line:
        `error: the API server ${server} rejects the credentials of context "mtv-sandbox" (401 Unauthorized) ` +
        '(try: log in again or refresh the kubeconfig token)',
      code: 3,
    },
    {
      title: 'a certificate-authority that did not sign the server certificate',
      args: [
        'migrate',
        'plan-a',
        '--kubeconfig',
        kubeconfigVariant(cluster, 'wrong-ca.kubeconfig', (config) => {
          config.clusters[0].cluster['certificate-authority-data'] = Buffer.from(createSandboxTls().caCert).toString(
            'base64',
          );
        }),
      ],
      line:
        `error: the API server ${server} is not trusted: its TLS certificate is not signed by a trusted CA ` +
        '(UNABLE_TO_VERIFY_LEAF_SIGNATURE) (try: check the server and certificate-authority of context ' +
        '"mtv-sandbox" (kubectl config view --minify))',
      code: 3,
    },
    {
      title: '--max-inflight 0',
      args: poweredOff('--max-inflight', '0'),
      line: 'error: --max-inflight: "0" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: '--max-inflight -3',
      args: poweredOff('--max-inflight', '-3'),
      line: 'error: --max-inflight: "-3" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: '--max-inflight abc',
      args: poweredOff('--max-inflight', 'abc'),
      line: 'error: --max-inflight: "abc" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: '--max-inflight auto under forklift',
      args: poweredOff('--max-inflight', 'auto', '--policy', 'forklift'),
      line:
        'error: --max-inflight auto: only adaptive admission (policy disk) has a learned limit to go by ' +
        '(try: give a number, or run --policy disk without --no-adaptive)',
      code: 2,
    },
    {
      title: '--max-inflight auto with --no-adaptive',
      args: poweredOff('--max-inflight', 'auto', '--no-adaptive'),
      line:
        'error: --max-inflight auto: only adaptive admission (policy disk) has a learned limit to go by ' +
        '(try: give a number, or run --policy disk without --no-adaptive)',
      code: 2,
    },
    {
      title: '--timeout nonsense',
      args: poweredOff('--timeout', 'nonsense'),
      line: 'error: --timeout: "nonsense" is not a duration (e.g. 45s, 90m, 2h, 1h30m, or 0 for no timeout)',
      code: 2,
    },
    {
      title: 'an unknown policy',
      args: poweredOff('--policy', 'legacy'),
      line: 'error: --policy: "legacy" is not a policy (choose from disk, gang, forklift)',
      code: 2,
    },
    {
      title: '--max-inflight-per-host 0',
      args: poweredOff('--max-inflight-per-host', '0'),
      line: 'error: --max-inflight-per-host: "0" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: '--request-timeout nonsense',
      args: poweredOff('--request-timeout', 'nonsense'),
      line: 'error: --request-timeout: "nonsense" is not a duration (e.g. 45s, 90m, 2h, 1h30m, or 0 for no limit)',
      code: 2,
    },
    {
      title: 'an unknown order',
      args: poweredOff('--order', 'random'),
      line: 'error: --order: "random" is not an order (choose from largest, smallest, plan)',
      code: 2,
    },
    {
      title: 'an unknown objective',
      args: poweredOff('--objective', 'fastest'),
      line: 'error: --objective: "fastest" is not an objective (choose from makespan, downtime)',
      code: 2,
    },
    {
      title: 'no plan',
      args: ['migrate', ...kube],
      line: 'error: accepts 1 arg(s), received 0 (try: kubectl mtv migrate --help)',
      code: 2,
    },
    {
      title: 'an unknown dry-run mode',
      args: poweredOff('--dry-run=both'),
      line: 'error: --dry-run: "both" is not a dry-run mode (choose from client, server)',
      code: 2,
    },
    {
      title: '--report into a directory that does not exist',
      args: poweredOff('--report', '/nonexistent-dir/run.svg'),
      line:
        'error: cannot write the schedule picture "/nonexistent-dir/run.svg": its directory does not exist ' +
        '(try: pass a file in a writable directory, e.g. --report schedule.svg)',
      code: 2,
    },
    {
      title: '--tui without a terminal on stdin',
      args: poweredOff('--tui'),
      line:
        'error: --tui needs a terminal on stdin: the live view reads its keys there ' +
        '(try: run it from a terminal, or pass --no-tui for plain lines)',
      code: 2,
    },
    // kubectl's words for flags and arguments, each naming the command's help
    {
      title: 'an unknown flag',
      args: poweredOff('--bogus'),
      line: 'error: unknown flag: --bogus (try: kubectl mtv migrate --help)',
      code: 2,
    },
    {
      title: 'an unknown shorthand flag',
      args: poweredOff('-x'),
      line: "error: unknown shorthand flag: 'x' in -x (try: kubectl mtv migrate --help)",
      code: 2,
    },
    {
      title: 'a flag without its value',
      args: poweredOff('--policy'),
      line: 'error: flag needs an argument: --policy (try: kubectl mtv migrate --help)',
      code: 2,
    },
    {
      title: 'a shorthand flag without its value',
      args: poweredOff('-o'),
      line: "error: flag needs an argument: 'o' in -o (try: kubectl mtv migrate --help)",
      code: 2,
    },
    {
      title: 'two plans',
      args: ['migrate', 'plan-a', 'plan-b', ...kube],
      line: 'error: accepts 1 arg(s), received 2 (try: kubectl mtv migrate --help)',
      code: 2,
    },
    {
      title: 'a boolean flag given a value',
      args: poweredOff('--takeover=maybe'),
      line: 'error: invalid argument "maybe" for "--takeover" flag: it takes true or false (try: kubectl mtv migrate --help)',
      code: 2,
    },
    {
      title: 'top with two plans',
      args: ['top', 'plan-a', 'plan-b', '--once', ...kube],
      line: 'error: accepts at most 1 arg(s), received 2 (try: kubectl mtv top --help)',
      code: 2,
    },
    {
      title: 'clean without a plan',
      args: ['clean', ...kube],
      line: 'error: accepts 1 arg(s), received 0 (try: kubectl mtv clean --help)',
      code: 2,
    },
    // numbers and durations: the accepted range and the value received
    {
      title: '--max-inflight above its range',
      args: poweredOff('--max-inflight', '99999999999999999999'),
      line: 'error: --max-inflight: "99999999999999999999" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: '--max-restarts 0',
      args: poweredOff('--max-restarts', '0'),
      line: 'error: --max-restarts: "0" must be a whole number from 1 to 1000',
      code: 2,
    },
    {
      title: '--stuck-after 0',
      args: poweredOff('--stuck-after', '0'),
      line: 'error: --stuck-after: "0" must be a duration from 1ms to 596h',
      code: 2,
    },
    {
      title: '--timeout past what a timer holds',
      args: poweredOff('--timeout', '600h'),
      line: 'error: --timeout: "600h" must be 0 (no timeout) or a duration from 1ms to 596h',
      code: 2,
    },
    {
      title: '--request-timeout below a millisecond',
      args: poweredOff('--request-timeout', '0.2ms'),
      line: 'error: --request-timeout: "0.2ms" must be 0 (no limit) or a duration from 1ms to 596h',
      code: 2,
    },
    {
      title: '--report that is not .svg',
      args: poweredOff('--report', 'out.png'),
      line: 'error: --report: "out.png" must name an .svg file: the chart is written as SVG (try: --report out.svg)',
      code: 2,
    },
    // outputs: what each mode prints
    {
      title: '-o yaml without --dry-run',
      args: poweredOff('-o', 'yaml'),
      line:
        'error: --output: "yaml" prints the DataVolumes: only with --dry-run=client or --dry-run=server ' +
        '(try: add --dry-run, or for a run choose from table, ndjson, json)',
      code: 2,
    },
    {
      title: '-o ndjson with --dry-run',
      args: poweredOff('--dry-run=server', '-o', 'ndjson'),
      line:
        'error: --output: "ndjson" streams a run\'s events: a dry run has none (try: with --dry-run, choose from ' +
        'table, json, yaml, jsonpath=TEMPLATE, custom-columns=SPEC)',
      code: 2,
    },
    {
      title: 'a JSONPath template that does not parse',
      args: poweredOff('--dry-run=server', '-o', 'jsonpath={.items[*].metadata.name'),
      line:
        'error: --output: jsonpath "{.items[*].metadata.name": unclosed action (try: kubectl\'s JSONPath, e.g. ' +
        '-o jsonpath=\'{range .items[*]}{.metadata.name}{"\\n"}{end}\')',
      code: 2,
    },
    {
      title: 'a JSONPath template that fails on the DataVolumes',
      args: poweredOff('--dry-run=client', '-o', 'jsonpath={.items[100].metadata.name}'),
      line:
        'error: --output: jsonpath "{.items[100].metadata.name}" fails on this output: array index out of bounds: ' +
        'index 100, length 92 (try: compare the template with what -o json prints)',
      code: 2,
    },
    {
      title: 'custom columns without a path',
      args: ['top', '--once', '-o', 'custom-columns=PLAN', ...kube],
      line:
        'error: --output: custom-columns "PLAN": unexpected custom-columns spec: PLAN, expected <header>:<json-path-expr> ' +
        '(try: HEADER:PATH pairs, e.g. -o custom-columns=NAME:.metadata.name,PHASE:.status.phase)',
      code: 2,
    },
    {
      title: 'clean -o an unknown format',
      args: ['clean', 'plan-a', '-o', 'xml', ...kube],
      line:
        'error: --output: "xml" is not an output format (choose from table, wide, json, yaml, name, ' +
        'jsonpath=TEMPLATE, custom-columns=SPEC)',
      code: 2,
    },
    {
      title: 'top --once --watch',
      args: ['top', '--once', '--watch', ...kube],
      line: 'error: --once and --watch cannot be used together (try: pick one)',
      code: 2,
    },
    {
      title: 'top --control without a terminal',
      args: ['top', '--control', ...kube],
      line:
        'error: --control needs the live view on a terminal (try: it steers with keys: run it on a terminal, ' +
        'without --once, --watch or an -o other than table or wide)',
      code: 2,
    },
  ];

  it('refuses each case in one exact line with its exit code, prints no secret and writes nothing', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(45);
    await expectAllRefused(cluster, secrets, all);
    // the setups put every object back: the plan is refused for its powered-on VMs again, and for nothing else
    await expectAllRefused(
      cluster,
      secrets,
      all.filter((c) => c.title === 'powered-on VMs'),
    );
  }, 120_000);

  it('turns TLS verification off nowhere but behind --inventory-insecure-skip-tls-verify', () => {
    const product = ['cluster', 'services', 'runner', 'commands'].flatMap((sub) =>
      readdirSync(join(repo, 'src', sub), { recursive: true, encoding: 'utf8' })
        .filter((name) => /\.tsx?$/.test(name))
        .map((name) => join(repo, 'src', sub, name)),
    );
    const off = product.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => /rejectUnauthorized:\s*false|skipTLSVerify|['"]insecure-skip-tls-verify['"]\s*:/.test(line))
        .map((line) => line.trim()),
    );
    // inventory-client.ts: the flag's branch, and the proxy agent that carries the same choice; destination.ts: a
    // remote destination reached with --use-provider-credentials, whose Provider Secret says insecureSkipVerify (the
    // user's own setting in MTV, read as Forklift's RestCfg reads it)
    expect(off).toEqual([
      'skipTLSVerify: insecure,',
      'const tls = { rejectUnauthorized: false };',
      'const skipTLSVerify = tls.rejectUnauthorized === false;',
      'return kubeConfig.createAgent({ ...cluster, server: baseUrl, skipTLSVerify }, { ...tls });',
    ]);
    const destination = readFileSync(join(repo, 'src', 'cluster', 'destination.ts'), 'utf8');
    expect(destination).toMatch(/const insecure = goParseBool\(decoded\('insecureSkipVerify'\)\);/);
    const inventory = readFileSync(join(repo, 'src', 'cluster', 'inventory-client.ts'), 'utf8');
    expect(inventory).toMatch(
      /if \(this\.options\.insecureSkipTlsVerify\) \{\n\s+const tls = \{ rejectUnauthorized: false \};/,
    );
  });

  it('never writes insecure-skip-tls-verify: the TLS sandbox kubeconfig carries its CA', () => {
    const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as KubeconfigDoc;
    expect(config.clusters[0].cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(config.clusters[0].cluster['certificate-authority-data']).toEqual(expect.any(String));
  });
});

describe('kubectl mtv migrate and top when RBAC forbids them', () => {
  it('exits 3 naming the missing permission, before anything is created', async () => {
    const cluster = await startSandbox(dir, '--deny', 'create:datavolumes', '--deny', 'list:leases');
    const secrets = await secretsOf(cluster);
    const server = cluster.client.server;
    const kube = ['--kubeconfig', cluster.kubeconfig];
    const missing =
      'error: context "mtv-sandbox" lacks permissions: create datavolumes.cdi.kubevirt.io in "demo", ' +
      'list leases.coordination.k8s.io in "openshift-mtv" (try: ask a cluster admin for these verbs ' +
      '(kubectl auth can-i --list -n demo))';
    const cases: Case[] = [
      { title: 'migrate', args: ['migrate', 'plan-a', '--allow-powered-on', ...kube], line: missing, code: 3 },
      {
        title: 'migrate --dry-run=server',
        args: ['migrate', 'plan-a', '--allow-powered-on', '--dry-run=server', ...kube],
        line: missing,
        code: 3,
      },
      {
        title: 'top --once',
        args: ['top', '--once', ...kube],
        line:
          `error: the API server ${server} forbids it (403): leases.coordination.k8s.io is forbidden: User ` +
          '"sandbox-admin" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace ' +
          '"openshift-mtv" (try: ask a cluster admin for the permission named)',
        code: 3,
      },
    ];
    await expectAllRefused(cluster, secrets, cases);
  }, 60_000);
});

describe('kubectl mtv simulate and sandbox refuse a bad scenario file', () => {
  const scenario = (body: string) => `hosts:\n  - name: esx-01\nvms:\n${body}`;
  const disk = (host: string, size: string) => `  - name: a\n    host: ${host}\n    disks:\n      - size: ${size}\n`;
  const cases = (): Case[] => [
    {
      title: 'a scenario file that does not exist',
      args: ['simulate', '--scenario', 'missing.yaml'],
      line:
        'error: scenario file "missing.yaml" not found (try: pass the path of a scenario YAML or JSON file, ' +
        'e.g. examples/seed-10x10.yaml)',
      code: 2,
    },
    {
      title: 'a scenario file that is not YAML',
      args: ['simulate', '--scenario', relative('not-yaml.yaml', 'hosts: [\n')],
      line:
        'error: not-yaml.yaml: not YAML or JSON: Flow sequence in block collection must be sufficiently indented ' +
        'and end with a ] at line 2, column 1',
      code: 2,
    },
    {
      title: 'a negative disk size',
      args: ['simulate', '--scenario', relative('negative.yaml', scenario(disk('esx-01', '-5Gi')))],
      line: 'error: negative.yaml: vms[0].disks[0].size: "-5Gi" is negative (a size is bytes to copy, 0 or more)',
      code: 2,
    },
    {
      title: 'an unknown host',
      args: ['simulate', '--scenario', relative('host.yaml', scenario(disk('esx-09', '5Gi')))],
      line: 'error: host.yaml: vms[0].host: "esx-09" is not listed under hosts (listed: esx-01)',
      code: 2,
    },
    {
      title: 'empty vms',
      args: ['simulate', '--scenario', relative('empty.yaml', 'hosts:\n  - name: esx-01\nvms: []\n')],
      line: 'error: empty.yaml: vms: must list at least one VM',
      code: 2,
    },
    {
      title: 'empty vms, for the sandbox',
      args: ['sandbox', '--port', '0', '--kubeconfig', join(dir, 'never.kubeconfig'), '--scenario', 'empty.yaml'],
      line: 'error: empty.yaml: vms: must list at least one VM',
      code: 2,
    },
    {
      title: '--max-inflight 0 for simulate',
      args: ['simulate', '--scenario', 'empty.yaml', '--max-inflight', '0'],
      line: 'error: --max-inflight: "0" must be a whole number from 1 to 100000',
      code: 2,
    },
    {
      title: 'an unknown objective for simulate',
      args: ['simulate', '--scenario', 'empty.yaml', '--objective', 'fastest'],
      line: 'error: --objective: "fastest" is not an objective (choose from makespan, downtime)',
      code: 2,
    },
    {
      title: 'simulate --svg that is not .svg',
      args: ['simulate', '--scenario', 'empty.yaml', '--svg', 'schedule'],
      line: 'error: --svg: "schedule" must name an .svg file: the chart is written as SVG (try: --svg schedule.svg)',
      code: 2,
    },
    {
      title: 'simulate without --scenario or --from-cluster',
      args: ['simulate'],
      line: 'error: exactly one of the following must be provided: --from-cluster, --scenario (try: kubectl mtv simulate --help)',
      code: 2,
    },
    {
      title: 'simulate with an argument',
      args: ['simulate', 'seed', '--scenario', 'empty.yaml'],
      line: 'error: unknown command "seed" for "kubectl mtv simulate" (try: kubectl mtv simulate --help)',
      code: 2,
    },
    {
      title: 'a sandbox port out of range',
      args: ['sandbox', '--port', '70000'],
      line: 'error: --port: "70000" must be a whole number from 0 to 65535',
      code: 2,
    },
    {
      title: 'a sandbox latency out of range',
      args: ['sandbox', '--latency', '99999999'],
      line: 'error: --latency: "99999999" must be a whole number from 0 to 60000',
      code: 2,
    },
    {
      title: 'a demo speed out of range',
      args: ['demo', '--speed', '1e400'],
      line: 'error: --speed: "1e400" must be a number above 0 and at most 1000000 (simulated seconds per real second)',
      code: 2,
    },
    {
      title: 'a shell completion does not know',
      args: ['completion', 'tcsh'],
      line: 'error: invalid argument "tcsh" for "kubectl mtv completion" (try: kubectl mtv completion --help)',
      code: 2,
    },
    {
      title: 'a mistyped command, with what kubectl suggests',
      args: ['versoin'],
      line: 'error: unknown command "versoin" for "kubectl mtv"\n\nDid you mean this?\n\tversion',
      code: 2,
    },
  ];

  it('names the file, the field and the value in one line, exit 2', async () => {
    await expectAllRefused(undefined, [], cases());
  }, 60_000);
});

function condition(type: string, status: string, category: string, message: string) {
  return { type, status, category, message, lastTransitionTime: new Date(0).toISOString() };
}
