"""``ccmon completion bash|zsh|fish``: completion scripts generated from the parser.

The parser is walked once into a tree of commands and options; each shell gets its own
rendering. Profile names complete from ``ccmon config profiles``, files where a file is
wanted, and choices (``--priority HIGH``) from the parser.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

FILE_OPTIONS = frozenset({"config", "api_key_file"})
PROFILES = "ccmon config profiles 2>/dev/null"


@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    kind: str = ""  # "file", "profile" or ""
    repeat: bool = False


@dataclass
class Command:
    name: str
    help: str = ""
    options: list[Option] = field(default_factory=list)
    commands: dict[str, Command] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)  # choices of a positional argument


def walk(parser: argparse.ArgumentParser, name: str = "ccmon", summary: str = "") -> Command:
    node = Command(name, summary)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for sub_name, sub in action.choices.items():
                node.commands[sub_name] = walk(sub, sub_name, helps.get(sub_name, ""))
        elif action.option_strings:
            if isinstance(action, argparse._HelpAction | argparse._VersionAction):
                flags = list(action.option_strings)
                node.options.append(Option(flags, action.help or "", False))
                continue
            kind = (
                "file"
                if action.dest in FILE_OPTIONS
                else "profile"
                if action.dest == "profile"
                else ""
            )
            node.options.append(
                Option(
                    list(action.option_strings),
                    (action.help or "").replace("%%", "%"),
                    action.nargs != 0,
                    [str(c) for c in action.choices or ()],
                    kind,
                    isinstance(action, argparse._AppendAction),
                )
            )
        elif action.choices:
            node.words += [str(c) for c in action.choices]
    return node


def _all(node: Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Command]]:
    found = [(path, node)]
    for name, sub in node.commands.items():
        found += _all(sub, (*path, name))
    return found


# --- bash -------------------------------------------------------------------------------


def bash(root: Command) -> str:
    valued: dict[str, Option] = {}
    cases: list[str] = []
    commands: list[str] = []
    for path, node in _all(root):
        for opt in node.options:
            if opt.takes_value:
                for flag in opt.flags:
                    valued.setdefault(flag, opt)
        words = [*node.commands, *node.words, *(f for o in node.options for f in o.flags)]
        key = "/" + "/".join(path) if path else ""
        cases.append(f'        "{key}") words="{" ".join(words)}" ;;')
        if path:
            commands.append(key)
    value_cases: list[str] = []
    for flag, opt in sorted(valued.items()):
        if opt.kind == "file":
            reply = 'COMPREPLY=($(compgen -f -- "$cur"))'
        elif opt.kind == "profile":
            reply = f'COMPREPLY=($(compgen -W "$({PROFILES})" -- "$cur"))'
        elif opt.choices:
            reply = f'COMPREPLY=($(compgen -W "{" ".join(opt.choices)}" -- "$cur"))'
        else:
            reply = "COMPREPLY=()"
        value_cases.append(f"        {flag}) {reply}; return ;;")
    return f"""\
# bash completion for ccmon; install: ccmon completion bash > \\
#   ~/.local/share/bash-completion/completions/ccmon
_ccmon() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local path="" i w words
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        case "$path/$w" in
            {"|".join(commands)}) path="$path/$w" ;;
        esac
    done
    case "$prev" in
{chr(10).join(value_cases)}
    esac
    case "$path" in
{chr(10).join(cases)}
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _ccmon ccmon
"""


# --- zsh --------------------------------------------------------------------------------


def _sq(text: str) -> str:
    return text.replace("'", "'\\''")


def _zq(text: str) -> str:
    """Text for a zsh _arguments spec inside single quotes."""
    return _sq(text).replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def _zsh_specs(opt: Option) -> list[str]:
    """One fully quoted ``_arguments`` spec per flag (a leading ``*``: repeatable)."""
    action = ""
    if opt.takes_value:
        if opt.kind == "file":
            action = ":file:_files"
        elif opt.kind == "profile":
            action = ":profile:_ccmon_profiles"
        elif opt.choices:
            action = f":value:({' '.join(opt.choices)})"
        else:
            action = ":value: "
    prefix = "*" if opt.repeat else ""
    return [f"'{prefix}{flag}[{_zq(opt.help)}]{action}'" for flag in opt.flags]


def _zsh_function(path: tuple[str, ...], node: Command) -> str:
    fn = "_" + "_".join(("ccmon", *path))
    specs = [spec for opt in node.options for spec in _zsh_specs(opt)]
    body = ""
    if node.commands:
        specs += ["'1: :->cmds'", "'*:: :->args'"]
        described = " ".join(
            "'" + _sq(name.replace(":", "\\:")) + ":" + _sq(sub.help) + "'"
            for name, sub in node.commands.items()
        )
        calls = "\n".join(f"                {name}) {fn}_{name} ;;" for name in node.commands)
        body = f"""
    case $state in
        cmds)
            local -a cmds
            cmds=({described})
            _describe -t commands command cmds ;;
        args)
            case $line[1] in
{calls}
            esac ;;
    esac"""
    elif node.words:
        specs.append(f"'1:{node.name}:({' '.join(node.words)})'")
    args = " \\\n        ".join(specs)
    return f"""{fn}() {{
    local curcontext="$curcontext" state line
    typeset -A opt_args
    _arguments -C \\
        {args}{body}
}}
"""


def zsh(root: Command) -> str:
    functions = "\n".join(_zsh_function(path, node) for path, node in _all(root))
    return f"""#compdef ccmon
# zsh completion for ccmon; install: ccmon completion zsh > ~/.zfunc/_ccmon
# (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)

_ccmon_profiles() {{
    local -a profiles
    profiles=(${{(f)"$({PROFILES})"}})
    _describe -t profiles profile profiles
}}

{functions}
_ccmon "$@"
"""


# --- fish -------------------------------------------------------------------------------


def _fq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_condition(path: tuple[str, ...], siblings: list[str]) -> str:
    """True when the words typed so far are ``path`` (and no command below it)."""
    parts = [f"__fish_seen_subcommand_from {name}" for name in path]
    if not path:
        return "__fish_use_subcommand"
    if siblings:
        parts.append(f"not __fish_seen_subcommand_from {' '.join(siblings)}")
    return "; and ".join(parts)


def fish(root: Command) -> str:
    lines = [
        "# fish completion for ccmon; install: ccmon completion fish > "
        "~/.config/fish/completions/ccmon.fish",
        "complete -c ccmon -f",
    ]
    for path, node in _all(root):
        condition = _fq(_fish_condition(path, list(node.commands)))
        for name, sub in node.commands.items():
            lines.append(f"complete -c ccmon -n {condition} -a {name} -d {_fq(sub.help)}")
        if node.words:
            lines.append(f"complete -c ccmon -n {condition} -a {_fq(' '.join(node.words))}")
        for opt in node.options:
            flags = " ".join(
                f"-l {f[2:]}" if f.startswith("--") else f"-s {f[1:]}" for f in opt.flags
            )
            extra = ""
            if opt.takes_value:
                extra = " -r"
                if opt.kind == "file":
                    extra += " -F"
                elif opt.kind == "profile":
                    extra += f" -a {_fq('(' + PROFILES + ')')}"
                elif opt.choices:
                    extra += f" -a {_fq(' '.join(opt.choices))}"
            lines.append(f"complete -c ccmon -n {condition} {flags}{extra} -d {_fq(opt.help)}")
    return "\n".join(lines) + "\n"


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (bash, zsh or fish)."""
    root = walk(parser)
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](root)
