//! The kernel sources `kernels/*.cu` compiled for the CPU (through
//! `kernels/emulate/cuda_host_shim.h` and a C++ compiler) and run against their CPU twins, bit
//! for bit. This checks the kernels' logic and arithmetic on machines without a GPU: the
//! ChaCha20 state layout, the uniform conversions, dominance bits and front peeling, the
//! counting sort and the crowding fold. It cannot check what only a device shows (races,
//! launch limits, the PTX itself): tests/cuda_kernels.rs does that on a GPU. Skips with a
//! printed reason when no C++ compiler (`$CXX`, else `g++`, else `clang++`) is found.

mod cuda_common;

use cuda_common::emulate::{harness, hex, run};
use cuda_common::{batches, bits, cases, member_sets};
use pareto_sciml::moo;
use pareto_sciml::rng::purpose_hash;
use proptest::prelude::*;

fn emu_ranks(f: &[f64], n_obj: usize) -> Vec<usize> {
    let n = f.len() / n_obj;
    let out = run(&format!(
        "ranks 64 {n} {n_obj} {}",
        hex(f.iter().map(|v| v.to_bits()))
    ));
    out.into_iter().map(|r| r as usize).collect()
}

fn emu_crowding(f: &[f64], n_obj: usize, members: &[usize]) -> Vec<u64> {
    let n = f.len() / n_obj;
    let ids: String = members.iter().map(|m| format!("{m} ")).collect();
    run(&format!(
        "crowding {n} {n_obj} {} {} {ids}",
        members.len(),
        hex(f.iter().map(|v| v.to_bits()))
    ))
}

#[test]
fn chacha_kernels_reproduce_the_named_streams() {
    if harness().is_none() {
        return;
    }
    for b in batches() {
        let head = format!(
            "{:x} {:x} {:x} {:x} {} {}",
            b.seed,
            purpose_hash(b.purpose),
            b.generation,
            b.first_index,
            b.n_streams,
            b.count
        );
        assert_eq!(
            run(&format!("chacha 0 {head}")),
            b.cpu(|s| s.next_u64()),
            "{b:?}"
        );
        assert_eq!(
            run(&format!("chacha 1 {head}")),
            bits(&b.cpu(|s| s.uniform_f64())),
            "{b:?}"
        );
        let f32_bits: Vec<u64> = b
            .cpu(|s| s.uniform_f32())
            .iter()
            .map(|x| x.to_bits() as u64)
            .collect();
        assert_eq!(run(&format!("chacha 2 {head}")), f32_bits, "{b:?}");
    }
}

#[test]
fn dominance_kernels_give_the_cpu_ranks() {
    if harness().is_none() {
        return;
    }
    for case in cases() {
        let want = moo::nondominated_sort(&case.f, case.n_obj).unwrap();
        assert_eq!(emu_ranks(&case.f, case.n_obj), want, "{}", case.name);
        let narrow: Vec<f32> = case.f.iter().map(|&v| v as f32).collect();
        if narrow.iter().all(|v| v.is_finite()) {
            let wide: Vec<f64> = narrow.iter().map(|&v| v as f64).collect();
            let n = narrow.len() / case.n_obj;
            let input = format!(
                "ranks 32 {n} {} {}",
                case.n_obj,
                hex(narrow.iter().map(|v| v.to_bits() as u64))
            );
            let got: Vec<usize> = run(&input).into_iter().map(|r| r as usize).collect();
            assert_eq!(
                got,
                moo::nondominated_sort(&wide, case.n_obj).unwrap(),
                "{} (f32)",
                case.name
            );
        }
    }
}

#[test]
fn crowding_kernels_are_bit_identical_to_the_cpu_twin() {
    if harness().is_none() {
        return;
    }
    for case in cases() {
        for members in member_sets(case.rows()) {
            let want = moo::crowding_distance(&case.f, case.n_obj, &members).unwrap();
            assert_eq!(
                emu_crowding(&case.f, case.n_obj, &members),
                bits(&want),
                "{} {members:?}",
                case.name
            );
        }
    }
}

/// Matrices of 1..=80 rows and 1..=5 objectives drawn from a coarse grid (ties, duplicates)
/// or a continuum, and a random member list (repeats allowed).
fn matrix() -> impl Strategy<Value = (Vec<f64>, usize, Vec<usize>)> {
    (1usize..=80, 1usize..=5, any::<bool>()).prop_flat_map(|(n, m, coarse)| {
        let value = if coarse {
            (0u8..5).prop_map(|v| v as f64 * 0.5 - 1.0).boxed()
        } else {
            (-1e3f64..1e3).boxed()
        };
        (
            proptest::collection::vec(value, n * m),
            Just(m),
            proptest::collection::vec(0..n, 0..=n + 3),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn emulated_ranks_and_crowding_match_the_cpu((f, m, members) in matrix()) {
        if harness().is_some() {
            prop_assert_eq!(emu_ranks(&f, m), moo::nondominated_sort(&f, m).unwrap());
            let want = moo::crowding_distance(&f, m, &members).unwrap();
            prop_assert_eq!(emu_crowding(&f, m, &members), bits(&want));
        }
    }
}
