#!/usr/bin/python3
"""check_gradescope.py: runs an exercise's Gradescope autograder the way Gradescope does, on this machine.

Gradescope builds an image from the autograder zip: it unpacks the zip into /autograder/source, runs
setup.sh there as root, copies run_autograder to /autograder/run_autograder; for each submission it puts
the student's files in /autograder/submission, runs /autograder/run_autograder and reads
/autograder/results/results.json. This test does exactly that with exercises/package_gradescope.sh's zip
of bank_transfer (setup.sh installs packages and builds racelab from the zip's copy of the source),
grades the reference solution (full marks) and one wrong solution (loses exactly its test's points),
and checks results.json against Gradescope's documented fields. Then it removes /autograder.

It needs root and a machine without /autograder (CI's; a Gradescope-like container): otherwise it is
skipped (exit 77) with the reason. Usage: check_gradescope.py SOURCE_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

source = sys.argv[1]
EXERCISE, WRONG = "bank_transfer", "lock_to_first.c"
ROOT = "/autograder"
MARK = os.path.join(ROOT, ".racelab-test")

if os.geteuid() != 0:
    print("SKIP: needs root (Gradescope's layout lives in /autograder)")
    sys.exit(77)
if os.path.exists(ROOT) and not os.path.exists(MARK):
    print(f"SKIP: {ROOT} exists and is not this test's: not touching it")
    sys.exit(77)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def check_results(path, want_full, lost_test=None):
    """results.json as Gradescope documents it, then the score."""
    try:
        res = json.load(open(path))
    except (OSError, ValueError) as e:
        fail(f"{path}: {e}")
    if not isinstance(res.get("score"), (int, float)) or not isinstance(res.get("tests"), list) or not res["tests"]:
        fail(f"results.json lacks score or tests: {str(res)[:300]}")
    for t in res["tests"]:
        for field, kind in (("name", str), ("score", (int, float)), ("max_score", (int, float)), ("output", str)):
            if not isinstance(t.get(field), kind):
                fail(f"test {t.get('name')!r}: field {field} missing or of the wrong type")
        if t.get("status") not in ("passed", "failed"):
            fail(f"test {t['name']!r}: status {t.get('status')!r}")
        if t.get("visibility", "visible") not in ("hidden", "after_due_date", "after_published", "visible"):
            fail(f"test {t['name']!r}: visibility {t.get('visibility')!r}")
    total = sum(t["max_score"] for t in res["tests"])
    lost = {t["name"]: t["max_score"] - t["score"] for t in res["tests"] if t["score"] < t["max_score"]}
    if want_full and (res["score"] != total or lost):
        fail(f"expected full marks ({total}), got {res['score']}; lost: {lost}")
    if lost_test is not None and list(lost) != [lost_test]:
        fail(f"expected to lose exactly {lost_test!r}, lost {lost}")
    print(f"ok: score {res['score']} of {total}" + (f", lost {lost_test!r}" if lost_test else ""))


def grade(submission_file, student_file):
    sub = os.path.join(ROOT, "submission")
    shutil.rmtree(sub, ignore_errors=True)
    shutil.rmtree(os.path.join(ROOT, "results"), ignore_errors=True)
    os.makedirs(sub)
    shutil.copy(submission_file, os.path.join(sub, student_file))
    p = subprocess.run([os.path.join(ROOT, "run_autograder")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        fail(f"run_autograder exited {p.returncode}: {p.stderr[-2000:]}")
    return os.path.join(ROOT, "results", "results.json")


if os.path.exists(MARK):  # this test's own tree, left by a run that was killed: start afresh
    shutil.rmtree(ROOT, ignore_errors=True)
try:
    os.makedirs(os.path.join(ROOT, "source"))
    open(MARK, "w").close()
    with tempfile.TemporaryDirectory() as tmp:
        zpath = os.path.join(tmp, "autograder.zip")
        subprocess.run([os.path.join(source, "exercises", "package_gradescope.sh"), EXERCISE, zpath], check=True,
                       stdout=subprocess.DEVNULL)
        with zipfile.ZipFile(zpath) as z:
            names = z.namelist()
            if any(n.startswith("exercise/reference/") or n.startswith("exercise/wrong/") for n in names):
                fail("the zip holds the reference or wrong solutions")
            for info in z.infolist():  # keep the executable bits, as Gradescope does
                z.extract(info, os.path.join(ROOT, "source"))
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(os.path.join(ROOT, "source", info.filename), mode)
    for script in ("setup.sh", "run_autograder"):
        if not os.access(os.path.join(ROOT, "source", script), os.X_OK):
            fail(f"{script} is not executable in the zip")
    print("running setup.sh (installs packages, builds racelab)...", flush=True)
    p = subprocess.run(["bash", os.path.join(ROOT, "source", "setup.sh")], cwd=os.path.join(ROOT, "source"),
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        fail(f"setup.sh exited {p.returncode}: {(p.stdout + p.stderr)[-3000:]}")
    shutil.copy(os.path.join(ROOT, "source", "run_autograder"), os.path.join(ROOT, "run_autograder"))
    spec = json.load(open(os.path.join(source, "exercises", EXERCISE, "exercise.json")))
    student = spec["student_file"]
    check_results(grade(os.path.join(source, "exercises", EXERCISE, "reference", student), student), want_full=True)
    expected = json.load(open(os.path.join(source, "exercises", EXERCISE, "wrong", "expected.json")))
    check_results(grade(os.path.join(source, "exercises", EXERCISE, "wrong", WRONG), student), want_full=False,
                  lost_test=expected[WRONG]["test"])
finally:
    if os.path.exists(MARK):
        shutil.rmtree(ROOT, ignore_errors=True)
print("PASS")
