/**
 * The warm section's words: the scenario, why each policy does what it does, and where the sandbox runs part from
 * `simulate`, every number taken from the scenario, the results or the constants the code runs with.
 */
import {
  DEFAULT_PRECOPY_INTERVAL_SECONDS,
  type Scenario,
  snapshotTaskSeconds,
  WARM_VCENTER_SECONDS,
  type WarmSimulateReport,
} from '@kubectl-mtv/engine';
import { POWER_POLL_MS } from '../src/runner/source-power.js';
import { formatBytes } from '../src/ui/simulate-table.js';
import type { PolicyFigures, WarmFigures } from './warm-figures.js';

export interface WarmSetup {
  scenario: Scenario;
  /** Simulated seconds per real second in the sandbox. */
  speed: number;
  /** Simulated seconds. */
  interval: number;
  cutover: number;
  /** The command lines, in the order they ran. */
  commands: string[];
}

const s = (x: number) => `${Math.round(x)} s`;
const rate = (bytesPerSecond: number) => `${formatBytes(bytesPerSecond)}/s`;

/** The scenario in a sentence: hosts, cap, VMs by size in plan order, change rates. */
function scenarioLine(scenario: Scenario, setup: WarmSetup): string {
  const hosts = scenario.hosts
    .map((h) => `\`${h.name}\` (${h.bandwidth === undefined ? 'uncapped' : rate(h.bandwidth)})`)
    .join(', ');
  // runs of VMs with the same disks, in plan order
  const groups: { size: string; names: string[] }[] = [];
  for (const vm of scenario.vms) {
    const size = vm.disks.map((d) => formatBytes(d.size)).join(' + ');
    const last = groups.at(-1);
    if (last?.size === size) last.names.push(vm.name);
    else groups.push({ size, names: [vm.name] });
  }
  const vms = groups
    .map((g) =>
      g.names.length === 1
        ? `\`${g.names[0]}\` (${g.size})`
        : `${g.names.length} VMs \`${g.names[0]}\` .. \`${g.names.at(-1)}\` (${g.size} each)`,
    )
    .join(', then ');
  const rates = [...new Set(scenario.vms.map((vm) => vm.changeRate ?? 1))];
  // as much per interval as a guest changing this much per hour at Forklift's default interval
  const likeDefault = rates.length === 1 ? (rates[0] * setup.interval) / DEFAULT_PRECOPY_INTERVAL_SECONDS : undefined;
  return (
    `Scenario \`bench/warm-cutover.yaml\`: ${scenario.vms.length} running VMs on ${hosts}, cap ${scenario.maxInFlight}, ` +
    `one importer at most ${rate(scenario.diskRate)}: ${vms}, in plan order; every guest changes ` +
    `${rates.map((r) => `${r} %/h`).join(' or ')} of its disk. A precopy every ${s(setup.interval)}, the cutover at ` +
    `${s(setup.cutover)} (simulated).` +
    (likeDefault === undefined
      ? ''
      : ` The run is compressed in time: between two precopies a guest changes as much as one changing ` +
        `${likeDefault.toFixed(0)} %/h would at Forklift's default interval (${DEFAULT_PRECOPY_INTERVAL_SECONDS / 60} minutes).`)
  );
}

const figureOf = (figures: PolicyFigures[], policy: string) => figures.find((p) => p.policy === policy)?.simulated;

