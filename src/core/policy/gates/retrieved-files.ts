/** The `retrieved_files` gate: files copied out of the image at analysis time. */
import type { GateDefinition, ParamProblem } from '../gate.js';
import type { ParamSpec } from '../params.js';

const pathParam: ParamSpec = {
  name: 'path',
  description: 'Absolute path of the retrieved file.',
  required: true,
  validator: { type: 'string' },
  example: '/etc/httpd.conf',
};

function absolutePath(raw: ReadonlyMap<string, string>): ParamProblem[] {
  const path = raw.get('path');
  return path !== undefined && !path.startsWith('/')
    ? [{ param: 'path', message: `"${path}" is not an absolute path` }]
    : [];
}

export const retrievedFilesGate: GateDefinition = {
  name: 'retrieved_files',
  description: 'Checks the content of files retrieved from the image at analysis.',
  state: 'active',
  triggers: [
    {
      name: 'content_not_available',
      description: 'Fires when the file was not retrieved and stored at analysis.',
      state: 'active',
      params: [pathParam],
      crossCheck: absolutePath,
      evaluate: ({ input, params }) => {
        const path = params.str('path') ?? '';
        return input.fileContents(path) === undefined
          ? [{ message: `No content found for the retrieved file ${path}` }]
          : [];
      },
    },
    {
      name: 'content_regex',
      description: "Fires when the retrieved file's content matches (or does not match) the regex.",
      state: 'active',
      params: [
        pathParam,
        {
          name: 'regex',
          description: 'Regex searched for in the file content.',
          required: true,
          validator: { type: 'regex' },
          example: '.*SSLEnabled.*',
        },
        {
          name: 'check',
          description: 'match: fire when the regex is found; no_match: fire when it is not.',
          required: true,
          validator: { type: 'enum', values: ['match', 'no_match'] },
          example: 'match',
        },
      ],
      crossCheck: absolutePath,
      evaluate: ({ input, params }) => {
        const path = params.str('path') ?? '';
        const regex = params.regex('regex');
        const content = input.fileContents(path);
        if (!regex || content === undefined) return [];
        const found = regex.search(content.toString('utf8'));
        const wantMatch = params.str('check') === 'match';
        if (found !== wantMatch) return [];
        return [
          { message: `Content of ${path} ${found ? 'matches' : 'does not match'} regex ${regex.source}` },
        ];
      },
    },
  ],
};
