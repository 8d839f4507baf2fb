/** Loss kernels with gradients: segmentation overlap, cross-entropy and Cox survival losses. */
export { type BatchShape } from './batch_shape.js';
export { type BatchLossResult, type LossTarget } from './batch_loss.js';
export { type RealArray } from './real_array.js';
export { type FocalTverskyOptions, focalTverskyLoss } from './focal_tversky.js';
export { type SoftDiceOptions, softDiceLoss } from './soft_dice.js';
export { type BceOptions, binaryCrossEntropyLoss } from './bce.js';
export { type CoxLossOptions, type CoxLossResult, type CoxTies, coxLoss } from './cox.js';
