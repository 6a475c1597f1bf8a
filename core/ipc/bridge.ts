/**
 * The API object Electron's preload exposes to the page (`window.studioApi`), typed once for both sides.
 * It carries only the contract's channels and events; the page gets no Node or Electron objects.
 */
import type { Result } from '../errors.ts';
import type { ArgsOf, ChannelName, EventName, EventOf, ResultOf } from './contract.ts';

/** Name of the global the preload defines with `contextBridge.exposeInMainWorld`. */
export const STUDIO_BRIDGE_GLOBAL = 'studioApi';

/** The preload's API. */
export interface StudioBridge {
  /** Calls a channel; the main process validates the sender and the argument. Never rejects: failures are Results. */
  invoke<C extends ChannelName>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  /** Subscribes to a host event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void;
}
