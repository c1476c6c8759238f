//! Which of the package's two builds runs. ggml picks its CPU kernels when it is compiled, so the package
//! carries whisper.cpp twice: `/usr/bin/rehearse`, the AVX2 floor that runs on any x86-64 CPU since 2013,
//! and `/usr/lib/rehearse/rehearse-avx512`, the same app with whisper.cpp compiled for ggml's `zen4` set
//! of AVX-512 instructions (the cargo feature `avx512`, vendor/patches/16). The floor build starts the other
//! in its place, first thing in `main`, when the running CPU has every one of those sets; `rehearse
//! --version` says which kernels run and why (vendor/README.md, "The portable build", has the speeds).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `floor` keeps the floor build (a test, a bug report); the choice sets `avx512` for the build it starts,
/// and while any value is set the floor build does not choose again, so it can never start itself.
pub const ENV: &str = "REHEARSE_CPU";

/// Where the AVX-512 build is installed, relative to the prefix of `<prefix>/bin/rehearse`.
const SIBLING: &str = "lib/rehearse/rehearse-avx512";

/// Why the floor build kept running, once [`choose`] has decided.
static KEPT: OnceLock<String> = OnceLock::new();

/// What [`choose`] does.
#[derive(Debug, PartialEq)]
enum Decision {
    /// Start this build in the floor build's place.
    Start(PathBuf),
    /// Keep running, for this reason.
    Keep(String),
}

/// Starts the AVX-512 build in this process's place (same arguments, `argv[0]` kept) when this is the floor
/// build, the CPU has every instruction set that build uses and it is installed beside this one; returns
/// otherwise, and also when starting it fails. Call it before any thread exists.
pub fn choose() {
    if cfg!(feature = "avx512") {
        return;
    }
    let set = std::env::var(ENV).ok();
    let exe = std::env::current_exe().ok();
    let why = match decide(set.as_deref(), exe.as_deref(), first_missing(), Path::is_file) {
        Decision::Start(sibling) => {
            use std::os::unix::process::CommandExt;
            let mut args = std::env::args_os();
            let arg0 = args.next().unwrap_or_else(|| sibling.clone().into_os_string());
            let err = std::process::Command::new(&sibling)
                .arg0(arg0)
                .args(args)
                .env(ENV, "avx512")
                .exec();
            format!("starting {} failed: {err}", sibling.display())
        }
        Decision::Keep(why) => why,
    };
    let _ = KEPT.set(why);
}

/// The pure part of [`choose`]: `set` is [`ENV`]'s value, `missing` the first instruction set the CPU lacks.
fn decide(set: Option<&str>, exe: Option<&Path>, missing: Option<&str>, exists: impl Fn(&Path) -> bool) -> Decision {
    if let Some(value) = set.filter(|v| !v.is_empty()) {
        return Decision::Keep(format!("{ENV}={value}"));
    }
    let installed = exe.and_then(|exe| {
        let bin = exe
            .parent()
            .filter(|dir| dir.file_name().is_some_and(|name| name == "bin"))?;
        Some(bin.parent()?.join(SIBLING))
    });
    let Some(sibling) = installed.filter(|path| exists(path)) else {
        return Decision::Keep(format!(
            "not installed as <prefix>/bin/rehearse beside <prefix>/{SIBLING}"
        ));
    };
    match missing {
        Some(set) => Decision::Keep(format!("this CPU lacks {set}")),
        None => Decision::Start(sibling),
    }
}

/// The instruction sets the AVX-512 build's whisper.cpp is compiled for, as `is_x86_feature_detected!` names
/// them (`SETS`), and `first_missing()`, the first of them this CPU (and its OS) lacks. They are ggml's `zen4`
/// variant (ggml/src/CMakeLists.txt), with what its `GGML_AVX512` turns on (F, CD, VL, DQ, BW); a test checks
/// them against the flags vendor/patches/16 passes to CMake.
macro_rules! avx512_build_sets {
    ($($set:tt),*) => {
        #[cfg(test)]
        const SETS: &[&str] = &[$($set),*];

        fn first_missing() -> Option<&'static str> {
            #[cfg(target_arch = "x86_64")]
            return [$(($set, std::arch::is_x86_feature_detected!($set))),*]
                .into_iter()
                .find_map(|(set, has)| (!has).then_some(set));
            #[cfg(not(target_arch = "x86_64"))]
            Some("x86-64")
        }
    };
}
avx512_build_sets!(
    "sse4.2",
    "avx",
    "f16c",
    "fma",
    "avx2",
    "bmi2",
    "avx512f",
    "avx512cd",
    "avx512vl",
    "avx512dq",
    "avx512bw",
    "avx512vbmi",
    "avx512vnni",
    "avx512bf16"
);

