/** The Forklift Plans' names of a namespace (or of every namespace), for shell completion. */
import type { KubeClient } from './kube-client.js';
import { inNamespace, RESOURCES } from './resource-types.js';

export async function listPlanNames(client: KubeClient, namespace: string | undefined): Promise<string[]> {
  const plans = await client.list<{ metadata: { name: string } }>(inNamespace(RESOURCES.plans, namespace));
  return plans.map((plan) => plan.metadata.name);
}
