import { describe, expect, it } from 'vitest';
import { createIpcRouter, isTrustedSender } from '../../../../electron/main/ipcRouter.ts';
import type { Result } from '../../../../core/errors.ts';

const TOP = { url: 'app://studio/index.html', parent: null };

describe('Electron IPC router', () => {
  it('trusts only the top frame of app://studio', () => {
    expect(isTrustedSender(TOP)).toBe(true);
    expect(isTrustedSender({ url: 'app://studio/index.html', parent: TOP })).toBe(false);
    expect(isTrustedSender({ url: 'app://studio.evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/index.html', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });

  it('forwards validated calls, answers local ones, and refuses bad senders, channels and arguments', async () => {
    const forwarded: [string, unknown][] = [];
    const route = createIpcRouter({
      local: { 'studio:dialog.openFile': async (a: { kind: string }) => ({ path: `/picked/${a.kind}.jpg` }), 'studio:export.reveal': async () => ({ revealed: 'no' }) },
      forward: async (channel, args): Promise<Result<unknown>> => {
        forwarded.push([channel, args]);
        return { ok: true, value: { cancelled: true } };
      },
    });
    expect(await route('studio:export.cancel', TOP, { jobId: 'j1' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(forwarded).toEqual([['studio:export.cancel', { jobId: 'j1' }]]);
    expect(await route('studio:dialog.openFile', TOP, { kind: 'portrait' })).toEqual({ ok: true, value: { path: '/picked/portrait.jpg' } });

    const sub = await route('studio:export.cancel', { url: TOP.url, parent: TOP }, { jobId: 'j1' });
    expect(sub.ok ? '' : sub.error.code).toBe('FORBIDDEN');
    const unknown = await route('studio:shell.openExternal', TOP, { url: 'https://x' });
    expect(unknown.ok ? '' : unknown.error.code).toBe('UNKNOWN_CHANNEL');
    const malformed = await route('studio:export.cancel', TOP, { jobId: 'j1', extra: 1 });
    expect(malformed.ok ? '' : malformed.error.code).toBe('INVALID_INPUT');
    const badResult = await route('studio:export.reveal', TOP, { jobId: 'j1' });
    expect(badResult.ok ? '' : badResult.error.code).toBe('INVALID_RESULT');
    expect(forwarded).toHaveLength(1);
  });
});
