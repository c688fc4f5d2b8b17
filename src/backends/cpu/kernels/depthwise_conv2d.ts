import type { CpuKernel, CpuKernels } from '../cpu_kernel';
import { conv2d, conv2d_grad_filter, conv2d_grad_input } from './conv2d';

// A depthwise convolution is a grouped convolution with groups = C; the attributes
// already carry that, so the naive conv2d loops are the reference.
export const depthwise_conv2d: CpuKernel = conv2d;
export const depthwise_conv2d_grad_input: CpuKernel = conv2d_grad_input;
export const depthwise_conv2d_grad_filter: CpuKernel = conv2d_grad_filter;

/** The kernels of this file by op name (kernel_registry.ts collects them). */
export const kernels: CpuKernels = { depthwise_conv2d, depthwise_conv2d_grad_filter, depthwise_conv2d_grad_input };