/** Why the policies differ, from simulate's results. */
function why(report: WarmSimulateReport, figures: PolicyFigures[], scenario: Scenario): string {
  const result = (p: string) => report.results.find((r) => r.policy === p);
  const disk = result('disk');
  const forklift = result('forklift');
  if (!disk || !forklift) return '';
  const big = scenario.vms.reduce((a, b) =>
    b.disks.reduce((n, d) => n + d.size, 0) > a.disks.reduce((n, d) => n + d.size, 0) ? b : a,
  );
  const first = (r: typeof disk) => r.vms.find((vm) => vm.name === big.name)?.roundTimes.find((t) => t.round === 1);
  const [fBig, dBig] = [first(forklift), first(disk)];
  const host = scenario.hosts.find((h) => h.name === big.host);
  const othersReady = Math.max(...forklift.vms.filter((vm) => vm.name !== big.name).map((vm) => vm.round1EndSeconds));
  const lastCutover = Math.max(...disk.vms.map((vm) => vm.cutoverSeconds));
  const [d, f] = [figureOf(figures, 'disk'), figureOf(figures, 'forklift')];
  if (!d || !f) return '';
  const meanToSnapshot = (d.phases.shutdown + d.phases.snapshots) / d.vms;
  const makespan =
    d.makespan > f.makespan
      ? `**Where disk loses.** Its makespan is longer (${s(d.makespan)} against ${s(f.makespan)}): its final rounds go ` +
        `${disk.appliedCaps.run} at a time, and each holds its slot while the source shuts down and the snapshots are ` +
        `taken (${meanToSnapshot.toFixed(0)} s per VM), the bandwidth unused meanwhile unless another VM copies.`
      : `disk also finishes first (${s(d.makespan)} against ${s(f.makespan)}).`;
  const bytes = (r: typeof disk, final: boolean) =>
    r.copies.filter((c) => c.round > 1 && c.final === final).reduce((n, c) => n + c.bytes, 0);
  const precopiesOfBig = (r: typeof disk) => r.vms.find((vm) => vm.name === big.name)?.precopies ?? 0;
  const copied =
    `disk copies ${formatBytes(disk.bytes)} against ${formatBytes(forklift.bytes)}: precopies ` +
    `${formatBytes(bytes(disk, false))} against ${formatBytes(bytes(forklift, false))} (\`${big.name}\`, ` +
    `cutover-ready sooner, has ${precopiesOfBig(disk)} ${precopiesOfBig(disk) === 1 ? 'precopy' : 'precopies'} ` +
    `before the cutover against ${precopiesOfBig(forklift)}), final copies ${formatBytes(bytes(disk, true))} against ` +
    `${formatBytes(bytes(forklift, true))}.`;
  const longest =
    d.downtimeMax < f.downtimeMax
      ? `The longest downtime is ${s(d.downtimeMax)} against ${s(f.downtimeMax)}.`
      : `The longest downtime is not shorter under disk: ${s(d.downtimeMax)} against ${s(f.downtimeMax)}.`;
  return [
    `**Why disk is cutover-ready sooner.** forklift starts VMs in plan order while their host's cost allows (a VM ` +
      `costs its disks until it pauses between precopies): \`${big.name}\`, last in plan order, gets a slot only at ` +
      `${s(fBig?.startSeconds ?? Number.NaN)}, after the ${scenario.vms.indexOf(big)} VMs before it. These have all ` +
      `copied once by ${s(othersReady)}; from there to ${s(fBig?.endSeconds ?? Number.NaN)} \`${big.name}\`'s first ` +
      `copy runs beside precopies only, at most at one importer's ${rate(big.disks[0]?.rate ?? scenario.diskRate)} of ` +
      `its host's ${host?.bandwidth === undefined ? 'uncapped bandwidth' : rate(host.bandwidth)}. disk starts the ` +
      `largest disk first: \`${big.name}\` copies from ${s(dBig?.startSeconds ?? Number.NaN)} to ` +
      `${s(dBig?.endSeconds ?? Number.NaN)} beside the smaller VMs, and the host stays full.`,
    `**Why its total downtime is shorter.** At the cutover forklift cuts every VM over at once (MTV-1543: later rounds ` +
      `run whatever the cap): ${forklift.vms.length} shutdowns, then ${forklift.vms.length} final deltas sharing one ` +
      `host (${forklift.peakInFlight} copies in flight at the peak, cap ${forklift.appliedCaps.perHost} per host), so ` +
      'each VM stays down until nearly every delta is copied. disk cuts over as many VMs as it has slots, final ' +
      'rounds before anything else, and the others keep running until a slot frees (its last cutover began at ' +
      `${s(lastCutover)}): each VM is down for its own shutdown, snapshots and delta. ${longest}`,
    `${makespan} ${copied}`,
  ].join('\n\n');
}

