#!/usr/bin/env python3
"""Regenerates the *.golden files with upstream's C minijail0.

Usage: regen.py PATH_TO_UPSTREAM_MINIJAIL0

Each case of cases.json is run with "OUT" replaced by NAME.golden (which
must not exist: remove the old goldens first)."""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
for case in json.load(open(os.path.join(here, "cases.json"))):
    out = os.path.join(here, case["name"] + ".golden")
    args = [a.replace("OUT", out) for a in case["args"]]
    r = subprocess.run([sys.argv[1]] + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("%s: exit %d: %s" % (case["name"], r.returncode, r.stderr))
