#!/usr/bin/env bash
# Screenshots of the Today screen on days 1, 5 and 7 of a sample 8-day plan (assets/screenshots/today-day*.png):
# the real binary under Xvfb, with sample scored attempts written as a person following the plan would leave
# them (fundamentals and drills on days 1-4, two mocks answered question by question on days 5-6, trade-offs
# weakest, and self-rated 4 of 5 on most answers, so Progress shows trade-offs over-rated). Beside the plan,
# Progress: coverage per rubric cell per plan day and the self-rating calibration.
# Usage: scripts/today-screenshots.sh [path/to/rehearse]
set -euo pipefail
bin=${1:-target/release/rehearse}
out=assets/screenshots
tmp=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT
n=97; while [ -e /tmp/.X11-unix/X$n ]; do n=$((n+1)); done
Xvfb :$n -screen 0 1100x760x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
python3 - "$tmp" <<'PY'
import json, os, sys
root = sys.argv[1]
def attempt(day, n, q, cells, me=None):
    at = f"2026-11-{26 + day:02d}T{9 + n // 6:02d}:{(n * 10) % 60:02d}:00+01:00" if 26 + day <= 30 else \
         f"2026-12-{day - 4:02d}T{9 + n // 6:02d}:{(n * 10) % 60:02d}:00+01:00"
    rid = at[:10].replace("-", "") + f"-{9 + n // 6:02d}{(n * 10) % 60:02d}00-{q}"
    rubric = [{"cell": c, "covered": s >= 0.5, "score": s, "evidence": []} for c, s in cells.items()]
    d = os.path.join(root, "data-5", "attempts", rid)
    os.makedirs(d, exist_ok=True)
    a = {"version": 2, "id": rid, "question_id": q, "deck_id": "product-metrics", "started_at": at,
         "status": "scored", "duration_s": 80.0, "report": {"rubric": rubric}}
    if me:
        a["self_scores"] = dict(zip(["restatement", "trade_offs", "execution", "communication"], me))
    json.dump(a, open(os.path.join(d, "attempt.json"), "w"))
ok = {"restatement": 0.9, "trade-offs": 0.6, "boundaries": 0.7, "execution": 0.8, "communication": 0.8}
weak = dict(ok, **{"trade-offs": 0.25})
days = [["pm-03-smallest-poc", "pm-07-question-for-interviewer", "pm-12-theory-vs-practice"],
        ["pm-14-last-48-hours", "pm-15-what-and-why"],
        ["pm-01-success-metrics", "pm-02-explain-trade-off", "pm-04-debug-slow"],
        ["pm-05-wrong-tool", "pm-06-documentation", "pm-08-end-to-end-example"]]
for day, qs in enumerate(days):
    for n, q in enumerate(qs):
        # The first answer of each day is not rated; the others are, a little generously on trade-offs.
        cells = {"restatement": 0.6 + 0.1 * day, "trade-offs": 0.45 + 0.1 * day, "boundaries": 0.4 + 0.1 * day,
                 "execution": 0.65 + 0.05 * day, "communication": 0.7 + 0.05 * (day % 2)}
        attempt(day, n, q, cells, [4, 4, 4, 3] if n else None)
mocks = [["pm-01-success-metrics", "pm-02-explain-trade-off", "pm-03-smallest-poc", "pm-04-debug-slow"],
         ["pm-05-wrong-tool", "pm-06-documentation", "pm-07-question-for-interviewer", "pm-08-end-to-end-example"]]
for day, qs in [(4, mocks[0]), (5, mocks[1])]:
    for n, q in enumerate(qs):
        attempt(day, 10 + n, q, weak, [4, 4, 4, 4])
PY
shot() { # day data-dir
  local data=$1 day=$2 today=$3
  mkdir -p "$tmp/$data"
  printf '{"version":1,"start":"2026-11-26","interview":"2026-12-04"}' > "$tmp/$data/plan.json"
  DISPLAY=:$n REHEARSE_DATA_DIR="$tmp/$data" XDG_DATA_HOME="$tmp/xdg" REHEARSE_TODAY=$today \
    REHEARSE_MODEL=no-such-model "$bin" >/dev/null 2>&1 & local app=$!
  sleep 4
  import -display :$n -window root "$out/today-day$day.png"
  kill $app; wait $app 2>/dev/null || true
}
mkdir -p "$tmp/data-1"
shot data-1 1 2026-11-26
# Day 5: only the first four days' attempts are visible on day 5 (later ones are in the future then).
mkdir -p "$tmp/data-5b/attempts"
for d in "$tmp"/data-5/attempts/2026112[6-9]*; do cp -r "$d" "$tmp/data-5b/attempts/"; done
shot data-5b 5 2026-11-30
shot data-5 7 2026-12-02
echo "wrote $out/today-day1.png, today-day5.png, today-day7.png"
