#!/usr/bin/python3
"""check_github_workflow.py: runs the GitHub Classroom workflow that docs/grading.md documents, step by
step, the way a GitHub runner would, on this machine.

The workflow (the ```yaml block of docs/grading.md) is parsed with PyYAML and checked for what GitHub
needs (on, jobs.grade.runs-on, steps that each `uses` or `run`). Then a student repository is made from
exercises/unsafe_counter as a teacher's template holds it (no reference/, wrong/, accepted/, gradescope/)
with the student's fix pushed (the reference solution as starter/counter.c), and every `run:` step runs
with bash -e in that checkout as GitHub does: `${{ vars.X }}` and `${{ ... }}` env values substituted,
RUNNER_TEMP and GITHUB_WORKSPACE set, RACELAB_REPOSITORY = this repository (file://, its committed HEAD),
steps after a failure skipped unless `if: always()`. `actions/checkout` is the prepared checkout;
`actions/upload-artifact` must find its path. Checks: every step succeeds for the fix (the grade step's
exit status 0 = full marks) and racelab-junit.xml is well-formed JUnit; then, for the untouched starter,
the grading steps again (the build is not repeated): the grade step fails and the JUnit file names the
failing tests.

Needs root (the workflow's `sudo apt-get`; CI runs as root, and `sudo` is given as a pass-through when
absent) and git; otherwise skipped (exit 77). Usage: check_github_workflow.py SOURCE_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

source = sys.argv[1]
EXERCISE = "unsafe_counter"


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


if os.geteuid() != 0:
    print("SKIP: needs root (the workflow runs sudo apt-get)")
    sys.exit(77)
if not shutil.which("git") or subprocess.run(["git", "-C", source, "rev-parse", "HEAD"], capture_output=True).returncode:
    print("SKIP: needs git and a git checkout of racelab")
    sys.exit(77)

doc = open(os.path.join(source, "docs", "grading.md")).read()
m = re.search(r"`\.github/workflows/classroom\.yml`:\s*\n```yaml\n(.*?)\n```", doc, re.S)
if not m:
    fail("docs/grading.md has no ```yaml block after `.github/workflows/classroom.yml`:")
wf = yaml.safe_load(m.group(1))
on = wf.get(True, wf.get("on"))  # YAML 1.1 reads the key `on` as true
if not on or "push" not in on:
    fail(f"the workflow does not run on push: on = {on!r}")
job = wf.get("jobs", {}).get("grade")
if not job or not job.get("runs-on") or not isinstance(job.get("steps"), list):
    fail("jobs.grade needs runs-on and steps")
for i, step in enumerate(job["steps"]):
    if ("uses" in step) == ("run" in step):
        fail(f"step {i} must have exactly one of uses / run: {step}")


def substitute(text, variables):
    def one(mm):
        expr = mm.group(1).strip()
        if expr.startswith("vars."):
            return variables[expr[5:]]
        fail(f"unknown expression ${{{{ {expr} }}}}")
    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def run_steps(steps, workspace, env, variables, only_grading):
    """Runs the steps; returns {step name: exit status} (None: skipped)."""
    statuses, failed = {}, False
    for i, step in enumerate(steps):
        name = step.get("name", step.get("uses", f"step {i}"))
        if only_grading and ("Build" in name or "uses" in step and "checkout" in step["uses"]):
            continue
        always = str(step.get("if", "")).strip() in ("always()", "${{ always() }}")
        if failed and not always:
            statuses[name] = None
            continue
        if "uses" in step:
            if step["uses"].startswith("actions/checkout@"):
                statuses[name] = 0
            elif step["uses"].startswith("actions/upload-artifact@"):
                path = os.path.join(workspace, step["with"]["path"])
                statuses[name] = 0 if os.path.exists(path) else 1
            else:
                fail(f"no stand-in for action {step['uses']}")
        else:
            step_env = dict(env, **{k: substitute(str(v), variables) for k, v in step.get("env", {}).items()})
            p = subprocess.run(["bash", "-e", "-c", substitute(step["run"], variables)], cwd=workspace, env=step_env,
                               capture_output=True, text=True, timeout=1500)
            statuses[name] = p.returncode
            print(f"  step {name!r}: exit {p.returncode}")
            if p.returncode and "Grade" not in name:
                print((p.stdout + p.stderr)[-3000:])
        failed = failed or statuses[name] not in (0, None)
    return statuses


with tempfile.TemporaryDirectory() as tmp:
    workspace, runner_temp, shim = (os.path.join(tmp, d) for d in ("workspace", "runner", "bin"))
    os.makedirs(runner_temp)
    os.makedirs(shim)
    ex = os.path.join(source, "exercises", EXERCISE)
    shutil.copytree(ex, workspace, ignore=shutil.ignore_patterns("reference", "wrong", "accepted", "gradescope"))
    env = dict(os.environ, RUNNER_TEMP=runner_temp, GITHUB_WORKSPACE=workspace, CI="true", GITHUB_ACTIONS="true")
    if not shutil.which("sudo"):
        with open(os.path.join(shim, "sudo"), "w") as f:
            f.write('#!/bin/sh\nexec "$@"\n')
        os.chmod(os.path.join(shim, "sudo"), 0o755)
        env["PATH"] = shim + os.pathsep + env["PATH"]
    variables = {"RACELAB_REPOSITORY": "file://" + os.path.abspath(source)}

    print("the student's fix (the reference solution), the whole workflow:", flush=True)
    shutil.copy(os.path.join(ex, "reference", "counter.c"), os.path.join(workspace, "starter", "counter.c"))
    st = run_steps(job["steps"], workspace, env, variables, only_grading=False)
    bad = {k: v for k, v in st.items() if v != 0}
    if bad:
        fail(f"steps that did not succeed for the fix: {bad}")
    junit = ET.parse(os.path.join(workspace, "racelab-junit.xml")).getroot()
    cases = junit.iter("testcase")
    if not list(cases):
        fail("racelab-junit.xml has no testcase")
    if any(True for _ in junit.iter("failure")):
        fail("racelab-junit.xml shows a failure for the fix")
    print("ok: every step passed for the fix")

    print("the untouched starter, the grading steps again:", flush=True)
    shutil.copy(os.path.join(ex, "starter", "counter.c"), os.path.join(workspace, "starter", "counter.c"))
    os.remove(os.path.join(workspace, "racelab-junit.xml"))
    st = run_steps(job["steps"], workspace, env, variables, only_grading=True)
    grade = [v for k, v in st.items() if k.startswith("Grade")]
    if grade != [1]:
        fail(f"the grade step should exit 1 (points lost) for the starter: {st}")
    junit = ET.parse(os.path.join(workspace, "racelab-junit.xml")).getroot()
    failures = [c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None]
    if not failures:
        fail("racelab-junit.xml shows no failing test for the starter")
    if st.get("actions/upload-artifact@v4") != 0:
        fail("upload-artifact found no racelab-junit.xml after the failing grade")
    print(f"ok: the grade step failed for the starter; failing tests: {failures}")
print("PASS")
