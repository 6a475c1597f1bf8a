/**
 * The studio API's export formats and avatar import, through the web host like the browser UI uses them:
 * an avatar file is checked by the format parsers (clear errors for malformed files), then exported as WebM with
 * alpha, GIF and a PNG sequence zip, downloaded with the content type of its extension. Real inputs: generated
 * avatar fixtures (tests/fixtures/avatars) and a 0.65 s corpus word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { callChannel, rawRequest, type RawResponse } from '../../../helpers/webHostHttp.ts';
import { startWebHost, downloadContentType, type WebHost } from '../../../../pipeline/host/webHost.ts';
import { zipFiles } from '../../../../pipeline/host/studioService.ts';
import type { Result } from '../../../../core/errors.ts';
import type { JobState } from '../../../../core/ipc/contract.ts';
import { frameCountForDuration } from '../../../../core/motion/track.ts';
import { decodeAudio } from '../../../../pipeline/audio/decodeAudio.ts';
import { resolveFfprobe } from '../../../../pipeline/ffmpeg/ffmpegPath.ts';
import { corpus, probe } from '../../../helpers/media.ts';
import { makeGlbAvatar, makeSplatScene, SPLAT_SCENE_PARTS } from '../../../fixtures/avatars/makeFixtures.ts';
import { writePly3dgs } from '../../../../core/formats/ply.ts';
import { createEmptyProject } from '../../../../core/project/schema.ts';

const SPEECH = corpus('audio/aud08_word_six_0p65s_derived.wav');
const SIZE = 64;
let host: WebHost;
let root: string;
let audioId: string;
let audioSec: number;
let expectedFrames: number;

function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<RawResponse> {
  return rawRequest(host.port, path, opts);
}

async function call<T = Record<string, unknown>>(channel: string, args: unknown): Promise<Result<T>> {
  return (await callChannel<T>(host.port, host.token, channel, args)).result;
}

function bytesSource(fileName: string, bytes: Uint8Array): { kind: 'bytes'; fileName: string; data: ArrayBuffer } {
  return { kind: 'bytes', fileName, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
}

/** Starts an export of an avatar with the speech and waits for its end. */
async function exportAvatar(avatarId: string, format: string, alpha: boolean, background = 'photo', quality = 'draft'): Promise<JobState> {
  const started = await call<{ jobId: string }>('studio:export.start', {
    portraitId: null,
    avatarId,
    audioId,
    faceIndex: 0,
    settings: { format, sizePx: SIZE, fps: { num: 25, den: 1 }, quality, alpha },
    motion: {},
    background,
    framing: 'head',
    orbit: { yawRad: 0, pitchRad: 0 },
    outPath: null,
  });
  if (!started.ok) throw new Error(started.error.message);
  return host.service.waitForJob(started.value.jobId);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'studio-exports-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><html><head><meta charset="utf-8" /></head><body></body></html>');
  host = await startWebHost({ rendererDir: root, service: { workDir: join(root, 'work'), ownsWorkDir: true, outDir: join(root, 'out'), settingsPath: null } });
  const audio = await call<{ audioId: string; durationSec: number }>('studio:audio.import', { source: bytesSource('aud08_word_six_0p65s_derived.wav', await readFile(SPEECH)) });
  if (!audio.ok) throw new Error(audio.error.message);
  audioId = audio.value.audioId;
  audioSec = (await decodeAudio(SPEECH, { sampleRateHz: 16000 })).durationSec;
  expectedFrames = frameCountForDuration(audioSec, { num: 25, den: 1 });
});
afterAll(async () => {
  await host?.close();
  await rm(root, { recursive: true, force: true });
});

describe('studio:app.info and downloads', () => {
  it('lists all five export formats', async () => {
    expect(await call('studio:app.info', {})).toMatchObject({ ok: true, value: { exportFormats: ['mp4', 'webm', 'mov', 'gif', 'png'] } });
  });

  it('maps export extensions to content types', () => {
    expect(['a.mp4', 'a.webm', 'a.MOV', 'a.gif', 'a.zip', 'a.bin'].map(downloadContentType)).toEqual(['video/mp4', 'video/webm', 'video/quicktime', 'image/gif', 'application/zip', 'application/octet-stream']);
  });
});

