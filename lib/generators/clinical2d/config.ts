/**
 * ClinicalSynth configuration: the seed's parameter names (H, W, seed, a0, a_age, …, device_blur)
 * with its "demanding, realistic setup" as the default, plus the scales and population choices
 * the seed leaves open. Every field is documented where it is declared; resolveClinicalConfig
 * validates a partial config and returns a complete, frozen one.
 */
import { invalidParameter } from '../../errors.js';
import { checkNumber } from '../../validate.js';
import { normalCdf } from './distributions.js';

export interface ClinicalConfig {
  /** Image height and width in pixels (integers in [8, 4096]). */
  H: number;
  W: number;
  /** Dataset seed: sample i is a pure function of (seed, i). */
  seed: number;

  // --- latent disease model: P(z = 1) = σ(a0 + a_age·age + a_den·density + a_risk·risk)
  a0: number;
  a_age: number;
  a_den: number;
  a_risk: number;

  // --- diagnostic noise: the observed label y flips z
  /** P(y = 0 | z = 1), missed cancers. */
  eta_fn: number;
  /** P(y = 1 | z = 0), overcalls. */
  eta_fp: number;

  // --- lesion (z = 1): size = size_base + size_age·age + size_den·density + N(0, size_sd²)
  /** Lesion size is its equivalent-circle diameter in pixels (area π·size²/4); at least 2 px. */
  size_base: number;
  size_age: number;
  size_den: number;
  size_sd: number;
  /** contrast = con_base − con_den·density + N(0, con_sd²), clamped at 0 (image intensity units). */
  con_base: number;
  con_den: number;
  con_sd: number;
  /** Width of the lesion's soft margin in pixels (logistic scale), before the scanner's blur. */
  lesion_edge: number;
  /** Lobulation: harmonics k = 3, 4, 5 of the outline get relative amplitudes U(0, lobulation/k). */
  lobulation: number;
  /** Elongation e ~ U(1, elongation_max): semi-axes size/2·√e and size/2/√e (area kept). */
  elongation_max: number;

  // --- imaging: background(density, scanner) = parenchyma texture, blurred by the scanner's PSF
  /** Fatty-tissue intensity and the unit of the parenchyma's contrasts. */
  bg_base: number;
  /** Dense (fibroglandular) tissue is bg_base·gland_gain brighter than fat. */
  gland_gain: number;
  /**
   * Texture amplitude (intensity per SD of the parenchyma field) is bg_base·(tex_fine + tex_den·density):
   * denser breasts are more heterogeneous as well as brighter.
   */
  tex_fine: number;
  tex_den: number;
  /** Correlation length (Gaussian sigma, px) of the parenchyma field. */
  tex_sigma: number;
  /** Softness of the dense-tissue boundary, in SDs of the parenchyma field. */
  tex_edge: number;
  /** Scanner name → PSF Gaussian sigma in pixels. The names are the scanner set. */
  device_blur: Readonly<Record<string, number>>;
  /** Scanner name → relative frequency (default: equal). Same names as device_blur. */
  scanner_probs: Readonly<Record<string, number>>;
  /** SD of the additive Gaussian detector noise (intensity units). */
  noise_sd: number;

  // --- radiomics R = f(size, contrast, density)·exp(N(0, rad_sd²)) (see radiomics.ts)
  rad_sd: number;
  /**
   * For z = 0 the pipeline measures its most suspicious lesion-free region, a dense-tissue
   * candidate: size = cand_size_base + cand_size_den·density + N(0, size_sd²),
   * contrast = cand_con_base + cand_con_den·density + N(0, con_sd²) (clamped at 0).
   */
  cand_size_base: number;
  cand_size_den: number;
  cand_con_base: number;
  cand_con_den: number;
  /** Append the observed clinical covariates (age, density, risk) to the tabular columns. */
  clinical_columns: boolean;

