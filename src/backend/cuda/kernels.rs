//! The kernel registry: every device function, the PTX module holding it, and its name.
//!
//! PTX is committed in `kernels/` (generated from `kernels/*.cu` by
//! `kernels/generate_ptx.py`, validated by `kernels/validate_ptx.sh`) and embedded here with
//! `include_str!`, so a binary carries its kernels and the build never runs a CUDA compiler.
//! Function names are `<op>_<element type>` (`_f64`, `_f32`; `_u32`/`_u64` for kernels that
//! only move integers). This module is plain data and exists with or without the `cuda`
//! feature, so the registry can be checked against the PTX anywhere.

/// A PTX module: one file `kernels/<name>.ptx` per kernel family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelFamily {
    /// Named ChaCha20 streams; CPU twin [`crate::rng::Stream`].
    ChachaUniform,
    /// Dominance matrix and front peeling; CPU twin [`crate::moo::nondominated_sort()`].
    DominanceRank,
    /// Crowding distance; CPU twin [`crate::moo::crowding_distance`].
    CrowdingDistance,
    /// Element-wise elementary functions of `kernels/common/math.cuh`; CPU twins in
    /// [`crate::math`].
    MathEval,
    /// SBX and polynomial mutation; CPU twins [`crate::moo::operators::sbx`] and
    /// [`crate::moo::operators::polynomial_mutation`].
    Variation,
    /// DTLZ and ZDT evaluation; CPU twins [`crate::moo::problems::Dtlz`] and
    /// [`crate::moo::problems::Zdt`].
    Problems,
    /// RVEA association and APD; CPU twin [`crate::moo::rvea::Rvea`] (its survival step).
    Rvea,
    /// Population MLP jets and loss gradients; CPU twins [`crate::backend::cpu::Cpu::jets`]
    /// and [`crate::backend::cpu::Cpu::loss_grad`].
    MlpPopulation,
    /// Adam for every member at once; CPU twin [`crate::nn::Adam::step`].
    Adam,
    /// Batched adaptive Runge–Kutta solves; CPU twin [`crate::ode::solve`].
    RkStep,
    /// NSGA-III normalisation, association and niching; CPU twins in
    /// [`crate::backend::cuda::Nsga3Normalisation`], [`crate::backend::cuda::nsga3_associate_cpu`], [`crate::backend::cuda::nsga3_niching_cpu`] (the functions [`crate::moo::nsga3::Nsga3`] runs).
    Nsga3,
    /// RVEA reference-vector adaptation and neighbour angles; CPU twins
    /// [`crate::backend::cuda::rvea_adapt_cpu`], [`crate::backend::cuda::rvea_gammas_cpu`].
    RveaAdapt,
    /// Random permutations, binary tournaments, row gathers and RVEA's survival bookkeeping;
    /// CPU twins [`crate::moo::operators::random_mating`],
    /// [`crate::moo::operators::binary_tournament`] and [`crate::moo::rvea::Rvea`]'s survival.
    Survival,
    /// NSGA-II's front split, per-front crowding and truncation; CPU twin
    /// [`crate::moo::Nsga2`]'s survival.
    Nsga2,
    /// Population MLP outputs with register-resident activations (the value-only fast path of
    /// [`crate::backend::cuda::CudaDevice::mlp_jets`]); CPU twin
    /// [`crate::backend::cpu::Cpu::jets`].
    MlpValues,
    /// The fused gradient kernel for tanh networks of one hidden width and the 4-component
    /// jets of a PDE in two inputs; CPU twin [`crate::backend::cpu::Cpu::loss_grad`].
    MlpLossFused,
}

impl KernelFamily {
    /// Every family, in the order of [`index`](Self::index).
    pub const ALL: [KernelFamily; 16] = [
        KernelFamily::ChachaUniform,
        KernelFamily::DominanceRank,
        KernelFamily::CrowdingDistance,
        KernelFamily::MathEval,
        KernelFamily::Variation,
        KernelFamily::Problems,
        KernelFamily::Rvea,
        KernelFamily::MlpPopulation,
        KernelFamily::Adam,
        KernelFamily::RkStep,
        KernelFamily::Nsga3,
        KernelFamily::RveaAdapt,
        KernelFamily::Survival,
        KernelFamily::Nsga2,
        KernelFamily::MlpValues,
        KernelFamily::MlpLossFused,
    ];

