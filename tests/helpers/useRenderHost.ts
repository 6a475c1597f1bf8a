/**
 * One headless render browser for a block of render tests: launched before the block's tests (`beforeAll`) and
 * disposed after them (`afterAll`), the set-up some forty render tests wrote out by hand.
 */
import { afterAll, beforeAll } from 'vitest';
import { RenderHost } from '../../pipeline/render/renderHost.ts';
import type { RenderHostLaunchOptions } from '../../pipeline/render/exportPageDriver.ts';

/** Time allowed for the browser's launch, ms (a loaded 2-core CI machine takes tens of seconds). */
const LAUNCH_TIMEOUT_MS = 120_000;

/**
 * Registers a `beforeAll` that launches a {@link RenderHost} and an `afterAll` that disposes it, in the enclosing
 * `describe` block (or the file, at top level). Call it before any hook that uses the host: vitest runs `beforeAll`
 * hooks in the order they are registered, `afterAll` hooks in reverse (its default `sequence.hooks: 'stack'`), so the
 * host is up for those hooks and disposed after them. Nothing is launched for a block that is skipped.
 * @param launch - launch options (output size in pixels, background, framing), read when the block starts.
 * @param timeoutMs - time allowed for the launch, ms (default 120 000).
 * @returns a getter for the launched host, for the block's tests and later hooks.
 * @throws Error from the getter when called before the launch has finished (e.g. at collection time, or after it failed).
 */
export function useRenderHost(launch: RenderHostLaunchOptions, timeoutMs = LAUNCH_TIMEOUT_MS): () => RenderHost {
  let host: RenderHost | undefined;
  beforeAll(async () => {
    host = await RenderHost.launch(launch);
  }, timeoutMs);
  afterAll(async () => {
    await host?.dispose();
    host = undefined;
  });
  return () => {
    if (!host) throw new Error('useRenderHost: the render host is used before its launch (beforeAll) finished');
    return host;
  };
}
