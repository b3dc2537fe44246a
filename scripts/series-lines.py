#!/usr/bin/env python3
"""Filter compiler/sparse/kernel-doc warnings down to the series' own lines.

usage: series-lines.py <tree> <warnings file>
Prints the warnings whose "file:line" is a line the series (base..HEAD)
added or changed. Paths may be absolute or relative to the tree.
"""
import os
import re
import subprocess
import sys

tree, wfile = sys.argv[1], sys.argv[2]
diff = subprocess.run(["git", "-C", tree, "diff", "-U0", "base..HEAD"],
                      capture_output=True, text=True, check=True).stdout
added = {}
cur = None
for line in diff.splitlines():
    if line.startswith("+++ "):
        cur = line[6:] if line.startswith("+++ b/") else None
        added.setdefault(cur, set())
    elif line.startswith("@@") and cur:
        m = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
        start, count = int(m.group(1)), int(m.group(2) or 1)
        added[cur].update(range(start, start + count))
pat = re.compile(r"^(?:warning: )?(?P<f>[^\s:]+):(?P<l>\d+)(?::\d+)?: ")
for w in open(wfile, errors="replace"):
    m = pat.match(w)
    if not m:
        continue
    f = os.path.normpath(m.group("f"))
    if f.startswith(tree.rstrip("/") + "/"):
        f = f[len(tree.rstrip("/")) + 1:]
    if int(m.group("l")) in added.get(f, ()):
        print(w.rstrip())
