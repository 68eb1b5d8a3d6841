//! `.npy` round trips (f32, f64, ranks 0–3, formats 1.0 and 2.0) and rejection of malformed
//! files with the right error.

use pareto_sciml::io::npy;
use pareto_sciml::Error;
use proptest::prelude::*;

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir()
        .join(format!("pareto_sciml_npy_{}", std::process::id()))
        .join(name)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn round_trip_f64(shape in proptest::collection::vec(0usize..5, 0..4), seed in any::<u64>()) {
        let n: usize = shape.iter().product();
        let mut s = pareto_sciml::rng::stream(seed, "npy", 0, 0);
        let data: Vec<f64> = (0..n).map(|_| f64::from_bits(s.next_u64())).collect();
        let bytes = npy::to_bytes(&shape, &data).unwrap();
        prop_assert_eq!(bytes.len() % 64, (n * 8) % 64);
        let (sh, back) = npy::from_bytes::<f64>(&bytes, "mem").unwrap();
        prop_assert_eq!(sh, shape);
        let a: Vec<u64> = data.iter().map(|x| x.to_bits()).collect();
        let b: Vec<u64> = back.iter().map(|x| x.to_bits()).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn round_trip_f32(shape in proptest::collection::vec(0usize..6, 1..3), seed in any::<u64>()) {
        let n: usize = shape.iter().product();
        let mut s = pareto_sciml::rng::stream(seed, "npy", 0, 1);
        let data: Vec<f32> = (0..n).map(|_| f32::from_bits(s.next_u32())).collect();
        let path = tmp(&format!("r{seed}.npy"));
        npy::write_f32(&path, &shape, &data).unwrap();
        let (sh, back) = npy::read_f32(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        prop_assert_eq!(sh, shape);
        let a: Vec<u32> = data.iter().map(|x| x.to_bits()).collect();
        let b: Vec<u32> = back.iter().map(|x| x.to_bits()).collect();
        prop_assert_eq!(a, b);
    }
}

/// Hand-built file with an arbitrary header dict (format 1.0 or 2.0).
fn file(dict: &str, version: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = b"\x93NUMPY".to_vec();
    v.push(version);
    v.push(0);
    let prefix = if version == 1 { 10 } else { 12 };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let hlen = total - prefix;
    if version == 1 {
        v.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        v.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    v.extend_from_slice(dict.as_bytes());
    v.resize(total - 1, b' ');
    v.push(b'\n');
    v.extend_from_slice(payload);
    v
}

fn f64_payload(xs: &[f64]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[test]
fn reads_format_2_and_numpy_spacing() {
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    let (sh, d) = npy::from_bytes::<f64>(&file(dict, 2, &f64_payload(&[1.5, -2.0])), "m").unwrap();
    assert_eq!(sh, vec![2]);
    assert_eq!(d[1].to_bits(), (-2.0f64).to_bits());
}

fn format_err(bytes: &[u8]) -> String {
    match npy::from_bytes::<f64>(bytes, "bad.npy") {
        Err(Error::Format { reason, .. }) => reason,
        other => panic!("expected Error::Format, got {other:?}"),
    }
}

#[test]
fn rejects_malformed_files() {
    let ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
    let payload = f64_payload(&[1.0, 2.0, 3.0, 4.0]);
    assert!(npy::from_bytes::<f64>(&file(ok, 1, &payload), "m").is_ok());
    // Bad magic.
    let mut b = file(ok, 1, &payload);
    b[1] = b'X';
    assert!(format_err(&b).contains("magic"));
    // Wrong dtype: f32 file read as f64, and the other way round; big-endian; integers.
    for descr in ["<f4", ">f8", "<i8"] {
        let d = ok.replace("<f8", descr);
        assert!(format_err(&file(&d, 1, &payload)).contains("dtype"));
    }
    assert!(matches!(
        npy::from_bytes::<f32>(&file(ok, 1, &payload), "m"),
        Err(Error::Format { .. })
    ));
    // Fortran order.
    let fo = ok.replace("False", "True");
    assert!(format_err(&file(&fo, 1, &payload)).contains("Fortran"));
    // Truncated payload, trailing bytes, truncated header.
    assert!(format_err(&file(ok, 1, &payload[..31])).contains("truncated"));
    let mut long = payload.clone();
    long.push(0);
    assert!(format_err(&file(ok, 1, &long)).contains("trailing"));
    assert!(format_err(&file(ok, 1, &payload)[..40]).contains("header"));
    // Unknown version.
    assert!(format_err(&file(ok, 7, &payload)).contains("version"));
}

#[test]
fn shape_mismatch_is_a_shape_error() {
    let path = tmp("shape.npy");
    npy::write_f64(&path, &[3, 2], &[0.0; 6]).unwrap();
    assert!(npy::read_shaped::<f64>(&path, &[3, 2]).is_ok());
    assert!(matches!(
        npy::read_shaped::<f64>(&path, &[2, 3]),
        Err(Error::Shape {
            expected: 2,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        npy::read_shaped::<f64>(&path, &[6]),
        Err(Error::Shape { .. })
    ));
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        npy::write_f64(&path, &[4], &[0.0; 3]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        npy::read_f64(tmp("missing.npy")),
        Err(Error::Io { .. })
    ));
}
