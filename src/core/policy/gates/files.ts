/** The `files` gate: file names, contents (from the content scanner) and attributes. */
import type { GateDefinition, TriggerFire } from '../gate.js';
import type { FileRecord, FileType } from '../input.js';

/** File-type bits of st_mode, so messages show the full mode exactly as Anchore printed it. */
const TYPE_BITS: Record<FileType, number> = {
  file: 0o100000,
  hardlink: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
  socket: 0o140000,
};

const SETUID_SETGID = 0o6000;

/** Python's oct(): Anchore's whitelists hold md5s of messages that contain it. */
export function pythonOct(value: number): string {
  return `0o${value.toString(8)}`;
}

function fullMode(file: FileRecord): number {
  return TYPE_BITS[file.type] | (file.mode & 0o7777);
}

export const filesGate: GateDefinition = {
  name: 'files',
  description: 'Checks file names, file contents found by the content scanner, and file attributes.',
  state: 'active',
  triggers: [
    {
      name: 'content_regex_match',
      description: 'Fires for each file in which the content scanner found a match of its regexes.',
      state: 'active',
      params: [
        {
          name: 'regex_name',
          description: 'Only fire for matches of this named content-scanner regex.',
          required: false,
          validator: { type: 'string' },
          example: 'password',
        },
      ],
      evaluate: ({ input, params }) => {
        const only = params.str('regex_name');
        return input.contentMatches
          .filter((m) => only === undefined || m.rule === only)
          .map((m) => ({
            message: `File content analyzer found regexp match in container: file=${m.path} regexp=${m.rule}`,
          }));
      },
    },
    {
      name: 'name_match',
      description: 'Fires for each file whose path matches the regex.',
      state: 'active',
      params: [
        {
          name: 'regex',
          description: 'Regex matched against the start of each absolute file path.',
          required: true,
          validator: { type: 'regex' },
          example: '.*\\.pem',
        },
      ],
      evaluate: ({ input, params }) => {
        const regex = params.regex('regex');
        if (!regex) return [];
        return input.files
          .filter((f) => regex.matchStart(f.path))
          .map((f) => ({
            message: `Application of regex matched file found in container: file=${f.path} regexp=${regex.source}`,
          }));
      },
    },
    {
      name: 'attribute_match',
      description: "Fires when a file's checksum or mode satisfies the given condition.",
      state: 'active',
      params: [
        {
          name: 'filename',
          description: 'Absolute path of the file to check.',
          required: true,
          validator: { type: 'string' },
          example: '/etc/passwd',
        },
        {
          name: 'checksum_algorithm',
          description: 'Checksum algorithm.',
          required: false,
          validator: { type: 'enum', values: ['sha256'] },
          example: 'sha256',
          default: 'sha256',
        },
        {
          name: 'checksum',
          description: 'Checksum (hex) to compare with.',
          required: false,
          validator: { type: 'string' },
          example: '832cd0f75b227d13aac82b1f70b7f90191a4186c151f9db50851d209c45ede11',
        },
        {
          name: 'checksum_match',
          description: "Fire when the file's checksum equals / does not equal checksum.",
          required: false,
          validator: { type: 'enum', values: ['equals', 'not_equals'] },
          example: 'equals',
          default: 'equals',
        },
        {
          name: 'mode',
          description: 'Octal permission bits to compare with.',
          required: false,
          validator: { type: 'octal-mode' },
          example: '00644',
        },
        {
          name: 'mode_op',
          description: "Fire when the file's mode equals / does not equal mode.",
          required: false,
          validator: { type: 'enum', values: ['equals', 'not_equals'] },
          example: 'equals',
          default: 'equals',
        },
        {
          name: 'skip_missing',
          description: 'If false, fire when the file is not in the image.',
          required: false,
          validator: { type: 'boolean' },
          example: 'true',
          default: 'true',
        },
      ],
      evaluate: ({ input, params }) => {
        const name = params.str('filename') ?? '';
        const file = input.files.find((f) => f.path === name);
        if (!file) {
          return params.bool('skip_missing') === false
            ? [{ message: `File ${name} not found in the image` }]
            : [];
        }
        const fires: TriggerFire[] = [];
        const checksum = params.str('checksum');
        if (checksum !== undefined) {
          const same = file.sha256?.toLowerCase() === checksum.toLowerCase();
          const wantEqual = (params.str('checksum_match') ?? 'equals') === 'equals';
          if (same === wantEqual) {
            fires.push({
              message: `File ${name} checksum ${file.sha256 ?? '(unknown)'} ${wantEqual ? 'equals' : 'does not equal'} ${checksum}`,
            });
          }
        }
        const mode = params.num('mode');
        if (mode !== undefined) {
          const same = (file.mode & 0o7777) === mode;
          const wantEqual = (params.str('mode_op') ?? 'equals') === 'equals';
          if (same === wantEqual) {
            fires.push({
              message: `File ${name} mode ${pythonOct(file.mode & 0o7777)} ${wantEqual ? 'equals' : 'does not equal'} ${pythonOct(mode)}`,
            });
          }
        }
        return fires;
      },
    },
    {
      name: 'suid_or_guid_set',
      description: 'Fires for each file or directory with the setuid or setgid bit set.',
      state: 'active',
      params: [],
      evaluate: ({ input }) =>
        input.files
          .filter((f) => (f.mode & SETUID_SETGID) !== 0)
          .map((f) => ({
            message: `SUID or SGID found set on file ${f.path}. Mode: ${pythonOct(fullMode(f))}`,
          })),
    },
  ],
};