describe('studio:avatar.import', () => {
  it('checks a GLB head (52 ARKit + 15 viseme morphs) and a 3DGS .ply (1820 Gaussians), returning their bytes', async () => {
    const glbBytes = makeGlbAvatar();
    const glb = await call<{ kind: string; arkitChannels: number; visemeChannels: number; splatCount: number; byteLength: number; bytes: ArrayBuffer; path: string | null }>('studio:avatar.import', { source: bytesSource('head.glb', glbBytes) });
    expect(glb.ok).toBe(true);
    if (!glb.ok) return;
    expect(glb.value).toMatchObject({ kind: 'glb', arkitChannels: 52, visemeChannels: 15, splatCount: 0, byteLength: glbBytes.byteLength, path: null });
    expect(Buffer.from(glb.value.bytes).equals(Buffer.from(glbBytes))).toBe(true);
    const ply = await call<{ kind: string; splatCount: number }>('studio:avatar.import', { source: bytesSource('face.ply', writePly3dgs(makeSplatScene(), ['fixture'])) });
    const parts = Object.values(SPLAT_SCENE_PARTS).reduce((a, b) => a + b, 0);
    expect(parts).toBe(1820);
    expect(ply).toMatchObject({ ok: true, value: { kind: 'splatFile', splatCount: parts } });
  });

  it('refuses a truncated .ply, a GLB of garbage and a .txt with one clear message each, and keeps nothing of them', async () => {
    const before = (await readdir(join(root, 'work'))).length;
    const full = writePly3dgs(makeSplatScene(), ['fixture']);
    const truncated = await call('studio:avatar.import', { source: bytesSource('broken.ply', full.subarray(0, Math.floor(full.length * 0.6))) });
    expect(truncated.ok).toBe(false);
    if (truncated.ok) return;
    expect(truncated.error.code).toBe('VERTEX_COUNT_MISMATCH');
    expect(truncated.error.message).toMatch(/^broken\.ply: /);
    expect(truncated.error.message).toContain('broken.ply');
    expect(truncated.error.message).not.toContain(root);
    expect(truncated.error.message).not.toMatch(/at .*\.ts:\d+/);
    const garbage = await call('studio:avatar.import', { source: bytesSource('head.glb', new TextEncoder().encode('glTF but not really a binary glTF file at all')) });
    expect(garbage.ok).toBe(false);
    if (!garbage.ok) expect(garbage.error.code).toBe('BAD_AVATAR_PACKAGE');
    const txt = await call('studio:avatar.import', { source: bytesSource('notes.txt', new TextEncoder().encode('hello')) });
    expect(txt.ok ? '' : txt.error.message).toBe('"notes.txt" is not an avatar file: choose a .glb head with ARKit or viseme morphs, Gaussian splats (.ply, .splat, .ksplat, .spz) or a LAM avatar .zip');
    expect((await readdir(join(root, 'work'))).length).toBe(before);
  });
});

describe('projects remember the avatar', () => {
  it('saves and reopens a project with an avatar; a version-2 file without one still opens (avatar absent)', async () => {
    const project = { ...createEmptyProject('talking glb'), avatar: { fileName: 'head.glb', path: null } };
    const saved = await call<{ json: string }>('studio:project.save', { project, path: null });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(JSON.parse(saved.value.json).avatar).toEqual({ fileName: 'head.glb', path: null });
    const reopened = await call('studio:project.open', { source: bytesSource('p.json', new TextEncoder().encode(saved.value.json)) });
    expect(reopened).toMatchObject({ ok: true, value: { migratedFromVersion: null, project: { name: 'talking glb', avatar: { fileName: 'head.glb', path: null } } } });
    const { avatar: _omitted, ...older } = createEmptyProject('older');
    const old = await call<{ project: Record<string, unknown> }>('studio:project.open', { source: bytesSource('old.json', new TextEncoder().encode(JSON.stringify(older))) });
    expect(old.ok).toBe(true);
    if (old.ok) expect(old.value.project.avatar).toBeUndefined();
  });
});

