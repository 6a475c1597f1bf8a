/**
 * The default BullMQ queue name of the render farm, in a module of its own so that the CLI can show it in `--help`
 * without loading the Redis client (pipeline/batch/redisBatch.ts re-exports it).
 */
export const DEFAULT_QUEUE_NAME = 'avatar-studio-render';
