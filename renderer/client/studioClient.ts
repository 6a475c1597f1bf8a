/**
 * The renderer's only door to the host: one typed interface over either Electron's preload bridge
 * (`window.studioApi`) or the local web host's HTTP API (binary wire messages + Server-Sent Events).
 * UI code imports this module and nothing else host-related.
 */
import type { Result } from '../../core/errors.ts';
import type { ArgsOf, ChannelName, EventName, EventOf, ResultOf } from '../../core/ipc/contract.ts';
import { EVENTS } from '../../core/ipc/contract.ts';
import { STUDIO_BRIDGE_GLOBAL, type StudioBridge } from '../../core/ipc/bridge.ts';
import { decodeWireMessage, encodeWireMessage, WIRE_CONTENT_TYPE } from '../../core/ipc/wire.ts';

/** The typed studio API as the UI sees it. */
export interface StudioClient {
  /** Which host serves this UI. */
  readonly host: 'electron' | 'web';
  /** Calls a channel. Never rejects: transport failures become a failed Result with code `HOST_UNREACHABLE`. */
  call<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  /** Subscribes to a host event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
}

type Listener = (payload: unknown) => void;

/**
 * Client for the web host.
 * @param token - the per-run token (from `<meta name="studio-token">`).
 * @param baseUrl - origin of the host; default the page's origin.
 * @returns a client whose event stream connects on the first `on()` and reconnects after 1 s on failure.
 */
export function createWebClient(token: string, baseUrl = ''): StudioClient {
  const listeners = new Map<string, Set<Listener>>();
  let streaming = false;

  const dispatch = (event: string, data: string): void => {
    const schema = (EVENTS as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>)[event];
    if (!schema) return;
    let parsed: { success: boolean; data?: unknown };
    try {
      parsed = schema.safeParse(JSON.parse(data));
    } catch {
      return;
    }
    if (!parsed.success) return;
    for (const l of listeners.get(event) ?? []) l(parsed.data);
  };

  const stream = async (): Promise<void> => {
    for (;;) {
      try {
        const res = await fetch(`${baseUrl}/api/events`, { headers: { 'x-studio-token': token } });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) dispatch(event, data.join('\n'));
          }
        }
      } catch {
        // host restarting or network hiccup: retry below
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  return {
    host: 'web',
    async call(channel, args) {
      try {
        const res = await fetch(`${baseUrl}/api/call/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'x-studio-token': token, 'content-type': WIRE_CONTENT_TYPE },
          body: encodeWireMessage(args) as Uint8Array<ArrayBuffer>,
        });
        const bytes = new Uint8Array(await res.arrayBuffer());
        return decodeWireMessage(bytes) as Result<ResultOf<typeof channel>>;
      } catch (err) {
        return { ok: false, error: { code: 'HOST_UNREACHABLE', message: `The studio host did not answer (${(err as Error).message}). Is \`npm run studio:web\` still running?` } };
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      if (!streaming) {
        streaming = true;
        void stream();
      }
      return () => set.delete(listener as Listener);
    },
  };
}

/**
 * Client over Electron's preload bridge.
 * @param bridge - `window.studioApi`.
 * @returns a client that forwards to the bridge.
 */
export function createBridgeClient(bridge: StudioBridge): StudioClient {
  return {
    host: 'electron',
    async call(channel, args) {
      try {
        return await bridge.invoke(channel, args);
      } catch (err) {
        return { ok: false, error: { code: 'HOST_UNREACHABLE', message: `The studio host did not answer (${(err as Error).message})` } };
      }
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}

/**
 * Picks the client for the current page: the preload bridge when present, else the web host (token from
 * `<meta name="studio-token">`).
 * @returns the client.
 * @throws Error when neither is available (the page was not served by a studio host).
 */
export function createStudioClient(): StudioClient {
  const bridge = (globalThis as Record<string, unknown>)[STUDIO_BRIDGE_GLOBAL] as StudioBridge | undefined;
  if (bridge) return createBridgeClient(bridge);
  const token = document.querySelector<HTMLMetaElement>('meta[name="studio-token"]')?.content;
  if (!token) throw new Error('This page must be opened from Avatar Studio (npm run studio:web prints its address).');
  // The token reached the page in its address (`?token=`); the page keeps it in the meta tag and the host has set a
  // cookie for reloads, so the address bar, history, bookmarks and screen shares no longer show it.
  const clean = addressWithoutToken(location.href);
  if (clean !== null) history.replaceState(history.state, '', clean);
  return createWebClient(token);
}

/**
 * The page address without its `token` query parameter (the web host's per-run secret), for `history.replaceState`.
 * @param href - the page's absolute address (`location.href`).
 * @returns the address with every `token` parameter removed (path, other parameters and fragment kept), or `null`
 *   when it has none (nothing to replace).
 */
export function addressWithoutToken(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return url.toString();
}
