/** Decodes the PNGs lib/io/png.ts writes (8-bit, filter 0, no interlace) for assertions. */
import { inflateSync } from 'node:zlib';

export function decodeOwnPng(png: Buffer): { width: number; height: number; channels: number; pixels: Uint8Array } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let o = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (o < png.length) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = { 0: 1, 2: 3, 6: 4 }[data[9]] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('only filter 0 is supported');
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels };
}

/** Standard deviation of the RGB values inside a rectangle. */
export function regionSpread(img: { width: number; channels: number; pixels: Uint8Array }, x: number, y: number, w: number, h: number): number {
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let yy = y; yy < y + h; yy++) {
    for (let xx = x; xx < x + w; xx++) {
      for (let k = 0; k < 3; k++) {
        const v = img.pixels[(yy * img.width + xx) * img.channels + k];
        sum += v;
        sq += v * v;
        n++;
      }
    }
  }
  const m = sum / n;
  return Math.sqrt(Math.max(0, sq / n - m * m));
}