    /// Position in [`ALL`](Self::ALL), used to index the device's module cache.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// File stem in `kernels/`.
    pub const fn name(self) -> &'static str {
        match self {
            KernelFamily::ChachaUniform => "chacha_uniform",
            KernelFamily::DominanceRank => "dominance_rank",
            KernelFamily::CrowdingDistance => "crowding_distance",
            KernelFamily::MathEval => "math_eval",
            KernelFamily::Variation => "variation",
            KernelFamily::Problems => "problems",
            KernelFamily::Rvea => "rvea",
            KernelFamily::MlpPopulation => "mlp_population",
            KernelFamily::Adam => "adam",
            KernelFamily::RkStep => "rk_step",
            KernelFamily::Nsga3 => "nsga3",
            KernelFamily::RveaAdapt => "rvea_adapt",
            KernelFamily::Survival => "survival",
            KernelFamily::Nsga2 => "nsga2",
            KernelFamily::MlpValues => "mlp_values",
            KernelFamily::MlpLossFused => "mlp_loss_fused",
        }
    }

    /// The embedded PTX text of the module.
    pub const fn ptx(self) -> &'static str {
        match self {
            KernelFamily::ChachaUniform => include_str!("../../../kernels/chacha_uniform.ptx"),
            KernelFamily::DominanceRank => include_str!("../../../kernels/dominance_rank.ptx"),
            KernelFamily::CrowdingDistance => {
                include_str!("../../../kernels/crowding_distance.ptx")
            }
            KernelFamily::MathEval => include_str!("../../../kernels/math_eval.ptx"),
            KernelFamily::Variation => include_str!("../../../kernels/variation.ptx"),
            KernelFamily::Problems => include_str!("../../../kernels/problems.ptx"),
            KernelFamily::Rvea => include_str!("../../../kernels/rvea.ptx"),
            KernelFamily::MlpPopulation => include_str!("../../../kernels/mlp_population.ptx"),
            KernelFamily::Adam => include_str!("../../../kernels/adam.ptx"),
            KernelFamily::RkStep => include_str!("../../../kernels/rk_step.ptx"),
            KernelFamily::Nsga3 => include_str!("../../../kernels/nsga3.ptx"),
            KernelFamily::RveaAdapt => include_str!("../../../kernels/rvea_adapt.ptx"),
            KernelFamily::Survival => include_str!("../../../kernels/survival.ptx"),
            KernelFamily::Nsga2 => include_str!("../../../kernels/nsga2.ptx"),
            KernelFamily::MlpValues => include_str!("../../../kernels/mlp_values.ptx"),
            KernelFamily::MlpLossFused => include_str!("../../../kernels/mlp_loss_fused.ptx"),
        }
    }
}

