/** docs/RELIABILITY.md: what each part does, the figures of the last full run and its checks. */
import type { BenchEnvironment } from '../bench/environment.js';
import { type PartResult, passed } from './checks.js';

/** What each part does, for the report (the part's file says it at more length). */
const ABOUT: Record<number, string> = {
  1:
    'A 200-disk plan (50 VMs x 4 disks, 1-8 GiB, cap 10) in the sandbox, whose watches are cut every 30 events. The ' +
    'runner (`bin/kubectl-mtv migrate -o ndjson --takeover`, a real process) is killed with SIGKILL at 20 moments, the ' +
    'four kinds taking turns and the instant within each drawn from the seed: during the admission burst (0-300 ms ' +
    'after the `plan` event), right after a create (inside the sandbox store callback for the k-th DataVolume it ' +
    'creates, before the runner has its answer), during a watch reconnect (0-50 ms after the sandbox cut a watch), and ' +
    'at a random time from start-up on (0.5-5 s). After each kill it runs again; the last run ends by itself. Then, from ' +
    'the cluster: DataVolumes per disk (by their `kubectl-mtv.konveyor.io/vm-id` and `disk-index` labels), their phases, the sandbox importer ' +
    'count and its `imports.peak` across all runs.',
  2:
    'A 200-disk plan against a sandbox that answers 5% of resource requests 429 (Retry-After 1), 500, 503 or a reset ' +
    'connection in turn (seeded), cuts every watch after 50 events, and answers every second watch that resumes from a ' +
    'resourceVersion with the 410 Expired ERROR event of a compacted history (`expireResumeEvery`). Two runs, each on ' +
    'its own sandbox and without restarts: faults from the first request (start-up included: plan resolution, ' +
    'SelfSubjectAccessReviews, the Lease), and faults from the first DataVolume created (the run itself), so that a ' +
    'failure says which phase does not survive them. Each must complete with the same checks as part 1.',
  3:
    'A 30-disk plan at cap 3 whose three largest disks (so they start first and fill every slot) never finish: two ' +
    'importers crash-loop (`failDisks`, CDI-style back-off, never Failed) and one stops progressing half way ' +
    '(`stallDisks`: ImportInProgress forever, no error, no restart). `--max-restarts 3 --stuck-after 5s`. A ' +
    'crash-looping importer is taken out of the cap; the stalled one still runs, so it is reported and keeps its ' +
    'slot (more than the cap would be importing otherwise), and the run waits for it until Ctrl-C. Detection time: ' +
    'from the status write showing the third restart to the `kubectl-mtv/stuck` annotation, and from the last ' +
    'change of `status.progress` to the `alert` (stalled) event.',
  4:
    'A 60-disk plan at cap 4. Runner A runs; B on the same plan must be refused at once (exit 5) naming A and the ' +
    "Lease's age. A is killed (-9): a plain re-run C is refused while the Lease lives; D, started once it has expired, " +
    'takes it. D is killed: E with `--takeover` (same user@host) takes the live Lease at once. While E admits, F takes ' +
    'the Lease with `--takeover`: E must stop admitting and exit 5 (`lease-lost`); F completes the plan, the cap held ' +
    'across all of them.',
  6:
    'Every stdout and stderr of every process the whole chaos run started (migrate runs, killed or not, dry runs, a run ' +
    'with `--report`, `clean`, `top --once -o json`, `version`, an error with `--debug`, `kubectl mtv sandbox` itself), ' +
    'the `--report` SVG and this report are grepped for every sandbox bearer token and every value of the seeded ' +
    'Secrets (the Provider Secret, the VDDK Secret), raw and base64. The thumbprint is left out: it is public, the ' +
    "Provider's `status.fingerprint`, and Forklift's DataVolumes name it. TLS: every sandbox serves TLS and every run " +
    'verified it with the CA in the kubeconfig; the same kubeconfig with another CA must fail in one line, exit 3.',
  7:
    'A 10,000-disk plan (2,000 VMs x 5 disks, 2-6 GiB, 8 hosts, cap 100, sandbox at 200x) run to the end by one runner ' +
    "(`-o json`). Peak RSS and CPU are the runner process's own `process.resourceUsage()` at exit (loaded with " +
    '`node --import chaos/usage-probe.mjs`). Requests per disk: what the sandbox API server and inventory served, ' +
    'Lease requests aside; Lease writes are split into renewals and status publications (writes that changed the ' +
    '`kubectl-mtv.konveyor.io/status` annotation). The RSS goal is read as written: 250 MB = 250,000,000 bytes ' +
    '(238 MiB); the measured figure is also printed alone on a line, `runner peak RSS N MB`. At 200x disks finish ' +
    'faster than they are created, so the peak in flight stays below the cap; the admission rate is bounded by the ' +
    "sandbox (its API server is one Node.js thread on the runner's two cores), not by the runner.",
  9:
    'A cold plan on two ESXi hosts that saturate under the cap (300 and 200 MiB/s, importers 100 MiB/s; 120 disks of ' +
    "6-16 GiB on 60 VMs, cap 12, sandbox at 40x) run with adaptive admission, migrate's default. The first run is " +
    "killed with SIGKILL as soon as the Provider's throughput record (ConfigMap kubectl-mtv-throughput-vsphere-a) " +
    'holds a host it learned, each later one 0.5-3.5 s after its plan line, and run again with `--takeover` until one ' +
    'ends by itself. Checks: the record parses after every kill; every run after the first says it starts from the ' +
    'record and its first measurement shows a recorded host at its recorded limit, not climbing from 2; the record at ' +
    "the end holds both hosts within 15% of the sandbox's bandwidth (the record's figures are of the run's clock: the " +
    "sandbox's simulated rate times its speed); and the completion checks of item 1.",
  8:
    "A warm plan of the default sandbox scenario's eight single-disk web VMs (powered on, change tracking on; 40 GiB " +
    'each, sandbox at 100x serving MTV 2.11, where the final snapshot is removed before the VM is made, so the phases follow one another; `--policy disk --precopy-interval 3s`). `migrate -o ndjson --takeover` is killed with ' +
    "SIGKILL once in each of a warm VM's ten phases, in order: initial snapshot, initial copy, paused between " +
    "precopies, a precopy's snapshot removal and creation, its copy, the cutover's shutdown, the final snapshot, the " +
    "final copy, the final snapshot's removal, the VM's creation; then run again until a run ends by itself. Runs " +
    'before the cutover kill get `--cutover 2m`, the one killed at the cutover two intervals, later ones none (the ' +
    "recorded cutover stands). Each moment is drawn from the seed: in the store's callback for the write that begins " +
    'the phase (before the runner has its answer; 35%), else a delay after an event the run printed (the n-th ' +
    "`started` of round 1, a `paused`, a `cutover`, a disk's `finished`) or after the phase began, or for the brief " +
    "phases (a delta copy, the final copy, the VM's creation) the 1st-3rd write made in it; a phase already under way " +
    "when the run starts is timed from the run's first record write. A VM's phase is read from " +
    'the warm record, its DataVolumes and its VirtualMachine; a kill counts for its phase only if a VM was in it. ' +
    "Each kill line lists every VM's phase and, in parentheses, how many of the plan's snapshots vCenter held for it. " +
    "Checks: one snapshot per VM and round (the runs' `warm` events, every version of the record, the snapshot " +
    "names vCenter showed), never two of the plan's snapshots on a VM (vCenter's trees read every 10 ms and at each " +
    'kill), each DataVolume as last seen (they are deleted, Orphan, once their VM is made) holding exactly its ' +
    "VM's recorded rounds as checkpoints in order, `previous` the previous round's changeId, `finalCheckpoint` set, " +
    "Succeeded, its PVC its VM's; every VM ready; then `clean PLAN --yes`: no snapshot of the plan in vCenter (read " +
    'over SOAP) and no warm record.',
};

