import { describe, expect, it } from 'vitest';
import { CHANNEL_NAME_LIST, EVENT_NAME_LIST } from '../../../../core/ipc/channels.ts';
import { CHANNEL_NAMES, CHANNEL_NAME_PATTERN, CHANNELS, DEFAULT_SETTINGS, EVENTS, dispatchCall, validateCall, validateResult } from '../../../../core/ipc/contract.ts';
import type { Handlers } from '../../../../core/ipc/contract.ts';
import { decodeWireMessage, decodeUtf8, encodeUtf8, encodeWireMessage } from '../../../../core/ipc/wire.ts';
import { createEmptyProject } from '../../../../core/project/schema.ts';
import { parseProject, serializeProject } from '../../../../core/project/migrations.ts';
import { NoFaceFoundError } from '../../../../core/errors.ts';

/** One well-formed argument per channel, and one malformed one. */
const GOOD_ARGS: Record<string, unknown> = {
  'studio:app.info': {},
  'studio:portrait.import': { source: { kind: 'bytes', fileName: 'a.jpg', data: new ArrayBuffer(4) } },
  'studio:audio.import': { source: { kind: 'path', path: '/tmp/a.wav' } },
  'studio:avatar.import': { source: { kind: 'bytes', fileName: 'head.glb', data: new ArrayBuffer(8) } },
  'studio:video.import': { source: { kind: 'bytes', fileName: 'drive.mp4', data: new ArrayBuffer(8) } },
  'studio:motion.build': { audioId: 'a1', fps: { num: 30000, den: 1001 }, options: { headMotion: 0.5, mood: 'calm' } },
  'studio:motion.import': { source: { kind: 'bytes', fileName: 'live.motion.json', data: new ArrayBuffer(8) } },
  'studio:export.start': { portraitId: 'p1', audioId: 'a1', faceIndex: 0, settings: DEFAULT_SETTINGS.export, motion: {}, background: '#000000', framing: 'head', orbit: { yawRad: 0.2, pitchRad: 0 }, outPath: null },
  'studio:export.cancel': { jobId: 'j1' },
  'studio:export.status': { jobId: 'j1' },
  'studio:export.reveal': { jobId: 'j1' },
  'studio:settings.get': {},
  'studio:settings.set': { patch: { background: '#ffffff' } },
  'studio:project.open': { source: { kind: 'bytes', fileName: 'p.json', data: new ArrayBuffer(2) } },
  'studio:project.save': { project: createEmptyProject('x'), path: null },
  'studio:recent.list': {},
  'studio:dialog.openFile': { kind: 'portrait' },
  'studio:dialog.saveFile': { kind: 'export', defaultName: 'out.mp4' },
};
const BAD_ARGS: Record<string, unknown> = {
  'studio:app.info': { extra: 1 },
  'studio:portrait.import': { source: { kind: 'bytes', fileName: 'a.jpg', data: 'not bytes' } },
  'studio:audio.import': { source: { kind: 'url', url: 'http://x' } },
  'studio:avatar.import': { source: { kind: 'bytes', fileName: '', data: new ArrayBuffer(8) } },
  'studio:video.import': { source: { kind: 'path', path: '' } },
  'studio:motion.build': { audioId: 'a1', fps: { num: 25, den: 0 }, options: {} },
  'studio:motion.import': { source: { kind: 'url', url: 'https://example.com/t.json' } },
  'studio:export.start': { portraitId: 'p1', audioId: 'a1', faceIndex: 0, settings: { ...DEFAULT_SETTINGS.export, format: 'avi' }, motion: {}, background: '#000000', framing: 'head', orbit: { yawRad: 0, pitchRad: 0 }, outPath: null },
  'studio:export.cancel': { jobId: '' },
  'studio:export.status': {},
  'studio:export.reveal': { jobId: 7 },
  'studio:settings.get': { a: 1 },
  'studio:settings.set': { patch: { background: 'red' } },
  'studio:project.open': { source: { kind: 'path' } },
  'studio:project.save': { project: { schemaVersion: 99 }, path: null },
  'studio:recent.list': { x: true },
  'studio:dialog.openFile': { kind: 'anything' },
  'studio:dialog.saveFile': { kind: 'export', defaultName: '' },
};

