//! The command line shared by every `reproduce_*` example (DESIGN §4 "Reproduction CLI").
//!
//! ```
//! use pareto_sciml::repro::{ReproArgs, Mode};
//! let args = ReproArgs::parse_from("reproduce_dtlz", ["--smoke", "--seed", "7"]).unwrap();
//! assert_eq!(args.mode, Mode::Smoke);
//! assert_eq!(args.seed, 7);
//! assert!(ReproArgs::parse_from("reproduce_dtlz", ["--bogus"]).is_err());
//! ```

use crate::error::{Error, Result};
use std::path::PathBuf;

/// How much of the paper's setting to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Seconds: what CI runs; checks the pipeline end to end, numbers are not meaningful.
    Smoke,
    /// Minutes on 2 cores (the default): reduced sizes, labelled as such in every table.
    Quick,
    /// The paper's settings.
    Full,
}

impl Mode {
    /// Lower-case name used in file names and table captions.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Smoke => "smoke",
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

/// Where the population kernels run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// Threads + SIMD on the CPU.
    Cpu,
    /// Our PTX kernels through cudarc (feature `cuda`).
    Cuda,
}

/// Parsed reproduction options.
#[derive(Debug, Clone, PartialEq)]
pub struct ReproArgs {
    /// Smoke, quick (default) or full.
    pub mode: Mode,
    /// Master seed (default 0).
    pub seed: u64,
    /// Independent runs (`None`: the mode's default).
    pub runs: Option<usize>,
    /// Worker threads (0 = all cores, the default).
    pub threads: usize,
    /// Backend (default CPU).
    pub backend: BackendChoice,
    /// Output root (default `paper/`): tables go to `OUT/tables`, figures to `OUT/figures`,
    /// raw results to `OUT/raw/<program>`.
    pub out: PathBuf,
}

impl ReproArgs {
    /// The usage text for `program`.
    pub fn usage(program: &str) -> String {
        format!(
            "usage: cargo run --release --example {program} -- [options]\n\
             \n\
             options:\n\
             \x20 --smoke          seconds-long run of the whole pipeline (what CI runs)\n\
             \x20 --full           the paper's settings (default: quick mode, minutes on 2 cores)\n\
             \x20 --seed N         master seed (default 0)\n\
             \x20 --runs N         independent runs (default depends on the mode)\n\
             \x20 --threads N      worker threads, 0 = all cores (default 0)\n\
             \x20 --backend B      cpu | cuda (default cpu)\n\
             \x20 --out DIR        output root (default paper)\n\
             \x20 --help           this text"
        )
    }

