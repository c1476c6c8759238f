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

# Stop → report through the real binary (CLI and window) on a 3-minute answer at real pace; RUNS=3.
bench-latency: setup
	bash scripts/bench-stop-to-report.sh $(or $(RUNS),3)

# Regenerate assets/rubric-training.txt (scripts/rubric-training.py) and retrain the semantic rubric head
# (assets/rubric-head.json) from it.
train-rubric: setup
	python3 scripts/rubric-training.py > assets/rubric-training.txt
	cargo run --release --example train_rubric

clean-models:
	rm -f models/ggml-*.bin
