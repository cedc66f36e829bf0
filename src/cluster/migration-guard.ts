/**
 * The MTV controller running a plan: a Migration for the plan that has not completed. The plan resolver refuses such
 * a plan; a run watches the plan namespace's Migrations and stops admitting when one appears.
 */

export interface MigrationObject {
  metadata: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { plan?: { name?: string; namespace?: string; uid?: string } };
  status?: { completed?: string; conditions?: { type?: string; status?: string }[] };
}

const ENDED = new Set(['Succeeded', 'Failed', 'Canceled']);

/**
 * Whether `migration` runs `plan` (by name, its namespace defaulting to the Migration's; a uid, when set, must agree)
 * and has not ended (the controller stamps status.completed and a Succeeded, Failed or Canceled condition).
 */
export function takesOver(migration: MigrationObject, plan: { name: string; namespace: string; uid: string }): boolean {
  const ref = migration.spec?.plan;
  if (ref?.name !== plan.name) return false;
  if ((ref.namespace || migration.metadata.namespace) !== plan.namespace) return false;
  if (ref.uid && ref.uid !== plan.uid) return false;
  const status = migration.status;
  if (status?.completed) return false;
  return !(status?.conditions ?? []).some((c) => c.status === 'True' && ENDED.has(c.type ?? ''));
}
