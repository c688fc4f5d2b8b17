// Everything of the engine that runs without WebGPU: the CPU reference backend, tensors,
// ops, graphs, layers, models, training, data and files. `webgpu-cnn-engine/cpu` is this
// alone (no shaders in the bundle); the package root adds the WebGPU backend.
export { CpuBackend } from './backends/cpu/cpu_backend';
export type { Backend } from './backends/backend';
export { Tensor, tensor, full, scope, keep } from './tensor';
export { sizeOf, type Shape } from './shape';
export { Random } from './random';
export { matmul, dense, type MatmulOptions } from './ops/matmul';
export { reshape, flatten } from './ops/reshape';
export * from './ops/unary';
export * from './ops/binary';
export * from './ops/reduce';
export { opNames, runOpByName } from './ops/op';
export { conv2d, conv2dGradInput, conv2dGradFilter, conv2dAttrs, type Conv2dOptions, type Padding } from './ops/conv2d';
export { maxpool2d, avgpool2d, globalAvgPool, pool2dAttrs, type Pool2dOptions } from './ops/pool2d';
export { softmax, logSoftmax, softmaxCrossEntropy, labelTensor } from './ops/softmax';
export { depthwiseConv2d } from './ops/depthwise_conv2d';
export { conv2dTranspose } from './ops/conv2d_transpose';
export { upsample2d, type Upsample2dOptions, type UpsampleMode } from './ops/upsample2d';
export { maxpool2dIndices, maxUnpool2d, type MaxUnpool2dOptions } from './ops/max_unpool2d';
export { batchNorm, type BatchNormState, type BatchNormOptions } from './ops/batch_norm';
export { dropout } from './ops/dropout';
export { concat, slice } from './ops/concat';
export { lrn } from './ops/lrn';
export { sgdUpdate, adamUpdate, assign, type SgdUpdateAttrs, type AdamUpdateAttrs } from './ops/optimizer';
export { argmax } from './ops/argmax';
export { augment, type AugmentAttrs } from './ops/augment';
export { tenCrop, type TenCropAttrs, type TenCropViews } from './ops/ten_crop';
export { TraceBackend } from './graph/trace';
export { gradients } from './graph/autograd';
export { planGraph, type Plan } from './graph/plan';
export { Program, type ProgramStats } from './graph/program';
export { planMemory, type PlanMemory } from './graph/plan_memory';
export { trainStepMemory, planTrainStep, type StepRegularization } from './training/compile';
export { Layer, input, SymbolicTensor, type ForwardContext, type ParamSpec, type Init } from './nn/layer';
export { Conv2d, DepthwiseConv2d } from './nn/conv_layers';
export { ConvTranspose2d, Upsample, MaxPoolSwitches, MaxUnpool2d } from './nn/upsampling_layers';
export { MaxPool2d, AvgPool2d, GlobalAvgPool } from './nn/pool_layers';
export { Dense, Flatten, Add, Concat } from './nn/dense_layers';
export { BatchNorm, Dropout, Lrn } from './nn/norm_layers';
export { ActivationLayer, activate, type Activation } from './nn/activations';
export { Model, sequential, withHead, type BuildOptions, type ModelParam, type WithHeadOptions } from './nn/model';
export { compileInference, type InferenceStep, type PredictOptions } from './nn/inference';
export { summary, type Summary, type SummaryRow } from './nn/summary';
export { lenet5, lenet5Bn, convBn, convBnWide, convBnX2, cifarCnn, everyLayerNet, MODELS, TRAINABLE_HERE } from './nn/zoo';
export {
  alexnet,
  alexnetGrouped,
  alexnetMini,
  alexnetTorchvision,
  densenet121,
  densenet169,
  densenetBc,
  fcnResnet50,
  googlenet,
  googlenetMini,
  mobilenetV1,
  mobilenetV1Cifar,
  plain20,
  zfnet,
  zfnetMini,
} from './nn/zoo';
export { resnet18, resnet20, resnet34, resnet50, resnet101, resnet152, vgg11, vgg11Lrn, vgg13, vgg16, vgg16Bn, vgg16c, vgg19 } from './nn/zoo';
export { AdaptiveAvgPool2d } from './nn/pool_layers';
export { inception, type InceptionWidths, type GoogLeNetOptions } from './nn/models/googlenet';
export { MOBILENET_BLOCKS, type MobileNetOptions } from './nn/models/mobilenet';
export type { FcnResnet50Options } from './nn/models/fcn';
export { Optimizer, type OptimizerConfig } from './training/optimizers';
export { learningRate, type Schedule } from './training/schedules';
export { Trainer, type TrainerOptions, type FitOptions } from './training/trainer';
export type { EvalOptions, TestTimeAugmentation, TrainerPredictOptions } from './training/test_time';
export type { EpochReport, BatchReport, EvalResult, StepStats } from './training/reports';
export type { LossConfig } from './training/losses';
export {
  earlyStopping,
  bestCheckpoint,
  reduceLrOnPlateau,
  unfreezeSchedule,
  type FitCallback,
  type CallbackHost,
  type EarlyStopping,
  type EarlyStoppingOptions,
  type BestCheckpointOptions,
  type ReduceLrOnPlateauOptions,
  type UnfreezeStep,
  type MonitorOptions,
  type Monitored,
} from './training/callbacks';
export { DivergenceError } from './training/training_progress';
export { Ensemble, ensemble, type EnsembleOptions, type EnsemblePrediction, type EnsembleEvaluation } from './training/ensemble';
export { sanityCheck, SANITY_DEFAULTS, type SanityOptions, type SanityReport, type SanityCheckResult, type SanityCheckName } from './training/sanity';
export type { TrainingProgress } from './io/checkpoint_metadata';
export type { DivergenceOptions, DivergenceRule, DivergenceWarning } from './training/divergence';
export { confusionMatrix, accuracy, topKAccuracy, perClassMetrics, type ClassMetrics } from './training/metrics';
export { segmentationScores, type SegmentationScores } from './training/segmentation_metrics';
export { type Dataset, take, normalize, meanStd, shuffledIndices, selectClasses, samplePerClass, splitValidation } from './data/dataset';
export { verify, formatVerify, VERIFY_TOLERANCE, VERIFY_SCALE_FLOOR, type VerifyRow } from './nn/verify';
export { saveCheckpoint, loadCheckpoint, type SaveCheckpointOptions, type LoadedCheckpoint } from './io/checkpoint';
export { serializeSafetensors, parseSafetensors, type NamedArray } from './io/safetensors';
export { torchStateDictLayout, type TorchTensorName } from './io/torch_layout';
export {
  loadStateDict,
  exportStateDict,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type ExportStateDictOptions,
  type SkippedTensor,
  type StateDictLayout,
} from './io/state_dict';
export { importOnnx, ONNX_OPSETS, ONNX_SUPPORTED_OPS, type ImportOnnxOptions } from './io/onnx/onnx_import';
export { exportOnnx, ONNX_EXPORT_OPSET, type ExportOnnxOptions } from './io/onnx/onnx_export';
export { ImportedModel } from './io/onnx/onnx_model';
export { stepGradients, type StepGradients, type StepGradientsOptions } from './training/step_gradients';
export { Reshape, Elementwise, type ElementwiseOp, type ElementwiseOptions } from './nn/shape_layers';
export { parseIdx, idxDataset, gunzip } from './data/idx';
export { parseCifar10, concatDatasets, CIFAR10_CLASSES } from './data/cifar10';
export { segmentationScenes, type SegmentationScenesOptions } from './data/segmentation_scenes';
export { fetchIdxSplit, FASHION_MNIST_CLASSES } from './data/fashion_mnist';
export {
  loadImageFolder,
  type ImageFolder,
  type ImageFolderOptions,
  type ImageFolderProgress,
  type ImageFolderSource,
  type ImageDecoder,
  type BadFile,
} from './data/image_folder';
export { imageFolder, browserImageDecoder, filesSource, type FolderFile } from './data/image_decode';
export { readImageHeader, BadImageError, type ImageHeader, type ImageFormat } from './data/image_header';
export { IMAGE_EXTENSIONS } from './data/image_folder_files';
export { topPatches, type Patch } from './nn/top_patches';
export { deconvLayers, deconvProject, saliency, type DeconvOptions, type DeconvProjection, type SaliencyMap } from './nn/visualize';
export { pca, type PcaResult } from './nn/pca';
