/**
 * Channel and event names of the studio API as plain strings, for code that must stay tiny (Electron's
 * sandboxed preload) and so cannot bundle the zod schemas. The contract test checks these lists equal
 * the keys of `CHANNELS` and `EVENTS` in contract.ts.
 */

/** Every channel name, in contract order. */
export const CHANNEL_NAME_LIST = Object.freeze([
  'studio:app.info',
  'studio:portrait.import',
  'studio:audio.import',
  'studio:avatar.import',
  'studio:video.import',
  'studio:motion.build',
  'studio:motion.import',
  'studio:export.start',
  'studio:export.cancel',
  'studio:export.status',
  'studio:export.reveal',
  'studio:settings.get',
  'studio:settings.set',
  'studio:project.open',
  'studio:project.save',
  'studio:recent.list',
  'studio:dialog.openFile',
  'studio:dialog.saveFile',
] as const);

/** Every event name. */
export const EVENT_NAME_LIST = Object.freeze(['studio:export.progress', 'studio:export.finished'] as const);
