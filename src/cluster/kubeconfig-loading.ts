/** Kubeconfig files as kubectl reads them: --kubeconfig, else every file of KUBECONFIG merged first-wins, else ~/.kube/config. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { firstLine } from './http-request.js';

/** kubectl's loading rules; client-node's loadFromDefault differs (last current-context wins, duplicates throw). */
export async function loadKubeconfig(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  let paths: string[];
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new UserError(`kubeconfig "${explicit}" does not exist`, { hint: 'pass the path of a kubeconfig file' });
    }
    paths = [explicit];
  } else if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter((path) => path !== '');
    // kubectl skips KUBECONFIG entries that do not exist
    paths = listed.filter((path) => existsSync(path));
    if (paths.length === 0) {
      throw new UserError(`no file of KUBECONFIG exists (${listed.join(delimiter)})`, { hint: '--kubeconfig FILE' });
    }
  } else {
    const fallback = join(env.HOME || homedir(), '.kube', 'config');
    if (!existsSync(fallback)) {
      throw new UserError(`no kubeconfig: KUBECONFIG is unset and ${fallback} does not exist`, {
        hint: '--kubeconfig FILE',
      });
    }
    paths = [fallback];
  }
  const merged = { clusters: [] as unknown[], users: [] as unknown[], contexts: [] as unknown[], currentContext: '' };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const path of paths) {
    const part = new KubeConfig();
    try {
      part.loadFromFile(path);
    } catch (error) {
      throw new UserError(`kubeconfig "${path}" cannot be read: ${firstLine(error)}`, {
        hint: `fix the file; kubectl config view --kubeconfig ${path} shows what kubectl makes of it`,
      });
    }
    // the first file to define a name, or to set current-context, wins (kubectl's merge)
    merged.currentContext ||= part.getCurrentContext() ?? '';
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      const entries = key === 'clusters' ? part.getClusters() : key === 'users' ? part.getUsers() : part.getContexts();
      for (const entry of entries) {
        if (seen[key].has(entry.name)) continue;
        seen[key].add(entry.name);
        merged[key].push(entry);
      }
    }
  }
  const kc = new KubeConfig();
  kc.loadFromOptions(merged);
  return kc;
}
