/**
 * `npm run goldens:contact` (also run by `npm run goldens`; one portrait: `tsx scripts/contactSheets.ts img03`): mouth and eye contact sheets of the photo
 * head for review, written to tests/golden/photoHead/contact/<portrait>_{mouth,eyes}.png.
 *
 * @remarks Each sheet is a grid (3 columns) of close-up crops of 512² renders (framing `photo`), the photo's own crop first:
 * mouth — photo, rest, closed (all weights 0: lips together), jawOpen 0.25/0.5/1, smile, smile + jaw 0.3, viseme DD
 * with jaw 0.3 (tongue up), tongueOut;
 * eyes — photo, blink 0/0.25/0.5/0.75/1, squint, look down, look down + blink 0.5, look to the image left / right.
 * Portraits: the fixtures img01, img05, img06 (stored landmarks) and, analysed live with the product's face analyzer,
 * img02 (dark skin), img03 (smile with teeth), img04 (glasses), vid01 frame 0 (parted lips), vid05 at 2.5 s (smile
 * with teeth), vid02 at 4.2 s (a scream, lips 0.54 IOD apart), vid06 at 1.0 s (eyes ahead) and 1.75 s (a side
 * glance). `CONTACT_OUT_DIR=dir` writes elsewhere. The crops are cut with the rest landmarks, so
 * a pose that moves the mouth stays in the same window. Not a test: the sheets are for people to look at.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { ARKIT_BLENDSHAPE_COUNT, BS, OVR_VISEME_COUNT, VIS, type ArkitBlendshapeName } from '../core/motion/names.ts';
import { RenderHost } from '../pipeline/render/renderHost.ts';
import { measureRestExpression } from '../core/rig/restExpression.ts';
import { decodeImage } from '../pipeline/image/decodeImage.ts';
import { analyzeImageFile } from '../pipeline/face/faceAnalyzer.ts';
import { loadPortrait, referenceCrop, toOutputPx, type Portrait } from '../tests/integration/render/helpers.ts';

const S = 768;
/** Where the sheets go: tests/golden/photoHead/contact, or `CONTACT_OUT_DIR` (e.g. to compare two branches). */
const OUT_DIR = path.resolve(process.cwd(), process.env.CONTACT_OUT_DIR ?? 'tests/golden/photoHead/contact');
const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
/** Width of one mouth tile in the sheet, px (eye tiles are 1.25× as wide). */
const TILE_PX = 240;
/** Tiles per row. */
const SHEET_COLUMNS = 3;

interface Pose {
  label: string;
  weights: Partial<Record<ArkitBlendshapeName, number>>;
  visemes?: Partial<Record<string, number>>;
}

const MOUTH_POSES: Pose[] = [
  { label: 'rest', weights: {} },
  { label: 'closed', weights: {} },
  { label: 'jaw .25', weights: { jawOpen: 0.25 } },
  { label: 'jaw .5', weights: { jawOpen: 0.5 } },
  { label: 'jaw 1', weights: { jawOpen: 1 } },
  { label: 'smile', weights: { mouthSmileLeft: 1, mouthSmileRight: 1 } },
  { label: 'smile+jaw .3', weights: { mouthSmileLeft: 0.8, mouthSmileRight: 0.8, jawOpen: 0.3 } },
  { label: 'DD jaw .3', weights: { jawOpen: 0.3 }, visemes: { DD: 1 } },
  { label: 'tongueOut', weights: { jawOpen: 0.35, tongueOut: 1 } },
];
const EYE_POSES: Pose[] = [
  ...[0, 0.25, 0.5, 0.75, 1].map((b) => ({ label: `blink ${b}`, weights: { eyeBlinkLeft: b, eyeBlinkRight: b } })),
  { label: 'squint', weights: { eyeSquintLeft: 1, eyeSquintRight: 1 } },
  { label: 'look down', weights: { eyeLookDownLeft: 1, eyeLookDownRight: 1 } },
  { label: 'down+blink .5', weights: { eyeLookDownLeft: 1, eyeLookDownRight: 1, eyeBlinkLeft: 0.5, eyeBlinkRight: 0.5 } },
  // Side gaze (subject's right = image left): the right eye looks out and the left eye in, and the other way.
  { label: 'look image-left', weights: { eyeLookOutRight: 1, eyeLookInLeft: 1 } },
  { label: 'look image-right', weights: { eyeLookInRight: 1, eyeLookOutLeft: 1 } },
];

