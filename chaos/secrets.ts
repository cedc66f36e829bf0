/**
 * Item 6, secrets and TLS. Runs what else prints (dry runs, a run with --report, `clean`, `top`, `version`, an error
 * with --debug, `kubectl mtv sandbox` itself), then greps every byte every part's processes wrote, and the report
 * files, for each sandbox's bearer token and each seeded Secret's values (raw and base64). TLS: the sandbox serves
 * TLS and every run above verified it; a kubeconfig whose CA is another one fails in one line, exit 3.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandboxTls } from '@kubectl-mtv/sandbox';
import { parse, stringify } from 'yaml';
import { type Check, check, type PartResult } from './checks.js';
import { startCluster } from './cluster.js';
import { type ChaosContext, partRandom, rememberSecrets, sleep } from './context.js';
import { startPlugin } from './plugin.js';
import { chaosScenario, Gi } from './scenarios.js';

const RUN_TIMEOUT_MS = 300_000;

export async function secretsAndTls(ctx: ChaosContext, reportText: () => string): Promise<PartResult> {
  const started = performance.now();
  const random = partRandom(ctx, 6);
  const scenario = chaosScenario(
    { name: 'chaos-secrets', vms: 5, disksPerVm: 2, hosts: 1, minBytes: 1 * Gi, maxBytes: 2 * Gi, cap: 4 },
    random,
  );
  const cluster = await startCluster(scenario, { speed: 50 });
  rememberSecrets(ctx, cluster);
  const checks: Check[] = [];
  const figures: [string, string][] = [];
  const run = async (args: string[]) => {
    const plugin = startPlugin(args, ctx.transcript);
    const timer = setTimeout(() => plugin.kill9(), RUN_TIMEOUT_MS);
    const end = await plugin.done;
    clearTimeout(timer);
    return end;
  };
  try {
    const kc = ['--kubeconfig', cluster.kubeconfig];
    const report = join(cluster.dir, 'report.svg');
    const outputs = [
      await run(cluster.migrateArgs('--dry-run=client')),
      await run(cluster.migrateArgs('--dry-run=server')),
      await run(cluster.migrateArgs('-o', 'json', '--report', report)),
      await run(['clean', 'plan-a', ...kc]),
      await run(['top', '--once', '-o', 'json', ...kc]),
      await run(['version', '-o', 'json', ...kc]),
      await run(['migrate', 'no-such-plan', '--debug', ...kc]),
    ];
    try {
      ctx.transcript.add('migrate --report file', readFileSync(report, 'utf8'));
    } catch {
      ctx.transcript.add('migrate --report file', '(not written)');
    }
    const ran = outputs.map((o) => o.code).join(', ');
    figures.push(['commands run against the sandbox here', `exit codes ${ran}`]);
    checks.push(check('the full run with --report completes', outputs[2].code === 0, `exit ${outputs[2].code}`));

    // the sandbox command itself: it prints the kubeconfig's path, never its token
    const sandboxOut = await sandboxCommand(cluster.dir, ctx);
    checks.push(check('`kubectl mtv sandbox` started and stopped', sandboxOut.ok, sandboxOut.detail));

    // TLS against a wrong CA: one clear line, exit 3
    const wrongCa = join(cluster.dir, 'wrong-ca.kubeconfig');
    const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as {
      clusters: { cluster: Record<string, unknown> }[];
    };
    config.clusters[0].cluster['certificate-authority-data'] = Buffer.from(createSandboxTls().caCert).toString(
      'base64',
    );
    writeFileSync(wrongCa, stringify(config), { mode: 0o600 });
    const tls = await run(['migrate', 'plan-a', '--kubeconfig', wrongCa]);
    const tlsLines = tls.stderr.split('\n').filter((line) => line.trim() !== '');
    const tlsVersion = await run(['version', '--kubeconfig', wrongCa]);
    figures.push(['wrong CA', `exit ${tls.code}: ${tlsLines.join(' / ')}`]);
    figures.push(['wrong CA, version', tlsVersion.stdout.trim().split('\n').at(-1) ?? '']);
    const kubeconfigText = readFileSync(cluster.kubeconfig, 'utf8');
    checks.push(
      check(
        'the sandbox serves TLS and the kubeconfig verifies it',
        cluster.sandbox.apiUrl.startsWith('https://') && !kubeconfigText.includes('insecure-skip-tls-verify'),
        cluster.sandbox.apiUrl,
      ),
      check('a wrong CA exits 3', tls.code === 3, `exit ${tls.code}`),
      check(
        'in one clear line naming the certificate',
        tlsLines.length === 1 && /certificate|CA|TLS/i.test(tlsLines[0] ?? '') && tls.stdout === '',
        tlsLines.join(' / '),
      ),
    );
  } finally {
    await cluster.close();
  }

  // the grep: every output of the whole chaos run, then the report this run writes
  const haystack = `${ctx.transcript.text()}\n${reportText()}`;
  const secrets = [...ctx.secrets].filter((s) => s.length >= 6);
  const leaked = secrets.filter((s) => haystack.includes(s));
  figures.unshift([
    'grepped',
    `${(haystack.length / 1024).toFixed(0)} KiB of output for ${secrets.length} secret strings (tokens of every sandbox, Secret values raw and base64)`,
  ]);
  checks.unshift(
    check(
      'no token or Secret value in any output, log, event, error or report',
      leaked.length === 0 && secrets.length > 0,
      leaked.length === 0
        ? `0 of ${secrets.length} found`
        : `${leaked.length} found: ${leaked.map((s) => `${s.slice(0, 4)}...`).join(', ')}`,
    ),
  );
  return { item: 6, title: 'Secrets and TLS', figures, checks, seconds: (performance.now() - started) / 1000 };
}

/** Runs `kubectl mtv sandbox` until it prints its kubeconfig's path, reads the token from it, stops it with SIGTERM. */
async function sandboxCommand(dir: string, ctx: ChaosContext): Promise<{ ok: boolean; detail: string }> {
  const kubeconfig = join(dir, 'sandbox-command.kubeconfig');
  const plugin = startPlugin(['sandbox', '--port', '0', '--kubeconfig', kubeconfig, '--speed', '100'], ctx.transcript);
  const deadline = Date.now() + 30_000;
  while (!plugin.stdout().includes('\n') && Date.now() < deadline && plugin.child.exitCode === null) await sleep(50);
  let ok = false;
  try {
    const config = parse(readFileSync(kubeconfig, 'utf8')) as { users: { user: { token: string } }[] };
    ctx.secrets.add(config.users[0].user.token);
    ok = true;
  } catch {
    // no kubeconfig: reported below
  }
  plugin.child.kill('SIGTERM');
  const timer = setTimeout(() => plugin.kill9(), 10_000);
  const end = await plugin.done;
  clearTimeout(timer);
  return { ok: ok && end.code === 0, detail: `kubeconfig ${ok ? 'read' : 'missing'}, exit ${end.code ?? end.signal}` };
}
