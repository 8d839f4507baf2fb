/**
 * Philox stream words of the longitudinal generator. Subject i reads only (seed, i, stream), each
 * stream with a fixed number and order of draws whatever the options, so changing (say) the
 * dropout rule never moves the latent, the random effects or the image of any subject.
 */
export const LONGITUDINAL_STREAMS = Object.freeze({
  /** z: LATENT_DIM standard normals. */
  latent: 0x4e01,
  /** u: P standard normals, η = L·diag(ω)·u. */
  randomEffects: 0x4e02,
  /** One uniform per scheduled visit: the visit-time jitter. */
  visitTimes: 0x4e03,
  /** One standard normal per scheduled visit: ε. */
  residuals: 0x4e04,
  /** One uniform per scheduled visit: the dropout decision. */
  dropout: 0x4e05,
  /** Baseline age. */
  covariates: 0x4e06,
  /** Image nuisance: Bruch depth jitter, pit position and width, drusen positions and shapes. */
  image: 0x4e07,
  /** Native: speckle and detector noise of the parametric renderer. */
  speckle: 0x4e08,
  noise: 0x4e09,
});
