import { formatShape, type Shape } from '../shape';
import type { TenCropViews } from '../ops/ten_crop';

/**
 * Test-time augmentation: each image is seen as several crops of the model's input size
 * and the softmax outputs are averaged. 'ten-crop': the four corners and the centre, and
 * the same five mirrored left-right (Zeiler and Fergus's "10 crops", torchvision's
 * TenCrop); 'five-crop': without the mirrors; 'flip': the centre crop and its mirror.
 */
export type TestTimeAugmentation = 'flip' | 'five-crop' | 'ten-crop';

/** How `Trainer.evaluate` (and fit's validation) looks at each image. */
export interface EvalOptions {
  /**
   * Views averaged per image (default: one, the centre crop of the model's input size,
   * which is the image itself when it has that size).
   */
  tta?: TestTimeAugmentation;
  /**
   * Zero pixels added on each side of every image before it is cropped (default 0). With
   * images of the model's input size, 'ten-crop' with padding p sees the image shifted by
   * p pixels towards each corner, and centred, and their mirrors.
   */
  padding?: number;
}

/** How `Trainer.predict` looks at each image: EvalOptions, and the images' shape. */
export interface TrainerPredictOptions extends EvalOptions {
  /** One image's [channels, height, width] (default the model's input shape); larger images are cropped as EvalOptions say. */
  imageShape?: Shape;
}

/** The views compileEvalStep cuts from every image of `imageShape`. */
export interface EvalViews {
  readonly imageShape: Shape;
  readonly padding: number;
  readonly views: TenCropViews;
}

const VIEWS: Record<TestTimeAugmentation, TenCropViews> = { flip: 2, 'five-crop': 5, 'ten-crop': 10 };

/**
 * Throws unless images of `data` can be cut to the model's input `input` ([C, h, w]):
 * the same channels, and at least h x w once padded by `padding` (Infinity: any size,
 * for the resized crop).
 */
export function checkCrops(op: string, data: Shape, input: Shape, padding: number, how: string): void {
  const fits = data.length === 3 && input.length === 3 && data[0] === input[0] && data[1] + 2 * padding >= input[1] && data[2] + 2 * padding >= input[2];
  if (!fits) {
    throw new Error(
      `${op}: examples of shape ${formatShape(data)} do not fit the model's input ${formatShape(input)}` +
        (input.length !== 3
          ? ''
          : Number.isFinite(padding)
            ? ` (${how} needs images [${input[0]}, H, W] with H, W >= ${input[1]}, ${input[2]}${padding ? ` once padded by ${padding}` : ''})`
            : ` (${how} needs images [${input[0]}, H, W])`),
    );
  }
}

/**
 * The views of an evaluation of images of `data` by a model of input `input`, or null
 * when each image goes in as it is (the model's size, one view, no padding).
 */
export function evalViews(op: string, options: EvalOptions, input: Shape, data: Shape, labelled: boolean): EvalViews | null {
  const { tta, padding = 0 } = options;
  if (tta !== undefined && !(tta in VIEWS)) throw new Error(`${op}: tta must be 'flip', 'five-crop' or 'ten-crop', got ${String(tta)}`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`${op}: padding must be a whole number of pixels >= 0, got ${padding}`);
  const views = tta ? VIEWS[tta] : 1;
  if (views === 1 && padding === 0 && formatShape(data) === formatShape(input)) return null;
  checkCrops(op, data, input, padding, tta ? `tta '${tta}'` : 'a centre crop');
  if (!labelled)
    throw new Error(
      `${op}: crops and test-time augmentation average class probabilities; this trainer's loss has no classes (and its targets would not be cropped)`,
    );
  return { imageShape: data, padding, views };
}