describe('exports of an avatar in every alpha format', () => {
  let avatarId: string;
  beforeAll(async () => {
    const r = await call<{ avatarId: string }>('studio:avatar.import', { source: bytesSource('head.glb', makeGlbAvatar()) });
    if (!r.ok) throw new Error(r.error.message);
    avatarId = r.value.avatarId;
  });

  it('refuses alpha for MP4 up front with a clear message', async () => {
    const r = await call('studio:export.start', { portraitId: null, avatarId, audioId, faceIndex: 0, settings: { format: 'mp4', sizePx: SIZE, fps: { num: 25, den: 1 }, quality: 'draft', alpha: true }, motion: {}, background: 'photo', framing: 'head', orbit: { yawRad: 0, pitchRad: 0 }, outPath: null });
    expect(r.ok ? '' : r.error.message).toMatch(/^MP4 has no alpha channel/);
    const none = await call('studio:export.start', { portraitId: null, audioId, faceIndex: 0, settings: { format: 'gif', sizePx: SIZE, fps: { num: 25, den: 1 }, quality: 'draft', alpha: false }, motion: {}, background: 'photo', framing: 'head', orbit: { yawRad: 0, pitchRad: 0 }, outPath: null });
    expect(none.ok ? '' : none.error.message).toBe('Nothing to animate: import a portrait or an avatar first');
  });

  it('WebM with alpha: VP9 with an alpha channel, as long as the speech, downloaded as video/webm', async () => {
    const job = await exportAvatar(avatarId, 'webm', true);
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(job.fileName).toMatch(/^head-aud08_word_six_0p65s_derived-.*\.webm$/);
    const tags = JSON.parse(execFileSync(resolveFfprobe(), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name:stream_tags', '-of', 'json', job.outPath!], { encoding: 'utf8' })) as { streams: { codec_name: string; tags?: Record<string, string> }[] };
    expect(tags.streams[0]!.codec_name).toBe('vp9');
    const alphaMode = Object.entries(tags.streams[0]!.tags ?? {}).find(([k]) => k.toLowerCase() === 'alpha_mode')?.[1];
    expect(alphaMode).toBe('1');
    const p = await probe(job.outPath!);
    expect(p.video).toMatchObject({ widthPx: SIZE, heightPx: SIZE, frameCount: expectedFrames });
    expect(p.audio?.codec).toBe('opus');
    expect(Math.abs(p.formatDurationSec - audioSec)).toBeLessThan(0.05);
    const dl = await raw(`/api/download/${job.jobId}`, { headers: { 'x-studio-token': host.token } });
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('video/webm');
    expect(dl.body.length).toBe(job.bytes);
  });

  it('GIF: a gif stream of round(0.65 s × 25) frames, downloaded as image/gif; no temp files stay', async () => {
    const job = await exportAvatar(avatarId, 'gif', false, '#203040');
    expect(job.error).toBeNull();
    const p = await probe(job.outPath!);
    expect(p.video).toMatchObject({ codec: 'gif', widthPx: SIZE, heightPx: SIZE, frameCount: expectedFrames });
    expect(expectedFrames).toBe(Math.round(audioSec * 25));
    const dl = await raw(`/api/download/${job.jobId}`, { headers: { 'x-studio-token': host.token } });
    expect(dl.headers['content-type']).toBe('image/gif');
    expect((await readdir(join(root, 'out'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('PNG sequence: one .zip of round(0.65 s × 25) RGBA PNGs of 64×64 with transparent corners, downloaded as application/zip', async () => {
    const job = await exportAvatar(avatarId, 'png', true);
    expect(job.error).toBeNull();
    expect(job.fileName).toMatch(/\.zip$/);
    const dl = await raw(`/api/download/${job.jobId}`, { headers: { 'x-studio-token': host.token } });
    expect(dl.headers['content-type']).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(dl.body));
    const names = Object.keys(entries).sort();
    expect(names).toHaveLength(expectedFrames);
    const stem = job.fileName!.replace(/\.zip$/, '');
    expect(names[0]).toBe(`${stem}/${stem}_00000.png`);
    expect(names.at(-1)).toBe(`${stem}/${stem}_${String(expectedFrames - 1).padStart(5, '0')}.png`);
    const first = await sharp(Buffer.from(entries[names[0]!]!)).raw().toBuffer({ resolveWithObject: true });
    expect(first.info).toMatchObject({ width: SIZE, height: SIZE, channels: 4 });
    expect(first.data[3]).toBe(0); // top-left corner: background removed
    let opaque = 0;
    for (let i = 3; i < first.data.length; i += 4) if (first.data[i]! === 255) opaque++;
    expect(opaque).toBeGreaterThan(SIZE * SIZE * 0.05); // the head itself
    expect((await readdir(join(root, 'out'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('MOV and cancelling a PNG sequence', () => {
  let avatarId: string;
  beforeAll(async () => {
    const r = await call<{ avatarId: string }>('studio:avatar.import', { source: bytesSource('head.glb', makeGlbAvatar()) });
    if (!r.ok) throw new Error(r.error.message);
    avatarId = r.value.avatarId;
  });

  it('MOV with alpha: ProRes 4444 with an alpha pixel format, as long as the speech, downloaded as video/quicktime', async () => {
    const job = await exportAvatar(avatarId, 'mov', true);
    expect(job.error).toBeNull();
    expect(job.fileName).toMatch(/\.mov$/);
    const p = await probe(job.outPath!);
    expect(p.video).toMatchObject({ codec: 'prores', widthPx: SIZE, heightPx: SIZE, frameCount: expectedFrames });
    expect(p.video!.pixFmt).toMatch(/^yuva444p/);
    expect(Math.abs(p.formatDurationSec - audioSec)).toBeLessThan(0.05);
    const dl = await raw(`/api/download/${job.jobId}`, { headers: { 'x-studio-token': host.token } });
    expect(dl.headers['content-type']).toBe('video/quicktime');
  });

  it("the dialog's quality reaches the encoder: an opaque MOV is ProRes 422 at draft, 4444 XQ at high (ffprobe's profile: Standard, XQ), and larger", async () => {
    const profileOf = (path: string): string => execFileSync(resolveFfprobe(), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=profile', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim();
    const draft = await exportAvatar(avatarId, 'mov', false, '#102030', 'draft');
    const high = await exportAvatar(avatarId, 'mov', false, '#102030', 'high');
    expect(draft.error).toBeNull();
    expect(high.error).toBeNull();
    expect(profileOf(draft.outPath!)).toBe('Standard');
    expect(profileOf(high.outPath!)).toBe('XQ'); // ffprobe's name of ProRes 4444 XQ
    expect(high.bytes!).toBeGreaterThan(draft.bytes!);
  });

  it('cancelling a PNG-sequence export of 11 s of speech removes its frames folder and partial zip', async () => {
    const long = await call<{ audioId: string }>('studio:audio.import', { source: bytesSource('aud01.flac', await readFile(corpus('audio/aud01_jfk_en_flac_24bit_44k_stereo.flac'))) });
    if (!long.ok) throw new Error(long.error.message);
    const before = (await readdir(join(root, 'out'))).sort();
    const started = await call<{ jobId: string }>('studio:export.start', { portraitId: null, avatarId, audioId: long.value.audioId, faceIndex: 0, settings: { format: 'png', sizePx: SIZE, fps: { num: 25, den: 1 }, quality: 'draft', alpha: false }, motion: {}, background: '#102030', framing: 'head', orbit: { yawRad: 0, pitchRad: 0 }, outPath: null });
    if (!started.ok) throw new Error(started.error.message);
    const jobId = started.value.jobId;
    let st: JobState | null = null;
    for (let i = 0; i < 2400; i++) {
      const r = await call<JobState>('studio:export.status', { jobId });
      st = r.ok ? r.value : null;
      if (!st || st.state !== 'running' || (st.progress.stage === 'render' && st.progress.completedFrames >= 5)) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(st).toMatchObject({ state: 'running', progress: { stage: 'render' } });
    // the frames are being written into a hidden folder beside the output
    expect((await readdir(join(root, 'out'))).some((f) => f.endsWith('.frames'))).toBe(true);
    expect(await call('studio:export.cancel', { jobId })).toMatchObject({ ok: true, value: { cancelled: true } });
    expect((await call<JobState>('studio:export.status', { jobId }))).toMatchObject({ ok: true, value: { state: 'cancelled', outPath: null } });
    expect((await readdir(join(root, 'out'))).sort()).toEqual(before);
  });
});

describe('zipFiles', () => {
  it('stores files under a folder with their exact bytes', async () => {
    const dir = join(root, 'zipsrc');
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    await writeFile(join(dir, 'a.bin'), new Uint8Array([1, 2, 3]));
    await writeFile(join(dir, 'b.bin'), new Uint8Array(70_000).map((_, i) => i % 251));
    await zipFiles(dir, ['a.bin', 'b.bin'], join(root, 'z.zip'), { folderName: 'x', mtimeMs: Date.UTC(2024, 0, 1) });
    const out = unzipSync(new Uint8Array(await readFile(join(root, 'z.zip'))));
    expect(Object.keys(out)).toEqual(['x/a.bin', 'x/b.bin']);
    expect([...out['x/a.bin']!]).toEqual([1, 2, 3]);
    expect(out['x/b.bin']!.length).toBe(70_000);
    expect(out['x/b.bin']![69_999]).toBe(69_999 % 251);
  });
});