  // --- population: age ~ N(age_mean, age_sd²) truncated to [age_min, age_max] (years),
  // density ~ Beta(density_alpha, density_beta) (fibroglandular fraction in (0, 1)),
  // risk = k with probability risk_probs[k] (family-history score 0, 1, 2, …).
  age_mean: number;
  age_sd: number;
  age_min: number;
  age_max: number;
  density_alpha: number;
  density_beta: number;
  risk_probs: readonly number[];
}

/** The config as users may pass it: any subset of the fields. */
export type ClinicalConfigInput = Partial<ClinicalConfig>;

/**
 * The seed's example ("demanding, realistic setup") plus this package's choices for what the seed
 * leaves open. With these latents the mean of σ(a0 + …) is ≈ 6.4%: inside the seed's ~5–8%.
 */
export const DEFAULT_CLINICAL_CONFIG: Readonly<ClinicalConfig> = Object.freeze({
  H: 256,
  W: 256,
  seed: 42,
  a0: -4.5,
  a_age: 0.02,
  a_den: 0.35,
  a_risk: 0.6,
  eta_fn: 0.25,
  eta_fp: 0.2,
  size_base: 10.0,
  size_age: 0.05,
  size_den: 2.0,
  size_sd: 1.5,
  con_base: 0.9,
  con_den: 0.6,
  con_sd: 0.08,
  lesion_edge: 0.8,
  lobulation: 0.3,
  elongation_max: 1.6,
  bg_base: 0.25,
  gland_gain: 1.6,
  tex_fine: 0.1,
  tex_den: 0.6,
  tex_sigma: 6,
  tex_edge: 0.2,
  device_blur: Object.freeze({ A: 1, B: 3, C: 6 }),
  scanner_probs: Object.freeze({ A: 1, B: 1, C: 1 }),
  noise_sd: 0.03,
  rad_sd: 0.1,
  cand_size_base: 8,
  cand_size_den: 4,
  cand_con_base: 0.15,
  cand_con_den: 0.35,
  clinical_columns: false,
  age_mean: 58,
  age_sd: 10,
  age_min: 40,
  age_max: 85,
  density_alpha: 2,
  density_beta: 2,
  risk_probs: Object.freeze([0.55, 0.3, 0.15]),
});

const NUMBER_RULES: Record<string, { min?: number; max?: number; above?: number; integer?: boolean }> = {
  H: { integer: true, min: 8, max: 4096 },
  W: { integer: true, min: 8, max: 4096 },
  seed: { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER },
  a0: {},
  a_age: {},
  a_den: {},
  a_risk: {},
  eta_fn: { min: 0, max: 1 },
  eta_fp: { min: 0, max: 1 },
  size_base: {},
  size_age: {},
  size_den: {},
  size_sd: { min: 0 },
  con_base: {},
  con_den: {},
  con_sd: { min: 0 },
  lesion_edge: { min: 0.05, max: 100 },
  lobulation: { min: 0, max: 1 },
  elongation_max: { min: 1, max: 4 },
  bg_base: { min: 0, max: 1e6 },
  gland_gain: { min: 0, max: 1e6 },
  tex_fine: { min: 0, max: 1e6 },
  tex_den: { min: 0, max: 1e6 },
  tex_sigma: { min: 0.3, max: 100 },
  tex_edge: { min: 0.01, max: 100 },
  noise_sd: { min: 0, max: 1e6 },
  rad_sd: { min: 0, max: 5 },
  cand_size_base: {},
  cand_size_den: {},
  cand_con_base: {},
  cand_con_den: {},
  age_mean: {},
  age_sd: { above: 0 },
  age_min: {},
  age_max: {},
  density_alpha: { min: 0.05, max: 1000 },
  density_beta: { min: 0.05, max: 1000 },
};

const KNOWN = new Set(Object.keys(DEFAULT_CLINICAL_CONFIG));
const SCANNER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_SCANNERS = 16;
const MAX_RISK_LEVELS = 16;

