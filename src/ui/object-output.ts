/**
 * kubectl's output conventions for commands that print objects: `-o table|wide|json|yaml|name`, `--no-headers`,
 * a `List` wrapper for several objects in JSON and YAML, and `kind.group/name` lines for `-o name`.
 */
import { stringify } from 'yaml';

/** The -o values of a command that prints objects (`ndjson` stays with the commands that stream events). */
export const OBJECT_OUTPUTS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type ObjectOutput = (typeof OBJECT_OUTPUTS)[number];

/** What `kubectl get -o json` prints for several objects, so `jq '.items[]'` works the same way. */
export function kubeList(items: readonly unknown[]): { apiVersion: 'v1'; kind: 'List'; items: unknown[] } & {
  metadata: { resourceVersion: string };
} {
  return { apiVersion: 'v1', kind: 'List', items: [...items], metadata: { resourceVersion: '' } };
}

/** Indented JSON with a final newline, as kubectl prints it. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** YAML as kubectl prints it: block style, no document marker, a final newline. */
export function formatYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indentSeq: false });
}

/** A table without its header line (`--no-headers`); an empty table stays empty. */
export function withoutHeader(table: string, noHeaders: boolean): string {
  if (!noHeaders) return table;
  const newline = table.indexOf('\n');
  return newline === -1 ? '' : table.slice(newline + 1);
}