/// A device function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelId {
    /// `chacha_words_u64`: raw 64-bit words of named streams ([`crate::rng::Stream::next_u64`]).
    ChachaWordsU64,
    /// `chacha_uniform_f64`: [`crate::rng::Stream::uniform_f64`] draws.
    ChachaUniformF64,
    /// `chacha_uniform_f32`: [`crate::rng::Stream::uniform_f32`] draws.
    ChachaUniformF32,
    /// `dominance_matrix_f64`: who-dominates-whom bit matrix and dominator counts.
    DominanceMatrixF64,
    /// `dominance_matrix_f32`: the same for single-precision objectives.
    DominanceMatrixF32,
    /// `dominance_peel_u32`: front ranks from the dominance matrix (one block, all fronts).
    DominancePeelU32,
    /// `crowding_order_f64`: per-objective sort places by counting.
    CrowdingOrderF64,
    /// `crowding_accumulate_f64`: the distance sum over objectives, in objective order.
    CrowdingAccumulateF64,
    /// `math_eval_exp_f64`: element-wise [`crate::math::exp_f64`].
    MathExpF64,
    /// `math_eval_ln_f64`: element-wise [`crate::math::ln_f64`].
    MathLnF64,
    /// `math_eval_pow_f64`: element-wise [`crate::math::pow_f64`].
    MathPowF64,
    /// `math_eval_tanh_f64`: element-wise [`crate::math::tanh_f64`].
    MathTanhF64,
    /// `math_eval_sin_f64`: element-wise [`crate::math::sin_f64`].
    MathSinF64,
    /// `math_eval_cos_f64`: element-wise [`crate::math::cos_f64`].
    MathCosF64,
    /// `math_eval_exp_f32`: element-wise [`crate::math::exp_f32`].
    MathExpF32,
    /// `math_eval_ln_f32`: element-wise [`crate::math::ln_f32`].
    MathLnF32,
    /// `math_eval_pow_f32`: element-wise [`crate::math::pow_f32`].
    MathPowF32,
    /// `math_eval_tanh_f32`: element-wise [`crate::math::tanh_f32`].
    MathTanhF32,
    /// `math_eval_sin_f32`: element-wise [`crate::math::sin_f32`].
    MathSinF32,
    /// `math_eval_cos_f32`: element-wise [`crate::math::cos_f32`].
    MathCosF32,
    /// `sbx_f64`: SBX offspring, one thread per pair ([`crate::moo::operators::sbx`]).
    SbxF64,
    /// `polynomial_mutation_f64`: in-place mutation, one thread per row
    /// ([`crate::moo::operators::polynomial_mutation`]).
    PolynomialMutationF64,
    /// `dtlz_f64`: DTLZ1–7 objectives, one thread per row ([`crate::moo::problems::Dtlz`]).
    DtlzF64,
    /// `dtlz_rastrigin_terms_f64`: DTLZ1/DTLZ3's Rastrigin terms, one thread per term, for
    /// long rows (summed by `dtlz_f64` in the CPU's order).
    DtlzRastriginTermsF64,
    /// `zdt_f64`: ZDT1–4, ZDT6 objectives, one thread per row ([`crate::moo::problems::Zdt`]).
    ZdtF64,
    /// `acos_eval_f64`: the device arccosine of the RVEA kernels, element-wise (twin
    /// [`crate::math::inverse_trig::acos_f64`]; within [`super::ACOS_MAX_ULP`] of libm).
    AcosEvalF64,
    /// `vector_tile_bounds_f64` of the `rvea` module: centre and radius of each tile or
    /// group of reference vectors (the exact tiled nearest-vector search).
    TileBoundsF64,
    /// `rvea_seed_u32`: each individual's seed tile, the key its row is bucketed by.
    RveaSeedU32,
    /// `rvea_nearest_f64`: nearest reference vector per individual, by the exact tiled
    /// search (the association).
    RveaNearestF64,
    /// `rvea_apd_f64`: angle-penalised distance per individual from its niche.
    RveaApdF64,
    /// `rvea_niche_count_u32`: rows per niche (the bucketing of the survivor selection).
    RveaNicheCountU32,
    /// `range_sums_u32`: sums of contiguous ranges of counts (prefix sums, first pass).
    RangeSumsU32,
    /// `range_offsets_u32`: exclusive prefix sums of the range sums, on one thread.
    RangeOffsetsU32,
    /// `prefix_offsets_u32`: exclusive prefix sums of the counts (prefix sums, last pass).
    PrefixOffsetsU32,
    /// `rvea_niche_scatter_u32`: the rows of each niche into its bucket.
    RveaNicheScatterU32,
    /// `rvea_select_f64`: the survivor of each niche (smallest (infeasible, cv, APD, row)).
    RveaSelectF64,
    /// `mlp_jets_f32`: outputs and input jets of P networks at N points.
    MlpJetsF32,
    /// `mlp_jets_f64`: the same in double precision.
    MlpJetsF64,
    /// `mlp_loss_partial_f32`: loss and gradient accumulators of one lane of one chunk.
    MlpLossPartialF32,
    /// `mlp_loss_partial_f64`: the same in double precision.
    MlpLossPartialF64,
    /// `mlp_loss_points_f32`: the same accumulators, one thread per point of the lane.
    MlpLossPointsF32,
    /// `mlp_loss_points_f64`: the same in double precision.
    MlpLossPointsF64,
    /// `mlp_loss_fold_f32`: lanes folded pairwise, chunks summed in order.
    MlpLossFoldF32,
    /// `mlp_loss_fold_f64`: the same in double precision.
    MlpLossFoldF64,
    /// `mlp_values_w8_f32`: outputs of P networks of hidden width 8 at N points.
    MlpValuesW8F32,
    /// `mlp_values_w16_f32`: the same for hidden width 16.
    MlpValuesW16F32,
    /// `mlp_values_w20_f32`: the same for hidden width 20.
    MlpValuesW20F32,
    /// `mlp_values_w32_f32`: the same for hidden width 32.
    MlpValuesW32F32,
    /// `mlp_values_w8_f64`: outputs of P networks of hidden width 8 at N points, f64.
    MlpValuesW8F64,
    /// `mlp_values_w16_f64`: the same for hidden width 16.
    MlpValuesW16F64,
    /// `mlp_values_w20_f64`: the same for hidden width 20.
    MlpValuesW20F64,
    /// `mlp_values_w32_f64`: the same for hidden width 32.
    MlpValuesW32F64,
    /// `mlp_loss_fused_w20_f32`: the lanes' gradient accumulators of tanh networks of hidden
    /// width 20 with 4-component jets, one thread per point of a (member, chunk).
    MlpLossFusedW20F32,
    /// `adam_step_f32`: one Adam step of every parameter of every member.
    AdamStepF32,
    /// `adam_step_f64`: the same in double precision.
    AdamStepF64,
    /// `rk_solve_f64`: a whole adaptive solve per member (Dopri5/Tsit5, dense output).
    RkSolveF64,
    /// `nsga3_normalise_f64`: ideal, worst, extreme points and nadir (one block).
    Nsga3NormaliseF64,
    /// `nsga3_associate_f64`: nearest reference direction by perpendicular distance, per row.
    Nsga3AssociateF64,
    /// `nsga3_niching_u32`: niche-preserving selection from the last front (one thread).
    Nsga3NichingU32,
    /// `rvea_adapt_f64`: reference vectors re-scaled by the population's range.
    RveaAdaptF64,
    /// `rvea_gamma_f64`: angle from each reference vector to its nearest neighbour.
    RveaGammaF64,
    /// `vector_tile_bounds_f64` of the `rvea_adapt` module (the same kernel as
    /// [`KernelId::TileBoundsF64`], for the γ search).
    AdaptTileBoundsF64,
    /// `permutations_u32`: random permutations of named streams ([`crate::rng::Stream::permutation`]).
    PermutationsU32,
    /// `shuffle_targets_u32`: the Fisher–Yates swap targets of every permutation, one cipher
    /// block per thread (with a flag for the rare rejected draw).
    ShuffleTargetsU32,
    /// `perm_count_u32`: Fisher–Yates steps per target (bucket sizes).
    PermCountU32,
    /// `range_sums_u32` of the `survival` module (prefix sums of the bucket sizes).
    PermRangeSumsU32,
    /// `range_offsets_u32` of the `survival` module.
    PermRangeOffsetsU32,
    /// `prefix_offsets_u32` of the `survival` module.
    PermPrefixOffsetsU32,
    /// `perm_scatter_u32`: the steps into their target's bucket.
    PermScatterU32,
    /// `perm_sort_buckets_u32`: each bucket in ascending step order.
    PermSortBucketsU32,
    /// `perm_follow_u32`: each permutation entry by following its chain of swaps.
    PermFollowU32,
    /// `tournament_pairs_u32`: binary tournaments on (violation, rank, crowding).
    TournamentPairsU32,
    /// `pairs_split_u32`: consecutive draws as the (a, b) columns of random mating.
    PairsSplitU32,
    /// `gather_rows_f64`: rows of two stacked matrices picked by index.
    GatherRowsF64,
    /// `rvea_ideal_f64`: RVEA's ideal-point update (feasible rows, else all; one block).
    RveaIdealF64,
    /// `column_max_f64`: column maxima (the survivors' nadir; one block).
    ColumnMaxF64,
    /// `compact_u32`: the non-empty niches' survivors in niche order, and their number.
    CompactU32,
    /// `nsga3_split_u32`: the fronts that fit and the overflowing front, from the ranks.
    Nsga3SplitU32,
    /// `nsga3_count_u32`: niche counts of the chosen rows.
    Nsga3CountU32,
    /// `nsga2_split_u32`: the fronts that get crowding distances, front by front.
    Nsga2SplitU32,
    /// `crowding_segments_order_f64`: per-front sort places by counting.
    CrowdingSegmentsOrderF64,
    /// `crowding_segments_accumulate_f64`: per-front crowding distances.
    CrowdingSegmentsAccumulateF64,
    /// `nsga2_select_u32`: survivors, their ranks and crowding.
    Nsga2SelectU32,
}

