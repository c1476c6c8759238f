#!/usr/bin/env bash
# Stop → report through the real binary, as a person waits for it: a 3-minute espeak-ng answer
# (benches/answer-3min.txt) is played into the PulseAudio virtual microphone at real pace while
#   1. `rehearse record` records it (the time-box ends the recording; `--verbose` prints Stop → report), and
#   2. the window under Xvfb records it (autostart/autostop hooks; `REHEARSE_TIMING` prints Stop → report
#      on screen and the UI thread's time per frame),
# RUNS times each (default 3). Also the mean CPU of the process while recording (100 % = one core) and its
# peak resident memory. Prints median and p95 (with few runs p95 is the worst run).
# GAP (default 4) is the seconds between the end of the answer and the time-box's end: 4 is a person who
# finished and then pressed Stop (issue 26 measured 0.91 s there); a negative GAP has the time-box cut the
# answer mid-sentence (GAP=-5).
#   [GAP=4] bash scripts/bench-stop-to-report.sh [RUNS] [MODEL]      (takes about 7 minutes per run)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
MODEL="${2:-${REHEARSE_MODEL:-tiny.en-q8_0}}"
BIN=target/release/rehearse
# The binary is started directly, not by cargo: point it at the checkout's models (src/paths.rs).
export REHEARSE_MODELS_DIR="${REHEARSE_MODELS_DIR:-$PWD/models}"
OUT=target/bench-latency
mkdir -p "$OUT"
[[ -x $BIN ]] || cargo build --release --quiet
ANSWER="$OUT/answer.wav"
[[ -f $ANSWER ]] || espeak-ng -v en-us -s 150 -w "$ANSWER" -f benches/answer-3min.txt
LEN=$(soxi -D "$ANSWER")
GAP="${GAP:-4}"
SECONDS_BOX=$(python3 -c "import math;print(math.ceil($LEN)+$GAP)")
echo "answer ${LEN} s, time-box ${SECONDS_BOX} s (GAP=${GAP})" >&2
bash tests/pulse-mic.sh start >/dev/null

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
peak_kb() { awk '/VmHWM/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
TCK=$(getconf CLK_TCK)

: >"$OUT/results.tsv"
for run in $(seq "$RUNS"); do
    # The CLI.
    data=$(mktemp -d)
    REHEARSE_DATA_DIR="$data" $BIN record --question pm-01-success-metrics --seconds "$SECONDS_BOX" \
        --model "$MODEL" --verbose >"$OUT/cli.out" 2>"$OUT/cli.err" &
    pid=$!
    until grep -q "recording from" "$OUT/cli.err" 2>/dev/null; do sleep 0.1; kill -0 $pid || { cat "$OUT/cli.err"; exit 1; }; done
    c0=$(cpu_ticks $pid); t0=$(date +%s.%N); mem=0
    # The time-box may end the recording before the answer has played (GAP < 0): CPU and memory are read
    # while the process lives.
    bash tests/pulse-mic.sh play "$ANSWER" &
    player=$!
    while kill -0 $player 2>/dev/null; do
        if kill -0 $pid 2>/dev/null; then
            c=$(cpu_ticks $pid); [[ $c -gt 0 ]] && { c1=$c; t1=$(date +%s.%N); }
            m=$(peak_kb $pid); [[ $m -gt 0 ]] && mem=$m
        fi
        sleep 0.2
    done
    wait $player
    while kill -0 $pid 2>/dev/null; do
        m=$(peak_kb $pid); [[ $m -gt 0 ]] && mem=$m; sleep 0.1
    done
    wait $pid
    stop=$(grep -o "report ready [0-9.]* s" "$OUT/cli.err" | awk '{print $3}')
    cpu=$(python3 -c "print(round(100*($c1-$c0)/$TCK/($t1-$t0),1))")
    printf "cli\t%s\t%s\t%s\t%s\n" "$stop" "$cpu" "$((mem / 1024))" "-" | tee -a "$OUT/results.tsv"
    rm -rf "$data"

    # The window.
    data=$(mktemp -d)
    n=$((90 + run)); while [[ -e /tmp/.X11-unix/X$n ]]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb=$!
    until [[ -e /tmp/.X11-unix/X$n ]]; do sleep 0.1; done
    DISPLAY=":$n" REHEARSE_DATA_DIR="$data" XDG_DATA_HOME="$data/xdg" REHEARSE_MODEL="$MODEL" REHEARSE_TIMING=1 \
        REHEARSE_AUTOSTART_QUESTION=pm-01-success-metrics REHEARSE_AUTOSTOP_AFTER_S="$SECONDS_BOX" \
        $BIN >"$OUT/gui.log" 2>&1 &
    app=$!
    until compgen -G "$data/attempts/*/answer.wav" >/dev/null; do sleep 0.1; kill -0 $app || { cat "$OUT/gui.log"; exit 1; }; done
    sleep 0.5
    c0=$(cpu_ticks $app); t0=$(date +%s.%N)
    bash tests/pulse-mic.sh play "$ANSWER"
    c1=$(cpu_ticks $app); t1=$(date +%s.%N)
    while ! grep -q "timing: ui" "$OUT/gui.log"; do
        sleep 0.2
        kill -0 $app || { cat "$OUT/gui.log"; exit 1; }
    done
    mem=$(peak_kb $app)
    kill $app $xvfb 2>/dev/null || true
    wait $app $xvfb 2>/dev/null || true
    stop=$(grep -o "stop→report [0-9.]* s" "$OUT/gui.log" | awk '{print $2}')
    p99=$(grep -o "p99 [0-9.]* ms" "$OUT/gui.log" | awk '{print $2}')
    cpu=$(python3 -c "print(round(100*($c1-$c0)/$TCK/($t1-$t0),1))")
    printf "window\t%s\t%s\t%s\t%s\n" "$stop" "$cpu" "$((mem / 1024))" "$p99" | tee -a "$OUT/results.tsv"
    rm -rf "$data"
done

python3 - "$OUT/results.tsv" "$LEN" "$MODEL" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print(f"\nStop → report, {float(sys.argv[2]):.0f} s answer, model {sys.argv[3]}, {len(rows)//2} run(s) each")
print(f"{'':8} {'median s':>9} {'p95 s':>7} {'CPU rec %':>10} {'peak MB':>8} {'UI p99 ms':>10}")
for front in ("cli", "window"):
    r = [x for x in rows if x[0] == front]
    s = sorted(float(x[1]) for x in r)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    cpu = statistics.mean(float(x[2]) for x in r)
    mem = max(int(x[3]) for x in r)
    ui = max((float(x[4]) for x in r if x[4] not in ("-", "")), default=float("nan"))
    print(f"{front:8} {statistics.median(s):>9.2f} {p95:>7.2f} {cpu:>10.1f} {mem:>8} {ui:>10.2f}")
PY
