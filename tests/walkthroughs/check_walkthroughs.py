#!/usr/bin/python3
"""check_walkthroughs.py: runs the `console test` blocks of every walkthrough (walkthroughs/*.md) and
checks the expected output lines, as walkthroughs/CONVENTION.md describes.
Usage: check_walkthroughs.py SOURCE_DIR BUILD_DIR [FILE.md ...]"""
import glob
import os
import re
import subprocess
import sys

source, build = sys.argv[1], sys.argv[2]
files = sys.argv[3:] or sorted(f for f in glob.glob(os.path.join(source, "walkthroughs", "*.md"))
                             if os.path.basename(f) != "CONVENTION.md")


def pattern(expected):
    """An expected line as a regex: <N> any number, ... anything, the rest literal."""
    parts = re.split(r"(<N>|\.\.\.)", expected.rstrip())
    out = []
    for p in parts:
        if p == "<N>":
            out.append(r"-?[0-9][0-9.,]*(?:e[+-]?[0-9]+)?")
        elif p == "...":
            out.append(r".*")
        else:
            out.append(re.escape(p))
    return re.compile("".join(out) + r"\s*$")


def blocks(text):
    """Yields (line number, lines) of each `console test` block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```console test":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            yield start + 1, lines[start:j]
            i = j
        i += 1


def steps(block):
    """Yields (command, expected lines, exit status or None, timeout)."""
    cur = None
    for line in block:
        if line.startswith("$ "):
            if cur:
                yield cur
            cur = [line[2:], [], None, 60]
        elif cur is None or not line.strip():
            continue
        elif line.startswith("# exit "):
            cur[2] = int(line[7:].strip())
        elif line.startswith("# timeout "):
            cur[3] = int(line[10:].strip())
        elif line.startswith("# "):
            continue
        else:
            cur[1].append(line)
    if cur:
        yield cur


env = dict(os.environ)
env["PATH"] = os.path.join(build, "bin") + os.pathsep + env.get("PATH", "")
env.pop("RACELAB_OPTIONS", None)
passed = failed = 0
for path in files:
    name = os.path.relpath(path, source)
    text = open(path, encoding="utf-8").read()
    for lineno, block in blocks(text):
        for command, expected, status, timeout in steps(block):
            try:
                r = subprocess.run(["bash", "-c", command], cwd=source, env=env, capture_output=True, text=True,
                                   timeout=timeout, errors="replace")
                got = (r.stdout + r.stderr).split("\n")
                rc = r.returncode
            except subprocess.TimeoutExpired:
                got, rc = ["<timed out>"], None
            problems = []
            if status is not None and rc != status:
                problems.append(f"exit status {rc}, expected {status}")
            at = 0
            for e in expected:
                pat = pattern(e)
                while at < len(got) and not pat.match(got[at].rstrip()):
                    at += 1
                if at == len(got):
                    problems.append(f"expected line not found (in order): {e}")
                    break
                at += 1
            if problems:
                failed += 1
                print(f"FAIL {name}:{lineno}: $ {command}")
                for p in problems:
                    print(f"    {p}")
                print("    output was:\n" + "\n".join("      | " + g for g in got[-40:]))
            else:
                passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
