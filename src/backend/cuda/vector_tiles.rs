//! Spatial tiles of RVEA's reference vectors for the device's exact nearest-vector search
//! (`kernels/common/tiles.cuh`), used by the association (`rvea_nearest_f64`) and the
//! neighbour angles (`rvea_gamma_f64`).
//!
//! A brute-force association costs one distance per (row, vector) pair: 5·10⁸ at population
//! 2¹⁴, most of a device generation. The tiling orders the vectors by recursive median
//! splits (along the coordinate of widest spread) into tiles of at most [`TILE`] vectors and
//! groups of at most [`GROUP`] tiles, each a compact region; the kernels bound each region by
//! a centre and radius and skip the regions that cannot hold a nearer vector. The answer is
//! the brute-force one bit for bit (the kernels' header explains the margins); the tiling
//! only decides how much is skipped.
//!
//! RVEA's adaptation scales every vector's coordinates by the same positive factors and
//! renormalises, a continuous map, so a tiling made from the initial vectors stays compact
//! for the adapted ones; only the bounds are recomputed on the device.
//!
//! ```
//! use pareto_sciml::backend::cuda::{vector_tiles, TILE};
//! use pareto_sciml::moo::das_dennis;
//! let v = das_dennis(3, 40).unwrap(); // 861 vectors
//! let t = vector_tiles(&v, 3).unwrap();
//! assert_eq!(t.order.len(), 861);
//! assert!(t.tile_start.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= TILE as u32));
//! ```

use super::kernels::KernelId;
use super::{to_u32, CudaDevice, DeviceBuffer, KernelArg, LaunchDims};
use crate::error::Result;
use crate::moo::nondominated_sort::check_matrix;

/// Most vectors per tile.
pub const TILE: usize = 32;
/// Most tiles per group.
pub const GROUP: usize = 16;

/// The tile order of a set of vectors (host side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorTiles {
    /// Vector indices in tile order.
    pub order: Vec<u32>,
    /// Tile `t` is `order[tile_start[t] .. tile_start[t + 1]]` (length tiles + 1).
    pub tile_start: Vec<u32>,
    /// Group `g` is tiles `group_tile[g] .. group_tile[g + 1]` (length groups + 1).
    pub group_tile: Vec<u32>,
}

impl VectorTiles {
    /// Number of tiles.
    pub fn n_tiles(&self) -> usize {
        self.tile_start.len() - 1
    }

    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.group_tile.len() - 1
    }

    /// Group `g` is `order[group_start[g] .. group_start[g + 1]]`.
    pub fn group_start(&self) -> Vec<u32> {
        self.group_tile
            .iter()
            .map(|&t| self.tile_start[t as usize])
            .collect()
    }
}

/// Tiles of the `n_vec × n_obj` row-major vectors `v` (at least one vector; any values:
/// non-finite ones only weaken the pruning). Deterministic: ties in the splits go to the
/// smaller index.
pub fn vector_tiles(v: &[f64], n_obj: usize) -> Result<VectorTiles> {
    let n = check_matrix("vector_tiles", v, n_obj)?;
    to_u32("vector_tiles", "vectors", n)?;
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut tiles = Tiling {
        v,
        m: n_obj,
        tile_start: vec![0],
        group_tile: vec![0],
    };
    if n > 0 {
        tiles.split(&mut order, 0, TILE * GROUP);
    }
    Ok(VectorTiles {
        order,
        tile_start: tiles.tile_start,
        group_tile: tiles.group_tile,
    })
}

struct Tiling<'a> {
    v: &'a [f64],
    m: usize,
    tile_start: Vec<u32>,
    group_tile: Vec<u32>,
}

impl Tiling<'_> {
    /// Splits `idx` (positions `at ..` of the order) into parts of at most `unit` vectors:
    /// groups (`unit` = TILE·GROUP), each then split into tiles (`unit` = TILE). Splits fall on
    /// multiples of `unit`, so that every part is full but the last.
    fn split(&mut self, idx: &mut [u32], at: usize, unit: usize) {
        let n = idx.len();
        if n <= unit {
            if unit == TILE {
                self.tile_start.push((at + n) as u32);
            } else {
                self.split(idx, at, TILE);
                self.group_tile.push(self.n_tiles() as u32);
            }
            return;
        }
        let left = n.div_ceil(unit).div_ceil(2) * unit;
        self.order_widest(idx);
        let (a, b) = idx.split_at_mut(left);
        self.split(a, at, unit);
        self.split(b, at + left, unit);
    }

    fn n_tiles(&self) -> usize {
        self.tile_start.len() - 1
    }

    /// Sorts `idx` by the coordinate of widest spread (ties: the smaller coordinate), then
    /// by index.
    fn order_widest(&self, idx: &mut [u32]) {
        let (v, m) = (self.v, self.m);
        let at = |k: u32, j: usize| v[k as usize * m + j];
        let spread = |j: usize| {
            let (lo, hi) = idx
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &k| {
                    (lo.min(at(k, j)), hi.max(at(k, j)))
                });
            hi - lo
        };
        let mut axis = 0;
        let mut widest = f64::NEG_INFINITY;
        for j in 0..m {
            let s = spread(j);
            if s > widest {
                widest = s;
                axis = j;
            }
        }
        idx.sort_by(|&a, &b| at(a, axis).total_cmp(&at(b, axis)).then(a.cmp(&b)));
    }
}