    /// Parses the process arguments; prints usage and exits on `--help` or on an error.
    pub fn from_env(program: &str) -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--help" || a == "-h") {
            println!("{}", Self::usage(program));
            std::process::exit(0);
        }
        match Self::parse_from(program, args) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}\n\n{}", Self::usage(program));
                std::process::exit(2);
            }
        }
    }

    /// Parses `args` (without the program name).
    pub fn parse_from<I, S>(program: &str, args: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = ReproArgs {
            mode: Mode::Quick,
            seed: 0,
            runs: None,
            threads: 0,
            backend: BackendChoice::Cpu,
            out: PathBuf::from("paper"),
        };
        let args: Vec<String> = args.into_iter().map(|s| s.as_ref().to_string()).collect();
        let mut i = 0;
        let value = |i: usize, flag: &str| -> Result<String> {
            args.get(i + 1)
                .cloned()
                .ok_or_else(|| Error::config(flag, format!("needs a value ({program} --help)")))
        };
        let mut saw_smoke = false;
        let mut saw_full = false;
        while i < args.len() {
            let flag = args[i].as_str();
            match flag {
                "--smoke" => saw_smoke = true,
                "--full" => saw_full = true,
                "--seed" => {
                    out.seed = parse_num(flag, &value(i, flag)?)?;
                    i += 1;
                }
                "--runs" => {
                    let runs: usize = parse_num(flag, &value(i, flag)?)?;
                    if runs == 0 {
                        return Err(Error::config("--runs", "must be at least 1"));
                    }
                    out.runs = Some(runs);
                    i += 1;
                }
                "--threads" => {
                    out.threads = parse_num(flag, &value(i, flag)?)?;
                    i += 1;
                }
                "--backend" => {
                    out.backend = match value(i, flag)?.as_str() {
                        "cpu" => BackendChoice::Cpu,
                        "cuda" => BackendChoice::Cuda,
                        other => {
                            return Err(Error::config(
                                "--backend",
                                format!("unknown backend '{other}' (cpu | cuda)"),
                            ))
                        }
                    };
                    i += 1;
                }
                "--out" => {
                    out.out = PathBuf::from(value(i, flag)?);
                    i += 1;
                }
                other => {
                    return Err(Error::config(
                        other,
                        format!("unknown option\n\n{}", Self::usage(program)),
                    ))
                }
            }
            i += 1;
        }
        out.mode = match (saw_smoke, saw_full) {
            (true, true) => {
                return Err(Error::config("--smoke/--full", "choose one of the two"));
            }
            (true, false) => Mode::Smoke,
            (false, true) => Mode::Full,
            (false, false) => Mode::Quick,
        };
        Ok(out)
    }

    /// The [`Backend`](crate::backend::Backend) that `--backend` and `--threads` name for
    /// the population network kernels: the CPU, or CUDA device 0 (with `--threads` for the
    /// host-side work). `--backend cuda` without a usable device (no driver, no GPU, or a
    /// build without the `cuda` feature) is an [`Error::Cuda`] that says why.
    ///
    /// ```
    /// use pareto_sciml::repro::ReproArgs;
    /// let a = ReproArgs::parse_from("p", ["--threads", "2"]).unwrap();
    /// assert_eq!(a.network_backend().unwrap().name(), "cpu");
    /// ```
    pub fn network_backend(&self) -> Result<crate::backend::Backend> {
        use crate::backend::{cpu::Cpu, cuda::CudaDevice, Backend};
        let host = Cpu::new(self.threads);
        match self.backend {
            BackendChoice::Cpu => Ok(Backend::cpu(host)),
            BackendChoice::Cuda => Ok(Backend::cuda(
                std::sync::Arc::new(CudaDevice::new(0)?),
                host,
            )),
        }
    }

    /// The number of runs: `--runs` if given, otherwise the default of the current mode.
    pub fn runs_or(&self, smoke: usize, quick: usize, full: usize) -> usize {
        self.runs.unwrap_or(match self.mode {
            Mode::Smoke => smoke,
            Mode::Quick => quick,
            Mode::Full => full,
        })
    }

    /// `OUT/tables`.
    pub fn tables_dir(&self) -> PathBuf {
        self.out.join("tables")
    }

    /// `OUT/figures`.
    pub fn figures_dir(&self) -> PathBuf {
        self.out.join("figures")
    }

    /// `OUT/raw/<program>`: raw per-run results (kept out of git).
    pub fn raw_dir(&self, program: &str) -> PathBuf {
        self.out.join("raw").join(program)
    }
}

fn parse_num<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| Error::config(flag, format!("'{text}' is not a valid number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_quick_cpu_paper() {
        let a = ReproArgs::parse_from("p", Vec::<String>::new()).unwrap();
        assert_eq!(a.mode, Mode::Quick);
        assert_eq!(a.backend, BackendChoice::Cpu);
        assert_eq!(a.out, PathBuf::from("paper"));
        assert_eq!(a.runs_or(1, 3, 31), 3);
    }

    #[test]
    fn all_flags_parse() {
        let a = ReproArgs::parse_from(
            "p",
            [
                "--full",
                "--seed",
                "9",
                "--runs",
                "31",
                "--threads",
                "2",
                "--backend",
                "cuda",
                "--out",
                "/tmp/x",
            ],
        )
        .unwrap();
        assert_eq!(a.mode, Mode::Full);
        assert_eq!((a.seed, a.runs, a.threads), (9, Some(31), 2));
        assert_eq!(a.backend, BackendChoice::Cuda);
        assert_eq!(a.raw_dir("p"), PathBuf::from("/tmp/x/raw/p"));
    }

    #[test]
    fn cuda_backend_is_a_device_or_a_clear_error() {
        let a = ReproArgs::parse_from("p", ["--backend", "cuda"]).unwrap();
        match a.network_backend() {
            Ok(b) => {
                assert!(b.device().is_some());
                assert!(b.name().starts_with("cuda ("), "{}", b.name());
            }
            Err(e) => {
                println!("no device here: {e}");
                assert!(matches!(e, Error::Cuda { .. }), "{e:?}");
            }
        }
    }

    #[test]
    fn bad_flags_are_errors() {
        for bad in [
            vec!["--nope"],
            vec!["--seed"],
            vec!["--seed", "x"],
            vec!["--runs", "0"],
            vec!["--backend", "tpu"],
            vec!["--smoke", "--full"],
        ] {
            assert!(
                matches!(
                    ReproArgs::parse_from("p", bad.clone()),
                    Err(Error::InvalidConfig { .. })
                ),
                "{bad:?}"
            );
        }
    }
}
