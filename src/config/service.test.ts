import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInterval, parseLocalImage, resolveServiceConfig } from './service.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pc-service-config-'));
  file = join(dir, 'portcullis.yaml');
  await writeFile(file, 'service:\n  feed_sync_interval: 2h\n  data_mirror: /from/file\n  concurrency: 3\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('serve options', () => {
  it('reads durations in s, m, h and d, and off', () => {
    expect(parseInterval('90s')).toBe(90_000);
    expect(parseInterval('30m')).toBe(1_800_000);
    expect(parseInterval('6h')).toBe(21_600_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    expect(parseInterval('off')).toBe(0);
    expect(parseInterval('0')).toBe(0);
  });

  it('reads --load-image as a local source and a tag, and refuses registry or plain paths', () => {
    expect(parseLocalImage('oci-dir:/srv/layout:app=demo.local/app:1')).toEqual({
      source: 'oci-dir:/srv/layout:app',
      tag: 'demo.local/app:1',
    });
    expect(parseLocalImage('docker-archive:/tmp/a.tar')).toEqual({
      source: 'docker-archive:/tmp/a.tar',
      tag: 'local/image:latest',
    });
    for (const bad of ['registry:nginx=x/y:1', '/etc/passwd', 'dir:/=a/b:1', 'oci-archive:/a.tar='])
      expect(() => parseLocalImage(bad), bad).toThrow(/--load-image/);
    const config = resolveServiceConfig({ loadImage: 'oci-archive:/a.tar=demo.local/a:1' }, { HOME: '/h' });
    expect(config.loadImage).toEqual({ source: 'oci-archive:/a.tar', tag: 'demo.local/a:1' });
  });

  it('marks the listen address configured only when a flag, env or file gives it (workers probe only then)', () => {
    const home = { HOME: dir };
    expect(resolveServiceConfig({}, home)).toMatchObject({ port: 8228, listenConfigured: false });
    expect(resolveServiceConfig({ listen: '127.0.0.1:0' }, home)).toMatchObject({
      port: 0,
      listenConfigured: true,
    });
    expect(resolveServiceConfig({}, { ...home, PORTCULLIS_LISTEN: '0.0.0.0:8080' })).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      listenConfigured: true,
    });
  });

  it('refuses durations it cannot read or shorter than a minute', () => {
    for (const bad of ['6', 'h', '10s', '-1h', '1w'])
      expect(() => parseInterval(bad), bad).toThrow(/feed-sync-interval/);
  });

  it('resolves flags over environment over config file over defaults', () => {
    const home = { HOME: dir };
    expect(resolveServiceConfig({}, home)).toMatchObject({ feedSyncIntervalMs: 21_600_000 });
    expect(resolveServiceConfig({}, home).dataMirror).toBeUndefined();
    expect(resolveServiceConfig({ config: file }, home)).toMatchObject({
      feedSyncIntervalMs: 7_200_000,
      dataMirror: '/from/file',
      concurrency: 3,
    });
    const env = { ...home, PORTCULLIS_FEED_SYNC_INTERVAL: '30m', PORTCULLIS_DATA_MIRROR: '/from/env' };
    expect(resolveServiceConfig({ config: file }, env)).toMatchObject({
      feedSyncIntervalMs: 1_800_000,
      dataMirror: '/from/env',
    });
    expect(
      resolveServiceConfig({ config: file, feedSyncInterval: 'off', dataMirror: '/from/flag' }, env),
    ).toMatchObject({ feedSyncIntervalMs: 0, dataMirror: '/from/flag' });
  });

  it('serves the Harbor adapter only with a token, from env or a file, for the named account', async () => {
    const home = { HOME: dir };
    expect(resolveServiceConfig({}, home).harbor).toBeUndefined();
    const token = 'harbor-adapter-token-0123456789';
    expect(resolveServiceConfig({}, { ...home, PORTCULLIS_HARBOR_TOKEN: token }).harbor).toEqual({
      token,
      account: 'admin',
    });
    const tokenFile = join(dir, 'harbor-token');
    await writeFile(tokenFile, `${token}-file\n`);
    expect(
      resolveServiceConfig({ harborTokenFile: tokenFile, harborAccount: 'harbor' }, home).harbor,
    ).toEqual({ token: `${token}-file`, account: 'harbor' });
    expect(() => resolveServiceConfig({}, { ...home, PORTCULLIS_HARBOR_TOKEN: 'short' })).toThrow(
      /at least 16/,
    );
    expect(() => resolveServiceConfig({ harborAccount: 'harbor' }, home)).toThrow(/needs a Harbor token/);
  });

  it('resolves the webhook allow-list, public URL and notification deadline, flags over env over file', async () => {
    const home = { HOME: dir };
    expect(resolveServiceConfig({}, home).notifications).toEqual({
      webhookAllowCidrs: [],
      deadlineMs: 86_400_000,
    });
    const notifyFile = join(dir, 'notify.yaml');
    await writeFile(
      notifyFile,
      'service:\n  webhook_allow_cidrs: [10.0.0.0/8]\n  public_url: https://pc.example/\n  notification_deadline: 2h\n',
    );
    expect(resolveServiceConfig({ config: notifyFile }, home).notifications).toEqual({
      webhookAllowCidrs: ['10.0.0.0/8'],
      publicUrl: 'https://pc.example',
      deadlineMs: 7_200_000,
    });
    const env = {
      ...home,
      PORTCULLIS_WEBHOOK_ALLOW_CIDRS: '172.16.0.0/12, fd00::/8',
      PORTCULLIS_PUBLIC_URL: 'https://env.example/v1',
      PORTCULLIS_NOTIFICATION_DEADLINE: '90m',
    };
    expect(resolveServiceConfig({ config: notifyFile }, env).notifications).toEqual({
      webhookAllowCidrs: ['172.16.0.0/12', 'fd00::/8'],
      publicUrl: 'https://env.example',
      deadlineMs: 5_400_000,
    });
    expect(
      resolveServiceConfig(
        {
          webhookAllowCidrs: ['127.0.0.0/8,10.0.0.0/8'],
          publicUrl: 'http://flag.example:8228',
          notificationDeadline: '30s',
        },
        env,
      ).notifications,
    ).toEqual({
      webhookAllowCidrs: ['127.0.0.0/8', '10.0.0.0/8'],
      publicUrl: 'http://flag.example:8228',
      deadlineMs: 30_000,
    });
    for (const bad of ['10.0.0.0', '10.0.0.0/33', 'cluster', '::/129'])
      expect(() => resolveServiceConfig({ webhookAllowCidrs: [bad] }, home), bad).toThrow(
        /--webhook-allow-cidrs/,
      );
    for (const bad of ['0s', '24', '31d'])
      expect(() => resolveServiceConfig({ notificationDeadline: bad }, home), bad).toThrow(
        /--notification-deadline/,
      );
    expect(() => resolveServiceConfig({ publicUrl: 'ftp://x' }, home)).toThrow(/--public-url/);
  });
});
