#!/usr/bin/env python3
"""Checks that every relative link in README.md and docs/*.md names a file that exists and, where it names an anchor,
a heading of that page (GitHub's anchor rules: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats).
Exits 1 and lists the broken links when there are any."""
import glob
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pages = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
fenced = re.compile(r"```.*?```", re.S)


def slug(heading):
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page):
    seen, found = {}, set()
    for m in re.finditer(r"^#{1,6} (.+)$", fenced.sub("", open(page, encoding="utf-8").read()), re.M):
        s = slug(m.group(1))
        n = seen.get(s, 0)
        seen[s] = n + 1
        found.add(s if n == 0 else f"{s}-{n}")
    return found


known = {os.path.abspath(p): anchors(p) for p in pages}
broken = []
for page in pages:
    text = fenced.sub("", open(page, encoding="utf-8").read())
    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        full = os.path.abspath(os.path.join(os.path.dirname(page), path)) if path else os.path.abspath(page)
        if not os.path.exists(full):
            broken.append(f"{os.path.relpath(page, root)}: no file {target}")
        elif anchor and full.endswith(".md") and anchor not in known.get(full, anchors(full)):
            broken.append(f"{os.path.relpath(page, root)}: no heading for {target}")

for line in broken:
    print(line)
print(f"doc links: {len(broken)} broken")
sys.exit(1 if broken else 0)
