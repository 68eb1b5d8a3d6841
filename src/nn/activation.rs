//! Activation functions and their first three derivatives, lane-wise.
//!
//! Forward-mode jets need `σ'` and `σ''`; back-propagating through the jets also needs
//! `σ'''` (the derivative of the `σ''·z_i·z_j` term of a second derivative). Each is written
//! from the value itself, so one call to our own `tanh`/`sin`/`cos` serves all four:
//! tanh: `σ' = 1 − σ²`, `σ'' = −2σσ'`, `σ''' = −2(σ'² + σσ'')`; sin: `cos`, `−sin`, `−cos`.

use super::Activation;
use crate::backend::cpu::lanes::{Lane, Real};

/// `(σ, σ', σ'', σ''')` at `z`, lane-wise. Identity gives `(z, 1, 0, 0)`.
#[inline(always)]
pub fn eval<V: Lane>(act: Activation, z: V) -> [V; 4] {
    let s = value(act, z);
    let s1 = slope_from_value(act, z, s);
    match act {
        Activation::Tanh => {
            let m2 = V::splat(V::T::from_f64(-2.0));
            let s2 = m2.mul(s.mul(s1));
            let s3 = m2.mul(s.fma(s2, s1.mul(s1)));
            [s, s1, s2, s3]
        }
        Activation::Sin => {
            let m1 = V::splat(-V::T::ONE);
            [s, s1, m1.mul(s), m1.mul(s1)]
        }
        Activation::Identity => [z, s1, V::zero(), V::zero()],
    }
}

/// `σ'(z)` given `v = σ(z)`, lane-wise: the second entry of [`eval`], for callers that need
/// no higher derivative.
#[inline(always)]
pub fn slope_from_value<V: Lane>(act: Activation, z: V, v: V) -> V {
    match act {
        Activation::Tanh => V::splat(V::T::ONE).sub(v.mul(v)),
        Activation::Sin => z.cos(),
        Activation::Identity => V::splat(V::T::ONE),
    }
}

/// `σ(z)` only, lane-wise.
#[inline(always)]
pub fn value<V: Lane>(act: Activation, z: V) -> V {
    match act {
        Activation::Tanh => z.tanh(),
        Activation::Sin => z.sin(),
        Activation::Identity => z,
    }
}

/// `σ(z)` in scalar arithmetic (for single points and tests).
pub fn value_scalar<T: Real>(act: Activation, z: T) -> T {
    match act {
        Activation::Tanh => z.tanh(),
        Activation::Sin => z.sin(),
        Activation::Identity => z,
    }
}
