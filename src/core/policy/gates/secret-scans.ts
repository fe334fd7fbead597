/** The `secret_scans` gate: matches of the secret scanner's named rules. */
import type { GateDefinition } from '../gate.js';

export const secretScansGate: GateDefinition = {
  name: 'secret_scans',
  description: 'Checks the findings of the secret scanner (AWS keys, private keys, registry auth, API keys).',
  state: 'active',
  triggers: [
    {
      name: 'content_regex_checks',
      description: 'Fires for each secret found (match_type=found), or once when none is found (notfound).',
      state: 'active',
      params: [
        {
          name: 'content_regex_name',
          // Anchore's own bundles list several names separated by commas, so this is a list.
          description: 'Comma-separated secret rule names to consider; all rules when unset.',
          required: false,
          validator: { type: 'string-list' },
          example: 'AWS_ACCESS_KEY,AWS_SECRET_KEY',
        },
        {
          name: 'filename_regex',
          description: 'Only consider files whose path matches this regex.',
          required: false,
          validator: { type: 'regex' },
          example: '/etc/.*',
        },
        {
          name: 'match_type',
          description: 'found: fire for each secret found; notfound: fire when no secret is found.',
          required: false,
          validator: { type: 'enum', values: ['found', 'notfound'] },
          example: 'found',
          default: 'found',
        },
      ],
      evaluate: ({ input, params }) => {
        const names = params.strings('content_regex_name');
        const fileRegex = params.regex('filename_regex');
        const hits = input.secrets.filter(
          (s) =>
            (names === undefined || names.length === 0 || names.includes(s.rule)) &&
            (fileRegex === undefined || fileRegex.matchStart(s.path)),
        );
        if ((params.str('match_type') ?? 'found') === 'notfound') {
          const what = names?.length ? names.join(',') : 'any';
          return hits.length === 0
            ? [{ message: `Secret search analyzer did not find regexp match in container for: ${what}` }]
            : [];
        }
        return hits.map((s) => ({
          message: `Secret search analyzer found regexp match in container: file=${s.path} regexp=${s.rule}`,
        }));
      },
    },
  ],
};
