import type { Tensor } from "../tensor/tensor.js";

/** Chainable methods this file adds to Tensor. */
export const gatherMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};
