/** The largest slab size a pool accepts (`GMCP_BUFFER_MAX_SLAB_SIZE`). */
export const MAX_SLAB_SIZE = 2 ** 30;
/** The most slabs a pool accepts (`GMCP_BUFFER_MAX_SLABS`). */
export const MAX_SLABS = 2 ** 24;
