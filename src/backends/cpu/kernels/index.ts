import type { CpuKernel } from '../cpu_backend';
import { binaryKernels } from './binary';
import { conv2d, conv2d_grad_filter, conv2d_grad_input } from './conv2d';
import { activationGradKernels } from './activation_grad';
import { batch_norm_grad_sums, batch_norm_infer, batch_norm_stats, batch_norm_train, batch_norm_train_grad } from './batch_norm';
import { depthwise_conv2d, depthwise_conv2d_grad_filter, depthwise_conv2d_grad_input } from './depthwise_conv2d';
import { concat, slice } from './concat';
import { dropout } from './dropout';
import { adam_update, adam_update_pair, assign, sgd_update, sgd_update_pair } from './optimizer';
import { argmax } from './argmax';
import { augment } from './augment';
import { lrn, lrn_grad } from './lrn';
import { upsample2d, upsample2d_grad } from './upsample2d';
import { max_unpool2d, max_unpool2d_grad, maxpool2d_indices } from './max_unpool2d';
import { matmul } from './matmul';
import { reshape } from './reshape';
import { log_softmax, softmax, softmax_cross_entropy, softmax_cross_entropy_grad } from './softmax';
import { avgpool2d, avgpool2d_grad, global_avg_pool, maxpool2d, maxpool2d_grad } from './pool2d';
import { reduceKernels } from './reduce';
import { unaryKernels } from './unary';

/** Every CPU kernel by op name. */
export const cpuKernels: Record<string, CpuKernel> = {
  matmul,
  conv2d,
  conv2d_grad_input,
  conv2d_grad_filter,
  depthwise_conv2d,
  depthwise_conv2d_grad_input,
  depthwise_conv2d_grad_filter,
  maxpool2d,
  maxpool2d_grad,
  avgpool2d,
  avgpool2d_grad,
  global_avg_pool,
  reshape,
  concat,
  slice,
  dropout,
  sgd_update,
  adam_update,
  adam_update_pair,
  sgd_update_pair,
  assign,
  argmax,
  augment,
  lrn,
  lrn_grad,
  upsample2d,
  upsample2d_grad,
  maxpool2d_indices,
  max_unpool2d,
  max_unpool2d_grad,
  batch_norm_stats,
  batch_norm_train,
  batch_norm_train_grad,
  batch_norm_grad_sums,
  batch_norm_infer,
  softmax,
  log_softmax,
  softmax_cross_entropy,
  softmax_cross_entropy_grad,
  ...unaryKernels,
  ...activationGradKernels,
  ...binaryKernels,
  ...reduceKernels,
};