impl KernelId {
    /// Every kernel, in the order of [`index`](Self::index).
    pub const ALL: [KernelId; 83] = [
        KernelId::ChachaWordsU64,
        KernelId::ChachaUniformF64,
        KernelId::ChachaUniformF32,
        KernelId::DominanceMatrixF64,
        KernelId::DominanceMatrixF32,
        KernelId::DominancePeelU32,
        KernelId::CrowdingOrderF64,
        KernelId::CrowdingAccumulateF64,
        KernelId::MathExpF64,
        KernelId::MathLnF64,
        KernelId::MathPowF64,
        KernelId::MathTanhF64,
        KernelId::MathSinF64,
        KernelId::MathCosF64,
        KernelId::MathExpF32,
        KernelId::MathLnF32,
        KernelId::MathPowF32,
        KernelId::MathTanhF32,
        KernelId::MathSinF32,
        KernelId::MathCosF32,
        KernelId::SbxF64,
        KernelId::PolynomialMutationF64,
        KernelId::DtlzF64,
        KernelId::DtlzRastriginTermsF64,
        KernelId::ZdtF64,
        KernelId::AcosEvalF64,
        KernelId::TileBoundsF64,
        KernelId::RveaSeedU32,
        KernelId::RveaNearestF64,
        KernelId::RveaApdF64,
        KernelId::RveaNicheCountU32,
        KernelId::RangeSumsU32,
        KernelId::RangeOffsetsU32,
        KernelId::PrefixOffsetsU32,
        KernelId::RveaNicheScatterU32,
        KernelId::RveaSelectF64,
        KernelId::MlpJetsF32,
        KernelId::MlpJetsF64,
        KernelId::MlpLossPartialF32,
        KernelId::MlpLossPartialF64,
        KernelId::MlpLossPointsF32,
        KernelId::MlpLossPointsF64,
        KernelId::MlpLossFoldF32,
        KernelId::MlpLossFoldF64,
        KernelId::MlpValuesW8F32,
        KernelId::MlpValuesW16F32,
        KernelId::MlpValuesW20F32,
        KernelId::MlpValuesW32F32,
        KernelId::MlpValuesW8F64,
        KernelId::MlpValuesW16F64,
        KernelId::MlpValuesW20F64,
        KernelId::MlpValuesW32F64,
        KernelId::MlpLossFusedW20F32,
        KernelId::AdamStepF32,
        KernelId::AdamStepF64,
        KernelId::RkSolveF64,
        KernelId::Nsga3NormaliseF64,
        KernelId::Nsga3AssociateF64,
        KernelId::Nsga3NichingU32,
        KernelId::RveaAdaptF64,
        KernelId::RveaGammaF64,
        KernelId::AdaptTileBoundsF64,
        KernelId::PermutationsU32,
        KernelId::ShuffleTargetsU32,
        KernelId::PermCountU32,
        KernelId::PermRangeSumsU32,
        KernelId::PermRangeOffsetsU32,
        KernelId::PermPrefixOffsetsU32,
        KernelId::PermScatterU32,
        KernelId::PermSortBucketsU32,
        KernelId::PermFollowU32,
        KernelId::TournamentPairsU32,
        KernelId::PairsSplitU32,
        KernelId::GatherRowsF64,
        KernelId::RveaIdealF64,
        KernelId::ColumnMaxF64,
        KernelId::CompactU32,
        KernelId::Nsga3SplitU32,
        KernelId::Nsga3CountU32,
        KernelId::Nsga2SplitU32,
        KernelId::CrowdingSegmentsOrderF64,
        KernelId::CrowdingSegmentsAccumulateF64,
        KernelId::Nsga2SelectU32,
    ];

