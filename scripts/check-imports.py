#!/usr/bin/env python3
"""The import check: no circles between modules, no import from a lower floor to a higher one.

The floors are read from `src/lib.rs`: each `// == floor: NAME ==` line opens a floor (lowest first) and the
`mod` lines under it are its modules; a path in backticks on the floor line (`audio::wav`) puts that
submodule on this floor as a node of its own. Every `crate::…` path in `src/` (in `use` trees, expanded,
and in code; `super::` resolved; comments and strings skipped) is an arrow from the module of the file it is
in to the module it names. Tests inside `src/` count: a test that imports upward is still an arrow up.

It fails on
  - a circle: two or more modules that reach each other through their arrows;
  - an arrow up: a module using one on a higher floor;
  - a module in no floor (add it to lib.rs's map).
An arrow listed in ALLOWED below is reported and let through; an entry that no longer matches is reported
so it can be removed. `python3 scripts/check-imports.py --graph` prints every arrow with its files;
`--self-test` first checks that a small tree with a circle and an arrow up fails (so the check can fail).
"""

import collections
import os
import re
import sys

ROOT = os.environ.get("CHECK_IMPORTS_SRC") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

# (from, to): (owner, why). Each entry is a known violation waiting for its owner; remove it once fixed.
ALLOWED = {}


