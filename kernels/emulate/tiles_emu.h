// The host's side of the tiled nearest-vector search (src/backend/cuda/vector_tiles.rs,
// DeviceTiles) for the emulation harnesses: reads a tiling made by the Rust host code
// (`vector_tiles`), runs vector_tile_bounds_f64 for its tiles and groups as
// DeviceTiles::update_bounds does, and hands the kernels their VectorTiles.
// Input, integers in hexadecimal: <n_tiles> <n_tiles+1 tile_start> <n_groups>
// <n_groups+1 group_tile> <n_vec order>.
#pragma once
#include <iostream>
#include <vector>

struct EmuTiles {
    std::vector<unsigned> order, tile_start, group_tile, group_start;
    std::vector<double> tile_c, tile_r, group_c, group_r;
    unsigned n_tiles = 0, n_groups = 0, m = 0;

    void read(unsigned n_vec, unsigned m_) {
        m = m_;
        auto rd = [] {
            unsigned long long v;
            std::cin >> std::hex >> v >> std::dec;
            return (unsigned)v;
        };
        n_tiles = rd();
        tile_start.resize(n_tiles + 1);
        for (auto &x : tile_start) x = rd();
        n_groups = rd();
        group_tile.resize(n_groups + 1);
        for (auto &x : group_tile) x = rd();
        order.resize(n_vec + 1);
        for (unsigned k = 0; k < n_vec; ++k) order[k] = rd();
        group_start.resize(n_groups + 1);
        for (unsigned g = 0; g <= n_groups; ++g) group_start[g] = tile_start[group_tile[g]];
        tile_c.assign((size_t)n_tiles * m + 1, 0.0);
        tile_r.assign(n_tiles + 1, 0.0);
        group_c.assign((size_t)n_groups * m + 1, 0.0);
        group_r.assign(n_groups + 1, 0.0);
    }

    // Bounds of the vectors v, tiles then groups (256-thread blocks, as the host).
    template <typename Launch>
    void bounds(const double *v, Launch launch) {
        launch(n_tiles, [&] {
            vector_tile_bounds_f64(v, m, order.data(), tile_start.data(), n_tiles, tile_c.data(),
                                   tile_r.data());
        });
        launch(n_groups, [&] {
            vector_tile_bounds_f64(v, m, order.data(), group_start.data(), n_groups,
                                   group_c.data(), group_r.data());
        });
    }
};
