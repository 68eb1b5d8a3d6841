//! The CUDA backend without a driver: a clear `Error::Cuda`, never a panic; with a device, a
//! context that loads every PTX module.
//!
//! On a GPU machine: `cargo test --release --features cuda --test cuda_device`.

use pareto_sciml::backend::cuda::{CudaDevice, NOT_BUILT};
use pareto_sciml::Error;

#[test]
fn opening_a_device_is_an_error_or_a_working_device_never_a_panic() {
    match CudaDevice::new(0) {
        Err(e) => {
            assert!(matches!(e, Error::Cuda { .. }), "{e:?}");
            println!("skipped: {e}");
        }
        Ok(dev) => {
            assert!(!dev.name().is_empty());
            assert_eq!(dev.ordinal(), 0);
            assert!(
                dev.compute_capability().0 >= 8,
                "{:?}",
                dev.compute_capability()
            );
            // Every module loads and every KernelId resolves: the driver accepts our PTX.
            dev.preload().unwrap();
            println!(
                "device: {} sm_{}{}",
                dev.name(),
                dev.compute_capability().0,
                dev.compute_capability().1
            );
        }
    }
}

#[test]
fn a_device_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CudaDevice>();
    send_sync::<pareto_sciml::backend::cuda::DeviceBuffer<f64>>();
}

#[test]
fn a_missing_ordinal_is_a_cuda_error() {
    let err = CudaDevice::new(1 << 20).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Cuda {
                op: "CudaDevice::new" | "CudaDevice::device_count",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn device_count_is_a_number_or_a_cuda_error() {
    match CudaDevice::device_count() {
        Ok(n) => println!("{n} CUDA device(s)"),
        Err(e) => assert!(matches!(e, Error::Cuda { .. }), "{e:?}"),
    }
}

#[cfg(not(feature = "cuda"))]
#[test]
fn without_the_feature_every_entry_point_says_so() {
    for err in [
        CudaDevice::new(0).unwrap_err(),
        CudaDevice::device_count().unwrap_err(),
    ] {
        match err {
            Error::Cuda { message, .. } => assert_eq!(message, NOT_BUILT),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(feature = "cuda")]
#[test]
fn with_the_feature_a_failure_never_claims_a_missing_feature() {
    if let Err(Error::Cuda { message, .. }) = CudaDevice::new(0) {
        assert_ne!(message, NOT_BUILT);
    }
}
