# Two commands: `make run` and `make test`. Both install what is missing first (see scripts/setup.sh).
.PHONY: setup run test dist bench bench-portable bench-latency train-rubric clean-models

# Every cargo build in the checkout is the portable one that is packaged (.cargo/config.toml: whisper.cpp for
# any x86-64 CPU with AVX2), so `make test` tests what `make dist` ships. `make run` alone builds for this CPU
# (-march=native), in its own target dir, so switching between the two never rebuilds the other.
NATIVE = GGML_NATIVE=ON CARGO_TARGET_DIR=target/native

setup:
	@bash scripts/setup.sh

run:
	@$(NATIVE) bash scripts/setup.sh
	$(NATIVE) cargo run --release --quiet

test: setup
	@bash scripts/test.sh

# The Debian package for people without Rust: target/debian/rehearse_<version>_amd64.deb (scripts/dist.sh;
# scripts/check-package.sh checks it as a user would: install, first start, transcribe, window, removal).
# It holds two builds: make test's AVX2 floor, and one with whisper.cpp for AVX-512 CPUs (the cargo feature
# avx512, in target/release too) that the floor starts in its place on such a CPU (src/kernels.rs).
dist: setup
	@bash scripts/dist.sh

# Speed: faster-whisper as the anchor (scratch venv under target/), then transcription and scoring.
bench: setup
	bash scripts/bench-anchor.sh
	cargo bench
	bash scripts/bench-ratio.sh

# The package's two builds' speed against `make run`'s native one (and faster-whisper), alternating; ROUNDS=10.
bench-portable: setup
	bash scripts/bench-portable.sh

# Stop → report through the real binary (CLI and window) on a 3-minute answer at real pace; RUNS=3. Then how
# quickly a stop is acted on (time-box, Ctrl-C, Enter), the timings the end-to-end tests print but do not assert.
bench-latency: setup
	bash scripts/bench-stop-to-report.sh $(or $(RUNS),3)
	bash scripts/bench-stop-reaction.sh $(or $(RUNS),3)

# Retrain the rubric. The classifier the app judges with is the sentence encoder's top three layers
# fine-tuned on the rubric corpus (data/rubric-corpus: 3,072 whole answers on 48 topics by 24 writer sessions,
# each labelled again by a blind reader; see data/rubric-corpus/README.md), trained on 15 sessions, stopped and
# calibrated on 4, reported on 5 never seen (whole topics and writers), with JAX in a scratch virtualenv
# (target/finetune-venv, from PyPI; never part of the app). First the older template sentences
# (data/rubric-training, through scripts/rubric-training.py) train the frozen-embedding heads the app falls back to. About 30 minutes on 2 cores.
train-rubric: setup
	python3 scripts/rubric-training.py > assets/rubric-training.txt
	cargo xtask train-rubric
	python3 data/rubric-corpus/build.py
	cargo xtask rubric-corpus-dump
	test -x target/finetune-venv/bin/python || (python3 -m venv target/finetune-venv && \
		target/finetune-venv/bin/pip install --quiet jax==0.10.2 jaxlib==0.10.2 numpy==2.4.6)
	target/finetune-venv/bin/python scripts/rubric-finetune.py --dump target/rubric-dump --epochs 4 \
		--template-weight 0.5 --out assets/rubric-encoder.safetensors --head assets/rubric-head.json \
		--report target/rubric-report.json

clean-models:
	rm -f models/ggml-*.bin