def strip(src):
    """The source with comments removed and string and char literals emptied (lines kept)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * src.count("\n", i, j))
            i = j
            continue
        m = re.match(r'b?r(#*)"', src[i : i + 40])
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            end = '"' + m.group(1)
            j = src.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('""' + "\n" * src.count("\n", i, j))
            i = j + 1
            continue
        if c == "'":
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'\n])'", src[i : i + 12])
            if m:
                out.append("' '")
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def expand(tree):
    """`a::{b, c::{d, e}}` → ['a::b', 'a::c::d', 'a::c::e'] (spaces removed first)."""
    tree = re.sub(r"\s+", "", tree)
    depth, start = 0, None
    for k, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = k
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                prefix, inner, rest = tree[:start], tree[start + 1 : k], tree[k + 1 :]
                parts, d, last = [], 0, 0
                for q, c2 in enumerate(inner + ","):
                    if c2 == "{":
                        d += 1
                    elif c2 == "}":
                        d -= 1
                    elif c2 == "," and d == 0:
                        if inner[last:q]:
                            parts.append(inner[last:q])
                        last = q + 1
                return [x for p in parts for x in expand(prefix + p + rest)]
    return [tree]


def module_of(rel):
    """src-relative file → its module path: 'a/b.rs' → ['a', 'b'], 'a/mod.rs' → ['a'], 'lib.rs' → []."""
    parts = rel[:-3].split("/")
    if parts[-1] == "mod" or parts == ["lib"]:
        parts = parts[:-1]
    return parts


def read_floors():
    floors, nodes, sub = [], {}, []
    current = None
    with open(os.path.join(ROOT, "lib.rs")) as f:
        for line in f:
            m = re.match(r"\s*//\s*==\s*floor:\s*(\w+)\s*==(.*)", line)
            if m:
                current = m.group(1)
                floors.append(current)
                for path in re.findall(r"`([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)+)`", m.group(2)):
                    nodes[path] = current
                    sub.append(path.split("::"))
                continue
            m = re.match(r"\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", line)
            if m and current:
                nodes[m.group(1)] = current
    return floors, nodes, sub


def node_of(path, sub):
    """A module path → the node it belongs to: its top-level module, or a listed submodule."""
    for s in sub:
        if path[: len(s)] == s:
            return "::".join(s)
    return path[0] if path else "lib"


def arrows(sub):
    found = collections.defaultdict(list)  # (from, to) → [file:line]
    for dirpath, _, files in os.walk(ROOT):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, ROOT).replace(os.sep, "/")
            if rel == "lib.rs":
                continue
            here = ["main"] if rel == "main.rs" else module_of(rel)
            src = strip(open(full, encoding="utf-8").read())
            # Inline `mod x {` blocks (tests) sit one level below the file's module.
            inline_at = [m.start() for m in re.finditer(r"\bmod\s+\w+\s*\{", src)]
            crate = r"(?:crate|rehearse)" if rel == "main.rs" else r"crate"
            paths = []
            for m in re.finditer(r"\buse\s+([^;]*);", src):
                for p in expand(m.group(1)):
                    paths.append((m.start(), p))
            for m in re.finditer(r"(?<![\w:])((?:%s|super|self)(?:::[a-z_][a-z0-9_]*)+)" % crate, src):
                paths.append((m.start(), m.group(1)))
            for pos, p in paths:
                segs = [s for s in re.split(r"::", p.split(" as ")[0]) if s]
                if not segs:
                    continue
                if segs[0] in ("crate", "rehearse") and (segs[0] == "crate" or rel == "main.rs"):
                    target = segs[1:]
                elif segs[0] == "super":
                    base = here + (["<inline>"] if any(a < pos for a in inline_at) else [])
                    while segs and segs[0] == "super":
                        base, segs = base[:-1], segs[1:]
                    target = base + segs
                else:
                    continue
                target = [s for s in target if s not in ("*", "self")]
                if not target or target[0] in ("<inline>",):
                    continue
                a, b = node_of(here, sub), node_of(target, sub)
                if a != b:
                    line = src.count("\n", 0, pos) + 1
                    found[(a, b)].append(f"src/{rel}:{line}")
    return found


def circles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    graph = collections.defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    floors, nodes, sub = read_floors()
    nodes["main"] = "binary"
    rank = {f: i for i, f in enumerate(floors)}
    rank["binary"] = len(floors)
    found = arrows(sub)
    if "--graph" in sys.argv:
        for (a, b), where in sorted(found.items()):
            print(f"{a} ({nodes.get(a, '?')}) -> {b} ({nodes.get(b, '?')}): {', '.join(sorted(set(where))[:4])}")
    problems, allowed_used = [], set()

    def report(key, text):
        if key in ALLOWED:
            owner, why = ALLOWED[key]
            allowed_used.add(key)
            print(f"allowed (owner {owner}: {why}): {text}")
        else:
            problems.append(text)

    for n in sorted({x for e in found for x in e}):
        if n not in nodes:
            problems.append(f"module `{n}` is on no floor: add it under a `// == floor` line in src/lib.rs")
    for (a, b), where in sorted(found.items()):
        if a in nodes and b in nodes and rank[nodes[b]] > rank[nodes[a]]:
            report((a, b), f"arrow up: {a} ({nodes[a]}) uses {b} ({nodes[b]}) at {', '.join(sorted(set(where)))}")
    for comp in circles(found):
        inside = [(a, b) for (a, b) in found if a in comp and b in comp]
        detail = "; ".join(f"{a} -> {b} at {sorted(set(found[(a, b)]))[0]}" for a, b in sorted(inside))
        if all(e in ALLOWED for e in inside):
            allowed_used.update(inside)
            print(f"allowed circle {' <-> '.join(comp)}: {detail}")
        else:
            problems.append(f"circle between {', '.join(comp)}: {detail}")
    for key in sorted(set(ALLOWED) - allowed_used):
        print(f"note: ALLOWED entry {key[0]} -> {key[1]} no longer matches anything; remove it from {__file__}")
    if problems:
        print("import check failed (floors and rules: src/lib.rs):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        sys.exit(1)
    modules = len({x for e in found for x in e} | set(nodes))
    print(f"imports: {len(found)} arrows between {modules} modules on {len(floors)} floors; no circle, none up")


def self_test():
    """A tree with an arrow up (core → engine) and a circle (two core modules) must fail, naming both; the
    same tree without them must pass."""
    import subprocess
    import tempfile

    def run(files):
        with tempfile.TemporaryDirectory() as d:
            for name, text in files.items():
                os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            env = dict(os.environ, CHECK_IMPORTS_SRC=d)
            return subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True)

    lib = "// == floor: core == also `eng::fmt`\nmod a;\nmod b;\n// == floor: engines ==\nmod eng;\n"
    bad = run({
        "lib.rs": lib,
        "a.rs": "use crate::{b::X, eng::{fmt::F, dev}};\n",
        "b.rs": "// crate::eng::dev in a comment is not an arrow\nfn f() { crate::a::g(); }\n",
        "eng/mod.rs": "pub mod fmt;\npub mod dev;\n",
        "eng/fmt.rs": "",
        "eng/dev.rs": "use super::fmt::F;\n",
    })
    ok = run({
        "lib.rs": lib,
        "a.rs": "use crate::{b::X, eng::fmt::F};\n",
        "b.rs": "mod tests { use super::*; }\n",
        "eng/mod.rs": "pub mod fmt;\npub mod dev;\n",
        "eng/fmt.rs": "use super::super::b::Y;\n",
        "eng/dev.rs": "use super::fmt::F;\nuse crate::a;\n",
    })
    want = ["arrow up: a (core) uses eng (engines)", "circle between a, b:"]
    arrows_ok = "5 arrows" in ok.stdout  # a→b, a→eng::fmt, eng::fmt→b (through super::super), eng→eng::fmt, eng→a
    if bad.returncode == 0 or not all(w in bad.stderr for w in want) or ok.returncode != 0 or not arrows_ok:
        print("import check self-test failed:", bad.returncode, bad.stderr, ok.returncode, ok.stdout + ok.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if "--self-test" in sys.argv:
        self_test()
    main()
