/**
 * The completion scripts of `kubectl mtv completion SHELL`. Each asks `kubectl-mtv __complete -- <words>` (cobra's
 * protocol: candidates one a line as `value<TAB>summary`, then `:<directive>`), so the answers live in one place and
 * the scripts only turn them into the shell's form. Directive bits: 2 no space after the word, 4 no file names.
 */

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const BASH = String.raw`# bash completion for kubectl-mtv.
# Load it now:       source <(kubectl mtv completion bash)
# Or for good:       kubectl mtv completion bash > ~/.local/share/bash-completion/completions/kubectl-mtv
# kubectl mtv <TAB> is completed by kubectl itself (1.26+) through kubectl_complete-mtv on the PATH.

_kubectl_mtv() {
    local cur="@{COMP_WORDS[COMP_CWORD]}" prefix="" word
    local -a args
    # bash splits --flag=value at '=' (COMP_WORDBREAKS): ask about the whole word, then keep what follows '='
    if [[ $cur == "=" && $COMP_CWORD -ge 2 ]]; then
        prefix="@{COMP_WORDS[COMP_CWORD-1]}="
        args=("@{COMP_WORDS[@]:1:COMP_CWORD-2}")
        word="$prefix"
    elif [[ $COMP_CWORD -ge 3 && @{COMP_WORDS[COMP_CWORD-1]} == "=" ]]; then
        prefix="@{COMP_WORDS[COMP_CWORD-2]}="
        args=("@{COMP_WORDS[@]:1:COMP_CWORD-3}")
        word="$prefix$cur"
    else
        args=("@{COMP_WORDS[@]:1:COMP_CWORD-1}")
        word="$cur"
    fi
    local out
    out=$(kubectl-mtv __complete -- "@{args[@]}" "$word" 2>/dev/null) || return 0
    local directive="@{out##*$'\n'}" candidates=""
    [[ $out == *$'\n'* ]] && candidates="@{out%$'\n'*}"
    directive="@{directive#:}"
    [[ $directive =~ ^[0-9]+$ ]] || return 0
    COMPREPLY=()
    local line
    while IFS= read -r line; do
        [[ -z $line ]] && continue
        line="@{line%%$'\t'*}"
        COMPREPLY+=("@{line#"$prefix"}")
    done <<<"$candidates"
    if (( directive & 2 )); then compopt -o nospace 2>/dev/null; fi
    if (( directive & 4 )) && (( @{#COMPREPLY[@]} == 0 )); then compopt +o default 2>/dev/null; fi
    return 0
}

complete -o default -F _kubectl_mtv kubectl-mtv
`;

const ZSH = String.raw`#compdef kubectl-mtv
# zsh completion for kubectl-mtv.
# Load it now:       source <(kubectl mtv completion zsh)
# Or for good:       kubectl mtv completion zsh > "@{fpath[1]}/_kubectl-mtv"
# kubectl mtv <TAB> is completed by kubectl itself (1.26+) through kubectl_complete-mtv on the PATH.

_kubectl_mtv() {
    local out directive line value description
    local -a lines candidates
    out=$(kubectl-mtv __complete -- "@{(@)words[2,CURRENT-1]}" "@{words[CURRENT]}" 2>/dev/null) || return 1
    lines=("@{(@f)out}")
    directive="@{lines[-1]#:}"
    for line in "@{(@)lines[1,-2]}"; do
        [[ -z $line ]] && continue
        value="@{line%%$'\t'*}"
        description=""
        [[ $line == *$'\t'* ]] && description="@{line#*$'\t'}"
        # _describe reads value:description; a ':' inside the value is escaped
        candidates+=("@{value//:/\\:}@{description:+:$description}")
    done
    if (( @{#candidates} > 0 )); then
        if (( directive & 2 )); then
            _describe -t values 'kubectl-mtv' candidates -S ''
        else
            _describe -t values 'kubectl-mtv' candidates
        fi
        return 0
    fi
    (( directive & 4 )) && return 1
    _files
}

if [[ @{zsh_eval_context[-1]} == loadautofunc ]]; then
    _kubectl_mtv "$@"
else
    compdef _kubectl_mtv kubectl-mtv
fi
`;

const FISH = String.raw`# fish completion for kubectl-mtv.
# Load it now:       kubectl mtv completion fish | source
# Or for good:       kubectl mtv completion fish > ~/.config/fish/completions/kubectl-mtv.fish
# kubectl mtv <TAB> is completed by kubectl itself (1.26+) through kubectl_complete-mtv on the PATH.

function __kubectl_mtv_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l current (commandline -ct)
    set -l out (kubectl-mtv __complete -- $args $current 2>/dev/null)
    or return
    set -l n (count $out)
    test $n -gt 0; or return
    set -l directive (string replace -r '^:' '' -- $out[$n])
    if test $n -gt 1
        printf '%s\n' $out[1..(math $n - 1)]
    else if test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path $current
    end
end

complete -c kubectl-mtv -f -a '(__kubectl_mtv_complete)'
`;

/**
 * The script for one shell, ending with a newline. The sources above write the shells' `${` as `@{`, which no script
 * uses otherwise, so they can sit in String.raw templates unescaped.
 */
export function completionScript(shell: CompletionShell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell].replaceAll('@{', '${');
}
