#!/usr/bin/env python3
"""Speaks TEXT with espeak-ng's library (its default voice and speed, as `espeak-ng -w` does) into OUT (a 16 kHz
mono 16-bit WAV, resampled by sox) and prints, as JSON, when each word starts in it: espeak-ng's own WORD events,
so the tests hold word times to when each word was said, not to another transcription.

    python3 tests/support/espeak_words.py TEXT OUT.wav   ->   {"duration_s": ..., "words": [{"word", "start_s"}]}
"""
import array
import ctypes
import json
import os
import subprocess
import sys
import wave


class Event(ctypes.Structure):  # espeak_EVENT (speak_lib.h)
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_int64)]


SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))
AUDIO_OUTPUT_SYNCHRONOUS, EVENT_LIST_TERMINATED, EVENT_WORD, CHARS_UTF8 = 2, 0, 1, 1


def main():
    text, out = sys.argv[1], sys.argv[2]
    lib = ctypes.CDLL("libespeak-ng.so.1")
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
    if rate <= 0:
        sys.exit("espeak-ng could not start")
    pcm, words = array.array("h"), []
    data = text.encode()

    def on_audio(wav, n, events):
        if n > 0:
            pcm.extend(wav[:n])
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == EVENT_WORD:  # text_position is 1-based, in bytes
                word = data[e.text_position - 1:e.text_position - 1 + e.length].decode(errors="replace")
                words.append({"word": word, "start_s": e.sample / rate})
            i += 1
        return 0

    callback = SYNTH_CALLBACK(on_audio)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    raw = out + ".espeak.wav"
    with wave.open(raw, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    # -D: no dither, so the same text gives the same samples on every run (sox dithers by default, and tiny.en
    # hears a different few words in each dithered copy).
    subprocess.run(["sox", "-D", raw, "-r", "16000", "-c", "1", "-b", "16", out], check=True)
    os.remove(raw)
    print(json.dumps({"duration_s": len(pcm) / rate, "words": words}))


if __name__ == "__main__":
    main()
