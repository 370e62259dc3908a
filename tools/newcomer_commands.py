"""Runs `xuncha --version` and `xuncha … --help` for every command and subcommand (tools/newcomer.sh).

The command tree is read from the installed CLI's click group, so a new command is checked without
editing this list; each one is run as its own process, as a user would type it."""

from __future__ import annotations

import subprocess
import sys

import click

from xuncha.cli import main


def paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        out.append(prefix + (name,))
        if isinstance(cmd, click.Group):
            out.extend(paths(cmd, prefix + (name,)))
    return out


def run(exe: str, args: tuple[str, ...]) -> bool:
    done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
    first = (done.stdout.strip().splitlines() or [""])[0]
    if done.returncode != 0:
        print(f"newcomer: FAILED xuncha {' '.join(args)} (exit {done.returncode})\n{done.stderr[-2000:]}")
        return False
    print(f"newcomer: ok xuncha {' '.join(args)}: {first[:70]}")
    return True


if __name__ == "__main__":
    exe = sys.argv[1]
    results = [run(exe, ("--version",))] + [run(exe, p + ("--help",)) for p in paths(main)]
    print(f"newcomer: {sum(results)} of {len(results)} commands started")
    sys.exit(0 if all(results) else 1)
