//! The Cole–Hopf reference of Burgers' equation against an independent solver written here:
//! fourth-order central finite differences in x on the periodic extension (the odd 2-periodic
//! extension of −sin(πx) keeps u(±1, t) = 0), classical RK4 in time.

use pareto_sciml::pinn::burgers_reference::{BurgersReference, DEFAULT_QUADRATURE_NODES};
use std::f64::consts::PI;

/// Points per Raissi grid interval (the FD grid contains Raissi's 256 x-points).
const REFINE: usize = 8;

fn rhs(u: &[f64], nu: f64, dx: f64, out: &mut [f64]) {
    let n = u.len();
    let at = |i: isize| u[((i % n as isize) + n as isize) as usize % n];
    for (i, o) in out.iter_mut().enumerate() {
        let i = i as isize;
        let flux = |j: isize| 0.5 * at(j) * at(j);
        let dflux =
            (-flux(i + 2) + 8.0 * flux(i + 1) - 8.0 * flux(i - 1) + flux(i - 2)) / (12.0 * dx);
        let uxx = (-at(i + 2) + 16.0 * at(i + 1) - 30.0 * at(i) + 16.0 * at(i - 1) - at(i - 2))
            / (12.0 * dx * dx);
        *o = -dflux + nu * uxx;
    }
}

/// Solves on the periodic grid x_i = −1 + i·dx, i < n, and returns snapshots at `times`.
fn finite_difference(nu: f64, times: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    // One period [−1, 1) with Raissi's spacing 2/255 refined REFINE times.
    let n = 255 * REFINE;
    let dx = 2.0 / n as f64;
    let x: Vec<f64> = (0..n).map(|i| -1.0 + i as f64 * dx).collect();
    let mut u: Vec<f64> = x.iter().map(|&x| -(PI * x).sin()).collect();
    let steps_per_hundredth = 100;
    let dt = 0.01 / steps_per_hundredth as f64;
    let (mut k1, mut k2, mut k3, mut k4, mut tmp) = (
        vec![0.0; n],
        vec![0.0; n],
        vec![0.0; n],
        vec![0.0; n],
        vec![0.0; n],
    );
    let mut snapshots = Vec::new();
    let mut step = 0usize;
    for &t in times {
        let target = (t * 100.0 * steps_per_hundredth as f64).round() as usize;
        while step < target {
            rhs(&u, nu, dx, &mut k1);
            tmp.iter_mut()
                .zip(&u)
                .zip(&k1)
                .for_each(|((t, u), k)| *t = u + 0.5 * dt * k);
            rhs(&tmp, nu, dx, &mut k2);
            tmp.iter_mut()
                .zip(&u)
                .zip(&k2)
                .for_each(|((t, u), k)| *t = u + 0.5 * dt * k);
            rhs(&tmp, nu, dx, &mut k3);
            tmp.iter_mut()
                .zip(&u)
                .zip(&k3)
                .for_each(|((t, u), k)| *t = u + dt * k);
            rhs(&tmp, nu, dx, &mut k4);
            for i in 0..n {
                u[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
            step += 1;
        }
        snapshots.push(u.clone());
    }
    (x, snapshots)
}

#[test]
fn cole_hopf_agrees_with_fine_finite_differences() {
    let nu = 0.01 / PI;
    let times = [0.25, 0.5, 0.75, 0.99];
    let (x, snaps) = finite_difference(nu, &times);
    let reference = BurgersReference::new(nu, DEFAULT_QUADRATURE_NODES).unwrap();
    let n = x.len();
    for (t, u) in times.iter().zip(&snaps) {
        let (mut max_err, mut max_at) = (0.0f64, 0.0);
        let mut smooth_err = 0.0f64;
        // Raissi's x-points −1 + 2i/255 are FD points i·REFINE (x = 1 wraps to x = −1).
        for i in 0..=255 {
            let xi = -1.0 + 2.0 * i as f64 / 255.0;
            let fd = u[(i * REFINE) % n];
            let ch = reference.value(xi, *t);
            let err = (fd - ch).abs();
            if err > max_err {
                max_err = err;
                max_at = xi;
            }
            if xi.abs() > 0.1 {
                smooth_err = smooth_err.max(err);
            }
        }
        eprintln!("t = {t}: max |FD − Cole–Hopf| = {max_err:.2e} at x = {max_at:.3}, away from the shock {smooth_err:.2e}");
        assert!(smooth_err < 1e-8, "t = {t}: {smooth_err}");
        assert!(max_err < 1e-4, "t = {t}: {max_err} at {max_at}");
    }
}

#[test]
fn quadrature_has_converged_at_the_default_node_count() {
    let nu = 0.01 / PI;
    let a = BurgersReference::new(nu, DEFAULT_QUADRATURE_NODES).unwrap();
    let b = BurgersReference::new(nu, 2 * DEFAULT_QUADRATURE_NODES).unwrap();
    let mut worst = 0.0f64;
    for i in 0..256 {
        let x = -1.0 + 2.0 * i as f64 / 255.0;
        for t in [0.1, 0.4, 0.7, 0.99] {
            worst = worst.max((a.value(x, t) - b.value(x, t)).abs());
        }
    }
    eprintln!(
        "max change from {} to {} nodes: {worst:.2e}",
        DEFAULT_QUADRATURE_NODES,
        2 * DEFAULT_QUADRATURE_NODES
    );
    assert!(worst < 1e-8, "{worst}");
}
