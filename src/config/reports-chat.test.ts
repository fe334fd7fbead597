/** Report and chat options of `serve`: environment over config file over defaults; refusals. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServiceConfig } from './service.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-reports-chat-config-'));
  file = join(dir, 'portcullis.yaml');
  await writeFile(
    file,
    [
      'service:',
      '  report_team_labels: [com.example.team, owner]',
      '  chromium: /opt/chromium',
      '  slack:',
      '    - team_id: T0FILE',
      '      signing_secret: file-signing-secret',
      '      account: team-a',
      '',
    ].join('\n'),
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('report and chat options', () => {
  it('defaults: the usual team labels, Debian chromium, no Slack workspace', () => {
    const config = resolveServiceConfig({}, { HOME: dir });
    expect(config.reports).toEqual({
      teamLabelKeys: ['team', 'owner', 'org.opencontainers.image.vendor'],
      chromium: '/usr/bin/chromium',
    });
    expect(config.slack).toEqual([]);
  });

  it('reads the config file, and the environment wins over it', () => {
    const fromFile = resolveServiceConfig({ config: file }, { HOME: dir });
    expect(fromFile.reports).toEqual({
      teamLabelKeys: ['com.example.team', 'owner'],
      chromium: '/opt/chromium',
    });
    expect(fromFile.slack).toEqual([
      { teamId: 'T0FILE', signingSecret: 'file-signing-secret', account: 'team-a' },
    ]);
    const fromEnv = resolveServiceConfig(
      { config: file },
      {
        HOME: dir,
        PORTCULLIS_REPORT_TEAM_LABELS: ' squad , ',
        PORTCULLIS_CHROMIUM: '/usr/lib/chromium/chromium',
        PORTCULLIS_SLACK_TEAM_ID: 'T0ENV',
        PORTCULLIS_SLACK_SIGNING_SECRET: 'env-signing-secret',
        PORTCULLIS_SLACK_ACCOUNT: 'team-b',
      },
    );
    expect(fromEnv.reports).toEqual({ teamLabelKeys: ['squad'], chromium: '/usr/lib/chromium/chromium' });
    expect(fromEnv.slack?.map((w) => [w.teamId, w.account])).toEqual([
      ['T0FILE', 'team-a'],
      ['T0ENV', 'team-b'],
    ]);
  });

  it('refuses a partial Slack environment and a workspace configured twice', () => {
    expect(() => resolveServiceConfig({}, { HOME: dir, PORTCULLIS_SLACK_TEAM_ID: 'T1' })).toThrow(
      /go together/,
    );
    expect(() =>
      resolveServiceConfig(
        { config: file },
        {
          HOME: dir,
          PORTCULLIS_SLACK_TEAM_ID: 'T0FILE',
          PORTCULLIS_SLACK_SIGNING_SECRET: 'another-secret',
          PORTCULLIS_SLACK_ACCOUNT: 'team-b',
        },
      ),
    ).toThrow(/configured twice/);
  });
});
