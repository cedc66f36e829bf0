/**
 * A VM's guest conversion before its VM is made (MTV 2.12+, conversion.ts): one InPlace Conversion per VM in the plan's
 * namespace on the host cluster, run by Forklift's conversion controller (a virt-v2v pod converting the copied PVCs in
 * place). Created once: a re-run finds it by name and follows it, so a kill -9 never converts a guest twice. Kept
 * until its VM exists (a conversion re-run on a converted disk is not what the plan asked), then deleted.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { buildConversion, conversionName, PlanConversions, readConversion } from '../cluster/conversion.js';
import type { KubeClient } from '../cluster/kube-client.js';
import type { ResolvedPlan, ResolvedVm } from '../cluster/resolved-plan.js';
import type { VmDiskClaim } from '../cluster/vm-builder.js';
import type { RunEvent } from './run-events.js';
import type { ConvertGuest } from './vm-finisher.js';

/** How often a Conversion in progress is read (a virt-v2v run takes minutes). */
const POLL_MS = 2000;

export function guestConversion(
  host: KubeClient,
  resolved: ResolvedPlan,
  emit: (event: RunEvent) => void,
  options: { now: () => number; pollMs?: number },
): ConvertGuest | undefined {
  const conversion = resolved.conversion;
  if (!conversion) return undefined;
  const conversions = new PlanConversions(host, conversion.namespace);
  const nameOf = (vm: ResolvedVm) => conversionName(resolved.plan, vm.id);
  return {
    async convert(vm: ResolvedVm, claims: readonly VmDiskClaim[], signal: AbortSignal): Promise<string | undefined> {
      const name = nameOf(vm);
      let object = (await conversions.get(name)) ?? (await conversions.create(buildConversion(resolved, vm, claims)));
      emit({
        type: 'vm-converting',
        time: new Date(options.now()).toISOString(),
        vm: vm.name,
        conversion: `${conversion.namespace}/${name}`,
      });
      for (;;) {
        const state = readConversion(object);
        if (state.phase === 'succeeded') return undefined;
        if (state.phase === 'failed') {
          const pod = (object as { status?: { pod?: { name?: string } } } | undefined)?.status?.pod?.name;
          const logs = pod ? `; kubectl logs ${pod} -n ${conversion.namespace}` : '';
          return `its guest conversion failed (Conversion ${conversion.namespace}/${name}): ${state.message ?? 'no message'}${logs}`;
        }
        await delay(options.pollMs ?? POLL_MS, undefined, { signal });
        object = await conversions.get(name);
        if (object === undefined) return `its Conversion ${conversion.namespace}/${name} was deleted before it ended`;
      }
    },
    done: (vm: ResolvedVm) => conversions.delete(nameOf(vm)),
  };
}
