#!/usr/bin/env bash
# package_gradescope.sh: makes the Gradescope autograder zip of one exercise.
#
#   exercises/package_gradescope.sh NAME [OUT.zip]        (default: NAME-autograder.zip)
#
# The zip holds setup.sh and run_autograder (from exercises/NAME/gradescope/), racelab/ (racelab's
# source, without build folders) and exercise/ (exercises/NAME without reference/, wrong/, accepted/
# and gradescope/: the reference solution never goes into the image the submissions run in).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name="${1:?usage: exercises/package_gradescope.sh NAME [OUT.zip]}"
out="$(realpath -m "${2:-$name-autograder.zip}")"
ex="$root/exercises/$name"
[ -f "$ex/exercise.json" ] || { echo "package_gradescope.sh: no exercise '$name' in $root/exercises" >&2; exit 2; }
python3 - "$root" "$ex" "$out" <<'PY'
import os, sys, zipfile
root, ex, out = sys.argv[1:4]
skip_ex = {"reference", "wrong", "accepted", "gradescope"}
def add_tree(z, top, prefix, skip):
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        dirnames[:] = sorted(d for d in dirnames if not (rel == "." and d in skip) and not d.startswith("build")
                             and d != ".git")
        for f in sorted(filenames):
            path = os.path.join(dirpath, f)
            z.write(path, os.path.normpath(os.path.join(prefix, rel, f)))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in ("setup.sh", "run_autograder"):
        info = zipfile.ZipInfo(f)
        info.external_attr = 0o755 << 16
        z.writestr(info, open(os.path.join(ex, "gradescope", f), "rb").read())
    add_tree(z, ex, "exercise", skip_ex)
    add_tree(z, root, "racelab", {"exercises"})
print(out)
PY