function checkScannerTable(name: string, value: unknown, rule: { min: number; max: number }): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(name, 'an object mapping scanner names to numbers', value);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length < 1 || entries.length > MAX_SCANNERS) {
    throw invalidParameter(name, `1 to ${MAX_SCANNERS} scanners`, `${entries.length} entries`);
  }
  const out: Record<string, number> = {};
  for (const [k, v] of entries) {
    if (!SCANNER_NAME.test(k)) throw invalidParameter(`${name} key`, 'a scanner name of letters, digits, _ or -', k);
    out[k] = checkNumber(`${name}.${k}`, v, rule);
  }
  return out;
}

/** Validates `input` over the defaults; the result is complete and frozen. */
export function resolveClinicalConfig(input: ClinicalConfigInput = {}): Readonly<ClinicalConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidParameter('config', 'an object', input);
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) throw invalidParameter(key, 'a known config field (see DEFAULT_CLINICAL_CONFIG)', (input as Record<string, unknown>)[key]);
  }
  const merged = { ...DEFAULT_CLINICAL_CONFIG, ...stripUndefined(input) } as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(NUMBER_RULES)) out[key] = checkNumber(key, merged[key], rule);

  const blur = checkScannerTable('device_blur', merged.device_blur, { min: 0, max: 100 });
  // Scanner frequencies default to equal when the scanner set changed but scanner_probs was not given.
  const probsInput = input.scanner_probs ?? Object.fromEntries(Object.keys(blur).map((k) => [k, 1]));
  const probs = checkScannerTable('scanner_probs', probsInput, { min: 0, max: 1e12 });
  const blurNames = Object.keys(blur);
  if (Object.keys(probs).length !== blurNames.length || !blurNames.every((k) => k in probs)) {
    throw invalidParameter('scanner_probs', `the scanners of device_blur (${blurNames.join(', ')})`, Object.keys(probs).join(', '));
  }
  if (blurNames.every((k) => probs[k] === 0)) throw invalidParameter('scanner_probs', 'at least one positive weight', 'all zero');
  out.device_blur = Object.freeze(blur);
  out.scanner_probs = Object.freeze(Object.fromEntries(blurNames.map((k) => [k, probs[k]])));

  const risk = merged.risk_probs;
  if (!Array.isArray(risk) || risk.length < 1 || risk.length > MAX_RISK_LEVELS) {
    throw invalidParameter('risk_probs', `an array of 1 to ${MAX_RISK_LEVELS} weights`, risk);
  }
  const riskProbs = risk.map((v, i) => checkNumber(`risk_probs[${i}]`, v, { min: 0, max: 1e12 }));
  if (riskProbs.every((v) => v === 0)) throw invalidParameter('risk_probs', 'at least one positive weight', 'all zero');
  out.risk_probs = Object.freeze(riskProbs);

  if (typeof merged.clinical_columns !== 'boolean') throw invalidParameter('clinical_columns', 'a boolean', merged.clinical_columns);
  out.clinical_columns = merged.clinical_columns;

  const ageMin = out.age_min as number;
  const ageMax = out.age_max as number;
  if (!(ageMin < ageMax)) throw invalidParameter('age_max', `a number greater than age_min (${ageMin})`, ageMax);
  const mean = out.age_mean as number;
  const sd = out.age_sd as number;
  const mass = normalCdf((ageMax - mean) / sd) - normalCdf((ageMin - mean) / sd);
  if (!(mass >= 0.01)) {
    throw invalidParameter('age_mean/age_sd', `a normal with at least 1% of its mass in [${ageMin}, ${ageMax}]`, `${(100 * mass).toPrecision(2)}%`);
  }
  return Object.freeze(out) as unknown as Readonly<ClinicalConfig>;
}

function stripUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Scanner names in index order (truth.scanner holds indices into this list). */
export function scannerNames(config: Readonly<ClinicalConfig>): string[] {
  return Object.keys(config.device_blur);
}

/** A plain JSON-safe copy of a resolved config, for metadata. */
export function describeClinicalConfig(config: Readonly<ClinicalConfig>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}
