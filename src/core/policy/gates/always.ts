/** The `always` gate: fires unconditionally (deny-all bundles, testing mappings and whitelists). */
import type { GateDefinition } from '../gate.js';

export const alwaysGate: GateDefinition = {
  name: 'always',
  description: 'Fires unconditionally; used to test mappings and whitelists, or to deny everything.',
  state: 'active',
  reads: [],
  triggers: [
    {
      name: 'always',
      description: 'Fires once, always.',
      state: 'active',
      params: [],
      evaluate: () => [{ message: 'always' }],
    },
  ],
};
