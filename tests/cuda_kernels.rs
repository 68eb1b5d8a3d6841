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
}