/** A corpus video frame as a portrait (extracted with ffmpeg, analysed with the product's analyzer). */
async function videoFramePortrait(name: string, video: string, timeSec: number, dir: string): Promise<Portrait> {
  const file = path.join(dir, `${name}.png`);
  execFileSync(ffmpegInstaller.path, ['-loglevel', 'error', '-y', '-ss', String(timeSec), '-i', path.join(CORPUS, 'video', video), '-frames:v', '1', file]);
  return imagePortrait(name, file);
}

async function imagePortrait(name: string, file: string): Promise<Portrait> {
  const face = (await analyzeImageFile(file)).faces[0];
  if (!face) throw new Error(`no face in ${file}`);
  return { name, image: await decodeImage(file), face };
}

const PORTRAITS: Record<string, (tmp: string) => Promise<Portrait>> = {
  img01: () => loadPortrait('img01'),
  img03: () => imagePortrait('img03', path.join(CORPUS, 'images/img03_beard_smile_teeth_ai.png')),
  img02: () => imagePortrait('img02', path.join(CORPUS, 'images/img02_darkskin_ai_woman_rgba.png')),
  img04: () => imagePortrait('img04', path.join(CORPUS, 'images/img04_glasses_painting_ai_rgba.png')),
  img05: () => loadPortrait('img05'),
  img06: () => loadPortrait('img06'),
  vid01f0: (tmp) => videoFramePortrait('vid01f0', 'vid01_talking_man_own_speech_480p25.mp4', 0, tmp),
  vid05t2p5: (tmp) => videoFramePortrait('vid05t2p5', 'vid05_man_excited_wide_mouth_512p25.mp4', 2.5, tmp),
  vid02t4p2: (tmp) => videoFramePortrait('vid02t4p2', 'vid02_man_mouth_O_then_wide_silent_track_480p30.mp4', 4.2, tmp),
  // vid06: eyes ahead at 1.0 s, a side glance (to the image left) at 1.75 s.
  vid06t1: (tmp) => videoFramePortrait('vid06t1', 'vid06_woman_winks_gaze_512p30.mp4', 1.0, tmp),
  vid06t1p75: (tmp) => videoFramePortrait('vid06t1p75', 'vid06_woman_winks_gaze_512p30.mp4', 1.75, tmp),
  // Only when named (not in `npm run goldens:contact`): a new user's smiling portrait on a transparent background.
  b03: () => imagePortrait('b03', path.join(CORPUS, 'bugs/b03_portrait_transparent_bg_rgba.png')),
};

function frameOf(pose: Pose): { blendshapes: Float32Array; visemes: Float32Array } {
  const blendshapes = new Float32Array(ARKIT_BLENDSHAPE_COUNT);
  for (const [k, v] of Object.entries(pose.weights)) blendshapes[BS[k as ArkitBlendshapeName]] = v;
  const visemes = new Float32Array(OVR_VISEME_COUNT);
  for (const [k, v] of Object.entries(pose.visemes ?? {})) visemes[VIS[k as keyof typeof VIS]] = v ?? 0;
  return { blendshapes, visemes };
}

/** Square window (output px) around a set of rest landmarks, `margin` × their extent. */
function windowAround(p: Portrait, cropPx: { xPx: number; yPx: number; widthPx: number; heightPx: number }, ids: number[], margin: number, aspect: number): { left: number; top: number; width: number; height: number } {
  const pts = ids.map((i) => toOutputPx(cropPx, S, S, p.face.landmarksPx[i * 3]!, p.face.landmarksPx[i * 3 + 1]!));
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const w = Math.max(Math.max(...xs) - Math.min(...xs), (Math.max(...ys) - Math.min(...ys)) * aspect) * margin;
  const width = Math.min(S, Math.round(w));
  const height = Math.min(S, Math.round(w / aspect));
  return { left: Math.max(0, Math.min(S - width, Math.round(cx - width / 2))), top: Math.max(0, Math.min(S - height, Math.round(cy - height / 2))), width, height };
}

