/**
 * Shell completion the cobra way: the shell (or kubectl, through `kubectl_complete-mtv`) runs
 * `kubectl-mtv __complete -- <words...> <word being completed>` and reads one candidate a line (`value<TAB>summary`),
 * then `:<directive>`. The answer comes from the commands' own definitions (oclif's manifest), so it cannot drift
 * from `--help`. Pure: the caller turns oclif's commands into CompletionCommand values.
 */

/** cobra's ShellCompDirective bits, which kubectl's plugin completion passes on to the shell. */
export const Directive = {
  /** Complete file names when no candidate fits. */
  default: 0,
  error: 1,
  noSpace: 2,
  noFileComp: 4,
} as const;

export interface CompletionFlag {
  name: string;
  char?: string;
  /** An option flag (`--policy disk`); false for a boolean one. */
  takesValue: boolean;
  /** The values it takes, when they are a fixed set. */
  choices?: readonly string[];
  /** Its value is a path: the shell completes file names. */
  path?: boolean;
  multiple?: boolean;
  /** A boolean that also has a `--no-` form. */
  allowNo?: boolean;
  summary?: string;
}

export interface CompletionCommand {
  /** The words after `kubectl mtv`, space-separated. */
  id: string;
  summary?: string;
  flags: readonly CompletionFlag[];
  /** Positional arguments in order; `choices` when fixed. An argument named `plan` is completed from the cluster. */
  args: readonly { name?: string; choices?: readonly string[] }[];
}

export interface Completion {
  candidates: string[];
  directive: number;
  /** The word is a plan's name: the caller may ask the cluster (planNames), with the connection flags typed so far. */
  plans?: PlanQuery;
}

/** What `planNames` asks: the plans of one namespace (or all), under this kubeconfig and context. */
export interface PlanQuery {
  typed: string;
  namespace?: string;
  allNamespaces: boolean;
  kubeconfig?: string;
  context?: string;
}

const GLOBAL_FLAGS = ['--help', '--version'];

/** `words`: what follows the program name, the last being the word under the cursor ('' for a new one). */
export function complete(commands: readonly CompletionCommand[], words: readonly string[]): Completion {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const commandAt = before.findIndex((word) => !word.startsWith('-'));
  if (commandAt === -1) {
    if (current.startsWith('-')) return nothingBut(GLOBAL_FLAGS.filter((flag) => flag.startsWith(current)));
    return nothingBut(commands.filter((c) => c.id.startsWith(current)).map((c) => withSummary(c.id, c.summary)));
  }
  const command = commands.find((candidate) => candidate.id === before[commandAt]);
  if (!command) return nothingBut([]);
  const state = scan(command, before.slice(commandAt + 1));
  if (state.pending) return values(state.pending, current, '');
  if (state.afterDashes) return positional(command, state, current);
  const inline = /^--([^=]+)=(.*)$/s.exec(current);
  if (inline) {
    const flag = command.flags.find((candidate) => candidate.name === inline[1]);
    return flag?.takesValue ? values(flag, inline[2], `--${flag.name}=`) : nothingBut([]);
  }
  if (current.startsWith('-')) return nothingBut(flagNames(command, state.used, current));
  return positional(command, state, current);
}

/** Which flags are given, whether the last word awaits a value, how many positional arguments there are. */
function scan(command: CompletionCommand, words: readonly string[]) {
  const used = new Set<string>();
  /** The last value given to each option flag, by flag name. */
  const given = new Map<string, string>();
  let pending: CompletionFlag | undefined;
  let positionals = 0;
  let afterDashes = false;
  for (const word of words) {
    if (pending) {
      given.set(pending.name, word);
      pending = undefined;
    } else if (afterDashes || word === '-' || !word.startsWith('-')) {
      positionals += 1;
    } else if (word === '--') {
      afterDashes = true;
    } else {
      const name = word.startsWith('--') ? word.slice(2).split('=')[0] : undefined;
      const flag = command.flags.find((candidate) =>
        name === undefined
          ? candidate.char === word[1]
          : candidate.name === name || (candidate.allowNo === true && `no-${candidate.name}` === name),
      );
      if (flag) used.add(flag.name);
      const inline = name === undefined ? word.slice(2) : /^--[^=]+=(.*)$/s.exec(word)?.[1];
      if (flag?.takesValue && inline) given.set(flag.name, inline);
      // `--flag value` and `-o value` take the next word; `--flag=value` and `-ovalue` do not
      if (flag?.takesValue && (word === `--${flag.name}` || word === `-${flag.char}`)) pending = flag;
    }
  }
  return { used, given, pending, positionals, afterDashes };
}

function values(flag: CompletionFlag, typed: string, prefix: string): Completion {
  if (flag.choices) {
    return nothingBut(flag.choices.filter((choice) => choice.startsWith(typed)).map((choice) => `${prefix}${choice}`));
  }
  return { candidates: [], directive: flag.path ? Directive.default : Directive.noFileComp };
}

function positional(command: CompletionCommand, state: ReturnType<typeof scan>, typed: string): Completion {
  const arg = command.args[state.positionals];
  if (arg?.name === 'plan' && !arg.choices) {
    const plans: PlanQuery = {
      typed,
      allNamespaces: state.used.has('all-namespaces'),
      ...optional('namespace', state.given.get('namespace')),
      ...optional('kubeconfig', state.given.get('kubeconfig')),
      ...optional('context', state.given.get('context')),
    };
    return { candidates: [], directive: Directive.noFileComp, plans };
  }
  return nothingBut((arg?.choices ?? []).filter((choice) => choice.startsWith(typed)));
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/**
 * The names of the plans a PlanQuery names, from the cluster, within `timeoutMs`; none when the cluster cannot say
 * (no kubeconfig, unreachable, forbidden): completion never fails loudly. The kube client loads only here.
 */
export async function planNames(query: PlanQuery, timeoutMs = 2000, env = process.env): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  const ask = async () => {
    const { connectKube } = await import('../cluster/kube-client.js');
    const { listPlanNames } = await import('../cluster/plan-names.js');
    const { kubeconfig, context, namespace } = query;
    // completion must answer within timeoutMs: one attempt, no retries
    const kube = await connectKube({
      kubeconfig,
      context,
      namespace,
      requestTimeoutMs: timeoutMs,
      env,
      retry: { attempts: 1 },
    });
    const names = await listPlanNames(kube, query.allNamespaces ? undefined : kube.namespace);
    return [...new Set(names)].filter((name) => name.startsWith(query.typed)).sort();
  };
  try {
    return await Promise.race([ask().catch(() => []), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function flagNames(command: CompletionCommand, used: ReadonlySet<string>, typed: string): string[] {
  const names = command.flags
    .filter((flag) => flag.multiple === true || !used.has(flag.name))
    .flatMap((flag) => {
      const forms = [withSummary(`--${flag.name}`, flag.summary)];
      if (flag.allowNo) forms.push(`--no-${flag.name}`);
      return forms;
    });
  return [...names, '--help'].filter((name) => name.startsWith(typed));
}

function nothingBut(candidates: string[]): Completion {
  return { candidates, directive: Directive.noFileComp };
}

/** `value<TAB>summary`, the summary cut to its first sentence and to one line. */
function withSummary(value: string, summary: string | undefined): string {
  if (!summary) return value;
  const first = summary
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[a-z)]\.) (?=[A-Z])/)[0]
    .replace(/\.$/, '');
  return `${value}\t${first}`;
}

/** cobra's answer: candidates one a line, then `:<directive>`. */
export function formatCompletion(completion: Completion): string {
  return [...completion.candidates, `:${completion.directive}`].join('\n').concat('\n');
}