    /// Position in [`ALL`](Self::ALL), used to index the device's function cache.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The PTX entry point's name.
    pub const fn name(self) -> &'static str {
        match self {
            KernelId::ChachaWordsU64 => "chacha_words_u64",
            KernelId::ChachaUniformF64 => "chacha_uniform_f64",
            KernelId::ChachaUniformF32 => "chacha_uniform_f32",
            KernelId::DominanceMatrixF64 => "dominance_matrix_f64",
            KernelId::DominanceMatrixF32 => "dominance_matrix_f32",
            KernelId::DominancePeelU32 => "dominance_peel_u32",
            KernelId::CrowdingOrderF64 => "crowding_order_f64",
            KernelId::CrowdingAccumulateF64 => "crowding_accumulate_f64",
            KernelId::MathExpF64 => "math_eval_exp_f64",
            KernelId::MathLnF64 => "math_eval_ln_f64",
            KernelId::MathPowF64 => "math_eval_pow_f64",
            KernelId::MathTanhF64 => "math_eval_tanh_f64",
            KernelId::MathSinF64 => "math_eval_sin_f64",
            KernelId::MathCosF64 => "math_eval_cos_f64",
            KernelId::MathExpF32 => "math_eval_exp_f32",
            KernelId::MathLnF32 => "math_eval_ln_f32",
            KernelId::MathPowF32 => "math_eval_pow_f32",
            KernelId::MathTanhF32 => "math_eval_tanh_f32",
            KernelId::MathSinF32 => "math_eval_sin_f32",
            KernelId::MathCosF32 => "math_eval_cos_f32",
            KernelId::SbxF64 => "sbx_f64",
            KernelId::PolynomialMutationF64 => "polynomial_mutation_f64",
            KernelId::DtlzF64 => "dtlz_f64",
            KernelId::DtlzRastriginTermsF64 => "dtlz_rastrigin_terms_f64",
            KernelId::ZdtF64 => "zdt_f64",
            KernelId::AcosEvalF64 => "acos_eval_f64",
            KernelId::TileBoundsF64 | KernelId::AdaptTileBoundsF64 => "vector_tile_bounds_f64",
            KernelId::RveaSeedU32 => "rvea_seed_u32",
            KernelId::RveaNearestF64 => "rvea_nearest_f64",
            KernelId::RveaApdF64 => "rvea_apd_f64",
            KernelId::RveaNicheCountU32 => "rvea_niche_count_u32",
            KernelId::RangeSumsU32 => "range_sums_u32",
            KernelId::RangeOffsetsU32 => "range_offsets_u32",
            KernelId::PrefixOffsetsU32 => "prefix_offsets_u32",
            KernelId::RveaNicheScatterU32 => "rvea_niche_scatter_u32",
            KernelId::RveaSelectF64 => "rvea_select_f64",
            KernelId::MlpJetsF32 => "mlp_jets_f32",
            KernelId::MlpJetsF64 => "mlp_jets_f64",
            KernelId::MlpLossPartialF32 => "mlp_loss_partial_f32",
            KernelId::MlpLossPartialF64 => "mlp_loss_partial_f64",
            KernelId::MlpLossPointsF32 => "mlp_loss_points_f32",
            KernelId::MlpLossPointsF64 => "mlp_loss_points_f64",
            KernelId::MlpLossFoldF32 => "mlp_loss_fold_f32",
            KernelId::MlpLossFoldF64 => "mlp_loss_fold_f64",
            KernelId::MlpValuesW8F32 => "mlp_values_w8_f32",
            KernelId::MlpValuesW16F32 => "mlp_values_w16_f32",
            KernelId::MlpValuesW20F32 => "mlp_values_w20_f32",
            KernelId::MlpValuesW32F32 => "mlp_values_w32_f32",
            KernelId::MlpValuesW8F64 => "mlp_values_w8_f64",
            KernelId::MlpValuesW16F64 => "mlp_values_w16_f64",
            KernelId::MlpValuesW20F64 => "mlp_values_w20_f64",
            KernelId::MlpValuesW32F64 => "mlp_values_w32_f64",
            KernelId::MlpLossFusedW20F32 => "mlp_loss_fused_w20_f32",
            KernelId::AdamStepF32 => "adam_step_f32",
            KernelId::AdamStepF64 => "adam_step_f64",
            KernelId::RkSolveF64 => "rk_solve_f64",
            KernelId::Nsga3NormaliseF64 => "nsga3_normalise_f64",
            KernelId::Nsga3AssociateF64 => "nsga3_associate_f64",
            KernelId::Nsga3NichingU32 => "nsga3_niching_u32",
            KernelId::RveaAdaptF64 => "rvea_adapt_f64",
            KernelId::RveaGammaF64 => "rvea_gamma_f64",
            KernelId::PermutationsU32 => "permutations_u32",
            KernelId::ShuffleTargetsU32 => "shuffle_targets_u32",
            KernelId::PermCountU32 => "perm_count_u32",
            KernelId::PermRangeSumsU32 => "range_sums_u32",
            KernelId::PermRangeOffsetsU32 => "range_offsets_u32",
            KernelId::PermPrefixOffsetsU32 => "prefix_offsets_u32",
            KernelId::PermScatterU32 => "perm_scatter_u32",
            KernelId::PermSortBucketsU32 => "perm_sort_buckets_u32",
            KernelId::PermFollowU32 => "perm_follow_u32",
            KernelId::TournamentPairsU32 => "tournament_pairs_u32",
            KernelId::PairsSplitU32 => "pairs_split_u32",
            KernelId::GatherRowsF64 => "gather_rows_f64",
            KernelId::RveaIdealF64 => "rvea_ideal_f64",
            KernelId::ColumnMaxF64 => "column_max_f64",
            KernelId::CompactU32 => "compact_u32",
            KernelId::Nsga3SplitU32 => "nsga3_split_u32",
            KernelId::Nsga3CountU32 => "nsga3_count_u32",
            KernelId::Nsga2SplitU32 => "nsga2_split_u32",
            KernelId::CrowdingSegmentsOrderF64 => "crowding_segments_order_f64",
            KernelId::CrowdingSegmentsAccumulateF64 => "crowding_segments_accumulate_f64",
            KernelId::Nsga2SelectU32 => "nsga2_select_u32",
        }
    }

    /// The module that holds the function.
    pub const fn family(self) -> KernelFamily {
        match self {
            KernelId::ChachaWordsU64 | KernelId::ChachaUniformF64 | KernelId::ChachaUniformF32 => {
                KernelFamily::ChachaUniform
            }
            KernelId::DominanceMatrixF64
            | KernelId::DominanceMatrixF32
            | KernelId::DominancePeelU32 => KernelFamily::DominanceRank,
            KernelId::CrowdingOrderF64 | KernelId::CrowdingAccumulateF64 => {
                KernelFamily::CrowdingDistance
            }
            KernelId::MathExpF64
            | KernelId::MathLnF64
            | KernelId::MathPowF64
            | KernelId::MathTanhF64
            | KernelId::MathSinF64
            | KernelId::MathCosF64
            | KernelId::MathExpF32
            | KernelId::MathLnF32
            | KernelId::MathPowF32
            | KernelId::MathTanhF32
            | KernelId::MathSinF32
            | KernelId::MathCosF32 => KernelFamily::MathEval,
            KernelId::SbxF64 | KernelId::PolynomialMutationF64 => KernelFamily::Variation,
            KernelId::DtlzF64 | KernelId::DtlzRastriginTermsF64 | KernelId::ZdtF64 => {
                KernelFamily::Problems
            }
            KernelId::AcosEvalF64
            | KernelId::TileBoundsF64
            | KernelId::RveaSeedU32
            | KernelId::RveaNearestF64
            | KernelId::RveaApdF64
            | KernelId::RveaNicheCountU32
            | KernelId::RangeSumsU32
            | KernelId::RangeOffsetsU32
            | KernelId::PrefixOffsetsU32
            | KernelId::RveaNicheScatterU32
            | KernelId::RveaSelectF64 => KernelFamily::Rvea,
            KernelId::MlpJetsF32
            | KernelId::MlpJetsF64
            | KernelId::MlpLossPartialF32
            | KernelId::MlpLossPartialF64
            | KernelId::MlpLossPointsF32
            | KernelId::MlpLossPointsF64
            | KernelId::MlpLossFoldF32
            | KernelId::MlpLossFoldF64 => KernelFamily::MlpPopulation,
            KernelId::MlpValuesW8F32
            | KernelId::MlpValuesW16F32
            | KernelId::MlpValuesW20F32
            | KernelId::MlpValuesW32F32
            | KernelId::MlpValuesW8F64
            | KernelId::MlpValuesW16F64
            | KernelId::MlpValuesW20F64
            | KernelId::MlpValuesW32F64 => KernelFamily::MlpValues,
            KernelId::MlpLossFusedW20F32 => KernelFamily::MlpLossFused,
            KernelId::AdamStepF32 | KernelId::AdamStepF64 => KernelFamily::Adam,
            KernelId::RkSolveF64 => KernelFamily::RkStep,
            KernelId::Nsga3NormaliseF64
            | KernelId::Nsga3AssociateF64
            | KernelId::Nsga3NichingU32
            | KernelId::Nsga3SplitU32
            | KernelId::Nsga3CountU32 => KernelFamily::Nsga3,
            KernelId::Nsga2SplitU32
            | KernelId::CrowdingSegmentsOrderF64
            | KernelId::CrowdingSegmentsAccumulateF64
            | KernelId::Nsga2SelectU32 => KernelFamily::Nsga2,
            KernelId::RveaAdaptF64 | KernelId::RveaGammaF64 | KernelId::AdaptTileBoundsF64 => {
                KernelFamily::RveaAdapt
            }
            KernelId::PermutationsU32
            | KernelId::ShuffleTargetsU32
            | KernelId::PermCountU32
            | KernelId::PermRangeSumsU32
            | KernelId::PermRangeOffsetsU32
            | KernelId::PermPrefixOffsetsU32
            | KernelId::PermScatterU32
            | KernelId::PermSortBucketsU32
            | KernelId::PermFollowU32
            | KernelId::TournamentPairsU32
            | KernelId::PairsSplitU32
            | KernelId::GatherRowsF64
            | KernelId::RveaIdealF64
            | KernelId::ColumnMaxF64
            | KernelId::CompactU32 => KernelFamily::Survival,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_all() {
        for (i, id) in KernelId::ALL.iter().enumerate() {
            assert_eq!(id.index(), i);
        }
        for (i, fam) in KernelFamily::ALL.iter().enumerate() {
            assert_eq!(fam.index(), i);
        }
    }

    #[test]
    fn every_kernel_is_an_entry_of_its_module_and_named_by_type() {
        for id in KernelId::ALL {
            let entry = format!(".entry {}(", id.name());
            assert!(id.family().ptx().contains(&entry), "{entry} missing");
            let suffix = id.name().rsplit('_').next().unwrap();
            assert!(
                ["f32", "f64", "u32", "u64"].contains(&suffix),
                "{}",
                id.name()
            );
        }
    }
}
