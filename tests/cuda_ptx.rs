//! The committed PTX: every `KernelId` is an entry point of its module, every file declares a
//! driver-compatible `.version` and `.target`, names its CPU twin, uses no `.approx`
//! instruction, passes `ptxas -arch=sm_90` (kernels/validate_ptx.sh), and matches its `.cu`
//! source (kernels/generate_ptx.py --check). The last two print `skipped: <reason>` when
//! ptxas (PyPI wheel nvidia-cuda-nvcc-cu12) or libnvrtc (nvidia-cuda-nvrtc-cu12) is missing.

use std::path::Path;
use std::process::Command;

use pareto_sciml::backend::cuda::{KernelFamily, KernelId};

/// Families whose CPU twins use fused multiply-adds (src/math's fma steps).
const FUSING: [KernelFamily; 7] = [
    KernelFamily::MathEval,
    KernelFamily::Variation,
    KernelFamily::Problems,
    KernelFamily::MlpPopulation,
    KernelFamily::MlpValues,
    KernelFamily::MlpLossFused,
    KernelFamily::RkStep,
];

fn kernels_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/kernels"))
}

#[test]
fn every_kernel_id_is_an_entry_point_of_its_module() {
    for id in KernelId::ALL {
        let ptx = id.family().ptx();
        assert!(
            ptx.contains(&format!(".visible .entry {}(", id.name())),
            "{}",
            id.name()
        );
    }
    // And every entry point of every module is registered.
    for fam in KernelFamily::ALL {
        for line in fam.ptx().lines().filter(|l| l.contains(".entry ")) {
            let name = line.split(".entry ").nth(1).unwrap().trim_end_matches('(');
            assert!(
                KernelId::ALL.iter().any(|id| id.name() == name),
                "{name} not registered"
            );
        }
    }
}

#[test]
fn embedded_ptx_is_the_file_on_disk() {
    for fam in KernelFamily::ALL {
        let path = kernels_dir().join(format!("{}.ptx", fam.name()));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            fam.ptx(),
            "{path:?}"
        );
    }
}

#[test]
fn headers_versions_targets_and_no_approximations() {
    for fam in KernelFamily::ALL {
        let ptx = fam.ptx();
        assert!(
            ptx.contains("// CPU twin: crate::"),
            "{}: no CPU twin named",
            fam.name()
        );
        let version = ptx
            .lines()
            .find_map(|l| l.strip_prefix(".version "))
            .unwrap();
        let (major, minor) = version.trim().split_once('.').unwrap();
        let v = (major.parse::<u32>().unwrap(), minor.parse::<u32>().unwrap());
        assert!(v <= (8, 8), "{}: .version {version}", fam.name());
        assert!(
            ptx.lines()
                .any(|l| l == ".target sm_90" || l == ".target sm_80"),
            "{}",
            fam.name()
        );
        assert!(!ptx.contains(".approx"), "{}", fam.name());
        // Only the families whose CPU twins call `mul_add` (src/math and what builds on it)
        // may contain an fma: -fmad=false keeps every other multiply-add unfused.
        if !FUSING.contains(&fam) {
            assert!(!ptx.contains("fma.rn"), "{}: unexpected fma", fam.name());
        }
    }
}

fn run_script(cmd: &mut Command, what: &str) {
    match cmd.output() {
        Err(e) => println!("skipped: cannot run {what}: {e}"),
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            match out.status.code() {
                Some(0) => println!("{text}"),
                Some(3) => println!("skipped: {}", text.trim()),
                _ => panic!("{what} failed:\n{text}"),
            }
        }
    }
}

#[test]
fn every_ptx_file_passes_ptxas_sm_90() {
    run_script(
        Command::new("bash")
            .arg(kernels_dir().join("validate_ptx.sh"))
            .arg("--no-install"),
        "kernels/validate_ptx.sh",
    );
}

#[test]
fn committed_ptx_matches_its_cuda_source() {
    run_script(
        Command::new("python3")
            .arg(kernels_dir().join("generate_ptx.py"))
            .arg("--check"),
        "kernels/generate_ptx.py --check",
    );
}
