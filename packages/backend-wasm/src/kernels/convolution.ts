import { checkStatus, type KernelCall, type WasmKernel } from "./kernel_call.js";
import { pushWindow, type Window, windowOf } from "./window.js";

/**
 * Convolution and pooling kernels (csrc/conv.c, depthwise.c, pool.c). Conv2D and both of
 * its gradients run on the packed GEMM over implicit im2col matrices.
 */

/** Calls a windowed C kernel with `[mode, out, a, b, window]`. */
function callWindowed(call: KernelCall<any>, fn: (frame: number) => number, mode: number, a: number, b: number, w: Window): void {
  const frame = call.module.frame.begin();
  frame.push(mode).push(call.outputs[0]!.ptr).push(a).push(b);
  pushWindow(frame, w);
  checkStatus(call.module, fn(frame.ptr), call.op);
}

const conv2d: WasmKernel<any> = (call) => {
  const [x, filter] = call.inputs;
  const [fh, fw, , outC] = filter!.shape;
  const w = windowOf(x!.shape, call.outputs[0]!.shape, fh!, fw!, outC!, call.attrs);
  callWindowed(call, call.module.exports.kiln_conv2d, 0, x!.ptr, filter!.ptr, w);
};

const conv2dBackpropFilter: WasmKernel<any> = (call) => {
  const [x, dy] = call.inputs;
  const [fh, fw, , outC] = call.outputs[0]!.shape;
  const w = windowOf(x!.shape, dy!.shape, fh!, fw!, outC!, call.attrs);
  callWindowed(call, call.module.exports.kiln_conv2d, 1, x!.ptr, dy!.ptr, w);
};

const conv2dBackpropInput: WasmKernel<any> = (call) => {
  const [filter, dy] = call.inputs;
  const [fh, fw, , outC] = filter!.shape;
  const w = windowOf(call.outputs[0]!.shape, dy!.shape, fh!, fw!, outC!, call.attrs);
  callWindowed(call, call.module.exports.kiln_conv2d, 2, dy!.ptr, filter!.ptr, w);
};

const depthwise: WasmKernel<any> = (call) => {
  const [x, filter] = call.inputs;
  const [fh, fw, , multiplier] = filter!.shape;
  const w = windowOf(x!.shape, call.outputs[0]!.shape, fh!, fw!, multiplier!, call.attrs);
  callWindowed(call, call.module.exports.kiln_depthwise, 0, x!.ptr, filter!.ptr, w);
};

const depthwiseBackpropFilter: WasmKernel<any> = (call) => {
  const [x, dy] = call.inputs;
  const [fh, fw, , multiplier] = call.outputs[0]!.shape;
  const w = windowOf(x!.shape, dy!.shape, fh!, fw!, multiplier!, call.attrs);
  callWindowed(call, call.module.exports.kiln_depthwise, 1, x!.ptr, dy!.ptr, w);
};

const depthwiseBackpropInput: WasmKernel<any> = (call) => {
  const [filter, dy] = call.inputs;
  const [fh, fw, , multiplier] = filter!.shape;
  const w = windowOf(call.outputs[0]!.shape, dy!.shape, fh!, fw!, multiplier!, call.attrs);
  callWindowed(call, call.module.exports.kiln_depthwise, 2, filter!.ptr, dy!.ptr, w);
};

function pool(isAvg: boolean): WasmKernel<any> {
  return (call) => {
    const x = call.inputs[0]!;
    const out = call.outputs[0]!;
    const w = windowOf(x.shape, out.shape, call.attrs.ksize[1], call.attrs.ksize[2], 0, call.attrs);
    const frame = call.module.frame.begin();
    frame
      .push(out.ptr)
      .push(x.ptr)
      .push(isAvg ? 1 : 0)
      .push(out.dtype === "int32" ? 1 : 0);
    pushWindow(frame, w);
    checkStatus(call.module, call.module.exports.kiln_pool(frame.ptr), call.op);
  };
}

/** MaxPoolGrad(x, y, dy) and MaxPoolGradGrad(x, y, grad): positions of each window's maximum. */
function maxPoolGrad(mode: number): WasmKernel<any> {
  return (call) => {
    const [x, y, grad] = call.inputs;
    const w = windowOf(x!.shape, y!.shape, call.attrs.ksize[1], call.attrs.ksize[2], 0, call.attrs);
    callWindowed(call, call.module.exports.kiln_pool_grad, mode, x!.ptr, grad!.ptr, w);
  };
}

/** AvgPoolGrad(dy): the output has the original input's shape. */
const avgPoolGrad: WasmKernel<any> = (call) => {
  const dy = call.inputs[0]!;
  const w = windowOf(call.outputs[0]!.shape, dy.shape, call.attrs.ksize[1], call.attrs.ksize[2], 0, call.attrs);
  callWindowed(call, call.module.exports.kiln_pool_grad, 2, 0, dy.ptr, w);
};

export const convolutionKernels: { op: string; kernel: WasmKernel<any> }[] = [
  { op: "Conv2D", kernel: conv2d },
  { op: "Conv2DBackpropFilter", kernel: conv2dBackpropFilter },
  { op: "Conv2DBackpropInput", kernel: conv2dBackpropInput },
  { op: "DepthwiseConv2dNative", kernel: depthwise },
  { op: "DepthwiseConv2dNativeBackpropFilter", kernel: depthwiseBackpropFilter },
  { op: "DepthwiseConv2dNativeBackpropInput", kernel: depthwiseBackpropInput },
  { op: "MaxPool", kernel: pool(false) },
  { op: "AvgPool", kernel: pool(true) },
  { op: "MaxPoolGrad", kernel: maxPoolGrad(0) },
  { op: "MaxPoolGradGrad", kernel: maxPoolGrad(1) },
  { op: "AvgPoolGrad", kernel: avgPoolGrad },
];
