//! Data assimilation: the ensemble Kalman filter that MoPINNEnKF runs on the Pareto members of
//! a PINN population.

pub mod enkf;
pub mod linalg;
pub mod mopinnenkf;
