export function encodePng(pixels: Uint8Array, width: number, height: number, channels?: 1 | 3): Buffer;
