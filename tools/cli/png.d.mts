export function encodePng(pixels: Uint8Array, width: number, height: number, channels?: 1 | 3, text?: Record<string, string>): Buffer;
export function pngText(bytes: Buffer): Record<string, string>;
