/** A small RGB raster for preview figures: rectangles, text and blitting of slice images. */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font5x7.js';

export type Rgb = readonly [number, number, number];

export class RgbCanvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [0, 0, 0],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = 3 * (y * this.width + x);
    this.pixels[i] = c[0];
    this.pixels[i + 1] = c[1];
    this.pixels[i + 2] = c[2];
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, c);
    }
  }

  /** Draws text with its top-left corner at (x, y); `scale` multiplies the 5×7 glyphs. */
  text(x: number, y: number, s: string, c: Rgb, scale = 1): number {
    for (const ch of s) {
      const rows = glyph(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let b = 0; b < GLYPH_WIDTH; b++) {
          if (rows[r] & (1 << (GLYPH_WIDTH - 1 - b))) this.rect(x + b * scale, y + r * scale, scale, scale, c);
        }
      }
      x += (GLYPH_WIDTH + 1) * scale;
    }
    return x;
  }

  static textWidth(s: string, scale = 1): number {
    return s.length * (GLYPH_WIDTH + 1) * scale;
  }
}
