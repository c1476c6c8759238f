#!/usr/bin/env python3
"""The size check: no function in `src/` longer than a person can hold in mind (MAX_LINES lines, from its
`fn` line to its closing brace, tests included). It lists every offender as file:line with its length, longest
first, and fails. Comments and strings are read the way scripts/check-imports.py reads them (its `strip`), so
a brace in a string or a comment does not count. `--self-test` first checks that a small tree with one long
function fails, naming it, and passes without it (so the check can fail).
"""

import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.join(HERE, "..", "src")
ROOT = os.environ.get("CHECK_FUNCTIONS_SRC") or DEFAULT_ROOT
MAX_LINES = 120

# (file, function): why it is let through for now. Each is reported; remove it once split.
ALLOWED: dict = {}

_spec = importlib.util.spec_from_file_location("check_imports", os.path.join(HERE, "check-imports.py"))
_imports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_imports)


def functions(src):
    """(name, first line, line count) for every `fn` with a body in the (stripped) source."""
    out = []
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)", src):
        i = m.end()
        while i < len(src) and src[i] not in "{;":
            i += 1
        if i >= len(src) or src[i] == ";":
            continue  # a declaration (trait method without a body)
        depth, j = 0, i
        while j < len(src):
            if src[j] == "{":
                depth += 1
            elif src[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first = src.count("\n", 0, m.start()) + 1
        out.append((m.group(1), first, src.count("\n", m.start(), j) + 1))
    return out


def main():
    long, allowed_seen = [], set()
    for dirpath, _, files in os.walk(ROOT):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, ROOT).replace(os.sep, "/")
            src = _imports.strip(open(full, encoding="utf-8").read())
            for fn, line, count in functions(src):
                if count <= MAX_LINES:
                    continue
                if (f"src/{rel}", fn) in ALLOWED and ROOT == DEFAULT_ROOT:
                    allowed_seen.add((f"src/{rel}", fn))
                    print(f"allowed ({ALLOWED[(f'src/{rel}', fn)]}): src/{rel}:{line}: {fn}, {count} lines")
                else:
                    long.append((count, f"src/{rel}:{line}", fn))
    if ROOT == DEFAULT_ROOT:
        for where, fn in sorted(set(ALLOWED) - allowed_seen):
            print(f"note: ALLOWED entry {where} {fn} no longer matches anything; remove it from {__file__}")
    if long:
        print(f"function check failed: {len(long)} longer than {MAX_LINES} lines (split them):", file=sys.stderr)
        for count, where, fn in sorted(long, reverse=True):
            print(f"  {where}: {fn}, {count} lines", file=sys.stderr)
        sys.exit(1)
    others = " other" if allowed_seen else ""
    print(f"functions: no{others} function in src/ longer than {MAX_LINES} lines")


def self_test():
    import subprocess
    import tempfile

    def run(files):
        with tempfile.TemporaryDirectory() as d:
            for name, text in files.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            env = dict(os.environ, CHECK_FUNCTIONS_SRC=d)
            return subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True)

    body = "    let x = 1;\n" * MAX_LINES
    short = "fn short() {\n" + "    let x = 1;\n" * (MAX_LINES - 2) + "}\n"
    tricky = 'trait T { fn decl(&self); }\nfn s() { let b = "}"; // }\n}\n'
    bad = run({"a.rs": tricky + short + "fn long_one() {\n" + body + "}\n"})
    ok = run({"a.rs": tricky + short})
    if bad.returncode == 0 or "src/a.rs:" + str(4 + MAX_LINES) + ": long_one" not in bad.stderr or ok.returncode != 0:
        print("function check self-test failed:", bad.returncode, bad.stderr, ok.returncode, ok.stdout + ok.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if "--self-test" in sys.argv:
        self_test()
    main()
