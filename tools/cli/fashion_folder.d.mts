export const FASHION_NAMES: string[];
export const BROKEN_FILES: Record<string, string>;
export function fashionImages(dir?: string): { images: Uint8Array; labels: Uint8Array; count: number };
export function png16(pixels: ArrayLike<number>, width: number, height: number): Buffer;
export function writeFashionFolder(
  out: string,
  options?: {
    classes?: number;
    perClass?: number;
    size?: number | (number | [number, number])[];
    formats?: ('jpeg' | 'png' | 'webp')[];
    split?: boolean;
    broken?: boolean;
    seed?: number;
    tint?: boolean;
    labels?: number[];
  },
): Promise<Record<'jpeg' | 'png' | 'webp', number>>;