async function tile(rgba: Uint8Array, win: { left: number; top: number; width: number; height: number }, label: string, tileW: number, tileH: number): Promise<Buffer> {
  const img = await sharp(Buffer.from(rgba), { raw: { width: S, height: S, channels: 4 } }).extract(win).resize(tileW, tileH, { kernel: 'lanczos3' }).removeAlpha().png().toBuffer();
  const svg = `<svg width="${tileW}" height="${tileH}"><rect x="0" y="${tileH - 14}" width="${tileW}" height="14" fill="black" fill-opacity="0.55"/><text x="3" y="${tileH - 3}" font-family="sans-serif" font-size="11" fill="white">${label}</text></svg>`;
  return sharp(img).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
}

/** Tiles in a grid of {@link SHEET_COLUMNS} columns. */
async function sheet(file: string, tiles: Buffer[], tileW: number, tileH: number): Promise<void> {
  const rows = Math.ceil(tiles.length / SHEET_COLUMNS);
  await sharp({ create: { width: tileW * SHEET_COLUMNS, height: tileH * rows, channels: 3, background: '#000' } })
    .composite(tiles.map((input, k) => ({ input, left: (k % SHEET_COLUMNS) * tileW, top: Math.floor(k / SHEET_COLUMNS) * tileH })))
    .png({ compressionLevel: 9 })
    .toFile(file);
}

const MOUTH_IDS = [61, 291, 0, 17, 13, 14, 152];
const EYE_IDS = [33, 133, 362, 263, 105, 334, 145, 374];

const wanted = process.argv.slice(2);
await mkdir(OUT_DIR, { recursive: true });
const tmp = await mkdtemp(path.join(tmpdir(), 'contact-'));
const host = await RenderHost.launch({ widthPx: S, heightPx: S });
try {
  for (const [name, load] of Object.entries(PORTRAITS)) {
    if ((wanted.length || name === 'b03') && !wanted.includes(name)) continue;
    const p = await load(tmp);
    const info = await host.loadPortrait(p.image, p.face);
    const photo = await referenceCrop(p.image, info.cropPx, S, S);
    const mouthWin = windowAround(p, info.cropPx, MOUTH_IDS.slice(0, 4), 1.9, 1.25);
    const eyeWin = windowAround(p, info.cropPx, EYE_IDS, 1.25, 2.5);
    const mouthTiles = [await tile(photo, mouthWin, 'photo', TILE_PX, Math.round(TILE_PX / 1.25))];
    // 'rest' is the photo's own expression (it reproduces the photo); every other pose is absolute (0 = neutral face).
    const restFrame = { blendshapes: measureRestExpression(p.face.landmarksPx, p.face.landmarkCount).weights };
    for (const pose of MOUTH_POSES) mouthTiles.push(await tile(await host.renderStill(pose.label === 'rest' ? restFrame : frameOf(pose)), mouthWin, pose.label, TILE_PX, Math.round(TILE_PX / 1.25)));
    await sheet(path.join(OUT_DIR, `${name}_mouth.png`), mouthTiles, TILE_PX, Math.round(TILE_PX / 1.25));
    const eyeW = Math.round(1.25 * TILE_PX);
    const eyeH = Math.round(eyeW / 2.5);
    const eyeTiles = [await tile(photo, eyeWin, 'photo', eyeW, eyeH)];
    for (const pose of EYE_POSES) eyeTiles.push(await tile(await host.renderStill(frameOf(pose)), eyeWin, pose.label, eyeW, eyeH));
    await sheet(path.join(OUT_DIR, `${name}_eyes.png`), eyeTiles, eyeW, eyeH);
    process.stdout.write(`wrote ${name}_mouth.png, ${name}_eyes.png\n`);
  }
} finally {
  await host.dispose();
  await rm(tmp, { recursive: true, force: true });
}
