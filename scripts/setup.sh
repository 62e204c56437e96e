#!/usr/bin/env bash
# setup.sh: installs what racelab needs on Debian 12 (if anything is missing) and builds it with the
# `default` CMake preset into build/. Safe to run again: installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# graphviz: `dot` lays out the HTML report's lock-order graph; chromium: the HTML report's browser test;
# libxml2-utils: xmllint, which checks that `racelab grade --format junit` writes well-formed XML;
# python3-yaml and git: the test that runs docs/grading.md's GitHub workflow.
packages=(cmake make gcc clang libclang-rt-14-dev pkg-config libcriterion-dev libdw-dev libelf-dev libjansson-dev python3 python3-jsonschema
          graphviz chromium libxml2-utils python3-yaml git)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "racelab setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "racelab setup: missing packages: ${missing[*]}" >&2
    echo "run this, then try again:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" 2>&1 | grep -Ev '^\[|^-- |Built target|Consolidate compiler' || true
test -x build/bin/racelab && test -f build/lib/libracelab.so

# The official SARIF 2.1.0 schema, which the SARIF test validates against (not packaged by Debian).
python3 scripts/fetch_sarif_schema.py build/third_party/sarif-schema-2.1.0.json
