import sharp from 'sharp';
const [out, l, t, w, h, scale, ...files] = process.argv.slice(2);
const parts = await Promise.all(files.map((f) => sharp(f).extract({ left: +l, top: +t, width: +w, height: +h }).resize(+w * +scale, +h * +scale, { kernel: 'nearest' }).png().toBuffer()));
await sharp({ create: { width: +w * +scale * parts.length, height: +h * +scale, channels: 3, background: '#000' } }).composite(parts.map((input, i) => ({ input, left: i * +w * +scale, top: 0 }))).png().toFile(out);
