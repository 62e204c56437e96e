#!/usr/bin/python3
"""validate_sarif.py: `racelab report --format sarif` output against the official SARIF 2.1.0 JSON schema
(OASIS, final text; scripts/setup.sh fetches it to BUILD_DIR/third_party/sarif-schema-2.1.0.json, as
Debian does not package it), plus what a schema cannot say: one result per finding in the report's
order, ruleId = the finding's kind, ruleIndex pointing at that rule, message.text = the summary, the
level by kind, every related location id distinct, and every finding whose report has a source line
(lost updates included) located at a physical location.

Inputs: every fixture report under tests/unit/fixtures/reports/, and fresh reports of a few labs and
test programs (run from the source directory, so their paths are relative).
Usage: validate_sarif.py BUILD_DIR SOURCE_DIR"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

build, source = sys.argv[1], sys.argv[2]
racelab = os.path.join(build, "bin", "racelab")
# setup.sh fetches it into the default build; other builds (the asan preset's) use that copy
candidates = [os.path.join(d, "third_party", "sarif-schema-2.1.0.json") for d in (build, os.path.join(source, "build"))]
schema_path = next((c for c in candidates if os.path.exists(c)), candidates[0])
if not os.path.exists(schema_path):
    sys.exit(f"FAIL: {schema_path} is missing: run scripts/setup.sh (it fetches the SARIF 2.1.0 schema)")
schema = json.load(open(schema_path))
if "2.1.0" not in schema.get("title", "") or "draft-04" not in schema.get("$schema", ""):
    sys.exit(f"FAIL: {schema_path} is not the SARIF 2.1.0 schema: {schema.get('title')}")
jsonschema.Draft4Validator.check_schema(schema)
validator = jsonschema.Draft4Validator(schema)

ERROR_KINDS = {"deadlock", "potential-deadlock", "data-race", "lost-update", "use-after-free"}
labs = os.path.join(build, "labs")
progs = os.path.join(build, "tests", "programs")
live_runs = [
    ["--", f"{labs}/lock_order_deadlock", "--mode", "deadlock"],
    ["--schedule", "pct", "--seed", "2", "--", f"{labs}/unsafe_counter", "-n", "100"],
    ["--", f"{progs}/double_lock_errorcheck"],
    ["--", f"{progs}/cond_two_mutexes"],
    ["--", f"{progs}/single_thread_orders"],
    ["--", f"{labs}/unsafe_counter-tsan", "-n", "1000"],
]


def check(report, sarif):
    """Problems found in the SARIF log of this report (a list of strings)."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(sarif)]
    if problems:
        return problems
    run = sarif["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    results = run.get("results", [])
    findings = report.get("findings", [])
    if len(results) != len(findings):
        problems.append(f"{len(results)} results for {len(findings)} findings")
    for i, (res, f) in enumerate(zip(results, findings)):
        if res["ruleId"] != f["kind"]:
            problems.append(f"result {i}: ruleId {res['ruleId']} for kind {f['kind']}")
        if rules[res["ruleIndex"]]["id"] != res["ruleId"]:
            problems.append(f"result {i}: ruleIndex {res['ruleIndex']} is rule {rules[res['ruleIndex']]['id']}")
        if res["message"]["text"] != f["summary"]:
            problems.append(f"result {i}: message is not the summary")
        want = "error" if f["kind"] in ERROR_KINDS else "warning"
        if res["level"] != want:
            problems.append(f"result {i}: level {res['level']} for {f['kind']}, expected {want}")
        ids = [loc["id"] for loc in res.get("relatedLocations", [])]
        if len(ids) != len(set(ids)):
            problems.append(f"result {i}: related location ids repeat")
        if not res.get("locations"):
            problems.append(f"result {i}: no location")
        located = any(fr.get("file") and fr.get("line") for fr in f.get("stack", []))
        if located and "physicalLocation" not in res["locations"][0]:
            problems.append(f"result {i} ({f['kind']}): the report has a source line but the result no physical location")
    if len({r["id"] for r in rules}) != len(rules):
        problems.append("a rule is listed twice")
    return problems


def sarif_of(report_path, tmp):
    out = os.path.join(tmp, "out.sarif")
    p = subprocess.run([racelab, "report", report_path, "--format", "sarif", "-o", out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"racelab report exited {p.returncode}: {p.stderr.strip()}")
    return json.load(open(out))


passed = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    inputs = sorted(glob.glob(os.path.join(source, "tests", "unit", "fixtures", "reports", "*.json")))
    for i, args in enumerate(live_runs):
        path = os.path.join(tmp, f"live{i}.json")
        subprocess.run([racelab, "run", "--quiet", "--json", path] + args, cwd=source,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        inputs.append(path)
    for path in inputs:
        name = os.path.basename(path)
        try:
            report = json.load(open(path))
            problems = check(report, sarif_of(path, tmp))
        except Exception as e:  # a missing report or a failed render counts as a failure too
            problems = [str(e)]
        if problems:
            failed += 1
            print(f"FAIL {name}:")
            for p in problems[:20]:
                print(f"  {p}")
        else:
            passed += 1
            print(f"ok   {name}: {len(report.get('findings', []))} results")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
