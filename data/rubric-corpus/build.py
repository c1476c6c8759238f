#!/usr/bin/env python3
"""Builds corpus.jsonl from the writers' answers and the blind readers' labels.

An answer's cell is kept when the writer and the blind reader agree on whether it is covered; an answer on
which they disagree for a cell keeps the other cells and marks that one `null` (not used for it). Each
sentence gets, per cell, 1 (both marked it), 0 (neither did) or null (only one did). Splits are by writer
session (two briefs each, see SPLITS): whole topics and whole writers are held out. Prints the agreement."""
import argparse, json, os, re, collections

root = os.path.dirname(os.path.abspath(__file__))
CELLS = ["R", "T", "B"]
# Writer sessions (pairs of consecutive briefs) held out from training. dev: thresholds and early stopping;
# test: reported only, never trained or tuned on.
DEV_SESSIONS = {3, 10, 17}
TEST_SESSIONS = {2, 7, 12, 15, 20}

def session_of(brief):
    return (int(brief[:2]) + 1) // 2

def load_guide(path):
    src = open(path).read()
    title = src.splitlines()[1].strip() if len(src.splitlines()) > 1 else ""
    return title, {int(n): q.strip() for n, q in re.findall(r"^Q(\d+)\.(.+)$", src, re.M)}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--writer-only", action="store_true",
                    help="a dry run: the writer's marks stand in for the blind reader's (never for training)")
    ap.add_argument("--out", default=os.path.join(root, "corpus.jsonl"))
    args = ap.parse_args()
    out, stats = [], collections.Counter()
    for brief in sorted(os.listdir(os.path.join(root, "writers"))):
        d = os.path.join(root, "writers", brief)
        blind_path = os.path.join(root, "blind", brief + ".jsonl")
        if not os.path.exists(os.path.join(d, "answers.jsonl")) or not (args.writer_only or os.path.exists(blind_path)):
            continue
        title, qs = load_guide(os.path.join(d, "guide.txt"))
        blind = {}
        for l in open(blind_path) if not args.writer_only else []:
            if l.strip():
                b = json.loads(l)
                blind[b["id"]] = b
        s = session_of(brief)
        split = "test" if s in TEST_SESSIONS else "dev" if s in DEV_SESSIONS else "train"
        for l in open(os.path.join(d, "answers.jsonl")):
            if not l.strip():
                continue
            a = json.loads(l)
            b = blind.get(a["id"]) if not args.writer_only else {
                c: [i + 1 for i, x in enumerate(a["sentences"]) if c in x.get("cells", [])] for c in CELLS}
            if b is None:
                stats["no blind label"] += 1
                continue
            n = len(a["sentences"])
            labels, sent = {}, [{"text": x["text"]} for x in a["sentences"]]
            for c in CELLS:
                w = {i for i, x in enumerate(a["sentences"]) if c in x.get("cells", [])}
                r = {i - 1 for i in b.get(c, []) if 1 <= i <= n}
                agree = bool(w) == bool(r)
                stats[f"{c} answers"] += 1
                stats[f"{c} agree"] += agree
                labels[c] = bool(w) if agree else None
                for i, x in enumerate(sent):
                    x[c] = 1 if (i in w and i in r) else 0 if (i not in w and i not in r) else None
            stats["answers"] += 1
            stats["all agree"] += all(v is not None for v in labels.values())
            out.append({"id": a["id"], "writer": f"w{s:02d}", "brief": brief, "topic": title, "split": split,
                        "question": qs.get(a["q"], ""), "traps": a.get("traps", []), "plan": a.get("plan"),
                        "labels": labels, "sentences": sent})
    with open(args.out, "w") as f:
        for a in out:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    for c in CELLS:
        if stats[f"{c} answers"]:
            print(f"{c}: writer and blind reader agree on {stats[f'{c} agree']}/{stats[f'{c} answers']} "
                  f"({stats[f'{c} agree'] / stats[f'{c} answers']:.3f})")
    print(f"{stats['answers']} answers, all three cells agreed on {stats['all agree']}; "
          f"{stats['no blind label']} without a blind label")
    by = collections.Counter(a["split"] for a in out)
    print("splits:", dict(by), "topics:", len({a["topic"] for a in out}))

main()
