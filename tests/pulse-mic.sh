#!/usr/bin/env bash
# Virtual microphone for rehearse's real-audio tests: a private PulseAudio daemon with a null sink
# called "mic" whose monitor is the default source, and ALSA's default device routed to PulseAudio,
# so cpal's ALSA host records whatever `play FILE` sends into the sink.
#
#   tests/pulse-mic.sh start        start (or reuse) our daemon; idempotent
#   tests/pulse-mic.sh stop         kill exactly the daemon we started; remove our ~/.asoundrc
#   tests/pulse-mic.sh play FILE    play FILE into the virtual microphone (blocks until done)
#   tests/pulse-mic.sh status       exit 0 if our daemon is up
#
# Works as root without systemd or a sound card. State lives in $REHEARSE_PULSE_STATE
# (default /tmp/rehearse-pulse-mic): pid file and daemon log.
set -euo pipefail

STATE="${REHEARSE_PULSE_STATE:-/tmp/rehearse-pulse-mic}"
PIDFILE="$STATE/pulseaudio.pid"
LOG="$STATE/pulseaudio.log"
ASOUNDRC="${HOME:-/root}/.asoundrc"
MARK="# written by rehearse tests/pulse-mic.sh; removed by its stop"

our_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against PID reuse: the process must be a pulseaudio.
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "pulseaudio" ]] || return 1
    echo "$pid"
}

write_asoundrc() {
    if [[ -e "$ASOUNDRC" ]] && ! grep -qF "$MARK" "$ASOUNDRC"; then
        echo "pulse-mic: $ASOUNDRC exists and is not ours; leaving it (ALSA's pulse hook still applies)" >&2
        return 0
    fi
    cat >"$ASOUNDRC" <<RC
$MARK
pcm.!default { type pulse }
ctl.!default { type pulse }
RC
}

wait_ready() {
    for _ in $(seq 1 50); do
        if pactl info >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "pulse-mic: daemon did not answer pactl within 5 s; see $LOG" >&2
    return 1
}

start() {
    mkdir -p "$STATE"
    write_asoundrc
    if pid="$(our_pid)" && pactl info >/dev/null 2>&1; then
        pactl set-default-source mic.monitor
        echo "pulse-mic: reusing daemon $pid"
        return 0
    fi
    if ! command -v pulseaudio >/dev/null; then
        echo "pulse-mic: pulseaudio not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)" >&2
        return 1
    fi
    # A foreign daemon already owns the socket: refuse rather than kill something not ours.
    if pactl info >/dev/null 2>&1; then
        echo "pulse-mic: a PulseAudio daemon we did not start is running; using it" >&2
        pactl list short sinks | grep -q $'\tmic\t' || pactl load-module module-null-sink sink_name=mic >/dev/null
        pactl set-default-source mic.monitor
        return 0
    fi
    pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
        --load=module-native-protocol-unix \
        --load="module-null-sink sink_name=mic" \
        --log-target="file:$LOG" </dev/null >>"$LOG" 2>&1
    wait_ready
    # pulseaudio --daemonize forks; its own pid file is the reliable record of the daemon's PID.
    local pid=""
    for f in "${XDG_RUNTIME_DIR:-/nonexistent}/pulse/pid" "$HOME"/.config/pulse/*-runtime/pid /run/user/"$(id -u)"/pulse/pid; do
        [[ -f "$f" ]] && pid="$(cat "$f")" && break
    done
    if [[ -z "$pid" ]]; then
        pid="$(pgrep -n -x pulseaudio || true)"
    fi
    [[ -n "$pid" ]] || { echo "pulse-mic: could not find the daemon PID" >&2; return 1; }
    echo "$pid" >"$PIDFILE"
    pactl set-default-source mic.monitor
    echo "pulse-mic: started daemon $pid"
}

stop() {
    if pid="$(our_pid)"; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "pulse-mic: stopped daemon $pid"
    fi
    rm -f "$PIDFILE"
    if [[ -f "$ASOUNDRC" ]] && grep -qF "$MARK" "$ASOUNDRC"; then rm -f "$ASOUNDRC"; fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    play)
        [[ -n "${2:-}" ]] || { echo "usage: $0 play FILE" >&2; exit 2; }
        exec paplay -d mic "$2"
        ;;
    status) our_pid >/dev/null ;;
    *) echo "usage: $0 start|stop|play FILE|status" >&2; exit 2 ;;
esac
