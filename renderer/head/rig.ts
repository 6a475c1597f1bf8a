/** Moved to core/rig/rig.ts (pure math shared by the renderer and the reenactment solver). */
export * from '../../core/rig/rig.ts';
