# Two commands: `make run` and `make test`. Both install what is missing first (see scripts/setup.sh).
.PHONY: setup run test bench bench-latency train-rubric clean-models

setup:
	@bash scripts/setup.sh

run: setup
	cargo run --release --quiet

test: setup
	@bash scripts/test.sh

# Speed: faster-whisper as the anchor (scratch venv under target/), then transcription and scoring.
bench: setup
	bash scripts/bench-anchor.sh
	cargo bench
	bash scripts/bench-ratio.sh

# Stop → report through the real binary (CLI and window) on a 3-minute answer at real pace; RUNS=3.
bench-latency: setup
	bash scripts/bench-stop-to-report.sh $(or $(RUNS),3)

# Regenerate assets/rubric-training.txt (scripts/rubric-training.py), retrain the semantic rubric heads
# (assets/rubric-head.json) from it, then fine-tune the encoder's top layer as the rubric's classifier
# (assets/rubric-encoder.safetensors and the heads' `tuned` entries) with JAX in a scratch virtualenv
# (target/finetune-venv, from PyPI; never part of the app). About 15 minutes on 2 cores.
train-rubric: setup
	python3 scripts/rubric-training.py > assets/rubric-training.txt
	cargo run --release --example train_rubric
	test -x target/finetune-venv/bin/python || (python3 -m venv target/finetune-venv && \
		target/finetune-venv/bin/pip install --quiet jax==0.10.2 jaxlib==0.10.2 numpy==2.4.6)
	target/finetune-venv/bin/python scripts/rubric-finetune.py --dump target/rubric-dump \
		--out assets/rubric-encoder.safetensors --head assets/rubric-head.json

clean-models:
	rm -f models/ggml-*.bin