describe('IPC contract', () => {
  it('names every channel studio:<domain>.<verb> and covers each in these tests', () => {
    expect(CHANNEL_NAMES.length).toBe(18);
    for (const c of CHANNEL_NAMES) {
      expect(c).toMatch(CHANNEL_NAME_PATTERN);
      expect(GOOD_ARGS).toHaveProperty([c]);
      expect(BAD_ARGS).toHaveProperty([c]);
    }
  });

  it.each(CHANNEL_NAMES.map((c) => [c]))('%s accepts a well-formed argument and refuses a malformed one', (c) => {
    const good = validateCall(c, GOOD_ARGS[c]);
    expect(good.ok).toBe(true);
    const bad = validateCall(c, BAD_ARGS[c]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('INVALID_INPUT');
      expect(bad.error.message).toContain(c);
    }
  });

  it('refuses unknown channels, including prototype keys', () => {
    for (const c of ['studio:shell.exec', 'toString', '__proto__', 42, null, 'studio:export.start ']) {
      const r = validateCall(c, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('UNKNOWN_CHANNEL');
    }
  });

  it('dispatchCall validates, runs the handler, checks its result and turns throws into Results', async () => {
    let seen: unknown = null;
    const handlers: Handlers = {
      'studio:export.cancel': async (a) => {
        seen = a;
        return { cancelled: true };
      },
      'studio:export.reveal': async () => ({ revealed: 'yes' }) as never,
      'studio:export.status': async () => {
        throw new NoFaceFoundError('No face in grass.jpg');
      },
    };
    expect(await dispatchCall(handlers, 'studio:export.cancel', { jobId: 'j9' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(seen).toEqual({ jobId: 'j9' });
    const malformedArg = await dispatchCall(handlers, 'studio:export.cancel', { jobId: 'j9', rm: '-rf' });
    expect(malformedArg.ok).toBe(false);
    const badResult = await dispatchCall(handlers, 'studio:export.reveal', { jobId: 'j9' });
    expect(badResult.ok ? '' : badResult.error.code).toBe('INVALID_RESULT');
    const thrown = await dispatchCall(handlers, 'studio:export.status', { jobId: 'j9' });
    expect(thrown).toEqual({ ok: false, error: { code: 'NO_FACE_FOUND', message: 'No face in grass.jpg', details: {} } });
    const missing = await dispatchCall(handlers, 'studio:dialog.openFile', { kind: 'audio' });
    expect(missing.ok ? '' : missing.error.code).toBe('NOT_AVAILABLE');
  });

  it('validates results: the default settings pass, a wrong type fails', () => {
    expect(validateResult('studio:settings.get', DEFAULT_SETTINGS).ok).toBe(true);
    expect(validateResult('studio:settings.get', { ...DEFAULT_SETTINGS, framing: 'feet' }).ok).toBe(false);
    expect(Object.keys(CHANNELS)).toEqual([...CHANNEL_NAMES]);
    expect([...CHANNEL_NAME_LIST]).toEqual([...CHANNEL_NAMES]);
    expect([...EVENT_NAME_LIST]).toEqual(Object.keys(EVENTS));
  });
});

describe('wire format', () => {
  it('round-trips UTF-8 including astral characters', () => {
    const text = 'héllo ü 路径 😀';
    const bytes = encodeUtf8(text);
    expect(Array.from(bytes)).toEqual(Array.from(Buffer.from(text, 'utf8')));
    expect(decodeUtf8(bytes)).toBe(text);
  });

  it('carries ArrayBuffers as raw bytes, 8-byte aligned, and restores them', () => {
    const pcm = new Float32Array([0.5, -0.25, 1, -1, 0.125]);
    const img = new Uint8Array([1, 2, 3]);
    const msg = encodeWireMessage({ a: pcm.buffer, list: [img.buffer, { n: 3, s: 'ü' }], nothing: undefined });
    // header 8 + JSON, blobs aligned: total = last offset + 3
    const back = decodeWireMessage(msg) as { a: ArrayBuffer; list: [ArrayBuffer, { n: number; s: string }] };
    expect(Array.from(new Float32Array(back.a))).toEqual([0.5, -0.25, 1, -1, 0.125]);
    expect(Array.from(new Uint8Array(back.list[0]))).toEqual([1, 2, 3]);
    expect(back.list[1]).toEqual({ n: 3, s: 'ü' });
    const jsonLength = new DataView(msg.buffer).getUint32(4, true);
    const table = JSON.parse(Buffer.from(msg.subarray(8, 8 + jsonLength)).toString('utf8')).b as [number, number][];
    expect(table).toHaveLength(2);
    for (const [offset] of table) expect(offset % 8).toBe(0);
    expect(msg.length).toBe(table[1]![0] + 3);
  });

  it('refuses typed-array views, NaN and corrupt messages', () => {
    expect(() => encodeWireMessage({ a: new Float32Array(2) })).toThrow(/ArrayBuffers/);
    expect(() => encodeWireMessage({ a: Number.NaN })).toThrow(/NaN/);
    expect(() => decodeWireMessage(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]))).toThrow(/magic/);
    const msg = encodeWireMessage({ a: new ArrayBuffer(16) });
    expect(() => decodeWireMessage(msg.subarray(0, msg.length - 4))).toThrow(/outside/);
  });
});

describe('project files', () => {
  it('round-trips the current version', () => {
    const p = createEmptyProject('Mona');
    p.portrait = { fileName: 'img06.jpg', path: '/x/img06.jpg', faceIndex: 1 };
    const loaded = parseProject(serializeProject(p));
    expect(loaded.migratedFromVersion).toBeNull();
    expect(loaded.project).toEqual(p);
  });

  it('migrates version 1 (flat paths, integer fps)', () => {
    const v1 = { schemaVersion: 1, portraitPath: 'C:\\photos\\mona.jpg', audioPath: '/a/jfk.flac', faceIndex: 0, export: { format: 'webm', sizePx: 20000, fps: 30 } };
    const loaded = parseProject(JSON.stringify(v1));
    expect(loaded.migratedFromVersion).toBe(1);
    expect(loaded.project.schemaVersion).toBe(2);
    expect(loaded.project.portrait).toEqual({ fileName: 'mona.jpg', path: 'C:\\photos\\mona.jpg', faceIndex: 0 });
    expect(loaded.project.audio?.fileName).toBe('jfk.flac');
    expect(loaded.project.export).toMatchObject({ format: 'webm', sizePx: 4096, fps: { num: 30, den: 1 } });
  });

  it('refuses newer, unknown and malformed files with clear messages', () => {
    expect(() => parseProject('{"schemaVersion": 7}')).toThrow(/newer Avatar Studio/);
    expect(() => parseProject('not json')).toThrow(/not valid JSON/);
    expect(() => parseProject('{"name": "x"}')).toThrow(/no schemaVersion/);
    expect(() => parseProject('{"schemaVersion": 2, "name": 3}')).toThrow(/damaged/);
  });
});
