#!/usr/bin/env python3
"""Checks one writer's folder (guide.txt + answers.jsonl) or one blind reader's file against the corpus format."""
import json, re, sys, os, collections

def check_writer(d):
    errs = []
    g = open(os.path.join(d, "guide.txt")).read()
    qs = re.findall(r"^Q(\d+)\.(.+)$", g, re.M)
    if len(qs) != 6:
        errs.append(f"guide.txt: {len(qs)} questions, want 6")
    for n, _ in qs:
        pass
    if not re.search(r"^(easy|medium|hard)\S", g, re.M):
        errs.append("guide.txt: no difficulty line (easy|medium|hard directly followed by the hint)")
    plans, traps, ids = collections.Counter(), collections.Counter(), set()
    cells = collections.Counter()
    n = 0
    for i, line in enumerate(open(os.path.join(d, "answers.jsonl")), 1):
        if not line.strip():
            continue
        try:
            a = json.loads(line)
        except Exception as e:
            errs.append(f"answers.jsonl:{i}: not JSON ({e})"); continue
        n += 1
        for k in ("id", "q", "plan", "traps", "sentences"):
            if k not in a:
                errs.append(f"answers.jsonl:{i}: missing {k}")
        if a.get("id") in ids:
            errs.append(f"answers.jsonl:{i}: duplicate id {a.get('id')}")
        ids.add(a.get("id"))
        if not isinstance(a.get("q"), int) or not 1 <= a["q"] <= len(qs):
            errs.append(f"answers.jsonl:{i}: q must be 1..{len(qs)}")
        ss = a.get("sentences") or []
        if not ss:
            errs.append(f"answers.jsonl:{i}: no sentences")
        got = set()
        for s in ss:
            if not isinstance(s, dict) or not isinstance(s.get("text"), str) or not s["text"].strip():
                errs.append(f"answers.jsonl:{i}: a sentence without text"); continue
            for c in s.get("cells", []):
                if c not in ("R", "T", "B"):
                    errs.append(f"answers.jsonl:{i}: cell {c!r} not R/T/B")
                got.add(c)
        plans[a.get("plan")] += 1
        for t in a.get("traps", []):
            traps[t] += 1
        cells["".join(sorted(got, key="RTB".index)) or "none"] += 1
    if n < 60:
        errs.append(f"answers.jsonl: {n} answers, want 64")
    print(f"{d}: {n} answers; labelled combos {dict(cells)}; traps {dict(traps)}")
    return errs

def check_blind(path):
    errs = []
    n = 0
    for i, line in enumerate(open(path), 1):
        if not line.strip():
            continue
        try:
            a = json.loads(line)
        except Exception as e:
            errs.append(f"{path}:{i}: not JSON ({e})"); continue
        n += 1
        for k in ("id", "R", "T", "B"):
            if k not in a:
                errs.append(f"{path}:{i}: missing {k}")
        for k in ("R", "T", "B"):
            if not isinstance(a.get(k), list) or not all(isinstance(x, int) for x in a.get(k, [])):
                errs.append(f"{path}:{i}: {k} must be a list of sentence numbers (empty = not covered)")
    print(f"{path}: {n} answers labelled")
    return errs

if __name__ == "__main__":
    p = sys.argv[1]
    errs = check_blind(p) if p.endswith(".jsonl") else check_writer(p)
    for e in errs[:50]:
        print("error:", e)
    sys.exit(1 if errs else 0)
