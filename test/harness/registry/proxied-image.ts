/**
 * The setup the registry fault tests share: a one-platform image built from in-memory layers,
 * pushed to a real plain docker-registry, with the fault proxy in front of it. Registers the
 * vitest hooks itself (start once, clear faults before each test, stop after all).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { buildOciLayout, type BuiltImage, type BuiltLayout } from './oci-layout.js';
import { pushImage } from './push.js';
import { startRegistry, type TestRegistry } from './start-registry.js';

export interface ProxiedImage {
  /** Scratch directory of this test file, removed after all. */
  readonly work: string;
  readonly registry: TestRegistry;
  readonly proxy: FaultProxy;
  readonly built: BuiltLayout;
  /** The pushed image (the layout's only platform). */
  readonly image: BuiltImage;
}

export interface ProxiedImageSpec {
  /** Prefix of the scratch directory's name. */
  name: string;
  /** Repository and tag pushed, e.g. `app/resume:v1`. */
  repository: string;
  /** One map of path → content per layer, bottom first. */
  layers: Array<Record<string, string>>;
  /** Basic credentials the proxy demands, if any. */
  proxyCredentials?: { username: string; password: string };
  /** Extra clean-up run before the proxy and registry stop (child processes, …). */
  beforeStop?: () => Promise<void> | void;
}

/** Call at the top level of a test file; read the returned fields inside tests only. */
export function useProxiedImage(spec: ProxiedImageSpec): ProxiedImage {
  let state: ProxiedImage | undefined;
  const get = (): ProxiedImage => {
    if (!state) throw new Error('useProxiedImage: read inside a test, after beforeAll');
    return state;
  };
  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), `portcullis-${spec.name}-`));
    const built = await buildOciLayout(join(work, 'layout'), 'v1', [
      { platform: { os: 'linux', architecture: 'amd64' }, layers: spec.layers },
    ]);
    const registry = await startRegistry('plain');
    await pushImage(registry, `oci:${built.dir}:v1`, spec.repository);
    const proxy = await startFaultProxy(registry.host, spec.proxyCredentials);
    state = { work, registry, proxy, built, image: built.images[0] as BuiltImage };
  });
  afterAll(async () => {
    await spec.beforeStop?.();
    await state?.proxy.close();
    await state?.registry.stop();
    if (state) await rm(state.work, { recursive: true, force: true });
  });
  beforeEach(() => {
    if (!state) return;
    state.proxy.fault = undefined;
    state.proxy.seen.length = 0;
  });
  return {
    get work() {
      return get().work;
    },
    get registry() {
      return get().registry;
    },
    get proxy() {
      return get().proxy;
    },
    get built() {
      return get().built;
    },
    get image() {
      return get().image;
    },
  };
}
