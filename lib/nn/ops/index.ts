/** The differentiable ops (the surface ENGINE.md fixes), for `nn.ops.*`. Importing it registers the tape's gradient adder. */
export { batchNorm } from './batch_norm.js';
export { channelSum, conv, convInputGrad, convTranspose, convWeightGrad } from './conv.js';
export { channelDropout, dropout } from './dropout.js';
export { linear, matmul } from './linear.js';
export { bceWithLogits, coxLoss, crossEntropy, focalTversky, mse } from './loss.js';
export { add, addScalar, div, exp, leakyRelu, log, mul, mulScalar, neg, pow, relu, sigmoid, softplus, sqrt, square, sub, tanh } from './pointwise.js';
export { adaptiveAvgPool1, avgPool, maxPool } from './pool.js';
export { expand, mean, sum } from './reduce.js';
export { concat, flatten, narrow, reshape, slice } from './shape.js';
export { upsampleNearest } from './upsample.js';