/** Where the sandbox runs part from simulate, from the phase figures and the constants both run with. */
function discrepancy(figures: PolicyFigures[], setup: WarmSetup): string {
  const ran = figures.filter((p): p is PolicyFigures & { real: WarmFigures } => p.real !== undefined);
  if (ran.length === 0) return 'No sandbox run finished, so nothing is compared.';
  const perVm = (f: WarmFigures, x: (f: WarmFigures) => number) => x(f) / f.vms;
  const delta = (x: (f: WarmFigures) => number) =>
    ran.map((p) => `${signed(perVm(p.real, x) - perVm(p.simulated, x))} s (${p.policy})`).join(', ');
  const pollSeconds = POWER_POLL_MS / 1000;
  const shutdown = WARM_VCENTER_SECONDS.guestShutdown;
  const seenAt = Math.ceil(shutdown / setup.speed / pollSeconds) * pollSeconds * setup.speed;
  const disks = Math.max(...setup.scenario.vms.map((vm) => vm.disks.length));
  const create = snapshotTaskSeconds(disks, false);
  const removal = snapshotTaskSeconds(disks, true) - create;
  const oneDisk = disks === 1 ? 'one disk' : `${disks} disks`;
  return (
    '**Where the sandbox runs part from simulate.** Per VM, the sandbox runs are down longer than simulated, by ' +
    `${delta((f) => f.phases.shutdown + f.phases.snapshots + f.phases.copy + f.phases.finish)}; the phase table ` +
    `says where. The shutdown: ${delta((f) => f.phases.shutdown)}. The runner reads the source's power state every ` +
    `${pollSeconds} s of wall time (src/runner/source-power.ts) while the sandbox's vCenter runs ${setup.speed} times ` +
    `faster: its ${shutdown} s ShutdownGuest is seen at the first read after it, ${seenAt} simulated seconds in. ` +
    `The snapshots: ${delta((f) => f.phases.snapshots)}. The runner waits for each vCenter task (the previous ` +
    `snapshot removed, ${removal} s at ${oneDisk}; the final one created, ${create} s) by reading it on a wall-clock ` +
    'poll too (src/runner/warm-loop.ts), so each ends at a read, not when vCenter finished it. After the last copy: ' +
    `${delta((f) => f.phases.finish)}: the sandbox serves MTV 2.12, on which the runner makes the VM as soon as its ` +
    `last disk is copied and waits for the final snapshot's removal (${removal} s) after, as simulate counts it ` +
    '(on 2.8-2.11 it waits first, and that removal is downtime). The final copy itself: ' +
    `${delta((f) => f.phases.copy)}. The same polls end every precopy's snapshots later, so each VM's rounds come ` +
    'later and fewer precopies fit before the cutover; and as disk cuts VMs over a few at a time, their added ' +
    'seconds add up in its makespan. Both policies pay these costs per VM, so the comparison between them holds, ' +
    'but at this speed the absolute downtimes of a run are longer than simulate says.'
  );
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

export function warmText(args: {
  figures: PolicyFigures[];
  setup: WarmSetup;
  tables: { main: string; phases: string };
  report: WarmSimulateReport;
}): { body: string; howToRead: string } {
  const { figures, setup, tables, report } = args;
  const body = [
    scenarioLine(setup.scenario, setup),
    tables.main,
    "Where each VM's downtime goes:",
    tables.phases,
    why(report, figures, setup.scenario),
    discrepancy(figures, setup),
    'The commands, from the repository (KUBECONFIG: the path the sandbox prints):',
    `\`\`\`sh\n${setup.commands.join('\n')}\n\`\`\``,
  ].join('\n\n');
  const interval = setup.interval / setup.speed;
  const cutover = setup.cutover / setup.speed;
  const howToRead =
    'Measured by `npm run bench` (bench/warm.ts; alone: `npm run bench -- --only warm`) with the built plugin ' +
    '(`npm run build` first). All times are simulated seconds from the start. simulate: its `-o json`. sandbox: ' +
    `one \`migrate -o ndjson\` per policy against its own \`kubectl mtv sandbox --speed ${setup.speed}\`, both at once. ` +
    "The sandbox's CDI and vCenter run on its simulated clock, but migrate's precopy interval and cutover are " +
    `wall-clock, so the runs are given ${interval} s and ${cutover} s for simulate's ${setup.interval} s and ` +
    `${setup.cutover} s. A run's times are its events' times times ${setup.speed}, counted from the instant migrate ` +
    `read \`--cutover ${cutover}s\` (its settings event's cutover minus ${cutover} s), so that both cutovers fall at ` +
    `${setup.cutover} s; start-up is from there to its plan event. Cutover ready: the last VM's round 1 copied ` +
    '(simulate: `cutoverReadySeconds`; sandbox: the last `warm` `paused` event of round 1). A VM is down from the ' +
    'start of its cutover (its shutdown asked) to its VirtualMachine made (simulate: `downtimeSeconds`; sandbox: ' +
    'the `warm` `downtime` events). Precopies: delta rounds before the final one. In parentheses: the sandbox ' +
    "figure against simulate's.";
  return { body, howToRead };
}