/// A tiling in device memory with the bounds of its tiles and groups.
#[derive(Debug)]
pub(super) struct DeviceTiles {
    order: DeviceBuffer<u32>,
    tile_start: DeviceBuffer<u32>,
    group_tile: DeviceBuffer<u32>,
    group_start: DeviceBuffer<u32>,
    tile_c: DeviceBuffer<f64>,
    tile_r: DeviceBuffer<f64>,
    group_c: DeviceBuffer<f64>,
    group_r: DeviceBuffer<f64>,
    n_tiles: u32,
    n_groups: u32,
    n_obj: usize,
}

impl DeviceTiles {
    /// Uploads `tiles` for vectors of `n_obj` objectives (bounds still to compute).
    pub(super) fn upload(dev: &CudaDevice, tiles: &VectorTiles, n_obj: usize) -> Result<Self> {
        let (nt, ng) = (tiles.n_tiles(), tiles.n_groups());
        Ok(DeviceTiles {
            order: dev.htod(&tiles.order)?,
            tile_start: dev.htod(&tiles.tile_start)?,
            group_tile: dev.htod(&tiles.group_tile)?,
            group_start: dev.htod(&tiles.group_start())?,
            tile_c: dev.zeros(nt * n_obj)?,
            tile_r: dev.zeros(nt)?,
            group_c: dev.zeros(ng * n_obj)?,
            group_r: dev.zeros(ng)?,
            n_tiles: to_u32("DeviceTiles", "tiles", nt)?,
            n_groups: to_u32("DeviceTiles", "groups", ng)?,
            n_obj,
        })
    }

    /// Number of tiles (the seed keys run over `0..n_tiles`).
    pub(super) fn n_tiles(&self) -> usize {
        self.n_tiles as usize
    }

    /// The device's tile order (thread t of the γ kernel takes vector `order[t]`).
    pub(super) fn order(&self) -> &DeviceBuffer<u32> {
        &self.order
    }

    /// Recomputes the bounds for the vectors `v` (in `family`'s copy of the bounds kernel).
    pub(super) fn update_bounds(
        &self,
        dev: &CudaDevice,
        kernel: KernelId,
        v: &DeviceBuffer<f64>,
    ) -> Result<()> {
        const OP: &str = "DeviceTiles::update_bounds";
        let m = KernelArg::U32(to_u32(OP, "n_obj", self.n_obj)?);
        for (start, parts, c, r) in [
            (&self.tile_start, self.n_tiles, &self.tile_c, &self.tile_r),
            (
                &self.group_start,
                self.n_groups,
                &self.group_c,
                &self.group_r,
            ),
        ] {
            // SAFETY: vector_tile_bounds_f64's argument list; v holds the tiled vectors
            // (n_obj each), start parts + 1 positions of the order, c parts·n_obj, r parts.
            unsafe {
                dev.launch(
                    kernel,
                    LaunchDims::linear(OP, parts as usize)?,
                    &[
                        v.arg(),
                        m,
                        self.order.arg(),
                        start.arg(),
                        KernelArg::U32(parts),
                        c.arg(),
                        r.arg(),
                    ],
                )?
            };
        }
        Ok(())
    }

    /// The tiling's kernel arguments after the order, in the kernels' order: tile_start,
    /// group_tile, tile_c, tile_r, group_c, group_r, n_tiles, n_groups.
    pub(super) fn args(&self) -> [KernelArg<'_>; 8] {
        [
            self.tile_start.arg(),
            self.group_tile.arg(),
            self.tile_c.arg(),
            self.tile_r.arg(),
            self.group_c.arg(),
            self.group_r.arg(),
            KernelArg::U32(self.n_tiles),
            KernelArg::U32(self.n_groups),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::moo::das_dennis;

    fn check(t: &VectorTiles, n: usize) {
        let mut seen = t.order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
        assert_eq!(t.tile_start[0], 0);
        assert_eq!(*t.tile_start.last().unwrap() as usize, n);
        assert!(t
            .tile_start
            .windows(2)
            .all(|w| w[1] > w[0] && (w[1] - w[0]) as usize <= TILE));
        assert_eq!(t.group_tile[0], 0);
        assert_eq!(*t.group_tile.last().unwrap() as usize, t.n_tiles());
        assert!(t
            .group_tile
            .windows(2)
            .all(|w| w[1] > w[0] && (w[1] - w[0]) as usize <= GROUP));
    }

    #[test]
    fn tiles_partition_the_vectors() {
        for (m, parts) in [(3, 180), (3, 12), (2, 99), (5, 4), (3, 1), (1, 1)] {
            let v = das_dennis(m, parts).unwrap();
            let t = vector_tiles(&v, m).unwrap();
            check(&t, v.len() / m);
        }
        let t = vector_tiles(&[], 3).unwrap();
        assert_eq!((t.n_tiles(), t.n_groups()), (0, 0));
    }

    #[test]
    fn tiles_are_compact() {
        // 16471 lattice vectors: a tile spans a few lattice steps (1/180), not a strip.
        let m = 3;
        let v = das_dennis(m, 180).unwrap();
        let t = vector_tiles(&v, m).unwrap();
        check(&t, v.len() / m);
        let widest = t
            .tile_start
            .windows(2)
            .map(|w| {
                let ks = &t.order[w[0] as usize..w[1] as usize];
                (0..m)
                    .map(|j| {
                        let x = ks.iter().map(|&k| v[k as usize * m + j]);
                        x.clone().fold(f64::MIN, f64::max) - x.fold(f64::MAX, f64::min)
                    })
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max);
        assert!(widest < 12.0 / 180.0, "a tile spans {widest}");
    }
}
