export { Adam, type AdamOptions } from './adam.js';
export { AdamW } from './adamw.js';
export { Optimizer, type OptimizerState } from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
