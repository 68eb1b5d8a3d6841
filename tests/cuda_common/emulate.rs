//! The CPU build of the kernel sources: `kernels/emulate/harness.cpp` (which includes every
//! `kernels/*.cu` through `kernels/emulate/cuda_host_shim.h`) compiled once per test binary
//! with a C++ compiler, and helpers to run its commands.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The compiled harness, or `None` after printing why the test is skipped (no C++ compiler:
/// `$CXX`, else `g++`, else `clang++`). A compiler that rejects the kernels is a failure.
pub fn harness() -> Option<&'static PathBuf> {
    static HARNESS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    build(&HARNESS, "harness", "cuda_emulation_harness")
}

/// The selection kernels' harness (`kernels/emulate/harness_emo.cpp`, real threads per block
/// through `block_shim.h`), built like [`harness`].
pub fn harness_emo() -> Option<&'static PathBuf> {
    static HARNESS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    build(&HARNESS, "harness_emo", "cuda_emulation_harness_emo")
}

fn build(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    source: &str,
    exe_stem: &str,
) -> Option<&'static PathBuf> {
    let built = cell.get_or_init(|| {
        let dir = env!("CARGO_MANIFEST_DIR");
        // One executable per test binary: cargo may build several test binaries' harnesses.
        let exe = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{exe_stem}_{}", env!("CARGO_CRATE_NAME")));
        let compilers = std::env::var("CXX")
            .into_iter()
            .chain(["g++".to_string(), "clang++".to_string()]);
        let mut last = String::from("no C++ compiler found");
        for cxx in compilers {
            let out = Command::new(&cxx)
                .args([
                    "-std=c++17",
                    "-O2",
                    // As on the device (-fmad=false): nothing is fused that the source did
                    // not ask for with __fma_rn.
                    "-ffp-contract=off",
                    "-fno-fast-math",
                    "-Wall",
                    "-Wno-unknown-pragmas",
                    "-pthread",
                ])
                .arg(format!("{dir}/kernels/emulate/{source}.cpp"))
                .arg("-o")
                .arg(&exe)
                .output();
            match out {
                Ok(o) if o.status.success() => return Ok(exe),
                Ok(o) => panic!(
                    "{cxx} failed on kernels/emulate/{source}.cpp:\n{}",
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => last = format!("{cxx}: {e}"),
            }
        }
        Err(last)
    });
    match built {
        Ok(p) => Some(p),
        Err(why) => {
            println!("skipped: {why}");
            None
        }
    }
}

/// Runs one text command of the harness and parses its hexadecimal output.
pub fn run(input: &str) -> Vec<u64> {
    run_with(harness().unwrap(), input)
}

/// Runs one text command of the selection kernels' harness ([`harness_emo`]).
pub fn run_emo(input: &str) -> Vec<u64> {
    run_with(harness_emo().unwrap(), input)
}

fn run_with(exe: &PathBuf, input: &str) -> Vec<u64> {
    let mut child = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "harness failed on {:.80}", input);
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(|w| u64::from_str_radix(w, 16).unwrap())
        .collect()
}

/// Values as the harness reads them: hexadecimal words separated by spaces.
pub fn hex(values: impl Iterator<Item = u64>) -> String {
    values.map(|v| format!("{v:x} ")).collect()
}

/// A scratch file path for binary exchanges with the harness, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{}_{}_{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ))
}

/// Runs a harness command that reads `input` (raw native-endian bytes) from a file and writes
/// `out_len` bytes to another; `command` gets the two paths appended.
pub fn run_binary(tag: &str, command: &str, input: &[u8], out_len: usize) -> Vec<u8> {
    let (inp, outp) = (
        scratch(&format!("{tag}.in")),
        scratch(&format!("{tag}.out")),
    );
    std::fs::write(&inp, input).unwrap();
    let line = format!("{command} {} {}\n", inp.display(), outp.display());
    run(&line);
    let out = std::fs::read(&outp).unwrap();
    let _ = std::fs::remove_file(&inp);
    let _ = std::fs::remove_file(&outp);
    assert_eq!(out.len(), out_len, "{command}");
    out
}

/// The tiling of the `n_obj`-wide vectors `v` made by the host code
/// ([`pareto_sciml::backend::cuda::vector_tiles`]), as `kernels/emulate/tiles_emu.h` reads it.
pub fn tiling_hex(v: &[f64], n_obj: usize) -> String {
    let t = pareto_sciml::backend::cuda::vector_tiles(v, n_obj).unwrap();
    let words = |x: &[u32]| hex(x.iter().map(|&w| w as u64));
    format!(
        "{:x} {}{:x} {}{}",
        t.n_tiles(),
        words(&t.tile_start),
        t.n_groups(),
        words(&t.group_tile),
        words(&t.order)
    )
}
