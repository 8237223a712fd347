import type { Tensor } from "../tensor/tensor.js";

/** Chainable methods this file adds to Tensor. */
export const reductionMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
