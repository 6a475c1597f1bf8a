/**
 * The main process's IPC gatekeeper, free of Electron imports so it is unit-tested: a call is answered only
 * when it comes from the top frame of our UI (origin app://studio), names a contract channel and carries an
 * argument the contract accepts; then it is handled locally (dialogs, reveal) or forwarded to the utility
 * process. Every answer is a Result.
 */
import type { Result } from '../../core/errors.ts';
import { toErrorPayload } from '../../core/errors.ts';
import { validateCall, validateResult, type ChannelName } from '../../core/ipc/contract.ts';

/** Origin the UI is served from (custom protocol, see main.ts). */
export const APP_ORIGIN = 'app://studio';

/** What the router reads of `event.senderFrame` (Electron's WebFrameMain). */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * Tells whether an IPC message comes from our UI: a top frame (no parent) whose URL is at {@link APP_ORIGIN}.
 * @param frame - `event.senderFrame`; null when the frame navigated away or was destroyed.
 * @returns true only for the trusted frame.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  return frame.url.startsWith(`${APP_ORIGIN}/`);
}

/** Handlers the main process runs itself (argument already validated). */
export type LocalHandlers = Partial<Record<ChannelName, (args: never) => Promise<unknown>>>;

/** Options of {@link createIpcRouter}. */
export interface IpcRouterOptions {
  local: LocalHandlers;
  /** Sends a validated call to the utility process. */
  forward: (channel: ChannelName, args: unknown) => Promise<Result<unknown>>;
}

/**
 * Builds the router used by every `ipcMain.handle` registration.
 * @param opts - local handlers and the forwarder.
 * @returns `(channel, senderFrame, args) → Result`; never throws.
 */
export function createIpcRouter(opts: IpcRouterOptions): (channel: string, frame: SenderFrameLike | null, args: unknown) => Promise<Result<unknown>> {
  return async (channel, frame, args) => {
    if (!isTrustedSender(frame)) return { ok: false, error: { code: 'FORBIDDEN', message: 'IPC refused: the sender is not the studio window' } };
    const checked = validateCall(channel, args);
    if (!checked.ok) return checked;
    const name = checked.value.channel;
    const handler = opts.local[name];
    if (!handler) return opts.forward(name, checked.value.args);
    try {
      return validateResult(name, await handler(checked.value.args as never));
    } catch (err) {
      return { ok: false, error: toErrorPayload(err) };
    }
  };
}
