//! Every CUDA kernel family against its CPU twin, one test body per backend (STYLE 10): the
//! `cpu::*` tests run the CPU twins against independent oracles, the `cuda::*` tests run the
//! same bodies on the first GPU and additionally demand the CPU twin's exact bits. Without a
//! driver or a device the `cuda::*` tests print `skipped: <reason>` and pass.
//!
//! On a GPU machine: `cargo test --release --features cuda --test cuda_kernels`.

#[macro_use]
mod cuda_common;

use cuda_common::{batches, bits, cases, member_sets, oracle_crowding, oracle_ranks, Backend};
use pareto_sciml::{moo, Error};

/// Equal bits, except that two NaNs are equal whatever their payloads: the CPU's default NaN
/// (x86: sign set) and the GPU's differ, and a NaN arises only where the CPU twin itself
/// divides an overflowed difference by an overflowed range (inf / inf).
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

fn uniform_f64(b: &dyn Backend) {
    for batch in batches() {
        let got = b.uniform_f64(&batch).unwrap();
        let want = batch.cpu(|s| s.uniform_f64());
        assert_eq!(bits(&got), bits(&want), "{batch:?}");
        assert!(got.iter().all(|u| (0.0..1.0).contains(u)));
    }
}

fn uniform_f32(b: &dyn Backend) {
    for batch in batches() {
        let got: Vec<u32> = b
            .uniform_f32(&batch)
            .unwrap()
            .iter()
            .map(|x| x.to_bits())
            .collect();
        let want: Vec<u32> = batch
            .cpu(|s| s.uniform_f32())
            .iter()
            .map(|x| x.to_bits())
            .collect();
        assert_eq!(got, want, "{batch:?}");
    }
}

fn words_u64(b: &dyn Backend) {
    for batch in batches() {
        assert_eq!(
            b.words_u64(&batch).unwrap(),
            batch.cpu(|s| s.next_u64()),
            "{batch:?}"
        );
    }
}

fn ranks(b: &dyn Backend) {
    for case in cases() {
        let got = b.ranks(&case.f, case.n_obj).unwrap();
        assert_eq!(got, oracle_ranks(&case.f, case.n_obj), "{}", case.name);
        assert_eq!(
            got,
            moo::nondominated_sort(&case.f, case.n_obj).unwrap(),
            "{}",
            case.name
        );
    }
    assert_eq!(b.ranks(&[], 3).unwrap(), Vec::<usize>::new());
}

fn ranks_f32(b: &dyn Backend) {
    for case in cases() {
        // Rounding to f32 merges close values: more ties, still a valid input.
        let narrow: Vec<f32> = case
            .f
            .iter()
            .map(|&v| v as f32)
            .filter(|v| v.is_finite())
            .collect();
        if narrow.len() != case.f.len() {
            continue;
        }
        let wide: Vec<f64> = narrow.iter().map(|&v| v as f64).collect();
        let got = b.ranks_f32(&narrow, case.n_obj).unwrap();
        assert_eq!(got, oracle_ranks(&wide, case.n_obj), "{}", case.name);
    }
}

fn crowding(b: &dyn Backend) {
    for case in cases() {
        for members in member_sets(case.rows()) {
            let got = b.crowding(&case.f, case.n_obj, &members).unwrap();
            let twin = moo::crowding_distance(&case.f, case.n_obj, &members).unwrap();
            let oracle = oracle_crowding(&case.f, case.n_obj, &members);
            assert!(
                same_bits(&got, &twin),
                "{} {members:?}: {got:?} vs {twin:?}",
                case.name
            );
            assert!(
                same_bits(&got, &oracle),
                "{} {members:?}: {got:?} vs {oracle:?}",
                case.name
            );
        }
    }
}

/// The definition of front ranks, checked pairwise: a dominator has a smaller rank, and a row
/// of rank r > 0 has a dominator of rank r − 1.
fn assert_valid_ranks(f: &[f64], n_obj: usize, rank: &[usize]) {
    let n = f.len() / n_obj;
    let row = |i: usize| &f[i * n_obj..(i + 1) * n_obj];
    for j in 0..n {
        let mut has_parent = rank[j] == 0;
        for i in 0..n {
            if moo::dominates(row(i), row(j)) {
                assert!(rank[i] < rank[j], "row {i} dominates row {j}");
                has_parent |= rank[i] + 1 == rank[j];
            }
        }
        assert!(
            has_parent,
            "row {j} of rank {} has no dominator one front up",
            rank[j]
        );
    }
}

/// Sizes past one peeling block (1024 threads), many launch blocks, long member lists.
fn large_inputs(b: &dyn Backend) {
    for (n, n_obj) in [(1500usize, 3usize), (3000, 2)] {
        let mut s = pareto_sciml::rng::stream(11, "cuda-large", n as u64, n_obj as u64);
        let f: Vec<f64> = (0..n * n_obj).map(|_| s.below(50) as f64 / 7.0).collect();
        let got = b.ranks(&f, n_obj).unwrap();
        assert_valid_ranks(&f, n_obj, &got);
        assert_eq!(got, moo::nondominated_sort(&f, n_obj).unwrap());
        let members: Vec<usize> = (0..n).rev().collect();
        let d = b.crowding(&f, n_obj, &members).unwrap();
        assert!(same_bits(&d, &oracle_crowding(&f, n_obj, &members)));
        assert!(same_bits(
            &d,
            &moo::crowding_distance(&f, n_obj, &members).unwrap()
        ));
    }
    let batch = pareto_sciml::backend::cuda::StreamBatch {
        seed: 3,
        purpose: "large",
        generation: 2,
        first_index: 100,
        n_streams: 70_000,
        count: 2,
    };
    assert_eq!(
        bits(&b.uniform_f64(&batch).unwrap()),
        bits(&batch.cpu(|s| s.uniform_f64()))
    );
}

fn bad_input(b: &dyn Backend) {
    let nan = [0.0, f64::NAN, 1.0, 2.0];
    assert!(matches!(
        b.ranks(&nan, 2),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        b.crowding(&nan, 2, &[0, 1]),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        b.ranks(&[1.0, 2.0, 3.0], 2),
        Err(Error::Shape { got: 3, .. })
    ));
    assert!(matches!(
        b.ranks(&[1.0], 0),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        b.ranks_f32(&[1.0, f32::INFINITY], 1),
        Err(Error::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        b.crowding(&[1.0, 2.0, 3.0, 4.0], 2, &[0, 2]),
        Err(Error::Shape { got: 2, .. })
    ));
}

backend_tests! {
    uniform_f64_is_the_named_stream => uniform_f64;
    uniform_f32_is_the_named_stream => uniform_f32;
    words_u64_are_the_named_stream => words_u64;
    ranks_equal_the_cpu_twin_and_the_definition => ranks;
    ranks_of_f32_objectives_equal_the_definition => ranks_f32;
    crowding_is_bit_identical_to_the_cpu_twin => crowding;
    bad_input_gives_the_cpu_errors => bad_input;
    large_inputs_equal_the_cpu_twins => large_inputs;
}
