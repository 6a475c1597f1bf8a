/** Moved to core/rig/topology.ts (pure math shared by the renderer and the reenactment solver). */
export * from '../../core/rig/topology.ts';
