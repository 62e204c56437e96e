#!/usr/bin/python3
"""fetch_sarif_schema.py: puts the official SARIF 2.1.0 JSON schema (OASIS, final "rtm.5" text) at
DEST, for tests/schema/validate_sarif.py. Debian does not package it, so it comes from the npm registry,
inside Microsoft's @microsoft/jest-sarif package (MIT), pinned by the tarball's SHA-256. Does nothing
when DEST already exists. Exit status: 0 done, 1 could not fetch or verify (one line on stderr).
Usage: fetch_sarif_schema.py DEST"""
import hashlib
import io
import os
import sys
import tarfile
import urllib.request

URL = "https://registry.npmjs.org/@microsoft/jest-sarif/-/jest-sarif-1.0.0-beta.0.tgz"
SHA256 = "748e2c3d1a842e7bb258416685c7ea3a0da40005b72267b2052c2856d48ad102"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"

dest = sys.argv[1]
if os.path.exists(dest):
    sys.exit(0)
try:
    data = urllib.request.urlopen(URL, timeout=60).read()
except OSError as e:
    sys.exit(f"racelab setup: could not download the SARIF 2.1.0 schema from {URL}: {e}")
if hashlib.sha256(data).hexdigest() != SHA256:
    sys.exit(f"racelab setup: {URL} does not have the expected SHA-256; not using it")
schema = tarfile.open(fileobj=io.BytesIO(data)).extractfile(MEMBER).read()
os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
with open(dest + ".tmp", "wb") as out:
    out.write(schema)
os.replace(dest + ".tmp", dest)
