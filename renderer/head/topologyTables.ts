/** Moved to core/rig/topologyTables.ts (pure math shared by the renderer and the reenactment solver). */
export * from '../../core/rig/topologyTables.ts';
