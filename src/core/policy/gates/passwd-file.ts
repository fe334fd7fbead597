/** The `passwd_file` gate: the image's /etc/passwd, as retrieved at analysis. */
import type { GateDefinition, TriggerContext, TriggerDefinition, TriggerFire } from '../gate.js';
import type { ParamSpec } from '../params.js';

export const PASSWD_PATH = '/etc/passwd';

interface PasswdEntry {
  line: string;
  name: string;
  uid: string;
  gid: string;
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const f = line.split(':');
      return { line, name: f[0] ?? '', uid: f[2] ?? '', gid: f[3] ?? '', shell: f[6] ?? '' };
    });
}

function entries(ctx: TriggerContext): PasswdEntry[] {
  const content = ctx.input.fileContents(PASSWD_PATH);
  return content ? parsePasswd(content.toString('utf8')) : [];
}

function listTrigger(
  name: string,
  description: string,
  param: ParamSpec,
  pick: (e: PasswdEntry) => string,
  label: string,
): TriggerDefinition {
  return {
    name,
    description,
    state: 'active',
    params: [param],
    evaluate: (ctx) => {
      const listed = new Set(
        param.validator.type === 'integer-list'
          ? (ctx.params.numbers(param.name) ?? []).map(String)
          : (ctx.params.strings(param.name) ?? []),
      );
      return entries(ctx)
        .filter((e) => listed.has(pick(e)))
        .map((e): TriggerFire => ({
          message: `Blacklisted ${label} '${pick(e)}' found in image's /etc/passwd: pentry=${e.line}`,
        }));
    },
  };
}

export const passwdFileGate: GateDefinition = {
  name: 'passwd_file',
  description: 'Checks the content of /etc/passwd (it must have been retrieved at analysis).',
  state: 'active',
  triggers: [
    {
      name: 'content_not_available',
      description: 'Fires when /etc/passwd was not retrieved at analysis.',
      state: 'active',
      params: [],
      evaluate: ({ input }) =>
        input.fileContents(PASSWD_PATH) === undefined
          ? [{ message: 'No retrieved file content found for /etc/passwd' }]
          : [],
    },
    listTrigger(
      'blacklist_usernames',
      'Fires for each listed user name present in /etc/passwd.',
      {
        name: 'user_names',
        description: 'Comma-separated user names.',
        required: true,
        validator: { type: 'string-list' },
        example: 'daemon,ftp',
      },
      (e) => e.name,
      'user',
    ),
    listTrigger(
      'blacklist_userids',
      'Fires for each listed user id present in /etc/passwd.',
      {
        name: 'user_ids',
        description: 'Comma-separated numeric user ids.',
        required: true,
        validator: { type: 'integer-list' },
        example: '0,1',
      },
      (e) => e.uid,
      'uid',
    ),
    listTrigger(
      'blacklist_groupids',
      'Fires for each listed primary group id present in /etc/passwd.',
      {
        name: 'group_ids',
        description: 'Comma-separated numeric group ids.',
        required: true,
        validator: { type: 'integer-list' },
        example: '999,20',
      },
      (e) => e.gid,
      'gid',
    ),
    listTrigger(
      'blacklist_shells',
      'Fires for each entry whose login shell is listed.',
      {
        name: 'shells',
        description: 'Comma-separated shell paths.',
        required: true,
        validator: { type: 'string-list' },
        example: '/bin/bash,/bin/zsh',
      },
      (e) => e.shell,
      'shell',
    ),
    {
      name: 'blacklist_full_entry',
      description: 'Fires when an /etc/passwd line equals the given entry.',
      state: 'active',
      params: [
        {
          name: 'entry',
          description: 'A full passwd line.',
          required: true,
          validator: { type: 'string' },
          example: 'ftp:x:14:50:FTP User:/var/ftp:/sbin/nologin',
        },
      ],
      evaluate: (ctx) => {
        const wanted = (ctx.params.str('entry') ?? '').trim();
        return entries(ctx)
          .filter((e) => e.line.trim() === wanted)
          .map((e) => ({
            message: `Blacklisted passwd entry found in image's /etc/passwd: pentry=${e.line}`,
          }));
      },
    },
  ],
};
