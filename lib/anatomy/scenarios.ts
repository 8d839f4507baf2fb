/**
 * Scenarios decide which structures a sample contains. Categories and their shares are the
 * seed's (normal 40%, surgical 35%, traumatic/congenital 20%, edge 5%); within a category every
 * scenario is equally likely.
 */
import type { Rng } from '../core/philox.js';

export type ScenarioCategory = 'normal' | 'surgical' | 'traumatic_congenital' | 'edge';

export interface ScenarioSpec {
  name: string;
  category: ScenarioCategory;
  description: string;
  /** Structures present; every other structure is absent. */
  present: readonly string[];
}

export const CATEGORY_SHARES: Readonly<Record<ScenarioCategory, number>> = {
  normal: 0.4,
  surgical: 0.35,
  traumatic_congenital: 0.2,
  edge: 0.05,
};

const THORACIC = ['left_lung', 'right_lung', 'heart'];
const ABDOMINAL = ['liver', 'spleen', 'pancreas', 'left_kidney', 'right_kidney'];
const SPINE = ['L1', 'L2', 'L3', 'L4', 'L5'];
const ALL = [...THORACIC, ...ABDOMINAL, ...SPINE];
const without = (...removed: string[]) => ALL.filter((s) => !removed.includes(s));

export const DEFAULT_SCENARIOS: readonly ScenarioSpec[] = [
  { name: 'normal_complete', category: 'normal', description: 'All structures present', present: ALL },
  { name: 'normal_thoracic', category: 'normal', description: 'Thoracic structures only', present: THORACIC },
  // An abdominal field of view contains the lumbar spine, so L1–L5 stay.
  { name: 'normal_abdominal', category: 'normal', description: 'Abdominal structures (and lumbar spine) only', present: [...ABDOMINAL, ...SPINE] },
  { name: 'left_nephrectomy', category: 'surgical', description: 'Left kidney removed', present: without('left_kidney') },
  { name: 'right_nephrectomy', category: 'surgical', description: 'Right kidney removed', present: without('right_kidney') },
  { name: 'splenectomy', category: 'surgical', description: 'Spleen removed', present: without('spleen') },
  { name: 'bilateral_nephrectomy', category: 'surgical', description: 'Both kidneys removed', present: without('left_kidney', 'right_kidney') },
  { name: 'left_lung_resection', category: 'surgical', description: 'Left lung removed', present: without('left_lung') },
  { name: 'missing_L4', category: 'traumatic_congenital', description: 'L4 vertebra absent', present: without('L4') },
  { name: 'missing_L2_L3', category: 'traumatic_congenital', description: 'L2 and L3 vertebrae absent', present: without('L2', 'L3') },
  {
    name: 'complex_abdominal_surgery',
    category: 'traumatic_congenital',
    description: 'Spleen, pancreas and left kidney removed',
    present: without('spleen', 'pancreas', 'left_kidney'),
  },
  { name: 'minimal_structures', category: 'edge', description: 'Only heart, liver and L3 present', present: ['heart', 'liver', 'L3'] },
  {
    name: 'extensive_resection',
    category: 'edge',
    description: 'Left lung, spleen, pancreas and both kidneys removed',
    present: without('left_lung', 'spleen', 'pancreas', 'left_kidney', 'right_kidney'),
  },
];

/** Probability of each scenario: its category's share split evenly within the category. */
export function scenarioProbabilities(scenarios: readonly ScenarioSpec[] = DEFAULT_SCENARIOS): number[] {
  const perCategory = new Map<ScenarioCategory, number>();
  for (const s of scenarios) perCategory.set(s.category, (perCategory.get(s.category) ?? 0) + 1);
  const total = [...perCategory.keys()].reduce((a, c) => a + CATEGORY_SHARES[c], 0);
  return scenarios.map((s) => CATEGORY_SHARES[s.category] / total / (perCategory.get(s.category) ?? 1));
}

/** Draws a scenario index. */
export function drawScenario(rng: Rng, probabilities: readonly number[]): number {
  return rng.categorical(probabilities);
}
