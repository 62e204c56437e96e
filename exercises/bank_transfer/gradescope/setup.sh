#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, while it builds the autograder image (Ubuntu). It
# installs what racelab needs and builds it. The autograder zip (exercises/package_gradescope.sh makes
# it) holds, next to this file: racelab/ (racelab's source) and exercise/ (this exercise, without its
# reference/, wrong/ and accepted/ folders).
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq cmake make gcc clang pkg-config libjansson-dev libdw-dev libelf-dev python3 >/dev/null
# ThreadSanitizer's runtime comes with clang on Ubuntu; Debian 12 packages it on its own.
apt-get install -y -qq libclang-rt-14-dev >/dev/null 2>&1 || true
cmake -S racelab -B racelab/build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRACELAB_TESTS=OFF >/dev/null
cmake --build racelab/build -j "$(nproc)" >/dev/null
racelab/build/bin/racelab --version
