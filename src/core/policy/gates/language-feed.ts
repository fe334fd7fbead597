/**
 * Shared triggers of the `npms` and `ruby_gems` gates, which compare installed packages with
 * registry metadata (Anchore's `packages` feed). Without a configured feed only
 * `feed_data_unavailable` and the name blacklist can fire.
 */
import type { Package, PackageType } from '../../sbom/model.js';
import type { TriggerContext, TriggerDefinition, TriggerFire } from '../gate.js';
import type { PackageFeed } from '../input.js';

export interface LanguageFeedNames {
  label: string;
  packageType: PackageType;
  feed: (ctx: TriggerContext) => PackageFeed | undefined;
  newer: string;
  unknown: string;
  versionMissing: string;
  blacklist: string;
}

function installed(ctx: TriggerContext, type: PackageType): Package[] {
  return ctx.input.packages.filter((p) => p.type === type);
}

function fireFor(p: Package, message: string): TriggerFire {
  return {
    message,
    package: { name: p.name, version: p.version, ...(p.locations[0] ? { path: p.locations[0].path } : {}) },
  };
}

export function languageFeedTriggers(n: LanguageFeedNames): TriggerDefinition[] {
  const withFeed = (
    ctx: TriggerContext,
    fn: (feed: PackageFeed, p: Package) => TriggerFire | undefined,
  ): TriggerFire[] => {
    const feed = n.feed(ctx);
    if (!feed) return [];
    return installed(ctx, n.packageType)
      .map((p) => fn(feed, p))
      .filter((f): f is TriggerFire => f !== undefined);
  };
  return [
    {
      name: n.newer,
      description: `Fires for each ${n.label} package with a newer version in the feed.`,
      state: 'active',
      params: [],
      evaluate: (ctx) =>
        withFeed(ctx, (feed, p) => {
          const meta = feed.lookup(p.name);
          return meta && meta.latest !== p.version
            ? fireFor(
                p,
                `${n.label} package ${p.name}-${p.version} is not the latest version in the feed (${meta.latest})`,
              )
            : undefined;
        }),
    },
    {
      name: n.unknown,
      description: `Fires for each ${n.label} package not found in the feed.`,
      state: 'active',
      params: [],
      evaluate: (ctx) =>
        withFeed(ctx, (feed, p) =>
          feed.lookup(p.name)
            ? undefined
            : fireFor(p, `${n.label} package ${p.name} is not in the official package feed`),
        ),
    },
    {
      name: n.versionMissing,
      description: `Fires for each ${n.label} package whose version is not in the feed.`,
      state: 'active',
      params: [],
      evaluate: (ctx) =>
        withFeed(ctx, (feed, p) => {
          const meta = feed.lookup(p.name);
          return meta && !meta.versions.includes(p.version)
            ? fireFor(
                p,
                `${n.label} package ${p.name} version ${p.version} is not in the official package feed`,
              )
            : undefined;
        }),
    },
    {
      name: n.blacklist,
      description: `Fires for each ${n.label} package with the given name (and version, if set).`,
      state: 'active',
      params: [
        {
          name: 'name',
          description: 'Package name.',
          required: true,
          validator: { type: 'string' },
          example: 'time_diff',
        },
        {
          name: 'version',
          description: 'Only this version.',
          required: false,
          validator: { type: 'string' },
          example: '0.2.9',
        },
      ],
      evaluate: (ctx) => {
        const name = ctx.params.str('name');
        const version = ctx.params.str('version');
        return installed(ctx, n.packageType)
          .filter((p) => p.name === name && (version === undefined || p.version === version))
          .map((p) => fireFor(p, `${n.label} package ${p.name}-${p.version} is blacklisted`));
      },
    },
    {
      name: 'feed_data_unavailable',
      description: `Fires when no ${n.label} package-metadata feed is configured.`,
      state: 'active',
      params: [],
      evaluate: (ctx) =>
        n.feed(ctx) ? [] : [{ message: `${n.label} package-metadata feed data is not available` }],
    },
  ];
}
