/**
 * Utility-process supervision with a fake `electron` module (the Electron binary cannot run here): a crash fails
 * the running call at once with a clear error, the utility restarts and the next call works, and quitting always
 * completes (clean exit, a utility that ignores shutdown, an already dead one).
 */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A fake utility process: answers init with ready and calls with results, or crashes/hangs when told. */
class FakeUtility extends EventEmitter {
  static all: FakeUtility[] = [];
  /** What the next call does: answer, crash the process mid-call, or never answer. */
  mode: 'answer' | 'crashOnCall' | 'ignoreShutdown' = 'answer';
  killed = false;
  exited = false;
  readonly stdout = null;
  readonly stderr = null;
  readonly posted: { type: string }[] = [];
  constructor() {
    super();
    FakeUtility.all.push(this);
  }
  postMessage(m: { type: string; id?: number; channel?: string }): void {
    if (this.exited) throw new Error('channel closed');
    this.posted.push(m);
    if (m.type === 'init') setTimeout(() => this.emit('message', { type: 'ready' }), 1);
    else if (m.type === 'call') {
      if (this.mode === 'crashOnCall') setTimeout(() => this.exit(139), 5);
      else setTimeout(() => this.emit('message', { type: 'result', id: m.id, result: { ok: true, value: `done ${m.channel}` } }), 2);
    } else if (m.type === 'shutdown' && this.mode !== 'ignoreShutdown') setTimeout(() => this.exit(0), 2);
  }
  kill(): boolean {
    this.killed = true;
    setTimeout(() => this.exit(9), 1);
    return true;
  }
  exit(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code);
  }
}

vi.mock('electron', () => ({ utilityProcess: { fork: vi.fn(() => new FakeUtility()) } }));

const { JobHostClient, MAX_RESTARTS } = await import('../../../../electron/main/jobHostClient.ts');

const init = { type: 'init' as const, workDir: '/w', outDir: '/o', settingsPath: '/s', version: '0', ffmpegPath: null, ffprobePath: null };
function start(logs: string[] = [], shutdownGraceMs = 50): ReturnType<typeof JobHostClient.start> {
  return JobHostClient.start({ modulePath: 'utility.mjs', init, onEvent: () => undefined, onLog: (l) => logs.push(l), shutdownGraceMs });
}

beforeEach(() => {
  FakeUtility.all = [];
});

describe('JobHostClient supervision', () => {
  it('fails the export running during a crash at once, restarts, and the next export works; quit completes', async () => {
    const logs: string[] = [];
    const client = start(logs);
    expect(await client.call('studio:export.start', {})).toEqual({ ok: true, value: 'done studio:export.start' });
    FakeUtility.all[0]!.mode = 'crashOnCall';
    const t0 = Date.now();
    const crashed = await client.call('studio:export.start', {});
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(crashed).toEqual({ ok: false, error: { code: 'HOST_CRASHED', message: expect.stringMatching(/stopped unexpectedly \(exit code 139\).*restarting/) } });
    expect(FakeUtility.all).toHaveLength(2);
    expect(FakeUtility.all[1]!.posted[0]).toMatchObject({ type: 'init' });
    expect(logs.join('\n')).toMatch(/exited with code 139: restarting/);
    expect(await client.call('studio:export.start', {})).toEqual({ ok: true, value: 'done studio:export.start' });
    await client.dispose();
    expect(FakeUtility.all[1]!.exited).toBe(true);
    expect(FakeUtility.all[1]!.killed).toBe(false);
    expect(await client.call('studio:export.start', {})).toMatchObject({ ok: false, error: { code: 'HOST_UNAVAILABLE' } });
  });

  it('gives up after repeated crashes: later calls fail at once', async () => {
    const client = start();
    for (let i = 0; i <= MAX_RESTARTS; i++) {
      await client.call('studio:portrait.import', {}); // wait until ready
      FakeUtility.all.at(-1)!.mode = 'crashOnCall';
      expect(await client.call('studio:export.start', {})).toMatchObject({ ok: false, error: { code: 'HOST_CRASHED' } });
    }
    expect(FakeUtility.all).toHaveLength(MAX_RESTARTS + 1);
    expect(await client.call('studio:export.start', {})).toMatchObject({ ok: false, error: { code: 'HOST_UNAVAILABLE', message: expect.stringMatching(/crashed 4 times/) } });
    await client.dispose();
  });

  it('quit completes when the utility ignores shutdown (killed) or is already dead, and fails a pending call', async () => {
    const client = start();
    await client.call('x', {});
    const child = FakeUtility.all[0]!;
    child.mode = 'ignoreShutdown';
    // a call that never answers, pending at quit
    const origPost = child.postMessage.bind(child);
    child.postMessage = (m) => (m.type === 'call' ? void child.posted.push(m) : origPost(m));
    const pending = client.call('studio:export.start', {});
    await new Promise((r) => setTimeout(r, 10));
    await client.dispose();
    expect(child.killed).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'HOST_EXITED' } });
    await client.dispose();

    const dead = start();
    await dead.call('x', {});
    FakeUtility.all.at(-1)!.exit(1);
    // the crash restarts it; stop the restarted one too
    const t0 = Date.now();
    await dead.dispose();
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
