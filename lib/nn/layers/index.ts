/** The layer vocabulary (torch.nn names). */
export { ReLU, LeakyReLU, Sigmoid, Softplus, Tanh } from './activation.js';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from './batch_norm.js';
export { Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d, type ConvOptions, type ConvTransposeOptions } from './conv.js';
export { Dropout, Dropout2d, Dropout3d } from './dropout.js';
export { Linear } from './linear.js';
export { AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool2d, AvgPool2d, AvgPool3d, MaxPool2d, MaxPool3d } from './pool.js';
export { Sequential } from './sequential.js';
export { Flatten, Upsample } from './shape.js';
