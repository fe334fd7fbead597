/** The `licenses` gate: declared licenses of every package. */
import type { GateDefinition, TriggerDefinition, TriggerFire } from '../gate.js';

function licenseTrigger(
  name: string,
  description: string,
  matches: (license: string, listed: string) => boolean,
): TriggerDefinition {
  return {
    name,
    description,
    state: 'active',
    params: [
      {
        name: 'licenses',
        description: 'Comma-separated license names.',
        required: true,
        validator: { type: 'string-list' },
        example: 'GPL-2.0,AGPL-3.0',
      },
    ],
    evaluate: ({ input, params }) => {
      const listed = params.strings('licenses') ?? [];
      const fires: TriggerFire[] = [];
      for (const p of input.packages) {
        for (const license of p.licenses) {
          if (!listed.some((l) => matches(license, l))) continue;
          const path = p.locations[0]?.path;
          fires.push({
            message: `LICENSE (${license}) found for package (${p.name}-${p.version}) that is in the blacklist`,
            package:
              path === undefined
                ? { name: p.name, version: p.version }
                : { name: p.name, version: p.version, path },
          });
        }
      }
      return fires;
    },
  };
}

export const licensesGate: GateDefinition = {
  name: 'licenses',
  description: "Checks the licenses declared by the image's packages.",
  state: 'active',
  triggers: [
    licenseTrigger(
      'blacklist_exact_match',
      'Fires for each package with a license equal to a listed one.',
      (license, listed) => license === listed,
    ),
    licenseTrigger(
      'blacklist_partial_match',
      'Fires for each package with a license containing a listed string.',
      (license, listed) => license.includes(listed),
    ),
  ],
};
