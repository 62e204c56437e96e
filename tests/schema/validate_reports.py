#!/usr/bin/python3
"""validate_reports.py: runs racelab on programs that exercise every finding kind and checks each JSON
report against docs/report.schema.json (Debian's python3-jsonschema). Usage: validate_reports.py BUILD_DIR SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

build, source = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(source, "docs", "report.schema.json")))
labs = os.path.join(build, "labs")
progs = os.path.join(build, "tests", "programs")
runs = [
    [],
    ["--schedule", "pct", "--seed", "2", "--", f"{labs}/unsafe_counter", "-n", "100"],
    ["--lockset", "--", f"{labs}/unsafe_counter", "-n", "100"],
    ["--schedule", "serial", "--seed", "1", "--", f"{labs}/locked_counter", "-n", "50"],
    ["--", f"{labs}/lock_order_deadlock", "--mode", "deadlock"],
    ["--", f"{labs}/lock_order_deadlock", "--mode", "apart"],
    ["--", f"{labs}/rlock_nesting", "--normal"],
    ["--", f"{labs}/unsafe_counter-tsan", "-n", "1000"],
    ["--", f"{progs}/gate_lock"],
    ["--", f"{progs}/cond_two_mutexes"],
    ["--", f"{progs}/unlock_foreign"],
    ["--", f"{progs}/held_at_exit"],
    ["--", f"{progs}/destroy_locked"],
    ["--", f"{progs}/fork_child_cycle"],
    ["--", f"{progs}/stall_cond"],
    ["--", f"{progs}/crash_segv"],
][1:]
passed = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for i, args in enumerate(runs):
        report = os.path.join(tmp, f"r{i}.json")
        subprocess.run([os.path.join(build, "bin", "racelab"), "run", "--quiet", "--json", report] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        try:
            jsonschema.validate(json.load(open(report)), schema)
            passed += 1
        except Exception as e:  # a missing report counts as a failure too
            failed += 1
            print(f"FAIL {' '.join(args)}: {str(e)[:500]}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
