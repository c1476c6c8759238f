#!/usr/bin/env python3
"""Makes the blind readers' inputs: for each writer's folder, blind-in/<brief>.jsonl with every answer's
question text and numbered sentences only (no plan, no traps, no labels), in a shuffled order."""
import json, os, random, re, sys

root = os.path.dirname(os.path.abspath(__file__))

def questions(guide):
    return {int(n): q.strip() for n, q in re.findall(r"^Q(\d+)\.(.+)$", open(guide).read(), re.M)}

def prep(brief):
    d = os.path.join(root, "writers", brief)
    qs = questions(os.path.join(d, "guide.txt"))
    answers = [json.loads(l) for l in open(os.path.join(d, "answers.jsonl")) if l.strip()]
    random.Random(brief).shuffle(answers)
    out = os.path.join(root, "blind-in", brief + ".jsonl")
    with open(out, "w") as f:
        for a in answers:
            f.write(json.dumps({"id": a["id"], "question": qs.get(a["q"], ""),
                                "sentences": {str(i + 1): s["text"] for i, s in enumerate(a["sentences"])}}) + "\n")
    print(out, len(answers))

for b in sys.argv[1:]:
    prep(b)
