/** Codes of native/nn/pointwise.h's UnaryOp, UnaryGradOp and BinaryOp: the `op` argument of the
 * element-wise kernels bindings/bind_nn.cc exports (declared in lib/binding.ts). */
export const UNARY = {
  neg: 0, square: 1, sqrt: 2, exp: 3, log: 4, pow: 5, addScalar: 6, mulScalar: 7, relu: 8, leakyRelu: 9,
  sigmoid: 10, tanh: 11, softplus: 12, reluMask: 13, leakyMask: 14, softplusLinear: 15,
} as const;
export const UNARY_GRAD = { relu: 0, leakyRelu: 1, sigmoid: 2, tanh: 3, softplus: 4 } as const;
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3 } as const;
