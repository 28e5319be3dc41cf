#!/usr/bin/env python3
"""Regenerates ../glibc_cases_test.go from glibc's real behaviour.

Builds glibc_getopt.c with gcc and runs it on each line of cases.txt
(elements separated by spaces, '~' standing for a space inside an element)."""
import json, os, subprocess, tempfile

here = os.path.dirname(os.path.abspath(__file__))
exe = os.path.join(tempfile.mkdtemp(), "glibc_getopt")
subprocess.run(["gcc", "-o", exe, os.path.join(here, "glibc_getopt.c")], check=True)
out = ["// Code generated from glibc 2.36 (Debian 12) by testdata/regen.py, which runs",
       "// testdata/glibc_getopt.c (getopt_long with minijail0's option table) on",
       "// each line of testdata/cases.txt. DO NOT EDIT.", "", "package getopt", "",
       "var glibcCases = []glibcCase{"]
for line in open(os.path.join(here, "cases.txt")):
    line = line.rstrip("\n")
    argv = [a.replace("~", " ") for a in line.split(" ")] if line else []
    r = subprocess.run([exe] + argv, capture_output=True, text=True)
    out.append("\t{[]string{%s}, %s}," % (", ".join(json.dumps(a) for a in argv), "`" + r.stdout + "`"))
out.append("}")
open(os.path.join(here, "..", "glibc_cases_test.go"), "w").write("\n".join(out) + "\n")