export function renderReport(
  parts: PartResult[],
  env: BenchEnvironment,
  run: { seed: number; short: boolean; seconds: number },
): string {
  const ok = parts.every(passed);
  const header = [
    '# Reliability',
    'Generated by `npm run chaos` (chaos/run.ts); do not edit by hand. `npm run chaos -- --short` runs the same parts ' +
      'scaled down (40 disks, 5 kills, 1,000 disks for scale, 4 warm VMs) and is what CI runs (test/chaos/chaos-short.test.ts). ' +
      'Every part runs the built plugin (`bin/kubectl-mtv`, so `npm run build` first) as its own process against the ' +
      'sandbox started in the harness (`startSandbox`, TLS, its stats and store read directly). Item 5 of issue 7 (bad ' +
      'input) is tested elsewhere.',
    [
      `- date: ${env.date}`,
      `- commit: ${env.commit}`,
      `- node: ${env.node}`,
      `- machine: ${env.machine}`,
      `- seed: ${run.seed} (\`npm run chaos -- --seed ${run.seed}\` draws the same moments, sizes and faults)`,
      `- mode: ${run.short ? 'short' : 'full'}`,
      `- total run time: ${run.seconds.toFixed(1)} s`,
      `- verdict: ${ok ? 'every check passed' : 'SOME CHECKS FAILED'}`,
    ].join('\n'),
  ];
  const sections = parts.map((part) =>
    [
      `## ${part.item}. ${part.title}: ${passed(part) ? 'PASS' : 'FAIL'} (${part.seconds.toFixed(1)} s)`,
      ABOUT[part.item] ?? '',
      ['| Figure | Value |', '| --- | --- |', ...part.figures.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)].join(
        '\n',
      ),
      ...(part.lines?.length ? [['```', ...part.lines, '```'].join('\n')] : []),
      part.checks.map((c) => `- ${c.pass ? 'pass' : '**FAIL**'}: ${c.name} (${c.detail})`).join('\n'),
    ].join('\n\n'),
  );
  return `${[...header, ...sections].join('\n\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