/// What `rehearse --version` prints: the version, then the instruction sets whisper.cpp's kernels were
/// compiled for (as ggml reports them) and, in the floor build, why the AVX-512 build was not started.
pub fn long_version() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        use whisper_rs::whisper_rs_sys as sys;
        // SAFETY: each returns a constant: whether ggml-cpu was compiled with that instruction set.
        let has = |f: unsafe extern "C" fn() -> std::os::raw::c_int| unsafe { f() } != 0;
        let extra = [
            ("VBMI", sys::ggml_cpu_has_avx512_vbmi as unsafe extern "C" fn() -> _),
            ("VNNI", sys::ggml_cpu_has_avx512_vnni),
            ("BF16", sys::ggml_cpu_has_avx512_bf16),
        ];
        let kernels = if has(sys::ggml_cpu_has_avx512) {
            let sets: Vec<_> = std::iter::once("F, CD, VL, DQ, BW")
                .chain(extra.iter().filter(|(_, f)| has(*f)).map(|(name, _)| *name))
                .collect();
            format!("AVX-512 ({})", sets.join(", "))
        } else if has(sys::ggml_cpu_has_avx2) {
            "AVX2, FMA, F16C (the floor for any x86-64 CPU since 2013)".to_owned()
        } else {
            "SSE only".to_owned()
        };
        let why = KEPT.get().map(|why| format!("; the AVX-512 build is not used: {why}"));
        let env = std::env::var(ENV).unwrap_or_default();
        let chosen = (cfg!(feature = "avx512") && env == "avx512").then(|| "; chosen for this CPU".to_owned());
        format!(
            "{}\nwhisper.cpp kernels: {kernels}{}",
            env!("CARGO_PKG_VERSION"),
            why.or(chosen).unwrap_or_default()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXE: &str = "/usr/bin/rehearse";
    const AVX512: &str = "/usr/lib/rehearse/rehearse-avx512";

    fn decide_installed(set: Option<&str>, exe: &str, missing: Option<&str>) -> Decision {
        decide(set, Some(Path::new(exe)), missing, |path| path == Path::new(AVX512))
    }

    #[test]
    fn starts_the_avx512_build_beside_an_installed_floor_on_a_cpu_with_every_set() {
        assert_eq!(
            decide_installed(None, EXE, None),
            Decision::Start(PathBuf::from(AVX512))
        );
        assert_eq!(
            decide_installed(Some(""), EXE, None),
            Decision::Start(PathBuf::from(AVX512))
        );
    }

    #[test]
    fn keeps_the_floor_when_a_set_is_missing_or_the_sibling_is_not_there() {
        assert_eq!(
            decide_installed(None, EXE, Some("avx512bf16")),
            Decision::Keep("this CPU lacks avx512bf16".into())
        );
        for exe in [
            "/usr/local/bin/rehearse",
            "/home/a/rehearse/target/release/rehearse",
            "rehearse",
            "/",
        ] {
            assert!(
                matches!(decide_installed(None, exe, None), Decision::Keep(why) if why.starts_with("not installed"))
            );
        }
        assert!(matches!(decide(None, None, None, |_| true), Decision::Keep(_)));
    }

    #[test]
    fn a_set_variable_keeps_the_floor_so_the_choice_never_loops() {
        for value in ["floor", "avx512"] {
            assert_eq!(
                decide_installed(Some(value), EXE, None),
                Decision::Keep(format!("REHEARSE_CPU={value}"))
            );
        }
    }

    /// A set compiled into the AVX-512 build but not checked here would make it die with SIGILL on a CPU
    /// without it; a set checked but not compiled in would keep such CPUs on the floor for nothing.
    #[test]
    fn the_checked_sets_are_the_ones_the_avx512_build_is_compiled_for() {
        let build = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/vendor/whisper-rs-sys/build.rs"))
            .expect("read whisper-rs-sys's build.rs");
        let block = build
            .split("if cfg!(feature = \"avx512\")")
            .nth(1)
            .and_then(|rest| rest.split("config.define(flag, \"ON\")").next())
            .expect("build.rs's avx512 block");
        let mut compiled: Vec<&str> = Vec::new();
        for flag in block
            .split('"')
            .filter(|word| word.starts_with("GGML_") && *word != "GGML_NATIVE")
        {
            compiled.extend_from_slice(match flag {
                "GGML_SSE42" => &["sse4.2"],
                "GGML_AVX" => &["avx"],
                "GGML_F16C" => &["f16c"],
                "GGML_FMA" => &["fma"],
                "GGML_AVX2" => &["avx2"],
                "GGML_BMI2" => &["bmi2"],
                // ggml/src/ggml-cpu/CMakeLists.txt: -mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw
                "GGML_AVX512" => &["avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"],
                "GGML_AVX512_VBMI" => &["avx512vbmi"],
                "GGML_AVX512_VNNI" => &["avx512vnni"],
                "GGML_AVX512_BF16" => &["avx512bf16"],
                other => panic!("build.rs turns on {other}: add its run-time check to avx512_build_sets!"),
            });
        }
        let (mut compiled, mut checked) = (compiled, SETS.to_vec());
        compiled.sort_unstable();
        checked.sort_unstable();
        assert_eq!(checked, compiled);
    }

    #[test]
    fn the_version_names_the_kernels_this_build_was_compiled_with() {
        let text = long_version();
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
        let kernels = if cfg!(feature = "avx512") {
            "AVX-512 (F, CD, VL, DQ, BW, VBMI, VNNI, BF16)"
        } else {
            "AVX2"
        };
        assert!(text.contains(&format!("\nwhisper.cpp kernels: {kernels}")), "{text}");
    }
}
